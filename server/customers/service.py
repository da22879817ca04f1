"""What a proven number reaches: its bookings, its dedicated manager, erasing it."""
from datetime import datetime

from sqlmodel import Session, select

from server.bookings import privacy, views
from server.bookings.routing import route_to_manager
from server.bookings.service import slot_days
from server.cache import catalog_get
from server.clock import local_day
from server.models import Booking, Customer, Employee, ShopLink, utcnow
from server.shops.service import card


def bookings_of(db: Session, *, phone: str) -> dict:
    """The customer's dedicated manager and bookings, newest first (none for a new number)."""
    customer = db.exec(select(Customer).where(Customer.phone == phone)).first()
    if customer is None:
        return {"dedicated_manager": None, "bookings": []}
    rows = db.exec(select(Booking).where(Booking.customer_id == customer.id)
                   .order_by(Booking.created_at.desc()).limit(50)).all()
    return {"dedicated_manager": db.get(Employee, customer.employee_id).name,
            "bookings": [views.public(db, b) for b in rows]}


def erase_number(db: Session, *, phone: str, source: str) -> int:
    """Erase everything held on the number (0 bookings when it was never a customer)."""
    customer = db.exec(select(Customer).where(Customer.phone == phone)).first()
    if customer is None:
        return 0
    return privacy.erase_customer(db, customer=customer, source=source, reason="withdrawn with a proven number")


def who_serves(db: Session, *, phone: str, link: ShopLink, now: datetime | None = None) -> dict:
    """Who a booking by this proven number through `link` goes to today, why, and their open
    times: what the form shows before the customer commits (never a silent switch)."""
    now = now or utcnow()
    customer = db.exec(select(Customer).where(Customer.phone == phone)).first()
    manager, reason = route_to_manager(db, link=link, customer=customer, day=local_day(now))
    # Each day's times are those of whoever serves the customer's manager that day.
    first = catalog_get(db, Employee, customer.employee_id) if customer else manager
    return {"manager": card(db, manager), "reason": reason, **slot_days(db, first, now=now, routed=True)}
