"""The notification outbox: rows written with the booking, delivered after it with back-off.

A booking never waits for (or fails because of) a webhook; a dead receiver only delays the
message. Several processes may deliver: a row is claimed by moving its next_at forward in a
single UPDATE, so only one of them sends it.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from sqlmodel import Session, select

from server.clock import local
from server.db import begin_write
from server.models import Booking, Customer, Employee, Notification, Product, mask_phone, utcnow
from server.notify.senders import load_sender
from server.reports import webhook

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)


def enqueue(db: Session, booking: Booking) -> int:
    """Add the new booking's notifications to the caller's transaction; returns how many."""
    cfg = current_app.config
    channels = [c for c, on in (("webhook", cfg["NOTIFY_WEBHOOK_URL"]), ("message", cfg["MESSAGE_SENDER"])) if on]
    for channel in channels:
        db.add(Notification(booking_id=booking.id, employee_id=booking.employee_id, channel=channel))
    return len(channels)


def configured() -> bool:
    cfg = current_app.config
    return bool(cfg["NOTIFY_WEBHOOK_URL"] or cfg["MESSAGE_SENDER"])


def text_for(db: Session, booking: Booking) -> str:
    """One line a manager can act on; the customer's number masked (group chats are not private)."""
    product = db.get(Product, booking.product_id).name
    phone = mask_phone(db.get(Customer, booking.customer_id).phone)
    when = local(booking.slot_start).strftime("%m月%d日 %H:%M") if booking.slot_start else "请回电"
    return f"新预约 {booking.reference}：{product}，{when}，客户 {phone}"


def deliver_due(db: Session, now: datetime | None = None, limit: int = 50) -> int:
    """Send what is due; failures are retried later with exponential back-off. Returns sent count."""
    now = now or utcnow()
    sent = 0
    for note_id in _claim(db, now, limit):
        note = db.get(Notification, note_id)
        ok = _send(db, note, db.get(Booking, note.booking_id))
        begin_write(db)  # short write transactions only: SQLite writers must not wait on a read
        note = db.get(Notification, note_id, populate_existing=True)
        note.attempts += 1
        if ok:
            note.status, note.sent_at = "sent", now
        elif note.attempts >= MAX_ATTEMPTS:
            note.status = "failed"
        else:
            note.next_at = now + timedelta(seconds=30 * 2 ** (note.attempts - 1))
        db.commit()
        sent += int(ok)
    return sent


def _claim(db: Session, now: datetime, limit: int) -> list[int]:
    """Take a batch of due rows by moving their next_at past a lease; others skip them."""
    begin_write(db)
    due = db.exec(select(Notification.id).where(Notification.status == "pending", Notification.next_at <= now)
                  .order_by(Notification.next_at).limit(limit)).all()
    claimed = [note_id for note_id in due if db.execute(update(Notification).where(
        Notification.id == note_id, Notification.status == "pending", Notification.next_at <= now)
        .values(next_at=now + LEASE)).rowcount == 1]
    db.commit()
    return claimed


def _send(db: Session, note: Notification, booking: Booking) -> bool:
    cfg = current_app.config
    text = text_for(db, booking)
    if note.channel == "message":
        return load_sender(cfg["MESSAGE_SENDER"]).send(db.get(Employee, note.employee_id), text)
    if cfg["NOTIFY_WEBHOOK_FORMAT"] == "wecom":
        payload = {"msgtype": "markdown", "markdown": {"content": f"**{text}**"}}
    else:
        payload = {"event": "booking.created", "reference": booking.reference,
                   "employee_id": booking.employee_id, "branch_id": booking.branch_id, "text": text}
    return webhook.post(cfg["NOTIFY_WEBHOOK_URL"], payload, attempts=1)
