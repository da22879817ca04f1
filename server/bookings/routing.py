"""Routing: which employee a booking goes to, and why (DESIGN.md §3)."""
from datetime import date

from sqlmodel import Session

from server.cache import catalog_get
from server.models import Customer, Employee, ShopLink
from server.shops.service import least_loaded, serving

# Reason codes stored on each booking (the staff app shows them in Chinese): new_customer,
# dedicated, successor, branch_pool, out_of_office, grid_least_loaded; handover sets "handover".


def route_to_manager(db: Session, *, link: ShopLink, customer: Customer | None,
                     day: date, chosen: Employee | None = None) -> tuple[Employee, str]:
    """The manager for `customer` (None: a new one) arriving through `link` for `day`, and why.

    A returning customer goes to their dedicated manager whatever shop they came through; a
    new one to the shop's owner (a grid code: `chosen`, the member whose times the customer was
    shown, else the grid's least-loaded employee). A manager who
    left hands over to their successor, else to the branch; one who is away, to their delegate.
    """
    grid_pick = (chosen or least_loaded(db, link.grid_id)) if link.grid_id and not customer else None
    first = grid_pick or catalog_get(db, Employee, customer.employee_id if customer else link.employee_id)
    manager, fallback = serving(db, first, day)
    default = "dedicated" if customer else ("grid_least_loaded" if grid_pick else "new_customer")
    return manager, fallback or default
