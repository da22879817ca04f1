"""How long lists are read: a page at a time by keyset, and searched by reference or phone tail.

Paging is by keyset, newest first on (time, id), never OFFSET: a row that arrives while someone
pages sorts before their cursor, so no older row is pushed onto the next page twice or past it
unseen, and every page costs the same however deep. The cursor is opaque to clients (base64 of
the last row's time in microseconds and its id); it is a position only, so a forged one shows
nothing the viewer's scope does not already allow.

A search is either (part of) a booking reference or the last 4 digits of a customer's number.
A whole number (or any other run of digits) is refused: the lists show numbers masked
(138****5678), and a search must not tell anyone the digits the mask hides.
"""
import base64
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal, Optional

from pydantic import BaseModel, Field
from sqlalchemy import String, cast, literal, or_, tuple_
from sqlmodel import Session, select

from server.errors import Invalid
from server.inputs import INT_MAX
from server.models import STATUSES, AuditEntry, Booking, Customer

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_MICROS = (datetime(9999, 1, 1, tzinfo=timezone.utc) - EPOCH) // timedelta(microseconds=1)
CURSOR = re.compile(r"[A-Za-z0-9_-]{4,40}")
SEARCH_MAX = 40
TAIL = 4  # digits of a number one may search by: exactly what the mask shows
REFERENCE = re.compile(r"YQ[A-Z0-9]{2,6}")  # a reference (YQ + 6), or its first 4 characters or more
REFERENCE_LENGTH = 8

# What parse_search takes, for /openapi.json: nothing (no search), 4 digits, or YQ and 2 to 6 letters or digits
# (white space and hyphens between them ignored).
SEARCH_PATTERN = r"^[\s-]*$|^[\s-]*(?:[0-9][\s-]*){4}$|^[\s-]*[Yy][\s-]*[Qq][\s-]*(?:[A-Za-z0-9][\s-]*){2,6}$"


class PageQuery(BaseModel):
    """The query arguments every paged, searchable list takes."""

    q: str = Field(None, max_length=SEARCH_MAX, pattern=SEARCH_PATTERN,
                   description="a booking reference (or its first 4 characters or more) or the number's last 4 digits")
    cursor: str = Field(None, max_length=64, pattern="^[A-Za-z0-9_-]*={0,2}$",
                        description="the previous page's next_cursor")



class BookingListQuery(PageQuery):
    scope: Literal["mine", "grid", "branch", "all"] = Field("mine", description="whose bookings (403 beyond my role)")
    status: Literal[STATUSES] = Field(None, description="only this status")
    day: Optional[date] = Field(None, description="only bookings for this day")
    limit: int = Field(100, ge=1, le=200, description="bookings on this page")


# --- keyset paging ----------------------------------------------------------------------------


def encode(at: datetime, pk: int) -> str:
    """The cursor after a row with this time and id."""
    micros = (at - EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}.{pk}".encode()).decode().rstrip("=")


def decode(raw: str) -> tuple[datetime, int]:
    """The (time, id) a cursor stands for; a 422 on `cursor` unless it is one of ours."""
    try:
        if not CURSOR.fullmatch(raw):
            raise ValueError(raw)
        micros, _, pk = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii").partition(".")
        if not (micros.isdigit() and pk.isdigit() and len(micros) <= 18 and len(pk) <= 10):
            raise ValueError(raw)
        micros, pk = int(micros), int(pk)
        if micros > MAX_MICROS or not 0 < pk <= INT_MAX:
            raise ValueError(raw)
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        raise Invalid(cursor="cursor_invalid") from None
    return EPOCH + timedelta(microseconds=micros), pk


def page(db: Session, query, at_column, id_column, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """One page of `query` newest first by (at_column, id_column), and the cursor of the next
    page (None when this one is the last)."""
    if cursor:
        at, pk = decode(cursor)
        query = query.where(tuple_(at_column, id_column) < tuple_(literal(at, at_column.type), pk))
    rows = list(db.exec(query.order_by(at_column.desc(), id_column.desc()).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode(getattr(last, at_column.key), getattr(last, id_column.key))


# --- search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """What was typed in a list's search box, understood: a reference (or its start) or a phone tail."""

    reference: str = ""
    phone_tail: str = ""


def parse_search(raw: str | None) -> Search | None:
    """The search `raw` asks for (None: no search); a 422 on `q` saying what may be typed."""
    text = re.sub(r"[\s\-]", "", raw or "").upper()
    if not text:
        return None
    if len(text) <= SEARCH_MAX and text.isascii() and text.isdigit():
        if len(text) == TAIL:
            return Search(phone_tail=text)
        raise Invalid(q="search_phone_tail")  # a whole number would unmask what the list masks
    if len(text) <= SEARCH_MAX and REFERENCE.fullmatch(text):
        return Search(reference=text)
    raise Invalid(q="search_invalid")


def _customers_with_tail(tail: str):
    # Mobile numbers only: an erased customer's placeholder (0 and its id) is nobody's number.
    return select(Customer.id).where(Customer.phone.like(f"1%{tail}"))


def _reference_clause(column, reference: str, prefix: str = ""):
    if len(reference) == REFERENCE_LENGTH:
        return column == prefix + reference
    return column.like(f"{prefix}{reference}%")  # only A-Z and 0-9 here: nothing to escape


def booking_clause(search: Search):
    """A WHERE clause on Booking for a search (to go with the viewer's scope, never instead)."""
    if search.reference:
        return _reference_clause(Booking.reference, search.reference)
    return Booking.customer_id.in_(_customers_with_tail(search.phone_tail))


def audit_clause(search: Search):
    """A WHERE clause on AuditEntry for a search: entries about the bookings (or customers) found."""
    if search.reference:
        return _reference_clause(AuditEntry.target, search.reference, "booking:")
    customers = _customers_with_tail(search.phone_tail)
    bookings = select(literal("booking:") + Booking.reference).where(Booking.customer_id.in_(customers))
    people = select(literal("customer:") + cast(Customer.id, String)).where(Customer.id.in_(customers))
    return or_(AuditEntry.target.in_(bookings), AuditEntry.target.in_(people))
