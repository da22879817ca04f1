"""Personal information (PIPL): erase a customer on request, anonymise after retention.

Erasing keeps what the bank's statistics need (bookings, statuses, rollups) and removes who:
the name, phone number and note. Rollups are untouched, so boards keep their counts.
"""
from datetime import datetime, timedelta

from sqlmodel import Session, select

from server.audit import service as audit
from server.boards import rollups
from server.db import begin_write
from server.live.bus import publish
from server.models import Booking, Customer, utcnow

ERASED_NAME = "（已删除）"


def erase_customer(db: Session, *, customer: Customer, now: datetime | None = None, actor=None,
                   source: str = "", reason: str = "customer request") -> int:
    """Cancel the customer's open bookings and strip every booking of personal data."""
    from server.bookings.service import TRANSITIONS  # the state machine decides what is open

    now = now or utcnow()
    begin_write(db)
    customer = db.get(Customer, customer.id, populate_existing=True)
    bookings = db.exec(select(Booking).where(Booking.customer_id == customer.id)).all()
    for b in bookings:
        if "cancelled" in TRANSITIONS.get(b.status, ()):
            b.status = "cancelled"  # an open appointment is withdrawn; counted like any cancellation
            rollups.record(db, rollups.now_event(
                "status", now, employee_id=b.employee_id, branch_id=b.branch_id, booking_id=b.id,
                shop_link_id=b.shop_link_id, product_id=b.product_id, channel=b.channel, status="cancelled", flagged=bool(b.flag)))
        b.name, b.note, b.updated_at = ERASED_NAME, "", now
        b.token_hash = f"erased-{b.id}"  # the status link stops working
    customer.name = ERASED_NAME
    customer.phone = f"0{customer.id:010d}"[-11:]  # unique, and never a mobile number
    customer.marketing_consent_at = None
    audit.record(db, action="customer_erased", actor=actor, target=f"customer:{customer.id}",
                 detail=reason, source=source)
    db.commit()
    for b in bookings:
        publish({"type": "status", "employee_id": b.employee_id, "branch_id": b.branch_id})
    return len(bookings)


def erase_booking(db: Session, *, booking: Booking, now: datetime | None = None, source: str = "") -> int:
    """Withdraw one booking: cancel it if open and strip its name and note; its status link
    stops working. The customer's record goes too only when this was their only booking."""
    from server.bookings.service import TRANSITIONS

    now = now or utcnow()
    begin_write(db)
    b = db.get(Booking, booking.id, populate_existing=True)
    if "cancelled" in TRANSITIONS.get(b.status, ()):
        b.status = "cancelled"
        rollups.record(db, rollups.now_event(
            "status", now, employee_id=b.employee_id, branch_id=b.branch_id, booking_id=b.id,
            shop_link_id=b.shop_link_id, product_id=b.product_id, channel=b.channel, status="cancelled", flagged=bool(b.flag)))
    b.name, b.note, b.updated_at = ERASED_NAME, "", now
    b.token_hash = f"erased-{b.id}"
    others = db.exec(select(Booking.id).where(Booking.customer_id == b.customer_id, Booking.id != b.id).limit(1)).first()
    if others is None:
        customer = db.get(Customer, b.customer_id)
        customer.name, customer.marketing_consent_at = ERASED_NAME, None
        customer.phone = f"0{customer.id:010d}"[-11:]
    audit.record(db, action="booking_erased", target=f"booking:{b.reference}", detail="withdrawn via status link",
                 source=source)
    db.commit()
    publish({"type": "status", "employee_id": b.employee_id, "branch_id": b.branch_id})
    return 1


def expired_customers(db: Session, *, retention_days: int, now: datetime | None = None) -> list[Customer]:
    """Customers whose last booking ended more than `retention_days` ago."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    latest = {}
    for customer_id, slot, created in db.exec(select(Booking.customer_id, Booking.slot_start, Booking.created_at)):
        moment = slot or created
        latest[customer_id] = max(latest.get(customer_id, moment), moment)
    ids = [cid for cid, moment in latest.items() if moment < cutoff]
    customers = db.exec(select(Customer).where(Customer.id.in_(ids))).all() if ids else []
    return [c for c in customers if c.name != ERASED_NAME]
