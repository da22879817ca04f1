"""The notification outbox: rows written with the booking, delivered after it with back-off.

A booking never waits for (or fails because of) a webhook; a dead receiver only delays the
message. Several processes may deliver: a row is claimed by moving its next_at forward in a
single UPDATE, so only one of them sends it.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, select

from server.clock import local
from server.db import begin_write
from server.models import Booking, Customer, Employee, Notification, Product, mask_phone, utcnow
from server.notify.senders import load_sender
from server.reports import webhook

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
RECORD_EVERY = 10  # messages sent per results write (at most this many resent after a crash)


def enqueue(db: Session, bookings: list[Booking]) -> int:
    """Add the new bookings' notifications to the caller's transaction (one INSERT); returns how many."""
    cfg = current_app.config
    channels = [c for c, on in (("webhook", cfg["NOTIFY_WEBHOOK_URL"]), ("message", cfg["MESSAGE_SENDER"])) if on]
    now = utcnow()
    rows = [dict(booking_id=booking.id, employee_id=booking.employee_id, channel=channel, status="pending",
                 attempts=0, next_at=now, created_at=now, sent_at=None)
            for booking in bookings for channel in channels]
    if rows:
        db.execute(_INSERT, rows)
    return len(rows)


_INSERT = insert(Notification.__table__)


def configured() -> bool:
    cfg = current_app.config
    return bool(cfg["NOTIFY_WEBHOOK_URL"] or cfg["MESSAGE_SENDER"])


def text_for(booking: Booking, product: str, phone: str) -> str:
    """One line a manager can act on; the customer's number masked (group chats are not private)."""
    when = local(booking.slot_start).strftime("%m月%d日 %H:%M") if booking.slot_start else "请回电"
    return f"新预约 {booking.reference}：{product}，{when}，客户 {mask_phone(phone)}"


def deliver_due(db: Session, now: datetime | None = None, limit: int = 50) -> int:
    """Send what is due; failures are retried later with exponential back-off. Returns sent count.

    A batch is claimed and loaded in one short write transaction, then its results are
    written in one per RECORD_EVERY messages sent: a process killed between sending and
    recording sends at most that many again once their lease ends (delivery is at least once).
    """
    now = now or utcnow()
    batch = _claim(db, now, limit)
    sent = 0
    for start in range(0, len(batch), RECORD_EVERY):
        done, others = [], {}  # others by outcome: each list sets the same columns
        for note, booking, product, phone, employee in batch[start:start + RECORD_EVERY]:
            attempts = note.attempts + 1
            if _send(note, booking, employee, text_for(booking, product, phone)):
                done.append(note.id)
            elif attempts >= MAX_ATTEMPTS:
                others.setdefault("failed", []).append({"note_id": note.id, "attempts": attempts, "status": "failed"})
            else:
                others.setdefault("retry", []).append({"note_id": note.id, "attempts": attempts, "next_at":
                                                       now + timedelta(seconds=30 * 2 ** (attempts - 1))})
        sent += len(done)
        begin_write(db)  # short write transactions only: SQLite writers must not wait on a read
        if done:  # the usual outcome: one statement for all of them
            db.execute(_SENT, {"ids": done, "now": now})
        for rows in others.values():
            db.execute(_RESULT, rows)
        db.commit()
    return sent


_TABLE = Notification.__table__
_SENT = update(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True))).values(
    status="sent", sent_at=bindparam("now"), attempts=_TABLE.c.attempts + 1)
# Core, not an ORM bulk update: the columns to set are the parameters' other keys.
_RESULT = update(_TABLE).where(_TABLE.c.id == bindparam("note_id"))


def _claim(db: Session, now: datetime, limit: int) -> list[tuple]:
    """Take a batch of due rows by moving their next_at past a lease, in one UPDATE: a row
    another process claimed meanwhile no longer matches, so only one of them sends it. Returns
    them with what sending needs (booking, product name, phone, employee), loaded and detached:
    the results' commits would otherwise expire the whole batch, and reading a field would
    load its row again. No transaction is left open while receivers are talked to."""
    begin_write(db)
    claimed = db.execute(_CLAIM, {"now": now, "limit": limit, "lease_end": now + LEASE}).scalars().all()
    batch = db.execute(_LOAD, {"ids": claimed}).all() if claimed else []
    db.expunge_all()
    db.commit()
    return batch


# Built once (a statement built per call was a tenth of a delivery).
_DUE = (select(_TABLE.c.id).where(_TABLE.c.status == "pending", _TABLE.c.next_at <= bindparam("now"))
        .order_by(_TABLE.c.next_at).limit(bindparam("limit")))
_CLAIM = (update(_TABLE).where(_TABLE.c.id.in_(_DUE.scalar_subquery()), _TABLE.c.status == "pending",
                               _TABLE.c.next_at <= bindparam("now"))
          .values(next_at=bindparam("lease_end")).returning(_TABLE.c.id))
_LOAD = (select(Notification, Booking, Product.name, Customer.phone, Employee)
         .join(Booking, Booking.id == Notification.booking_id)
         .join(Product, Product.id == Booking.product_id)
         .join(Customer, Customer.id == Booking.customer_id)
         .join(Employee, Employee.id == Notification.employee_id)
         .where(Notification.id.in_(bindparam("ids", expanding=True))).order_by(Notification.next_at))


def _send(note: Notification, booking: Booking, employee: Employee, text: str) -> bool:
    cfg = current_app.config
    if note.channel == "message":
        return load_sender(cfg["MESSAGE_SENDER"]).send(employee, text)
    if cfg["NOTIFY_WEBHOOK_FORMAT"] == "wecom":
        payload = {"msgtype": "markdown", "markdown": {"content": f"**{text}**"}}
    else:
        payload = {"event": "booking.created", "reference": booking.reference,
                   "employee_id": booking.employee_id, "branch_id": booking.branch_id, "text": text}
    return webhook.post(cfg["NOTIFY_WEBHOOK_URL"], payload, attempts=1)
