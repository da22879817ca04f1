"""Routing: which employee a booking goes to, and why (DESIGN.md §3)."""
from datetime import date

from sqlalchemy import bindparam
from sqlmodel import Session

from server.cache import catalog_get, rebuild
from server.models import Customer, Employee, ShopLink
from server.shops.service import least_loaded, serving

# Reason codes stored on each booking (the staff app shows them in Chinese): new_customer,
# dedicated, successor, branch_pool, out_of_office, grid_least_loaded; handover sets "handover".


def route_to_manager(db: Session, *, link: ShopLink, phone: str,
                     day: date) -> tuple[Employee, str, Customer | None]:
    """The manager for a customer arriving through `link` for `day`, the reason, the customer.

    A returning customer goes to their dedicated manager whatever shop they came through; a
    new one to the shop's owner (a grid code: the grid's least-loaded employee). A manager who
    left hands over to their successor, else to the branch; one who is away, to their delegate.
    """
    row = db.execute(_CUSTOMER_BY_PHONE, {"phone": phone}).mappings().first()
    customer = rebuild(Customer, dict(row), db) if row else None
    grid_pick = least_loaded(db, link.grid_id) if link.grid_id and not customer else None
    first = grid_pick or catalog_get(db, Employee, customer.employee_id if customer else link.employee_id)
    manager, fallback = serving(db, first, day)
    default = "dedicated" if customer else ("grid_least_loaded" if grid_pick else "new_customer")
    return manager, fallback or default, customer


# Built once; every booking asks it. The row is rebuilt as a loaded Customer (no ORM query).
_CUSTOMER_BY_PHONE = Customer.__table__.select().where(Customer.__table__.c.phone == bindparam("phone"))
