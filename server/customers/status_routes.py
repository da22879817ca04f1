"""From the private status page: reminders on or off, and the appointment as a calendar file.
For admins: how the messages to customers fare."""
from flask import Blueprint, current_app, request
from flask_login import login_required
from spectree import Response as Doc

from server.bookings import service as bookings
from server.customers import calendar, reminders
from server.customers.links import status_url
from server.db import get_db
from server.errors import ApiError, Conflict, NotFound
from server.extensions import doc, limit
from server.http import body, me, out
from server.models import (Booking, Branch, Employee, ErrorBody, MessageReport, Product, RemindersIn,
                           RemindersState, TokenHeaders, utcnow)

bp = Blueprint("reminders", __name__)
limit("PUBLIC_LIMIT_IP")(bp)
admin_bp = Blueprint("messages", __name__, url_prefix="/api/admin")


def _booking() -> Booking:
    token = request.headers.get("X-Booking-Token", "")
    if not token or len(token) > 100:
        raise NotFound("status_not_found")
    return bookings.by_token(get_db(), token)


def _state(booking: Booking) -> dict:
    available = booking.slot_start is not None and bookings.customer_can_change(booking, utcnow())
    return {"on": reminders.reminders_on(get_db(), booking), "available": available}


@bp.get("/api/status/reminders")
@doc(headers=TokenHeaders, resp=Doc(HTTP_200=RemindersState, HTTP_404=ErrorBody), tags=["booking"])
def reminders_state():
    """Whether reminders go for the booking behind X-Booking-Token."""
    return out(RemindersState, _state(_booking()))


@bp.put("/api/status/reminders")
@doc(headers=TokenHeaders, json=RemindersIn, resp=Doc(HTTP_200=RemindersState, HTTP_404=ErrorBody, HTTP_422=ErrorBody),
     tags=["booking"])
def set_reminders():
    """Turn reminders (the day before, an hour before) on or off for this booking."""
    booking, data = _booking(), body(RemindersIn)
    reminders.set_reminders(get_db(), booking=booking, on=data.on)
    return out(RemindersState, _state(booking))


@bp.get("/api/status/calendar.ics")
@doc(headers=TokenHeaders, resp=Doc("HTTP_200", HTTP_404=ErrorBody, HTTP_409=ErrorBody), media=("text/calendar",),
     tags=["booking"])
def calendar_file():
    """The appointment as an .ics file (text/calendar) for the phone's calendar."""
    db, booking = get_db(), _booking()
    if booking.slot_start is None:
        raise Conflict("no_appointment_time")
    manager, branch = db.get(Employee, booking.employee_id), db.get(Branch, booking.branch_id)
    data = calendar.ics(booking, product=db.get(Product, booking.product_id).name, manager=manager.name,
                        branch=branch.name, address=branch.address,
                        link=status_url(request.headers["X-Booking-Token"]), now=utcnow())
    return current_app.response_class(data, 200, {
        "Content-Disposition": f'attachment; filename="{booking.reference}.ics"',
        "Cache-Control": "private, no-store"}, mimetype="text/calendar")


@admin_bp.get("/messages")
@login_required
@doc(resp=Doc(HTTP_200=MessageReport, HTTP_403=ErrorBody), tags=["admin"])
def message_report():
    """Receipts and reminders by state, and the latest that failed (admins)."""
    if me().role != "admin":
        raise ApiError("forbidden", 403)
    return out(MessageReport, reminders.counts(get_db()))
