"""Check-in: evidence from the customer's side that they came (server/bookings/evidence.py).

Three ways, none of which a member of staff can complete alone:
- the check-in code: 6 digits on the customer's status page (and a QR of them), derived from
  the booking and the day with the server secret (nothing stored), which staff type or scan;
- the branch's check-in QR (`/c/<branch code>`), scanned with the customer's own phone: the page
  sends the status tokens that phone remembers, and the booking at that branch today checks in;
- a one-time code sent to the booking's phone, for bookings staff made (walk-ins, phone calls).
A check-in marks the arrival verified and moves the booking to arrived when its time has come.
"""
import base64
import hashlib
import hmac
import statistics
from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, func, select

import qr
from server.audit import service as audit
from server.boards import rollups
from server.bookings import evidence
from server.bookings.service import move
from server.clock import local_day
from server.db import begin_write
from server.errors import ApiError, Conflict, Invalid, NotFound
from server.live.bus import publish
from server.models import Booking, Branch, Employee, utcnow
from server.shops.service import CODE_ALPHABET
from server.staff.service import booking_for

BRANCH_CODE_LENGTH = 8
WALKIN_DAYS = 30


def _mac(message: str) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).digest()


def day_code(booking: Booking, now: datetime) -> str:
    """The booking's check-in code for today's date (6 digits)."""
    number = int.from_bytes(_mac(f"checkin:{booking.id}:{local_day(now)}")[:8], "big")
    return f"{number % 1_000_000:06d}"


def code_for(booking: Booking, now: datetime | None = None) -> str | None:
    """The code the customer's status page shows: only for bookings they made through a shop,
    on the appointment's day, until the arrival is verified."""
    now = now or utcnow()
    if booking.source != "shop" or booking.verified_at is not None or not evidence.due_today(booking, now):
        return None
    return day_code(booking, now)


def code_qr(code: str) -> str:
    """The code as a QR (PNG data URL), for staff to scan off the customer's screen."""
    return "data:image/png;base64," + base64.b64encode(qr.png(code, box_size=8, border=2)).decode()


def branch_code(branch_id: int) -> str:
    """A branch's check-in code for its printed QR: derived from the secret, not guessable."""
    digest = _mac(f"branch-checkin:{branch_id}")
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:BRANCH_CODE_LENGTH])


def branch_by_code(db: Session, code: str) -> Branch:
    """The branch whose check-in QR carries `code` (404 if none)."""
    code = code.upper()
    for branch in db.exec(select(Branch)):
        if hmac.compare_digest(branch_code(branch.id).encode(), code.encode()):
            return branch
    raise NotFound("not_found")


def check_in(db: Session, *, viewer: Employee, reference: str, code: str, source: str = "",
             now: datetime | None = None) -> Booking:
    """Staff check booking `reference` (404 unless in their scope) with the customer's `code`.

    Every check-in writes (the verification, or a wrong try counted), so the booking is read
    once, in the write transaction, and locked on PostgreSQL: two check-ins of one booking at
    the same moment (staff typing the code, the customer scanning the branch QR) count it once."""
    begin_write(db)
    booking = booking_for(db, viewer, reference, lock=True)
    return check_code(db, booking=booking, actor=viewer, code=code, source=source, now=now, locked=True)


def check_code(db: Session, *, booking: Booking, actor: Employee, code: str, source: str = "",
               now: datetime | None = None, locked: bool = False) -> Booking:
    """Staff typed or scanned the customer's code: 422 if wrong (CHECKIN_ATTEMPTS at most).
    `locked`: `booking` was read in the current write transaction (check_in)."""
    now = now or utcnow()
    if booking.source == "staff":
        _check_one_time_code(db, booking=booking, code=code, now=now)  # commits: verify reads it again
        return verify(db, booking=booking, by="otp", actor=actor, source=source, now=now)
    if booking.verified_at is not None:
        return booking
    if booking.checkin_failures >= current_app.config["CHECKIN_ATTEMPTS"]:
        raise Conflict("checkin_locked")
    expected = code_for(booking, now)
    if expected is None:
        raise Conflict("checkin_refused")
    if not hmac.compare_digest(expected.encode(), code.strip().encode()):
        if not locked:
            begin_write(db)
            booking = db.get(Booking, booking.id, populate_existing=True)
        booking.checkin_failures += 1
        audit.record(db, action="checkin_failed", actor=actor, target=f"booking:{booking.reference}",
                     source=source, branch_id=booking.branch_id)
        db.commit()
        raise Invalid(code="checkin_code_wrong")
    return verify(db, booking=booking, by="code", actor=actor, source=source, now=now, locked=locked)


