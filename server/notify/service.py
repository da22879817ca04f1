"""The notification outbox: rows written with the booking, delivered after it with back-off.

A booking never waits for (or fails because of) a webhook; a dead receiver only delays the
message. Several processes may deliver, and each message goes out once:

- A worker claims due rows no one else holds, in id order (FOR UPDATE SKIP LOCKED on
  PostgreSQL; SQLite's single writer serialises claims): claims never wait on one another, so
  they cannot deadlock.
- A claim is a lease: next_at moves to the claim's lease end, longer than one delivery can take.
  Just before each send the lease is renewed, in a short transaction that also checks the row
  is still this worker's (next_at still equal to the lease end it set): a row another worker
  took over meanwhile is skipped, so a delivery is never started twice while one is in flight.
- Each result is recorded in its own short transaction, retried on a deadlock or a
  serialization failure; "sent" is written without condition, so nothing undoes a send.
- A receiver that takes a message but answers after the timeout has it: it is not resent
  (webhook.deliver). Every message carries a stable id (X-Message-Id, and `id` in the body).
"""
import logging
import time
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from server.cache import catalog_get
from server.clock import local
from server.db import begin_write
from server.models import Booking, Branch, Customer, Employee, Notification, Product, mask_phone, utcnow
from server.notify.senders import load_sender
from server.reports import webhook

log = logging.getLogger("yryd.notify")
MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 15.0  # a webhook's whole answer; slower receivers are counted as sent, not resent
BATCH = 50  # messages claimed at once
RECORD_EVERY = 10  # outcomes written together (a worker killed meanwhile resends at most this many)
WRITE_TRIES = 5  # a result write that meets a deadlock or serialization failure is tried again


def lease() -> timedelta:
    """How long a claimed message is left to its worker: longer than one delivery can take."""
    return timedelta(seconds=2 * TIMEOUT_SECONDS + 30)


def enqueue(db: Session, bookings: list[dict]) -> int:
    """Add the notifications of the new bookings (their rows as inserted, with their ids) to the
    caller's transaction (one INSERT); returns how many."""
    cfg = current_app.config
    channels = [c for c, on in (("webhook", cfg["NOTIFY_WEBHOOK_URL"]), ("message", cfg["MESSAGE_SENDER"])) if on]
    now = utcnow()
    rows = [dict(booking_id=booking["id"], employee_id=booking["employee_id"], channel=channel, status="pending",
                 attempts=0, next_at=now, created_at=now, sent_at=None)
            for booking in bookings for channel in channels]
    if rows:
        db.execute(_INSERT, rows)
    return len(rows)


_INSERT = insert(Notification.__table__)


def configured() -> bool:
    cfg = current_app.config
    return bool(cfg["NOTIFY_WEBHOOK_URL"] or cfg["MESSAGE_SENDER"])


def text_for(booking: Booking, product: str, phone: str, manager: Employee, branch: str) -> str:
    """One line a manager can act on, naming whose booking it is and where (group chats carry
    several managers); the customer's number masked (group chats are not private)."""
    when = local(booking.slot_start).strftime("%m月%d日 %H:%M") if booking.slot_start else "请回电"
    return (f"新预约 {booking.reference}（{branch} {manager.name} {manager.staff_no}）："
            f"{product}，{when}，客户 {mask_phone(phone)}")


def message_id(note: "_Note") -> str:
    """The message's stable id: the same on every attempt, so a receiver can drop a repeat."""
    return f"notification-{note.id}"


def deliver_due(db: Session, now: datetime | None = None, limit: int = BATCH) -> int:
    """Send what is due; failures are retried later with exponential back-off. Returns sent count."""
    now = now or utcnow()
    batch, held = claim(db, now, limit)
    return deliver(db, batch, held, now)


def deliver_round(db: Session) -> bool:
    """One batch of the delivery thread; True when it was full (more may be waiting).

    A batch that is not full ends the round: what arrives meanwhile waits for the next kick
    and its short gathering pause, and goes as one batch, rather than a claim (a write
    transaction) after every few bookings: under the booking bench those small claims were a
    fifth of the workers' time."""
    now = utcnow()
    batch, held = claim(db, now, BATCH)
    deliver(db, batch, held, now)
    return len(batch) == BATCH


