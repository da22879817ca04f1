"""Staff API: log in, my bookings, move a booking through its states, book on behalf."""
import secrets
import time
from datetime import date

from flask import Blueprint, current_app, request, session
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from server import listing
from server.audit import service as audit
from server.bookings import service as bookings, views
from server.bookings.slots import schedule_for
from server.customers import receipts
from server.db import get_db
from server.errors import ApiError, Invalid
from server.extensions import account_address_key, doc, failures_address_key, limit, login_failed
from server.http import body, client_ip, idempotency_key, me, out
from server.inputs import int_arg
from server.models import (STATUSES, AvailabilityIO, BookingList, BookingStaff, BookingStaffCreated, Branch,
                           ColleagueList, Employee, ErrorBody,
                           OutOfOfficeIn, OutOfOfficeList, OutOfOfficePublic, RevealIn, Revealed, utcnow,
                           KeyHeaders, LoginIn, Me, PasswordChange, StaffBookingCreate, StatusChange)
from server.clock import local_day
from server.shops.service import own_link
from server.staff import away, colleagues as colleague_search, throttle
from server.staff import service
from spectree import Response as Doc

bp = Blueprint("staff", __name__, url_prefix="/api/staff")


def _me_json(employee) -> dict:
    db = get_db()
    code = own_link(db, employee).code
    return {"id": employee.id, "staff_no": employee.staff_no, "name": employee.name,
            "role": employee.role, "branch_id": employee.branch_id, "grid_id": employee.grid_id,
            "level": employee.level, "track": employee.track,
            "branch": db.get(Branch, employee.branch_id).name, "shop_code": code,
            "shop_url": f"{current_app.config['PUBLIC_BASE_URL']}/s/{code}",
            "csrf_token": generate_csrf()}


@bp.post("/login")
@limit("LOGIN_LIMIT_IP")
@limit("LOGIN_FAILURES_IP", key_func=failures_address_key, deduct_when=login_failed)
@limit("LOGIN_LIMIT_ACCOUNT", key_func=account_address_key, deduct_when=login_failed)
@doc(json=LoginIn, resp=Doc(HTTP_200=Me, HTTP_401=ErrorBody, HTTP_429=ErrorBody), tags=["staff"])
def login():
    """Log in with staff number and password; starts a fresh session.

    Wrong passwords are limited per account and address, and per address across accounts;
    many from everywhere at one account slow its logins down without locking its owner out."""
    data = body(LoginIn)
    db, cfg = get_db(), current_app.config
    prefix = cfg["RATELIMIT_KEY_PREFIX"]
    throttle.wait(data.staff_no, prefix=prefix, after=cfg["LOGIN_SLOWDOWN_AFTER"],
                  cap=cfg["LOGIN_SLOWDOWN_MAX_SECONDS"])
    try:
        employee = service.authenticate(db, staff_no=data.staff_no, password=data.password)
    except ApiError:
        throttle.failed(data.staff_no, prefix=prefix)
        audit.record_failed_login(db, typed=data.staff_no, source=client_ip())
        raise
    audit.record(db, action="login", actor=employee, source=client_ip(), commit=True)
    _start_session(employee)
    return out(Me, _me_json(employee))


def _start_session(employee) -> None:
    session.clear()  # a new session on login: nothing carried over from before
    login_user(employee)
    session.permanent = True
    session["started"] = session["seen"] = int(time.time())


@bp.post("/logout")
@doc(resp=Doc("HTTP_204"), tags=["staff"])
def logout():
    """End this session; a copy of its cookie stops working too."""
    if current_user.is_authenticated:
        audit.record(get_db(), action="logout", actor=me(), source=client_ip())
        service.end_sessions(get_db(), me())
    logout_user()
    session.clear()
    # The browser's HTTP cache goes; "storage" would also delete a customer's unsent bookings
    # (same origin, e.g. a counter tablet), so the staff app clears its own storage instead.
    return "", 204, {"Clear-Site-Data": '"cache"'}


