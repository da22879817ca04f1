"""What a booking's results count for in rankings, and when they may be recorded.

- A booking made through a shop counts when it is made; one made by staff (a walk-in, a phone
  call) only once its customer confirms it with a one-time code sent to their phone.
- An arrival or completion counts only with evidence from the customer's side (`verified_at`:
  the check-in code on their status page, the branch's check-in QR scanned with their phone, or
  the one-time code). Without it the booking still moves, counted only as `unverified`.
- A flagged booking counts nothing until a branch head or admin clears the flag.
- Counts that start later (a verification, a cleared flag) are `credit` events on the day they
  happen; a flag raised afterwards takes them back with `debit` events: no closed day changes.
- Time rules: arrived / completed / no-show only from the appointment's start (a call back: from
  when it was contacted); a no-show only once the slot has ended.
"""
from datetime import date, datetime, timedelta

from sqlmodel import Session

from server.boards import rollups
from server.clock import local_day
from server.errors import Conflict
from server.models import Booking

RESULTS = ("arrived", "completed", "no_show")  # what the clock rules govern


def flag_active(booking: Booking) -> bool:
    """Flagged and not cleared by a reviewer: left out of rankings."""
    return bool(booking.flag) and booking.flag_review != "cleared"


def confirmed(booking: Booking) -> bool:
    """The booking itself counts: made by the customer through a shop, or confirmed by them."""
    return booking.source != "staff" or booking.verified_at is not None


def unverified(booking: Booking, status: str) -> bool:
    """A status event of `booking` that moves it without scoring (no evidence yet)."""
    return booking.verified_at is None and (booking.source == "staff" or status in ("arrived", "completed"))


def credited(booking: Booking) -> list[str]:
    """The counters `booking` has in the rankings now, given its status, evidence and flag."""
    if flag_active(booking) or not confirmed(booking):
        return []
    out = ["bookings"]
    if booking.verified_at is not None and booking.status in ("arrived", "completed"):
        out.append("arrived")
    if booking.verified_at is not None and booking.status == "completed":
        out.append("completed")
    if booking.status == "no_show":
        out.append("no_show")
    return out


def difference(booking: Booking, now: datetime, apply) -> list[dict]:
    """Run `apply(booking)` (set evidence, a flag, a review) and return the difference it makes
    to the rankings: credit events (counters it adds today) and debit events (it takes back),
    credited to the employee and branch that hold the booking. Nothing is written."""
    before = set(credited(booking))
    apply(booking)
    after = set(credited(booking))
    return [rollups.now_event(kind, now, employee_id=booking.employee_id, branch_id=booking.branch_id,
                              booking_id=booking.id, shop_link_id=booking.shop_link_id, product_id=booking.product_id,
                              channel=booking.channel, status=c)
            for kind, counters in (("credit", after - before), ("debit", before - after)) for c in sorted(counters)]


def change(db: Session, booking: Booking, now: datetime, apply) -> None:
    """Run `apply(booking)` and record the difference it makes to the rankings."""
    events = difference(booking, now, apply)
    if events:
        rollups.record_many(db, events)


def raise_flag(db: Session, booking: Booking, flag: str, now: datetime) -> None:
    """Flag `booking` now (if it is not flagged already): what it counted is taken back."""
    if not booking.flag:
        change(db, booking, now, lambda b: setattr(b, "flag", flag))


def too_fast(booking: Booking, now: datetime, minutes: int) -> bool:
    """Completed within `minutes` of being made: nobody serves a loan that fast."""
    return now - booking.created_at < timedelta(minutes=minutes)


def contacted_at(booking: Booking) -> datetime | None:
    """When a call back was contacted (bookings contacted before this was stored: their last change)."""
    if booking.contacted_at is not None:
        return booking.contacted_at
    return booking.updated_at if booking.status in ("contacted", "arrived", "completed") else None


def check_time(booking: Booking, status: str, now: datetime, slot_minutes: int) -> None:
    """409 unless the appointment allows recording `status` now."""
    if status not in RESULTS:
        return
    if booking.slot_start is None:
        if contacted_at(booking) is None and status != "completed":
            raise Conflict("not_contacted")
        return
    if now < booking.slot_start:
        raise Conflict("too_early", starts_at=booking.slot_start.isoformat())
    ends = booking.slot_start + timedelta(minutes=slot_minutes)
    if status == "no_show" and now < ends:
        raise Conflict("no_show_too_early", ends_at=ends.isoformat())


def appointment_day(booking: Booking) -> date | None:
    """The day the customer is expected: the slot's; a call back's from its contact on."""
    if booking.slot_start is not None:
        return local_day(booking.slot_start)
    contacted = contacted_at(booking)
    return local_day(contacted) if contacted else None


def due_today(booking: Booking, now: datetime) -> bool:
    """The customer may check in today: their appointment is today (a contacted call back: any
    day since the contact), and the booking is still open or done without evidence."""
    day = appointment_day(booking)
    if day is None or booking.status not in ("new", "contacted", "arrived", "completed"):
        return False
    today = local_day(now)
    return day == today if booking.slot_start is not None else day <= today
