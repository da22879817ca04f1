"""The private status link of a booking, as texts, receipts and calendar files carry it."""
from flask import current_app

from server.bookings.service import _status_token
from server.models import Booking


def status_url(token: str) -> str:
    """The private status page (the token in the fragment: no server log ever holds it)."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/b/#{token}"


def status_link(booking: Booking) -> str:
    """The status link of a booking made with an Idempotency-Key (its token is derived from the
    key with the secret), "" for one made without."""
    return status_url(_status_token(booking.idempotency_key)) if booking.idempotency_key else ""
