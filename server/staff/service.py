"""Staff: logging in, and which bookings each role may see."""
import json
import re
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from server import access, listing
from server.clock import TZ, to_utc
from server.db import begin_write
from server.errors import ApiError, NotFound
from server.listing import Search
from server.bookings.slots import Schedule
from server.models import HOUR, MAX_DAYS_OFF, MAX_RANGES_PER_DAY, WEEKDAY, Availability, Booking, Employee, utcnow

# Checked against when the staff number is unknown, so both failures take the same time.
# OWASP's scrypt settings: N=2^15 (32 MiB), r=8, p=3 (as strong as N=2^17, p=1, with less memory).
SCRYPT = "scrypt:32768:8:3"
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=SCRYPT)
PAGE_MAX = 200


# Passwords people pick first (and Chinese favourites); no composition rules beyond length.
COMMON_PASSWORDS = frozenset("""
12345678 123456789 1234567890 11111111 00000000 88888888 66666666 87654321 11223344 12341234
password password1 passw0rd qwertyui qwerty123 1qaz2wsx 1q2w3e4r qazwsxedc asdfghjk zxcvbnm1
iloveyou woaini1314 woaini520 5201314520 a1234567 a12345678 abc12345 abcd1234 qq123456 aa123456
admin123 admin1234 administrator changeme welcome1 letmein1 sunshine princess football baseball
demo1234 test1234 yangquan nongshang yryd1234 12qwaszx 147258369 123123123 321321321 99999999
""".split())
PASSWORD_MIN = 8


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=SCRYPT)


def check_password_policy(password: str, *, staff_no: str = "") -> None:
    """At least 8 characters, not a common password, not the staff number (422 otherwise)."""
    from server.errors import Invalid

    if len(password) < PASSWORD_MIN:
        raise Invalid(new_password="password_short")
    if password.lower() in COMMON_PASSWORDS or password.upper() == staff_no.upper():
        raise Invalid(new_password="password_common")


def change_password(db: Session, *, employee: Employee, current: str, new: str) -> Employee:
    """Set a new password; every other session of this employee stops working."""
    from server.errors import Invalid

    if not check_password_hash(employee.password_hash or _DUMMY_HASH, current):
        raise Invalid(current_password="password_wrong")
    check_password_policy(new, staff_no=employee.staff_no)
    begin_write(db)
    employee = db.get(Employee, employee.id)
    employee.password_hash = hash_password(new)
    employee.session_version += 1
    db.commit()
    return employee


def end_sessions(db: Session, employee: Employee) -> None:
    """Make every session cookie of this employee useless, including copies of it."""
    begin_write(db)
    employee = db.get(Employee, employee.id)
    employee.session_version += 1
    db.commit()


def authenticate(db: Session, *, staff_no: str, password: str) -> Employee:
    """The employee with these credentials; the same error whatever was wrong."""
    employee = db.exec(select(Employee).where(Employee.staff_no == staff_no.strip().upper())).first()
    ok = check_password_hash(employee.password_hash if employee and employee.password_hash
                             else _DUMMY_HASH, password)
    if not ok or employee is None or employee.disabled:
        raise ApiError("login_failed", 401)
    return employee


def by_staff_no(db: Session, staff_no: str, field: str) -> Employee:
    """The employee with this staff number, or a 422 on `field`."""
    from server.errors import Invalid

    employee = db.exec(select(Employee).where(Employee.staff_no == staff_no.strip().upper())).first()
    if employee is None:
        raise Invalid(**{field: "staff_unknown"})
    return employee


def bookings(db: Session, *, viewer: Employee, scope: str = "mine", status: str = "",
             day: date | None = None, search: Search | None = None, cursor: str | None = None,
             limit: int = 100) -> tuple[list[Booking], str | None]:
    """A page of the bookings `viewer` may see under `scope`, newest first, filtered by status,
    appointment day and a search; and the cursor of the next page (None: the last page).

    A search narrows the scope, never widens it: it finds nothing the list would not show."""
    query = select(Booking).where(access.booking_clause(viewer, scope))
    if status:
        query = query.where(Booking.status == status)
    if day:
        start = to_utc(datetime.combine(day, time(0), TZ))
        query = query.where(Booking.slot_start >= start, Booking.slot_start < start + timedelta(days=1))
    if search:
        query = query.where(listing.booking_clause(search))
    return listing.page(db, query, Booking.created_at, Booking.id, cursor=cursor,
                        limit=max(1, min(limit, PAGE_MAX)))


