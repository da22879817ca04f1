"""What a proven number reaches: its bookings, its dedicated manager, erasing it."""
from sqlmodel import Session, select

from server.bookings import privacy, views
from server.models import Booking, Customer, Employee


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
