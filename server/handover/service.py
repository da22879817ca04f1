"""Handover (客户继承): move a leaving or moving employee's customers, open bookings and shop
codes to a successor in one transaction, with history, limits and an audit entry."""
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from server.audit import service as audit
from server.db import begin_write
from server.errors import Invalid
from server.live.bus import publish
from server.models import Booking, Customer, CustomerMove, Employee, Handover, ShopLink, utcnow
from server.shops import channels

OPEN = ("new", "contacted")
WINDOW = timedelta(days=90)


def hand_over(db: Session, *, source: Employee, target: Employee, actor: Employee, reason: str,
              leaving: bool, max_moves: int, now: datetime | None = None, ip: str = "") -> tuple[Handover, list[str]]:
    """Move everything of `source` to `target`; returns the record and bookings turned into call-backs."""
    now = now or utcnow()
    if source.id == target.id or target.disabled:
        raise Invalid(to_staff_no="handover_target")
    if not reason:
        raise Invalid(reason="required")
    begin_write(db)
    record = Handover(from_id=source.id, to_id=target.id, actor_id=actor.id, reason=reason,
                      leaving=leaving, at=now)
    db.add(record)
    db.flush()
    moved_customers = _move_customers(db, record, source, target, max_moves, now)
    rescheduled = _move_bookings(db, record, source, target, moved_customers, now)
    links = db.exec(select(ShopLink).where(ShopLink.employee_id == source.id)).all()
    channels.hand_over(db, links, source=source, target=target)  # printed codes now reach the successor
    record.links = len(links)
    if leaving:
        leaver = db.get(Employee, source.id)
        leaver.disabled, leaver.successor_id = True, target.id
        leaver.session_version += 1
    audit.record(db, action="handover", actor=actor, target=f"employee:{source.id}",
                 detail=f"to employee:{target.id}; {reason}", source=ip)
    db.commit()
    publish({"type": "status", "employee_id": target.id, "branch_id": target.branch_id})
    return record, rescheduled


def _move_customers(db, record, source, target, max_moves, now) -> set[int]:
    moved = set()
    for customer in db.exec(select(Customer).where(Customer.employee_id == source.id)):
        recent = db.exec(select(func.count()).select_from(CustomerMove).where(
            CustomerMove.customer_id == customer.id, CustomerMove.at >= now - WINDOW)).one()
        if recent >= max_moves:
            record.skipped += 1
            continue
        customer.employee_id, customer.bound_at = target.id, now
        db.add(CustomerMove(customer_id=customer.id, from_id=source.id, to_id=target.id,
                            handover_id=record.id, at=now))
        moved.add(customer.id)
    record.customers = len(moved)
    return moved


def _move_bookings(db, record, source, target, customers, now) -> list[str]:
    """Open bookings of moved customers go along; a slot the successor already has becomes a call-back."""
    rescheduled = []
    for booking in db.exec(select(Booking).where(Booking.employee_id == source.id, Booking.status.in_(OPEN))):
        if booking.customer_id not in customers:
            continue
        taken = booking.slot_start is not None and db.exec(select(Booking.id).where(
            Booking.employee_id == target.id, Booking.slot_start == booking.slot_start,
            Booking.status.in_(("new", "contacted", "arrived", "completed")))).first()
        if taken:
            booking.slot_start = None
            rescheduled.append(booking.reference)
        booking.employee_id, booking.branch_id = target.id, target.branch_id
        booking.route_reason, booking.updated_at = "handover", now
        record.bookings += 1
    return rescheduled

