"""A receipt for a booking staff made for a walk-in or phone customer: the private status link
as a QR code to scan at the counter, and by message when the customer agrees."""
from base64 import b64encode

from flask import current_app
from sqlmodel import Session

import qr
from server.bookings.service import _status_token
from server.customers import reminders
from server.models import Booking


def status_url(token: str) -> str:
    """The private status page (the token in the fragment: no server log ever holds it)."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/b/#{token}"


def status_link(booking: Booking) -> str:
    """The status link of a booking made with an Idempotency-Key (its token is derived from the
    key with the secret), "" for one made without."""
    return status_url(_status_token(booking.idempotency_key)) if booking.idempotency_key else ""


def issue(db: Session, *, booking: Booking, token: str, send: bool) -> dict:
    """The receipt's link and QR (a PNG data URL); with `send`, the link goes by message once."""
    url = status_url(token)
    if send:
        reminders.queue_receipt(db, booking=booking)
        runner = current_app.extensions.get("reminders")
        if runner is not None:
            runner.kick()
    return {"status_url": url, "qr": "data:image/png;base64," + b64encode(qr.png(url, box_size=6)).decode(),
            "message_queued": send}