def deliver(db: Session, batch: list[tuple], held: datetime, now: datetime) -> int:
    """Send a claimed batch, each message only while it is still this worker's.

    While the batch's lease has room for a whole send and more, nobody else can take its
    messages (a claim needs next_at <= now), so they go without renewing and their outcomes are
    written together (RECORD_EVERY at a time). Once it has less, what was sent is written down
    at once (its lease has at least one send's time left), and each later message is renewed
    and written alone."""
    sent, results = 0, []
    for note, booking, product, phone, employee, branch in batch:
        fresh = max(now, utcnow()) + timedelta(seconds=2 * TIMEOUT_SECONDS) < held
        if not fresh:
            _record(db, results, now)
        held_until = held if fresh else _renew(db, note.id, held, now)
        if held_until is None:
            continue  # another worker took it over after our lease ended: theirs now
        outcome = _send(note, booking, employee, branch, text_for(booking, product, phone, employee, branch))
        results.append((note, outcome, held_until))
        if len(results) >= RECORD_EVERY or not fresh:
            _record(db, results, now)
        sent += outcome
    _record(db, results, now)
    return sent


_TABLE = Notification.__table__
# Claimable rows, in id order, skipping rows another worker has locked (PostgreSQL; SQLite
# renders no FOR UPDATE: its write lock already lets one claim run at a time).
_DUE = (select(_TABLE.c.id).where(_TABLE.c.status == "pending", _TABLE.c.next_at <= bindparam("now"))
        .order_by(_TABLE.c.id).limit(bindparam("limit")).with_for_update(skip_locked=True))
_CLAIM = (update(_TABLE).where(_TABLE.c.id.in_(_DUE.scalar_subquery()), _TABLE.c.status == "pending",
                               _TABLE.c.next_at <= bindparam("now"))
          .values(next_at=bindparam("lease_end")).returning(_TABLE.c.id))
# Only the columns a message needs, not whole rows: building ORM objects of the wide booking
# and employee rows was most of a claim. The employee is the sender's argument: from the catalog.
_LOAD = (select(_TABLE.c.id, _TABLE.c.channel, _TABLE.c.attempts, Booking.reference, Booking.slot_start,
                Booking.employee_id, Booking.branch_id, Product.name, Customer.phone, _TABLE.c.employee_id,
                Branch.name)
         .join(Booking, Booking.id == Notification.booking_id)
         .join(Product, Product.id == Booking.product_id)
         .join(Customer, Customer.id == Booking.customer_id)
         .join(Branch, Branch.id == Booking.branch_id)
         .where(Notification.id.in_(bindparam("ids", expanding=True))).order_by(Notification.id))
# The fencing check: still pending, and still carrying the lease end this worker set.
_RENEW = (update(_TABLE).where(_TABLE.c.id == bindparam("note_id"), _TABLE.c.status == "pending",
                               _TABLE.c.next_at == bindparam("held"))
          .values(next_at=bindparam("lease_end")).returning(_TABLE.c.id))
_SENT = update(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True))).values(
    status="sent", sent_at=bindparam("now"), attempts=_TABLE.c.attempts + 1)
_UNSENT = update(_TABLE).where(_TABLE.c.id == bindparam("note_id"), _TABLE.c.status == "pending",
                               _TABLE.c.next_at == bindparam("held"))


def claim(db: Session, now: datetime, limit: int) -> tuple[list[tuple], datetime]:
    """Take a batch of due rows by moving their next_at to a lease end, in one short write
    transaction. Returns them with what sending needs, loaded and detached (no transaction
    stays open while receivers are talked to), and the lease end they carry."""
    lease_end = now + lease()

    def take():
        claimed = db.execute(_CLAIM, {"now": now, "limit": limit, "lease_end": lease_end}).scalars().all()
        rows = db.execute(_LOAD, {"ids": claimed}).all() if claimed else []
        batch = [(_Note(*r[0:3]), _Booked(*r[3:7]), r[7], r[8], catalog_get(db, Employee, r[9]), r[10])
                 for r in rows]
        db.expunge_all()  # an employee the catalog did not hold: before the commit would expire it
        return batch

    return _short_write(db, take), lease_end


