"""Routing: which employee a booking goes to, and why (DESIGN.md §3)."""
from sqlmodel import Session, select

from server.models import Customer, Employee, ShopLink
from server.shops.service import serving

# Reason codes stored on each booking and shown to staff.
REASONS = {
    "new_customer": "新客户，绑定到扫码店铺的客户经理",
    "dedicated": "老客户，分配给其专属客户经理",
    "successor": "原客户经理已离岗，由接任者服务",
    "branch_pool": "无可用接任者，由支行统一安排",
    "on_behalf": "员工代客预约",
}


def route_to_manager(db: Session, *, link: ShopLink, phone: str) -> tuple[Employee, str, Customer | None]:
    """The manager for a customer arriving through `link`, the reason, and the customer if known.

    A returning customer goes to their dedicated manager whatever shop they came through;
    a new one to the shop's owner; a manager who left hands over to their successor, else
    to the branch.
    """
    customer = db.exec(select(Customer).where(Customer.phone == phone)).first()
    first = db.get(Employee, customer.employee_id if customer else link.employee_id)
    manager, fallback = serving(db, first)
    reason = fallback or ("dedicated" if customer else "new_customer")
    return manager, reason, customer
