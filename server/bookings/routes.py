"""Booking API: customers book through a shop and manage it through their private link."""
from flask import Blueprint, current_app, request

from server.bookings import notice, privacy, service, views
from server.customers import otp
from server.db import get_db
from server.errors import NotFound
from server.extensions import doc, limit
from server.http import body, client_ip, conditional, idempotency_key, out
from server.models import (BookingCreate, BookingCreated, BookingHeaders, BookingPublic, Employee, Erased, ErrorBody,
                           NoticeQuery, PrivacyNotice, Reschedule, SlotsPublic, TokenHeaders)
from server.shops.service import get_link
from spectree import Response as Doc

bp = Blueprint("bookings", __name__)
limit("PUBLIC_LIMIT_IP")(bp)  # every public endpoint, per IP
bp.record_once(lambda state: notice.check(state.app.config))  # no consent version without its text


def status_url(token: str) -> str:
    # The token rides in the fragment: browsers never send it, so no server log can hold it.
    return f"{current_app.config['PUBLIC_BASE_URL']}/b/#{token}"


@bp.get("/api/privacy-notice")
@doc(query=NoticeQuery, resp=Doc("HTTP_304", HTTP_200=PrivacyNotice), tags=["booking"])
def privacy_notice():
    """The privacy notice in force and its version, which a booking sends back as consent_version."""
    data = notice.text(current_app.config, request.args.get("lang"))
    # Public and shared, but always revalidated (a 304 when unchanged): a copy kept past a new
    # version would make the booking fail with consent_outdated.
    return conditional(out(PrivacyNotice, data, **{"Cache-Control": "public, no-cache"}))


@bp.post("/api/shops/<code>/bookings")
@limit("BOOKING_LIMIT_IP")  # per phone number: BOOKING_PHONE_PER_DAY, counted in service.book
@doc(json=BookingCreate, headers=BookingHeaders, resp=Doc(HTTP_201=BookingCreated, HTTP_404=ErrorBody,
                                                          HTTP_409=ErrorBody, HTTP_422=ErrorBody, HTTP_429=ErrorBody),
     tags=["booking"])
def create(code):
    """Book an appointment (or a call back) through a shop; send an Idempotency-Key to retry safely."""
    db = get_db()
    link = get_link(db, code)
    data = body(BookingCreate)
    booked = service.book(db, link=link, data=data, idempotency_key=idempotency_key(),
                          device_id=request.headers.get("X-Device-Id", "")[:64],
                          proven=otp.proven(request.headers.get("X-Phone-Proof", ""), data.phone))
    result = views.public(db, booked.booking, rows=booked.rows)
    result.update(status_token=booked.token, status_url=status_url(booked.token))
    headers = {"Idempotent-Replayed": "true"} if booked.replayed else {}
    return out(BookingCreated, result, 201, **headers)


def _by_token():
    token = request.headers.get("X-Booking-Token", "")
    if not token:
        raise NotFound("status_not_found")
    return service.by_token(get_db(), token)


@bp.get("/api/status")
@doc(headers=TokenHeaders, resp=Doc(HTTP_200=BookingPublic, HTTP_404=ErrorBody), tags=["booking"])
def status():
    """The booking behind a private status token (header X-Booking-Token), with its shop's link."""
    db = get_db()
    booking = _by_token()
    return out(BookingPublic, views.for_status_page(db, booking))


@bp.post("/api/status/cancel")
@doc(headers=TokenHeaders, resp=Doc(HTTP_200=BookingPublic, HTTP_404=ErrorBody, HTTP_409=ErrorBody), tags=["booking"])
def cancel():
    """Cancel the booking behind a private status token."""
    db = get_db()
    booking = service.cancel_by_customer(db, booking=_by_token())
    return out(BookingPublic, views.for_status_page(db, booking))


@bp.get("/api/status/slots")
@doc(headers=TokenHeaders, resp=Doc(HTTP_200=SlotsPublic, HTTP_404=ErrorBody), tags=["booking"])
def status_slots():
    """Open slots of the booking's manager, to pick another time."""
    db = get_db()
    return out(SlotsPublic, service.slot_days(db, db.get(Employee, _by_token().employee_id)))


@bp.post("/api/status/reschedule")
@doc(headers=TokenHeaders, json=Reschedule, resp=Doc(HTTP_200=BookingPublic, HTTP_404=ErrorBody, HTTP_409=ErrorBody,
                               HTTP_422=ErrorBody), tags=["booking"])
def reschedule():
    """Move the booking behind a private status token to another open slot."""
    db = get_db()
    booking = _by_token()
    data = body(Reschedule)
    booking = service.reschedule(db, booking=booking, slot=data.slot)
    return out(BookingPublic, views.for_status_page(db, booking))


@bp.post("/api/status/erase")
@doc(headers=TokenHeaders, resp=Doc(HTTP_200=Erased, HTTP_404=ErrorBody), tags=["booking"])
def erase():
    """Withdraw consent for this booking: cancel it if open and delete its name and note. A
    status link reaches its own booking only; erasing the number needs it proven (/api/phone/erase)."""
    db = get_db()
    n = privacy.erase_booking(db, booking=_by_token(), source=client_ip())
    return out(Erased, {"bookings": n})