@bp.post("/password")
@login_required
@doc(json=PasswordChange, resp=Doc(HTTP_200=Me, HTTP_422=ErrorBody), tags=["staff"])
def change_password():
    """Change my password; my other sessions end, this one continues."""
    data = body(PasswordChange)
    employee = service.change_password(get_db(), employee=me(), current=data.current_password,
                                       new=data.new_password)
    audit.record(get_db(), action="password_changed", actor=employee, source=client_ip(),
                 commit=True)
    _start_session(employee)
    return out(Me, _me_json(employee))


@bp.get("/me")
@login_required
@doc(resp=Doc(HTTP_200=Me, HTTP_401=ErrorBody), tags=["staff"])
def whoami():
    """The logged-in employee, their shop link and a CSRF token for changes."""
    return out(Me, _me_json(me()))


@bp.get("/bookings")
@login_required
@doc(query=listing.BookingListQuery, resp=Doc(HTTP_200=BookingList, HTTP_403=ErrorBody, HTTP_422=ErrorBody), tags=["staff"])
def inbox():
    """Bookings I may see, newest first, a page at a time: ?scope=mine|grid|branch|all&status=
    &day=YYYY-MM-DD&q=&limit=&cursor=. `q` is a booking reference (or its first 4 characters or
    more) or the last 4 digits of the customer's number, searched within the scope only; pass
    the answer's `next_cursor` as `cursor` for the next page."""
    args = request.args
    if args.get("status") and args["status"] not in STATUSES:
        raise Invalid(status="status_invalid")
    try:
        day = date.fromisoformat(args["day"]) if args.get("day") else None
    except ValueError:
        raise Invalid(day="invalid")
    search, limit = listing.parse_search(args.get("q")), int_arg("limit", 100, low=1, high=service.PAGE_MAX)
    db = get_db()
    items, cursor = service.bookings(db, viewer=me(), scope=args.get("scope", "mine"),
                                     status=args.get("status", ""), day=day, search=search,
                                     cursor=args.get("cursor") or None, limit=limit)
    return out(BookingList, {"items": views.for_staff_list(db, items, me()), "next_cursor": cursor})


@bp.get("/bookings/<reference>")
@login_required
@doc(resp=Doc(HTTP_200=BookingStaff, HTTP_404=ErrorBody), tags=["staff"])
def detail(reference):
    """One booking (404 unless it is mine or in my scope)."""
    db = get_db()
    return out(BookingStaff, views.for_staff(db, service.booking_for(db, me(), reference), me()))


@bp.post("/bookings/<reference>/status")
@login_required
@doc(json=StatusChange, resp=Doc(HTTP_200=BookingStaff, HTTP_404=ErrorBody, HTTP_409=ErrorBody),
     tags=["staff"])
def change_status(reference):
    """Move a booking to its next state (409 if that move is not allowed)."""
    db = get_db()
    booking = service.booking_for(db, me(), reference)
    data = body(StatusChange)
    if data.status not in STATUSES:
        raise Invalid(status="status_invalid")
    booking = bookings.change_status(db, booking=booking, actor=me(), status=data.status,
                                     source=client_ip())
    return out(BookingStaff, views.for_staff(db, booking, me()))


@bp.post("/bookings/<reference>/reveal")
@login_required
@doc(json=RevealIn, resp=Doc(HTTP_200=Revealed, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_422=ErrorBody),
     tags=["staff"])
def reveal(reference):
    """Show a customer's full number to someone who is not their manager: explicit, with a
    reason (required), and audited."""
    data = body(RevealIn)
    db = get_db()
    booking = service.booking_for(db, me(), reference)
    phone = service.reveal_phone(db, viewer=me(), booking=booking, reason=data.reason, source=client_ip())
    return out(Revealed, {"reference": booking.reference, "phone": phone})


@bp.post("/bookings")
@login_required
@doc(json=StaffBookingCreate, headers=KeyHeaders,
     resp=Doc(HTTP_201=BookingStaffCreated, HTTP_409=ErrorBody, HTTP_422=ErrorBody), tags=["staff"])
