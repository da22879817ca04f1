"""Check-in API: staff check the customer's code; the customer checks in at the branch's QR."""
from flask import Blueprint, Response, current_app, request
from flask_login import login_required

import qr
from server import access
from server.bookings import service as bookings, views
from server.checkin import service
from server.db import get_db
from server.errors import ApiError, NotFound
from server.extensions import doc, limit
from server.http import body, client_ip, me, out
from server.models import (Branch, Employee, BranchCheckin, BookingStaff, CheckinCode, CheckinDone, ErrorBody,
                           TokenHeaders)
from server.staff.service import booking_for
from spectree import Response as Doc

bp = Blueprint("checkin", __name__)
public = Blueprint("checkin_public", __name__)
limit("PUBLIC_LIMIT_IP")(public)


def checkin_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/c/{code}"


@bp.post("/api/staff/bookings/<reference>/checkin")
@login_required
@doc(json=CheckinCode, resp=Doc(HTTP_200=BookingStaff, HTTP_404=ErrorBody, HTTP_409=ErrorBody,
                                HTTP_422=ErrorBody), tags=["staff"])
def check_code(reference):
    """核验到店: the code on the customer's status page (or the one-time code sent to their phone
    for a booking staff made) verifies the arrival; a wrong code is a 422, a few at most."""
    db = get_db()
    data = body(CheckinCode)
    booking = service.check_in(db, viewer=me(), reference=reference, code=data.code, source=client_ip())
    return out(BookingStaff, views.for_staff(db, booking, me()))


@bp.post("/api/staff/bookings/<reference>/checkin/send")
@login_required
@doc(resp=Doc("HTTP_204", HTTP_404=ErrorBody, HTTP_409=ErrorBody, HTTP_429=ErrorBody), tags=["staff"])
def send_code(reference):
    """Send a one-time code to the phone of a booking staff made, for its customer to confirm."""
    db = get_db()
    booking = booking_for(db, me(), reference)
    service.send_one_time_code(db, booking=booking, actor=me(), source=client_ip())
    return "", 204


@bp.get("/api/branches/<int:branch_id>/checkin")
@login_required
@doc(resp=Doc(HTTP_200=BranchCheckin, HTTP_404=ErrorBody), tags=["staff"])
def branch_checkin(branch_id):
    """A branch's check-in QR (URL and PNG), for its counter and print kit: staff of the branch, admins."""
    viewer = me()
    branch = get_db().get(Branch, branch_id)
    if branch is None or not (access.is_admin(viewer) or viewer.branch_id == branch_id):
        raise NotFound("not_found")
    code = service.branch_code(branch.id)
    return out(BranchCheckin, {"branch_id": branch.id, "branch": branch.name, "code": code,
                               "url": checkin_url(code), "png": f"/c/{code}/qr.png"})


@public.get("/c/<code>/qr.png")
@doc(resp=Doc("HTTP_200", HTTP_404=ErrorBody), media=("image/png",), tags=["checkin"])
def branch_qr(code):
    """The branch's check-in QR as a PNG (print it at the counter)."""
    branch = service.branch_by_code(get_db(), code)
    data = qr.png(checkin_url(service.branch_code(branch.id)))
    return Response(data, mimetype="image/png", headers={"Cache-Control": "public, max-age=86400"})


@public.post("/api/checkin/<code>")
@doc(headers=TokenHeaders, resp=Doc(HTTP_200=CheckinDone, HTTP_404=ErrorBody, HTTP_409=ErrorBody), tags=["checkin"])
def self_check_in(code):
    """The customer's phone checks in its booking at this branch today (X-Booking-Token); any
    other booking is a 409 that says nothing about it."""
    db = get_db()
    branch = service.branch_by_code(db, code)
    token = request.headers.get("X-Booking-Token", "")
    if not token:
        raise NotFound("status_not_found")
    try:
        booking = bookings.by_token(db, token)
    except NotFound:
        raise ApiError("checkin_refused", 409)
    booking = service.self_check_in(db, branch=branch, token_booking=booking, source=client_ip())
    manager = db.get(Employee, booking.employee_id).name
    return out(CheckinDone, {"reference": booking.reference, "status": booking.status, "branch": branch.name,
                             "manager": manager, "verified": booking.verified_at is not None})


@public.get("/c/<code>")
def page(code):
    """The branch check-in page: the customer's phone checks in the booking it remembers."""
    from server.pages import _page

    try:
        branch = service.branch_by_code(get_db(), code)
    except NotFound:
        return _page("checkin.html", branch="", code=""), 404
    return _page("checkin.html", branch=branch.name, code=service.branch_code(branch.id))
