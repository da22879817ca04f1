"""Messages about a booking to its customer: the receipt, and reminders the day before and an
hour before. An outbox of one Reminder row per booking and kind (a unique index).

Planning (each round): bookings with an appointment in the next PLAN_HOURS get their rows; a
moved booking's rows are planned again for its new time; nothing for cancelled bookings or a
customer who turned reminders off. A reminder never goes at night (QUIET_HOURS, Asia/Shanghai):
one due then waits until the morning, or is skipped if the appointment comes first. A receipt
goes at once: the customer asked for it, with staff, that very moment.

Sending: due rows are claimed in one UPDATE ... RETURNING (its subquery locks them FOR UPDATE
SKIP LOCKED on PostgreSQL; SQLite has a single writer), so exactly one process sends each;
the outcome is then recorded. A process that dies between sending and recording leaves its row
'sending': after LEASE another process claims it again, so such a crash can send that one
message once more. Claims stop at MAX_ATTEMPTS.
"""
import logging
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, delete, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from server.audit import service as audit
from server.clock import TZ, local
from server.customers.links import status_link
from server.db import begin_write
from server.models import PHONE_RE, Booking, Branch, Customer, Employee, Reminder, utcnow

log = logging.getLogger("yryd.customers")

KINDS = ("day_before", "hour_before")  # reminders; "receipt" is queued by staff bookings
OPEN = ("new", "contacted")  # a booking still to come
PLAN_HOURS = 30  # reminders are planned this far ahead of the appointment
LEASE = timedelta(minutes=5)  # a claim older than this was lost with its process
MAX_ATTEMPTS = 3
BATCH = 50  # rows claimed at once
_T = Reminder.__table__


def quiet(moment: datetime) -> bool:
    """True at night in Asia/Shanghai (QUIET_HOURS, e.g. 22:00-08:00): no message goes then."""
    start, end = _quiet_bounds()
    t = local(moment).time()
    return (start <= t or t < end) if start > end else start <= t < end


