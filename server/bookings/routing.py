"""Routing: which employee a booking goes to, and why (DESIGN.md §3)."""
from datetime import date

from sqlmodel import Session, select

from server.models import Customer, Employee, ShopLink
from server.shops.service import least_loaded, serving

# Reason codes stored on each booking and shown to staff.
REASONS = {
    "new_customer": "新客户，绑定到扫码店铺的客户经理",
    "dedicated": "老客户，分配给其专属客户经理",
    "successor": "原客户经理已离岗，由接任者服务",
    "branch_pool": "无可用接任者，由支行统一安排",
    "out_of_office": "客户经理休假，由其指定的代理人服务",
    "grid_least_loaded": "网格码：分配给该网格当前待办最少的员工",
    "handover": "原客户经理的客户已移交（客户继承）",
}


def route_to_manager(db: Session, *, link: ShopLink, phone: str,
                     day: date) -> tuple[Employee, str, Customer | None]:
    """The manager for a customer arriving through `link` for `day`, the reason, the customer.

    A returning customer goes to their dedicated manager whatever shop they came through; a
    new one to the shop's owner (a grid code: the grid's least-loaded employee). A manager who
    left hands over to their successor, else to the branch; one who is away, to their delegate.
    """
    customer = db.exec(select(Customer).where(Customer.phone == phone)).first()
    grid_pick = least_loaded(db, link.grid_id) if link.grid_id and not customer else None
    first = grid_pick or db.get(Employee, customer.employee_id if customer else link.employee_id)
    manager, fallback = serving(db, first, day)
    default = "dedicated" if customer else ("grid_least_loaded" if grid_pick else "new_customer")
    return manager, fallback or default, customer
