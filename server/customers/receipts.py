"""A receipt for a booking staff made for a walk-in or phone customer: the private status link
as a QR code to scan at the counter, and by message when the customer agrees."""
from base64 import b64encode

from flask import current_app
from sqlmodel import Session

import qr
from server.customers import reminders
from server.customers.links import status_url
from server.models import Booking


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