def book_on_behalf():
    """Book for a walk-in or phone customer through my shop; routed by the same rules. The
    answer carries the customer's receipt (status link and QR); `send_link` texts it to them."""
    db = get_db()
    data = body(StaffBookingCreate)
    # Every staff booking has a key: the customer's status token is derived from it.
    booked = bookings.book(db, link=own_link(db, me()), data=data, source="staff",
                           idempotency_key=idempotency_key() or secrets.token_urlsafe(24))
    result = views.for_staff(db, booked.booking, me(), rows=booked.rows)
    result.update(receipts.issue(db, booking=booked.booking, token=booked.token, send=data.send_link))
    return out(BookingStaffCreated, result, 201)


@bp.get("/availability")
@login_required
@doc(resp=Doc(HTTP_200=AvailabilityIO), tags=["staff"])
def availability():
    """My weekly appointment hours (Monday = "0") and days off."""
    return out(AvailabilityIO, schedule_for(get_db(), me()).to_json())


@bp.put("/availability")
@login_required
@doc(json=AvailabilityIO, resp=Doc(HTTP_200=AvailabilityIO, HTTP_422=ErrorBody), tags=["staff"])
def set_availability():
    """Replace my weekly hours and days off; customers see only these slots."""
    data = body(AvailabilityIO)
    db = get_db()
    audit.record(db, action="availability_changed", actor=me(), source=client_ip())
    schedule = service.set_availability(db, employee=me(), weekly=data.weekly, days_off=data.days_off)
    return out(AvailabilityIO, schedule.to_json())


def _away_json(db, away) -> dict:
    return {"id": away.id, "employee": db.get(Employee, away.employee_id).name, "start": away.start,
            "end": away.end, "delegate": db.get(Employee, away.delegate_id).name, "reason": away.reason}


@bp.get("/out-of-office")
@login_required
@doc(resp=Doc(HTTP_200=OutOfOfficeList), tags=["staff"])
def away_list():
    """Current and future absences of the people I oversee (mine; a grid, a branch, all)."""
    db = get_db()
    rows = away.listing(db, viewer=me(), today=local_day(utcnow()))
    return out(OutOfOfficeList, {"items": [_away_json(db, a) for a in rows]})


@bp.post("/out-of-office")
@login_required
@doc(json=OutOfOfficeIn, resp=Doc(HTTP_201=OutOfOfficePublic, HTTP_403=ErrorBody, HTTP_422=ErrorBody),
     tags=["staff"])
def away_set():
    """I (or my manager) will be away: bookings for those days go to the delegate."""
    db = get_db()
    data = body(OutOfOfficeIn)
    employee = (service.by_staff_no(db, data.employee_staff_no, "employee_staff_no")
                if data.employee_staff_no else me())
    delegate = service.by_staff_no(db, data.delegate_staff_no, "delegate_staff_no")
    cross_branch = away.cross_branch_delegates(current_app.config["CROSS_BRANCH_DELEGATES"])
    record = away.set_away(db, viewer=me(), employee=employee, delegate=delegate, start=data.start,
                           end=data.end, today=local_day(utcnow()), reason=data.reason,
                           cross_branch=cross_branch, source=client_ip())
    return out(OutOfOfficePublic, _away_json(db, record), 201)


@bp.delete("/out-of-office/<int:away_id>")
@login_required
@doc(resp=Doc("HTTP_204", HTTP_404=ErrorBody), tags=["staff"])
def away_cancel(away_id):
    """Cancel an absence (404 unless it is one I may manage)."""
    away.cancel(get_db(), viewer=me(), away_id=away_id)
    return "", 204


@bp.get("/colleagues")
@login_required
@doc(resp=Doc(HTTP_200=ColleagueList, HTTP_401=ErrorBody, HTTP_422=ErrorBody), tags=["staff"])
def colleagues():
    """Find a colleague by name or 工号 (?q=, ?for=delegate|manage): at most 20 of the people I may
    pick (a delegate: active people of my branch; manage: those whose absence or handover I may set)."""
    purpose = request.args.get("for", "delegate")
    if purpose not in colleague_search.PURPOSES:
        raise Invalid(**{"for": "choice_invalid"})
    cross_branch = away.cross_branch_delegates(current_app.config["CROSS_BRANCH_DELEGATES"])
    items = colleague_search.search(get_db(), viewer=me(), query=request.args.get("q", ""), purpose=purpose,
                                    cross_branch=cross_branch)
    return out(ColleagueList, {"items": items})
