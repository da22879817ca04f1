"""What branch heads and head office review: flagged bookings (confirm / clear, audited) and
results recorded without the customer's evidence. A branch head sees their branch's; an admin all."""
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from server import access
from server.audit import service as audit
from server.bookings import evidence
from server.bookings.flags import REASONS
from server.clock import TZ, to_utc
from server.db import begin_write
from server.errors import ApiError, Conflict, Invalid, NotFound
from server.live.bus import publish
from server.models import Booking, Branch, Customer, Employee, mask_phone, utcnow

LIMIT = 500
UNVERIFIED_REASONS = {
    "no_checkin": "登记了到店/办结，但客户未核验（未出示核验码，也未扫网点签到码）",
    "walkin_unconfirmed": "员工代约（到店客户或电话预约），客户尚未用短信验证码确认",
}
ACTIONS = {"confirm": "confirmed", "clear": "cleared"}


def _scope(viewer: Employee):
    """Which bookings `viewer` reviews: their branch's (branch heads) or all (admins)."""
    branch_id = access.audit_scope(viewer)  # the same people review as read the audit log
    return True if branch_id is None else Booking.branch_id == branch_id


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return tuple(to_utc(datetime.combine(d, time(0), TZ)) for d in (start, end + timedelta(days=1)))


def _names(db: Session) -> tuple[dict, dict]:
    return ({e.id: e.name for e in db.exec(select(Employee))}, {b.id: b.name for b in db.exec(select(Branch))})


def flagged(db: Session, *, viewer: Employee, start: date, end: date) -> list[dict]:
    """Bookings made in the period that were flagged, with the reason and the review so far."""
    since, until = _bounds(start, end)
    names, branches = _names(db)
    rows = db.exec(select(Booking, Customer.phone).join(Customer, Customer.id == Booking.customer_id)
                   .where(_scope(viewer), Booking.flag != "", Booking.created_at >= since, Booking.created_at < until)
                   .order_by(Booking.created_at.desc()).limit(LIMIT))
    return [{"reference": b.reference, "employee": names[b.employee_id], "branch": branches[b.branch_id],
             "phone": mask_phone(phone), "flag": b.flag, "reason": REASONS.get(b.flag, b.flag),
             "created_at": b.created_at, "status": b.status, "review": b.flag_review} for b, phone in rows]


def unverified(db: Session, *, viewer: Employee, start: date, end: date) -> list[dict]:
    """Arrivals and completions recorded in the period without the customer's evidence: they
    moved the booking but score nothing until the customer checks in."""
    since, until = _bounds(start, end)
    names, branches = _names(db)
    rows = db.exec(select(Booking).where(
        _scope(viewer), Booking.verified_at == None, Booking.status.in_(("arrived", "completed")),  # noqa: E711
        Booking.updated_at >= since, Booking.updated_at < until).order_by(Booking.updated_at.desc()).limit(LIMIT))
    out = []
    for b in rows:
        code = "walkin_unconfirmed" if b.source == "staff" else "no_checkin"
        out.append({"reference": b.reference, "employee": names[b.employee_id], "branch": branches[b.branch_id],
                    "status": b.status, "source": b.source, "reason_code": code,
                    "reason": UNVERIFIED_REASONS[code], "updated_at": b.updated_at})
    return out


def review(db: Session, *, viewer: Employee, reference: str, action: str, source: str = "") -> Booking:
    """Confirm a flag (the booking stays out of rankings) or clear it (it counts from today on:
    what it would have counted is credited now). Audited."""
    if action not in ACTIONS:
        raise Invalid(action="review_invalid")
    begin_write(db)
    booking = db.exec(select(Booking).where(_scope(viewer), Booking.reference == reference.upper())).first()
    if booking is None:
        db.rollback()
        raise NotFound("not_found")
    if not booking.flag:
        db.rollback()
        raise Conflict("not_flagged")
    now = utcnow()
    evidence.change(db, booking, now, lambda b: setattr(b, "flag_review", ACTIONS[action]))
    audit.record(db, action=f"flag_{ACTIONS[action]}", actor=viewer, target=f"booking:{booking.reference}",
                 detail=booking.flag, source=source)
    db.commit()
    publish({"type": "status", "employee_id": booking.employee_id, "branch_id": booking.branch_id})
    return booking