def send_one_time_code(db: Session, *, booking: Booking, actor: Employee, source: str = "",
                       now: datetime | None = None) -> None:
    """Send a one-time code to a staff-made booking's phone (the customer confirms with it)."""
    if booking.source != "staff":
        raise Conflict("checkin_by_code")
    if booking.verified_at is not None or booking.status not in ("new", "contacted", "arrived", "completed"):
        raise Conflict("checkin_refused")
    from server.customers import otp
    from server.models import Customer

    phone = db.get(Customer, booking.customer_id).phone
    otp.send_code(db, phone=phone, purpose=f"checkin:{booking.id}", now=now)
    audit.record(db, action="checkin_code_sent", actor=actor, target=f"booking:{booking.reference}",
                 source=source, commit=True)


def _check_one_time_code(db: Session, *, booking: Booking, code: str, now: datetime) -> None:
    from server.customers import otp
    from server.models import Customer

    if booking.verified_at is not None:
        return
    phone = db.get(Customer, booking.customer_id).phone
    otp.check_code(db, phone=phone, purpose=f"checkin:{booking.id}", code=code.strip(), now=now)


def self_check_in(db: Session, *, branch: Branch, token_booking: Booking, source: str = "",
                  now: datetime | None = None) -> Booking:
    """The customer scanned the branch's QR with their own phone: their booking there today
    checks in (409, saying nothing more, for any other booking)."""
    now = now or utcnow()
    b = token_booking
    if b.source != "shop" or b.branch_id != branch.id or not evidence.due_today(b, now):
        raise Conflict("checkin_refused")
    booking = verify(db, booking=b, by="self", actor=None, source=source, now=now)
    publish({"type": "checkin", "employee_id": booking.employee_id, "branch_id": booking.branch_id})
    return booking


def verify(db: Session, *, booking: Booking, by: str, actor: Employee | None, source: str,
           now: datetime, locked: bool = False) -> Booking:
    """Mark the arrival verified (once): what it makes count is credited today; the booking moves
    to arrived if its time has come (else staff record the arrival later, verified).

    `locked`: `booking` was read in the current write transaction; else it is read again in one
    (locked on PostgreSQL). Then every other read comes first, and the writes are what the
    counts need: the booking's one UPDATE (evidence and status), one INSERT of its events, one
    upsert per rollup and one audit entry."""
    if not locked:
        begin_write(db)
        booking = db.get(Booking, booking.id, populate_existing=True, with_for_update=True)
    if booking.verified_at is not None:
        db.rollback()
        return booking
    outlier = booking.source == "staff" and not booking.flag and walkins_outlying(db, booking, now)

    def apply(b: Booking) -> None:
        b.verified_at, b.verified_by = now, by
        if outlier:
            b.flag = "walkin_outlier"

    credits = evidence.difference(booking, now, apply)
    moved = False
    if booking.status in ("new", "contacted"):
        try:  # the arrival is in this entry: no status_changed entry of its own
            move(db, booking=booking, actor=actor, status="arrived", now=now, source=source, events=credits,
                 audited=False)
            moved = True
        except ApiError:
            pass  # early: verified now, the arrival is recorded at the appointment
    if credits and not moved:
        rollups.record_many(db, credits)
    audit.record(db, action="checkin_verified", actor=actor, target=f"booking:{booking.reference}",
                 detail=f"by {by}" + (", arrived" if moved else ""), source=source, branch_id=booking.branch_id)
    db.commit()
    publish({"type": "status", "employee_id": booking.employee_id, "branch_id": booking.branch_id})
    return booking


def walkins_outlying(db: Session, booking: Booking, now: datetime) -> bool:
    """The booking's employee made far more walk-ins in 30 days than their branch's median."""
    cfg = current_app.config
    since = now - timedelta(days=WALKIN_DAYS)
    counts = dict(db.exec(select(Booking.employee_id, func.count()).where(
        Booking.branch_id == booking.branch_id, Booking.source == "staff", Booking.created_at >= since)
        .group_by(Booking.employee_id)).all())
    people = db.exec(select(Employee.id).where(Employee.branch_id == booking.branch_id,
                                               Employee.disabled == False)).all()  # noqa: E712
    mine = counts.get(booking.employee_id, 0)
    median = statistics.median([counts.get(p, 0) for p in people] or [0])
    return mine >= cfg["FLAG_WALKIN_MIN"] and mine > cfg["FLAG_WALKIN_FACTOR"] * median