def booking_for(db: Session, viewer: Employee, reference: str, lock: bool = False) -> Booking:
    """A booking by reference, or 404 if it does not exist *or* is not the viewer's to see;
    `lock`: FOR UPDATE (PostgreSQL; SQLite's write transaction holds the whole database)."""
    query = select(Booking).where(Booking.reference == reference.upper())
    booking = db.exec(query.with_for_update() if lock else query).first()
    if booking is None or not access.may_see(db, viewer, booking):
        raise NotFound("not_found")
    return booking


def reveal_phone(db: Session, *, viewer: Employee, booking: Booking, reason: str, source: str) -> str:
    """A customer's full number for someone allowed to read it (403 otherwise), with the reason
    they gave (422 without one); audited. Digits typed in the reason are kept masked: the audit
    log holds no number."""
    from server.audit import service as audit
    from server.errors import Invalid
    from server.models import Customer

    if not reason:
        raise Invalid(reason="required")
    access.require(access.may_reveal(db, viewer, booking))
    phone = db.get(Customer, booking.customer_id).phone
    audit.record(db, action="phone_revealed", actor=viewer, target=f"booking:{booking.reference}",
                 detail=f"reason: {mask_digits(reason)}", source=source, commit=True)
    return phone


def mask_digits(text: str) -> str:
    """Runs of 7 or more digits (a phone number, an ID number) masked as the lists show numbers:
    138****5678 for 11 digits or more, else only the last two digits."""
    def masked(run: str) -> str:
        return run[:3] + "****" + run[-4:] if len(run) >= 11 else "****" + run[-2:]

    return re.sub(r"\d{7,}", lambda m: masked(m[0]), text)


def set_availability(db: Session, *, employee: Employee, weekly: dict, days_off: list[str]) -> Schedule:
    """Replace the employee's weekly hours and days off (422 with the field that is wrong)."""
    schedule = _parse_schedule(weekly, days_off)
    begin_write(db)
    row = db.get(Availability, employee.id) or Availability(employee_id=employee.id, weekly="", days_off="")
    data = schedule.to_json()
    row.weekly, row.days_off = json.dumps(data["weekly"]), json.dumps(data["days_off"])
    row.updated_at = utcnow()
    db.add(row)
    db.commit()
    return schedule


def _parse_schedule(weekly: dict, days_off: list[str]) -> Schedule:
    """The schedule as AvailabilityIO documents it (weekdays "0"–"6", up to 4 ranges of two
    "HH:MM" a day; up to 60 dates off), whose ranges neither end before they start nor overlap."""
    from server.errors import Invalid

    if not all(re.fullmatch(WEEKDAY, day) and len(ranges) <= MAX_RANGES_PER_DAY
               and all(len(pair) == 2 and all(re.fullmatch(HOUR, t) for t in pair) for pair in ranges)
               for day, ranges in weekly.items()):
        raise Invalid(weekly="hours_invalid")
    try:
        if len(days_off) > MAX_DAYS_OFF or not all(re.fullmatch("[0-9]{4}-[0-9]{2}-[0-9]{2}", d) for d in days_off):
            raise ValueError(days_off)
        schedule = Schedule.from_json(weekly, days_off)
    except ValueError:
        raise Invalid(days_off="days_off_invalid")
    for ranges in schedule.hours.values():
        ordered = sorted(ranges)
        if any(a >= b for a, b in ordered) or any(prev[1] > nxt[0] for prev, nxt in zip(ordered, ordered[1:])):
            raise Invalid(weekly="hours_invalid")
    return schedule