def _quiet_bounds() -> tuple[time, time]:
    start, end = current_app.config["QUIET_HOURS"].split("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def after_quiet(moment: datetime) -> datetime:
    """`moment`, or the end of the night it falls in (08:00 the same or the next morning)."""
    if not quiet(moment):
        return moment
    _, end = _quiet_bounds()
    here = local(moment)
    morning = datetime.combine(here.date(), end, TZ)
    return morning if morning > here else morning + timedelta(days=1)


def due_time(kind: str, slot: datetime, created: datetime) -> datetime | None:
    """When reminder `kind` of an appointment at `slot` goes, or None: it would have been due
    before the booking was made, or the night pushes it past the appointment."""
    cfg = current_app.config
    if kind == "day_before":
        at = time.fromisoformat(cfg["REMINDER_DAY_BEFORE_AT"])
        due = datetime.combine(local(slot).date() - timedelta(days=1), at, TZ)
    else:
        due = slot - timedelta(minutes=cfg["REMINDER_HOUR_BEFORE_MINUTES"])
    if due < created:
        return None
    due = after_quiet(due)
    return due if due < slot else None


def _insert_ignoring_duplicates(db: Session):
    """INSERT ... ON CONFLICT (booking_id, kind) DO NOTHING: a second planner adds nothing."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(_T).on_conflict_do_nothing(index_elements=["booking_id", "kind"])


def _row(booking_id: int, kind: str, slot: datetime | None, due: datetime | None, now: datetime,
         state: str = "") -> dict:
    return dict(booking_id=booking_id, kind=kind, slot_start=slot, due_at=due or now,
                state=state or ("planned" if due else "skipped"), attempts=0, error="",
                claimed_at=None, sent_at=None, created_at=now)


def plan(db: Session, now: datetime) -> int:
    """Add the missing reminder rows of appointments coming within PLAN_HOURS, and plan again
    those whose booking moved (never a row being sent, nor one turned off). Returns rows changed.

    What to write is read first, outside the write lock (on SQLite the whole database's): a
    row made or turned off meanwhile stays as it is (the inserts ignore duplicates, the updates
    check the state they read), and the next round sees it."""
    bookings = db.exec(select(Booking.id, Booking.slot_start, Booking.created_at).where(
        Booking.status.in_(OPEN), Booking.slot_start > now,
        Booking.slot_start <= now + timedelta(hours=PLAN_HOURS))).all()
    have = {}
    if bookings:  # the columns planning needs, not whole rows: every round reads them all
        for r in db.exec(select(Reminder.id, Reminder.booking_id, Reminder.kind, Reminder.slot_start, Reminder.state)
                         .where(Reminder.booking_id.in_([b[0] for b in bookings]), Reminder.kind.in_(KINDS))):
            have[(r.booking_id, r.kind)] = r
    new, moved = [], []
    for booking_id, slot, created in bookings:
        for kind in KINDS:
            row = have.get((booking_id, kind))
            if row is None:
                new.append(_row(booking_id, kind, slot, due_time(kind, slot, created), now))
            elif row.slot_start != slot and row.state not in ("sending", "off"):
                due = due_time(kind, slot, created)
                moved.append((row, dict(slot_start=slot, due_at=due or now, state="planned" if due else "skipped",
                                        attempts=0, error="", sent_at=None)))
    if not new and not moved:  # most rounds
        db.commit()
        return 0
    begin_write(db)
    for row, values in moved:
        db.execute(update(_T).where(_T.c.id == row.id, _T.c.state == row.state).values(**values))
    if new:
        db.execute(_insert_ignoring_duplicates(db), new)
    db.commit()
    return len(new) + len(moved)


def queue_receipt(db: Session, *, booking: Booking, now: datetime | None = None) -> None:
    """The status link by message, once per booking (a replayed request queues nothing more)."""
    now = now or utcnow()
    begin_write(db)
    db.execute(_insert_ignoring_duplicates(db), [_row(booking.id, "receipt", booking.slot_start, now, now)])
    db.commit()


def reminders_on(db: Session, booking: Booking) -> bool:
    return db.exec(select(Reminder.id).where(Reminder.booking_id == booking.id,
                                             Reminder.state == "off")).first() is None


def set_reminders(db: Session, *, booking: Booking, on: bool, now: datetime | None = None) -> bool:
    """Turn the booking's reminders off (rows kept as 'off', so no planner adds them) or on again
    (the 'off' rows go; the next round plans them). What was sent stays sent."""
    now = now or utcnow()
    begin_write(db)
    if on:
        db.execute(delete(_T).where(_T.c.booking_id == booking.id, _T.c.state == "off"))
    else:
        db.execute(update(_T).where(_T.c.booking_id == booking.id, _T.c.kind.in_(KINDS),
                                    _T.c.state.in_(("planned", "skipped", "failed"))).values(state="off"))
        db.execute(_insert_ignoring_duplicates(db),
                   [_row(booking.id, kind, booking.slot_start, None, now, "off") for kind in KINDS])
    db.commit()
    return on


# One statement claims a batch: the due rows, and those whose sender died (lease over).
_DUE = (select(_T.c.id).where(_T.c.kind.in_(bindparam("kinds", expanding=True)), or_(
    and_(_T.c.state == "planned", _T.c.due_at <= bindparam("now")),
    and_(_T.c.state == "sending", _T.c.claimed_at <= bindparam("stale"), _T.c.attempts < MAX_ATTEMPTS)))
    .order_by(_T.c.due_at).limit(bindparam("limit")).with_for_update(skip_locked=True))
_CLAIM = (update(_T).where(_T.c.id.in_(_DUE.scalar_subquery()))
          .values(state="sending", claimed_at=bindparam("now"), attempts=_T.c.attempts + 1)
          .returning(_T.c.id))


def claim(db: Session, now: datetime, limit: int = 50, kinds: tuple = ("receipt", *KINDS)) -> list[int]:
    """Take up to `limit` due rows of `kinds` for this process (committed before anything is sent)."""
    begin_write(db)
    ids = db.execute(_CLAIM, {"now": now, "stale": now - LEASE, "limit": limit, "kinds": list(kinds)}).scalars().all()
    db.commit()
    return list(ids)


def deliver_due(db: Session, now: datetime | None = None, limit: int = BATCH) -> int:
    """Plan, then send what is due: at night only receipts (asked for that very moment).
    Returns how many messages went."""
    return _deliver(db, now or utcnow(), limit)[0]


def deliver_round(db: Session) -> bool:
    """One batch of the reminder thread; True when its claim was full (more may be due)."""
    return _deliver(db, utcnow(), BATCH)[1] == BATCH


def _deliver(db: Session, now: datetime, limit: int) -> tuple[int, int]:
    """(messages sent, rows claimed)."""
    plan(db, now)
    sent = 0
    claimed = claim(db, now, limit, ("receipt",) if quiet(now) else ("receipt", *KINDS))
    for reminder_id in claimed:
        sent += _deliver_one(db, reminder_id, now)
    return sent, len(claimed)


def _deliver_one(db: Session, reminder_id: int, now: datetime) -> int:
    row = db.get(Reminder, reminder_id, populate_existing=True)
    booking = db.get(Booking, row.booking_id, populate_existing=True)
    customer = db.get(Customer, booking.customer_id)
    reason = _not_to_send(row, booking, customer.phone, now)
    if reason == "moved":
        due = due_time(row.kind, booking.slot_start, booking.created_at)
        return _record(db, row, slot_start=booking.slot_start, due_at=due or now,
                       state="planned" if due else "skipped", attempts=0)
    if reason:
        return _record(db, row, state="skipped", error=reason)
    manager, branch = db.get(Employee, booking.employee_id), db.get(Branch, booking.branch_id)
    params = message_params(booking, manager.name, branch.name)
    db.commit()  # no transaction held while the provider is talked to
    ok, error = send(customer.phone, "receipt" if row.kind == "receipt" else "reminder", params)
    if ok:
        _record(db, row, state="sent", sent_at=now, error="")
        return 1
    log.warning("customer message not sent: kind=%s reminder=%s error=%s", row.kind, row.id, error)
    if row.attempts < MAX_ATTEMPTS:
        retry = after_quiet(now + timedelta(minutes=5 * 2 ** (row.attempts - 1)))
        if booking.slot_start is None or retry < booking.slot_start:
            return _record(db, row, state="planned", due_at=retry, error=error[:80])
    audit.record(db, action="message_failed", target=f"booking:{booking.reference}",
                 detail=f"{row.kind}: {error}"[:200])
    return _record(db, row, state="failed", error=error[:80])


def _not_to_send(row: Reminder, booking: Booking, phone: str, now: datetime) -> str:
    """Why a claimed row must not go out now ("" when it may)."""
    if booking.status not in OPEN and not (row.kind == "receipt" and booking.status == "arrived"):
        return "cancelled" if booking.status == "cancelled" else "closed"
    if not PHONE_RE.fullmatch(phone):
        return "erased"
    if row.kind != "receipt" and booking.slot_start != row.slot_start:
        return "moved"
    if booking.slot_start is not None and booking.slot_start <= now:
        return "passed"
    return ""


def _record(db: Session, row: Reminder, **values) -> int:
    """Write a claimed row's outcome; only while it is still this claim's (state 'sending')."""
    begin_write(db)
    db.execute(update(_T).where(_T.c.id == row.id, _T.c.state == "sending",
                                _T.c.attempts == row.attempts).values(**values))
    db.commit()
    return 0


def message_params(booking: Booking, manager: str, branch: str) -> dict:
    """What fills the message's template: bank, time, manager and the private status link."""
    cfg = current_app.config
    when = local(booking.slot_start).strftime("%m月%d日 %H:%M") if booking.slot_start else "待客户经理来电约定"
    return {"bank": cfg["BANK_NAME"], "time": when, "manager": f"{branch}{manager}",
            "link": status_link(booking) or cfg["PUBLIC_BASE_URL"]}


def send(phone: str, kind: str, params: dict) -> tuple[bool, str]:
    """Through the customer sender; (ok, the provider's error code when it has one)."""
    sender = current_app.extensions["customer_sender"]
    if hasattr(sender, "send_result"):
        return sender.send_result(phone, kind, params)
    try:
        return bool(sender.send(phone, kind, params)), ""
    except Exception as e:  # noqa: BLE001 - a plugged-in sender's failure is a failed message
        return False, type(e).__name__


def counts(db: Session) -> dict:
    """How many messages stand in each state, per kind, and the latest failures (for admins)."""
    rows = db.exec(select(Reminder.kind, Reminder.state, func.count()).group_by(Reminder.kind, Reminder.state)).all()
    failed = db.exec(select(Reminder, Booking.reference).join(Booking, Booking.id == Reminder.booking_id)
                     .where(Reminder.state == "failed").order_by(Reminder.due_at.desc()).limit(20)).all()
    return {"counts": [{"kind": k, "state": s, "count": n} for k, s, n in rows],
            "failures": [{"reference": ref, "kind": r.kind, "error": r.error, "at": r.claimed_at or r.due_at}
                         for r, ref in failed]}