class _Note(NamedTuple):
    id: int
    channel: str
    attempts: int


class _Booked(NamedTuple):
    """What a message says of its booking."""
    reference: str
    slot_start: datetime | None
    employee_id: int
    branch_id: int


def _renew(db: Session, note_id: int, held: datetime, now: datetime) -> datetime | None:
    """Renew the lease of one message about to be sent; None if it is no longer ours."""
    lease_end = max(now, utcnow()) + lease()
    ours = _short_write(db, lambda: db.execute(_RENEW, {"note_id": note_id, "held": held,
                                                        "lease_end": lease_end}).first())
    return lease_end if ours else None


def _record(db: Session, results: list, now: datetime) -> None:
    """Write the outcomes gathered so far in one transaction of their own (retried, never
    rolled back by another's deadlock), and forget them. Gathered while their leases last: a
    worker killed before this write resends at most RECORD_EVERY messages, after the lease."""
    if not results:
        return

    def write():
        sent = [note.id for note, ok, _ in results if ok]
        if sent:  # the usual outcome: one statement for all of them
            db.execute(_SENT, {"ids": sent, "now": max(now, utcnow())})
        for note, ok, held in results:
            if not ok:
                statement, values = _unsent(note, held, now)
                db.execute(statement, values)

    _short_write(db, write)
    results.clear()


def _unsent(note: "_Note", held: datetime, now: datetime):
    """The statement that records a failed send: tried again later, or given up."""
    attempts = note.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        return _UNSENT.values(status="failed", attempts=attempts), {"note_id": note.id, "held": held}
    retry_at = now + timedelta(seconds=30 * 2 ** (attempts - 1))
    return _UNSENT.values(attempts=attempts, next_at=retry_at), {"note_id": note.id, "held": held}


def _short_write(db: Session, work):
    """Run `work` in a write transaction of its own, again after a deadlock or serialization
    failure (PostgreSQL) or a busy database (SQLite): only this transaction is rolled back."""
    for attempt in range(1, WRITE_TRIES + 1):
        try:
            begin_write(db)
            result = work()
            db.commit()
            return result
        except DBAPIError as exc:
            db.rollback()
            if attempt == WRITE_TRIES or not _worth_retrying(exc):
                raise
            log.warning("outbox write retried (%s)", _reason(exc))
            time.sleep(0.02 * 2 ** attempt)


def _worth_retrying(exc: DBAPIError) -> bool:
    return _reason(exc) in ("40P01", "40001") or "database is locked" in str(exc.orig)


def _reason(exc: DBAPIError) -> str:
    return getattr(exc.orig, "sqlstate", None) or type(exc.orig).__name__


def _send(note: "_Note", booking: "_Booked", employee: Employee, branch: str, text: str) -> bool:
    cfg = current_app.config
    if note.channel == "message":
        return load_sender(cfg["MESSAGE_SENDER"]).send(employee, text)
    if cfg["NOTIFY_WEBHOOK_FORMAT"] == "wecom":
        payload = {"msgtype": "markdown", "markdown": {"content": f"**{text}**"}}
    else:
        payload = {"id": message_id(note), "event": "booking.created", "reference": booking.reference,
                   "employee_id": booking.employee_id, "branch_id": booking.branch_id,
                   "manager": {"name": employee.name, "staff_no": employee.staff_no}, "branch": branch,
                   "text": text}
    outcome = webhook.deliver(cfg["NOTIFY_WEBHOOK_URL"], payload, timeout=TIMEOUT_SECONDS,
                              headers={"X-Message-Id": message_id(note)})
    return outcome != webhook.FAILED
