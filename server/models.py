"""Every table and every API schema, one family per concept (Base / table / Create / Public).

Codes are stored in English (`trainee`, `consumer`, `new`...); the PWA shows them in Chinese.
Times are aware UTC datetimes; days (rollups, boards) are Asia/Shanghai dates.
"""
import re
from datetime import date, datetime, timezone
from typing import Annotated, Literal, Optional

from flask_login import UserMixin
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator, model_validator
from pydantic import Field as Bounded
from pydantic_core import PydanticCustomError
from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from pydantic import Field as PydField
from sqlmodel import Field, SQLModel

from server.audit import append_only

LEVELS = ("trainee", "junior", "mid", "senior")  # 见习 初级 中级 高级
TRACKS = ("corporate", "microloan", "none")  # 公司类 微贷类 无
ROLES = ("staff", "grid_leader", "branch_manager", "admin")
PRODUCT_LINES = ("consumer", "business", "agri", "corporate")  # 消费 经营 三农 公司
PRODUCT_METHODS = ("credit", "guarantee", "mortgage")  # 信用 保证 抵押
PRODUCT_KINDS = ("matrix", "special", "smallbiz")
STATUSES = ("new", "contacted", "arrived", "completed", "cancelled", "no_show")
ACTIVE_STATUSES = ("new", "contacted", "arrived", "completed")  # hold their slot
# credit / debit: one count added to (taken from) a rollup counter later than the event it
# belongs to: an arrival verified after the fact, a flag cleared or raised (the counter in `status`).
EVENT_KINDS = ("visit", "booking", "status", "credit", "debit")


def Chars(max_length: int):  # noqa: N802 - reads as a type: Chars(40)
    """A string of at most `max_length` characters: the API refuses longer ones with a 422 and
    /openapi.json shows the limit (maxLength)."""
    return Annotated[str, StringConstraints(max_length=max_length)]


STAFF_NO = Chars(20)
PRODUCT_CODE = "^[a-z0-9]+(?:-[a-z0-9]+)*$"  # consumer-credit

# Typed text: what clean_text() takes out (control and format characters: they could forge log
# lines or reorder what others read; private-use and non-characters) and the white space
# str.split() collapses. Ranges rather than Unicode categories, so that /openapi.json publishes
# the very rule the server applies (TEXT_PATTERN: something left to show once cleaned).
INVISIBLE = (r"\x00-\x09\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
             r"\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ue000-\uf8ff\ufdd0-\ufdef\ufeff\ufff9-\ufffb"
             r"\ufffe\uffff")
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # str.isspace()
TEXT_PATTERN = rf"^[^\x00]*[^{INVISIBLE}{SPACE}][^\x00]*$"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def NonBlank(max_length: int):  # noqa: N802 - reads as a type, like Chars
    """Chars(max_length) that must show something once cleaned: the model's validator says so
    in its own words; the document carries TEXT_PATTERN."""
    return Annotated[str, StringConstraints(max_length=max_length),
                     Bounded(json_schema_extra={"pattern": TEXT_PATTERN})]


def Choice(*values: str):  # noqa: N802
    """A string the route or service checks against `values` (with its own message): its enum."""
    return Annotated[str, Bounded(json_schema_extra={"enum": list(values)})]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- organisation -------------------------------------------------------------------------


class Branch(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    kind: str = Field(default="city", max_length=10)  # city | rural
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=30)
    # English text for the English shop; "" = show the Chinese (every *_en column below).
    name_en: str = Field(default="", max_length=80, sa_column_kwargs={"server_default": ""})
    address_en: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})


class Grid(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    areas: str = Field(default="", max_length=500)  # villages / communities, 、-separated
    name_en: str = Field(default="", max_length=80, sa_column_kwargs={"server_default": ""})
    areas_en: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})  # 、-separated too


class Team(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)


class Employee(UserMixin, SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    staff_no: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=40)
    phone: str = Field(default="", max_length=20, index=True)
    level: str = Field(default="trainee", max_length=10)
    track: str = Field(default="none", max_length=10)
    role: str = Field(default="staff", max_length=20)
    title: str = Field(default="", max_length=40)  # 客户经理, 柜员, 支行长...
    intro: str = Field(default="", max_length=300)
    title_en: str = Field(default="", max_length=60, sa_column_kwargs={"server_default": ""})
    intro_en: str = Field(default="", max_length=400, sa_column_kwargs={"server_default": ""})
    branch_id: int = Field(foreign_key="branch.id", index=True)
    grid_id: Optional[int] = Field(default=None, foreign_key="grid.id", index=True)
    team_id: Optional[int] = Field(default=None, foreign_key="team.id", index=True)
    disabled: bool = Field(default=False)  # left the bank; see is_active
    successor_id: Optional[int] = Field(default=None, foreign_key="employee.id")
    password_hash: str = Field(default="", max_length=200)
    # Bumped on logout-everywhere / password change: old session cookies stop working.
    session_version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def is_active(self) -> bool:  # flask-login asks this; a left employee cannot log in
        return not self.disabled

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"


AWAY_REASON_MAX = 40


class OutOfOffice(SQLModel, table=True):
    """While away (inclusive Asia/Shanghai days), an employee's bookings go to the delegate."""

    id: Optional[int] = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    start: date
    end: date
    delegate_id: int = Field(foreign_key="employee.id")
    # Why (年假, 培训…), for the branch head reading the list; "" = not given.
    reason: str = Field(default="", max_length=AWAY_REASON_MAX, sa_column_kwargs={"server_default": ""})
    created_by: int = Field(foreign_key="employee.id")
    created_at: datetime = Field(default_factory=utcnow)


class Availability(SQLModel, table=True):
    """An employee's own appointment hours; without a row, the branch hours apply."""

    employee_id: int = Field(primary_key=True, foreign_key="employee.id")
    weekly: str = Field(sa_column=Column(Text, nullable=False))  # {"0": [["09:00","12:00"]], ...}
    days_off: str = Field(sa_column=Column(Text, nullable=False))  # ["2026-12-01", ...]
    updated_at: datetime = Field(default_factory=utcnow)


class ShopLink(SQLModel, table=True):
    """A shop code: `/s/<code>`. Codes outlive people; routing follows successors.

    A channel code (渠道码) names the poster, village board or event it was printed for; a grid
    code (grid_id set) sends new customers to that grid's least-loaded active employee. Results
    are kept by code (FunnelStat.shop_link_id): the name is a label, renamed freely. A retired
    code leads to a page that says so (server/shops/deadend.py) and counts nothing new.
    """

    # An owner's codes in use have different names (the database decides between two requests).
    __table_args__ = (Index("uq_shoplink_owner_channel", "employee_id", "channel", unique=True,
                            sqlite_where=text("retired_at IS NULL AND channel <> ''"),
                            postgresql_where=text("retired_at IS NULL AND channel <> ''")),)

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)  # owner (grid codes: creator)
    channel: str = Field(default="", max_length=40)  # "" = the employee's own shop link
    grid_id: Optional[int] = Field(default=None, foreign_key="grid.id")
    created_at: datetime = Field(default_factory=utcnow)
    retired_at: Optional[datetime] = None  # a channel code taken out of use by its owner


class Product(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=40)
    line: str = Field(max_length=12)
    method: str = Field(default="", max_length=12)  # "" for special products
    kind: str = Field(default="matrix", max_length=10)
    summary: str = Field(default="", max_length=200)
    audience: str = Field(default="", max_length=200)  # who it is for
    amount: str = Field(default="", max_length=60)  # typical amount, as shown
    term: str = Field(default="", max_length=60)
    documents: str = Field(default="", max_length=300)  # 、-separated checklist
    name_en: str = Field(default="", max_length=80, sa_column_kwargs={"server_default": ""})
    summary_en: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    audience_en: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    amount_en: str = Field(default="", max_length=80, sa_column_kwargs={"server_default": ""})
    term_en: str = Field(default="", max_length=80, sa_column_kwargs={"server_default": ""})
    documents_en: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})  # 、-separated, like documents
    tracks: str = Field(default="microloan,none", max_length=40)  # which tracks offer it
    sort: int = Field(default=0)
    active: bool = Field(default=True)


# --- customers and bookings ----------------------------------------------------------------


class Customer(SQLModel, table=True):
    """A customer is their mainland mobile number; the first booking binds them to a manager."""

    id: Optional[int] = Field(default=None, primary_key=True)
    phone: str = Field(max_length=11, unique=True)
    name: str = Field(default="", max_length=40)
    # Separate, optional consent to hear about other products; None = never asked / withdrawn.
    marketing_consent_at: Optional[datetime] = None
    employee_id: int = Field(foreign_key="employee.id", index=True)  # dedicated manager
    bound_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)


class Booking(SQLModel, table=True):
    __table_args__ = (
        # One slot, one booking: the database says no to the second active booking.
        Index(
            "uq_booking_active_slot",
            "employee_id",
            "slot_start",
            unique=True,
            sqlite_where=text("status IN ('new','contacted','arrived','completed')"),
            postgresql_where=text("status IN ('new','contacted','arrived','completed')"),
        ),
        Index("ix_booking_employee_created", "employee_id", "created_at"),
        # Keyset paging of the branch and head-office lists, newest first (server/listing.py).
        Index("ix_booking_branch_created", "branch_id", "created_at", "id"),
        Index("ix_booking_created", "created_at", "id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(max_length=12, unique=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    employee_id: int = Field(foreign_key="employee.id")  # routed manager
    branch_id: int = Field(foreign_key="branch.id", index=True)  # routed manager's branch then
    shop_link_id: Optional[int] = Field(default=None, foreign_key="shoplink.id")
    product_id: int = Field(foreign_key="product.id")
    channel: str = Field(default="", max_length=40)
    source: str = Field(default="shop", max_length=10)  # shop | staff (on behalf)
    name: str = Field(max_length=40)  # as the customer typed it this time
    slot_start: Optional[datetime] = Field(default=None)  # None = "call me back"
    status: str = Field(default="new", max_length=12)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    route_reason: str = Field(max_length=40)
    consent_version: str = Field(max_length=20)
    consented_at: datetime = Field(default_factory=utcnow)
    token_hash: str = Field(max_length=64, unique=True)
    # Why this booking is left out of rankings ("" = counted): staff_phone, repeat_phone, device_burst.
    flag: str = Field(default="", max_length=20)
    device: str = Field(default="", max_length=16, index=True)  # hash of the phone's app id
    # "" = open; confirmed (stays out of rankings) or cleared (counts) by a branch head / admin.
    flag_review: str = Field(default="", max_length=10)
    contacted_at: Optional[datetime] = None  # first moved to contacted (call backs' clock)
    # Evidence from the customer's side that they came: a check-in code, the branch QR, a one-time code.
    verified_at: Optional[datetime] = None
    verified_by: str = Field(default="", max_length=10)  # code | self | otp
    checkin_failures: int = 0  # wrong check-in codes typed: locked at CHECKIN_ATTEMPTS
    # Made by someone who proved the number (a one-time code) or by staff: only such a booking
    # routes to the customer's dedicated manager and counts toward the proven daily quota.
    proven: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    idempotency_key: Optional[str] = Field(default=None, max_length=64, unique=True)
    request_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PhoneCode(SQLModel, table=True):
    """A one-time code sent to a phone number: keyed hashes only, never the number or the code."""

    __table_args__ = (Index("ix_phonecode_key_purpose", "phone_key", "purpose", "created_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    phone_key: str = Field(max_length=64)
    purpose: str = Field(max_length=40)  # "prove", "checkin:<booking id>"...
    code_hash: str = Field(max_length=64)
    attempts: int = 0
    expires_at: datetime
    used_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """An outbox row: written in the booking's transaction, delivered (and retried) after it."""

    __table_args__ = (Index("ix_notification_due", "status", "next_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id")
    employee_id: int = Field(foreign_key="employee.id")
    channel: str = Field(max_length=10)  # webhook | message
    status: str = Field(default="pending", max_length=10)  # pending | sent | failed
    attempts: int = 0
    next_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None


class Reminder(SQLModel, table=True):
    """A message to a customer about a booking (receipt, the day before, an hour before): one
    row per booking and kind, claimed by one process, sent at most once (server/customers/reminders.py)."""

    __table_args__ = (Index("uq_reminder_booking_kind", "booking_id", "kind", unique=True),
                      Index("ix_reminder_due", "state", "due_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id")
    kind: str = Field(max_length=12)  # receipt | day_before | hour_before
    slot_start: Optional[datetime] = None  # the appointment time it was planned for
    due_at: datetime
    state: str = Field(default="planned", max_length=10)  # planned | sending | sent | skipped | failed | off
    attempts: int = 0
    error: str = Field(default="", max_length=80)  # the provider's code of the last failure
    claimed_at: Optional[datetime] = None
    sent_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)


class Handover(SQLModel, table=True):
    """客户继承: one employee's customers, open bookings and shop codes moved to a successor."""

    id: Optional[int] = Field(default=None, primary_key=True)
    from_id: int = Field(foreign_key="employee.id", index=True)
    to_id: int = Field(foreign_key="employee.id")
    actor_id: int = Field(foreign_key="employee.id")
    reason: str = Field(max_length=200)
    leaving: bool = False
    customers: int = 0
    bookings: int = 0
    links: int = 0
    skipped: int = 0  # customers not moved: moved too often already
    at: datetime = Field(default_factory=utcnow)


class CustomerMove(SQLModel, table=True):
    """One customer's change of dedicated manager: the history a handover keeps."""

    __table_args__ = (Index("ix_customermove_customer_at", "customer_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    from_id: int = Field(foreign_key="employee.id")
    to_id: int = Field(foreign_key="employee.id")
    handover_id: int = Field(foreign_key="handover.id")
    at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Append-only record of who did what: logins, status changes, reveals, settings, erasures.

    Never holds a phone number, name, token or password: targets are references and ids.
    """

    __table_args__ = (Index("ix_audit_at", "at"),
                      # A branch head's pages, and a search by booking (server/listing.py).
                      Index("ix_audit_branch_at", "branch_id", "at", "id"),
                      Index("ix_audit_target", "target"))

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    actor_id: Optional[int] = Field(default=None, foreign_key="employee.id", index=True)
    action: str = Field(max_length=30, index=True)
    target: str = Field(default="", max_length=60)  # e.g. booking:YQ7K3P9D, employee:12
    detail: str = Field(default="", max_length=200)
    source: str = Field(default="", max_length=45)  # client IP
    # The branch the entry concerns (its target's, else its actor's): what a branch head sees.
    branch_id: Optional[int] = Field(default=None, index=True)


append_only.guard(AuditEntry.__table__)  # UPDATE and DELETE refused by the database itself


# --- what the boards count -----------------------------------------------------------------


class Event(SQLModel, table=True):
    """A raw, append-only fact: a shop visit, a booking, a status change."""

    __table_args__ = (Index("ix_event_day_kind", "day", "kind"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    at: datetime = Field(default_factory=utcnow)
    day: date  # Asia/Shanghai
    employee_id: int = Field(foreign_key="employee.id")
    branch_id: int = Field(foreign_key="branch.id")
    shop_link_id: Optional[int] = Field(default=None, foreign_key="shoplink.id")
    booking_id: Optional[int] = Field(default=None, foreign_key="booking.id")
    product_id: Optional[int] = Field(default=None, foreign_key="product.id")
    channel: str = Field(default="", max_length=40)
    status: str = Field(default="", max_length=12)  # the new status, for status events
    flagged: bool = False  # belongs to a flagged booking: kept, but not counted in rankings
    # an arrival / completion without the customer's evidence (or any count of a staff-made
    # booking not yet confirmed): counted only as `unverified`
    unverified: bool = False


class VisitDevice(SQLModel, table=True):
    """A device seen at a shop on a day: a visit counts once per device, day and shop."""

    __table_args__ = (UniqueConstraint("day", "shop_link_id", "device"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    day: date
    shop_link_id: int = Field(foreign_key="shoplink.id")
    device: str = Field(max_length=16)


class DailyStat(SQLModel, table=True):
    """Per-day, per-employee counters, updated in the same transaction as each event."""

    # The board index covers what boards read: a month's board is an index-only scan; the
    # employee index, what some people's trends and targets read: their days, not everyone's
    # (bench/FLAT.md). One row per employee, day and the branch the results happened at (a
    # transfer mid-day starts a second row): a result stays with the branch where it happened.
    __table_args__ = (UniqueConstraint("day", "employee_id", "branch_id", name="uq_dailystat_day_employee_branch"),
                      Index("ix_dailystat_board", "day", "employee_id", "visits", "bookings", "arrived",
                            "completed", "no_show"),
                      Index("ix_dailystat_employee", "employee_id", "day", "visits", "bookings", "arrived",
                            "completed", "no_show"))

    id: Optional[int] = Field(default=None, primary_key=True)
    day: date
    employee_id: int = Field(foreign_key="employee.id")
    branch_id: int = Field(foreign_key="branch.id")
    visits: int = 0
    bookings: int = 0
    contacted: int = 0
    arrived: int = 0
    completed: int = 0
    cancelled: int = 0
    no_show: int = 0
    flagged: int = 0  # bookings left out of the counts above (anti-gaming)
    unverified: int = 0  # arrivals / completions / walk-ins without the customer's evidence


class DayTotal(SQLModel, table=True):
    """DailyStat summed per day and branch, for closed days only (server/boards/trend.py): a
    bank-wide or branch trend reads one row per branch and day, however many people were busy.
    Written once, when a trend first reads the day; a closed day's rollups never change."""

    __table_args__ = (UniqueConstraint("day", "branch_id", name="uq_daytotal_day_branch"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    day: date
    branch_id: int = Field(foreign_key="branch.id")
    visits: int = 0
    bookings: int = 0
    contacted: int = 0
    arrived: int = 0
    completed: int = 0
    cancelled: int = 0
    no_show: int = 0
    flagged: int = 0
    unverified: int = 0


class FunnelStat(SQLModel, table=True):
    """Per-day funnel counters by employee, product and channel (which QR / poster).

    A channel code's results are its code's (`shop_link_id`); `channel` is the label it had when
    they happened, and the funnel shows each code under its current label."""

    __table_args__ = (UniqueConstraint("day", "employee_id", "product_id", "channel", "branch_id", "shop_link_id",
                                       name="uq_funnelstat_day_employee_product_channel_branch_link"),
                      Index("ix_funnelstat_day", "day"),
                      Index("ix_funnelstat_link_day", "shop_link_id", "day"))

    id: Optional[int] = Field(default=None, primary_key=True)
    day: date
    employee_id: int = Field(foreign_key="employee.id")
    branch_id: int = Field(foreign_key="branch.id")
    product_id: int = 0  # 0 for visits (no product chosen yet)
    channel: str = Field(default="", max_length=40)
    # the code the results came through (0: none recorded); no foreign key, like product_id
    shop_link_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    visits: int = 0
    bookings: int = 0
    arrived: int = 0
    completed: int = 0


class Target(SQLModel, table=True):
    """A month's goal for one branch or one employee, set by head office (0 = no goal)."""

    __table_args__ = (UniqueConstraint("period", "scope", "subject_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)  # YYYY-MM
    scope: str = Field(max_length=10)  # branch | employee
    subject_id: int  # the branch's or the employee's id
    bookings: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    arrived: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # verified arrivals
    completed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated_by: Optional[int] = Field(default=None, foreign_key="employee.id")
    updated_at: datetime = Field(default_factory=utcnow)


class WallLink(SQLModel, table=True):
    """A read-only link to the live wall for a TV: bank-wide (no branch) or one branch's. Only
    the token's hash is kept; a withdrawn link keeps its row (who made it, who withdrew it)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=40)  # where the screen is, e.g. 城区支行大厅
    branch_id: Optional[int] = Field(default=None, foreign_key="branch.id")  # None: the whole bank
    created_by: int = Field(foreign_key="employee.id")
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: Optional[datetime] = None  # written at most every few minutes
    revoked_at: Optional[datetime] = None
    revoked_by: Optional[int] = Field(default=None, foreign_key="employee.id")


COUNTERS = ("visits", "bookings", "contacted", "arrived", "completed", "cancelled", "no_show")
FUNNEL_COUNTERS = ("visits", "bookings", "arrived", "completed")


# --- API schemas (not tables) --------------------------------------------------------------


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorBody(Public):
    error: str
    message: str
    fields: dict[str, str] = {}


class BranchContact(Public):
    name: str
    address: str
    phone: str
    name_en: str
    address_en: str


class ShopLinkPublic(Public):
    code: str
    url: str
    name: str = ""  # who serves there (a successor's shop)


class ShopNotFound(ErrorBody):
    """A shop code that leads nowhere: where the customer can go instead."""

    bank: str
    hotline: str
    branches: list[BranchContact]
    # the owner left: their successor's own shop; a retired channel code: its owner's own shop
    successor: Optional[ShopLinkPublic] = None
    retired: bool = False  # a channel code its owner took out of use (a poster taken down)
    suggestion: Optional[ShopLinkPublic] = None  # one character off an existing code


class EmployeeCard(Public):
    """An employee's public face. Each `x_en` is the English of `x`, or `x` itself where no
    English was written: a client shows `x_en` in English and never loses a field."""

    name: str
    initials: str
    title: str
    title_en: str = ""
    level: str
    track: str
    intro: str
    intro_en: str = ""
    branch: str
    branch_en: str = ""
    branch_address: str
    branch_address_en: str = ""
    grid: str
    grid_en: str = ""
    grid_areas: str
    grid_areas_en: str = ""
    phone: str  # the employee's work phone, for one-tap call


class ProductPublic(Public):
    """A product on a shop; `x_en` as in EmployeeCard (English, else the Chinese)."""

    code: str
    name: str
    name_en: str = ""
    line: str
    method: str
    kind: str
    summary: str
    summary_en: str = ""
    audience: str
    audience_en: str = ""
    amount: str
    amount_en: str = ""
    term: str
    term_en: str = ""
    documents: list[str]
    documents_en: list[str] = []


class TeamMember(Public):
    name: str
    initials: str
    level: str
    title: str
    title_en: str = ""  # English, else the Chinese (as in EmployeeCard)


class ShopPublic(Public):
    code: str
    channel: str
    url: str
    bank: str
    hotline: str
    consent_version: str
    manager: EmployeeCard
    covering: Optional[str] = None  # who serves this shop now, when not its owner
    grid_team: list[TeamMember] = []  # a grid code's shop: the grid's team, not one person
    products: list[ProductPublic]


class NoticeQuery(BaseModel):
    lang: Optional[str] = None  # zh-CN (the default) or en; any other value gets zh-CN


class NoticeSection(Public):
    heading: str
    text: str


class PrivacyNotice(Public):
    """The privacy notice in force: a booking's consent_version must be this version."""
    version: str
    lang: str  # zh-CN | en
    title: str
    summary: list[str] = []  # the notice in a few lines, shown first; the sections one tap away
    sections: list[NoticeSection]
    marketing: str  # the separate, optional marketing consent, in one sentence


class Slot(Public):
    start: datetime
    label: str


class SlotDay(Public):
    date: date
    slots: list[Slot]


class SlotsPublic(Public):
    days: list[SlotDay]
    # Grid codes: the team member these times belong to, and the code that books with them.
    manager: Optional[str] = None
    serve_code: Optional[str] = None


# Request headers, for the document (the routes read them themselves).
_TOKEN = PydField("", alias="X-Booking-Token", max_length=100,
                  description="The booking's private token (its status link's #fragment); without it, or one "
                              "no booking has, a 404.")
_DEVICE = PydField("", alias="X-Device-Id", description="The shop page's random app id (its first 64 characters "
                                                        "are used); counts visits and flags bursts per device.")
_PROOF = PydField("", alias="X-Phone-Proof", description="The proof of POST /api/phone/verify for this number.")
_KEY = PydField("", alias="Idempotency-Key", json_schema_extra={"pattern": "^[ -~]{0,64}$"},
                description="Up to 64 printable ASCII characters (else a 400): the same key again answers the "
                            "first booking; with another body, a 422.")


class TokenHeaders(BaseModel):
    token: str = _TOKEN


class DeviceHeaders(BaseModel):
    device: str = _DEVICE


class ProofHeaders(BaseModel):
    proof: str = _PROOF


class BookingHeaders(BaseModel):
    key: str = _KEY
    device: str = _DEVICE
    proof: str = _PROOF


class KeyHeaders(BaseModel):
    key: str = _KEY


class VisitCreate(BaseModel):
    """A shop visit. Its channel is the shop code's: a channel sent by the page is ignored
    (a made-up one would count as a poster that does not exist)."""


PHONE_RE = re.compile(r"1[3-9][0-9]{9}")
# What normalise_phone() accepts, as one pattern for the document: white space, dashes and
# brackets anywhere, +86 or 86 before the 11 digits.
_SEP = rf"[{SPACE}()-]*"
PHONE_PATTERN = rf"^{_SEP}(?:\+{_SEP}8{_SEP}6{_SEP}|8{_SEP}6{_SEP})?1{_SEP}[3-9]{_SEP}(?:[0-9]{_SEP}){{9}}$"
Phone = Annotated[str, Bounded(json_schema_extra={
    "pattern": PHONE_PATTERN, "description": "A mainland mobile number: 11 digits from 13–19, spaces, dashes, "
                                             "brackets and a +86 or 86 before them allowed."})]
NOTE_MAX = 200


def normalise_phone(raw: str) -> str:
    """A mainland mobile number as 11 digits, or PydanticCustomError("phone_invalid")."""
    digits = re.sub(r"[\s\-()]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not PHONE_RE.fullmatch(digits):
        raise PydanticCustomError("phone_invalid", "not a mainland mobile number")
    return digits


def mask_phone(phone: str) -> str:
    """138****1234: how a phone number appears to anyone but its dedicated manager."""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "****"


def clean_text(value: str) -> str:
    """Strip INVISIBLE characters (line breaks stay) and surrounding white space."""
    return _INVISIBLE.sub("", value).strip()


NAME_MAX = 20


def _booking_schema(schema: dict) -> None:
    """What the validators below ask, for the document: consent given, a slot or a call back."""
    schema["required"].append("consent")
    schema["anyOf"] = [{"required": ["slot"], "properties": {"slot": {"type": "string"}}},
                       {"required": ["callback"], "properties": {"callback": {"const": True}}}]


class BookingCreate(BaseModel):
    """What a customer (or staff on their behalf) sends to book. Besides its limits: `product` one
    the shop offers (GET /api/shops/{code}), `slot` one of its open times (GET .../slots) unless
    `callback`, `consent_version` the privacy notice in force, `serve_code` the grid member whose
    times were shown; else a 422 naming the field."""

    model_config = ConfigDict(json_schema_extra=_booking_schema)

    name: Annotated[str, Bounded(json_schema_extra={"maxLength": NAME_MAX, "pattern": TEXT_PATTERN})]
    phone: Phone
    product: Chars(40)  # a product code the shop offers
    slot: Optional[datetime] = None  # an open slot of GET /api/shops/{code}/slots
    callback: bool = False
    note: Annotated[str, Bounded(json_schema_extra={"maxLength": NOTE_MAX})] = ""
    consent: Annotated[bool, Bounded(validate_default=True, json_schema_extra={"const": True})] = False
    consent_version: Chars(20) = ""  # the version of GET /api/privacy-notice in force
    marketing: bool = False  # optional, separate from the booking consent
    # No channel: a shop booking's channel is its shop code's (a channel code names its poster).
    serve_code: str = PydField(default="", max_length=16)  # grid codes: the team member whose times were shown

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if len(v) > NAME_MAX or not (v := " ".join(clean_text(v).split())):
            raise PydanticCustomError("name_invalid", "name must be 1-20 characters")
        return v

    _phone = field_validator("phone")(lambda cls, v: normalise_phone(v))

    @field_validator("note")
    @classmethod
    def _note(cls, v: str) -> str:
        if len(v) > NOTE_MAX:
            raise PydanticCustomError("note_too_long", "note too long")
        return clean_text(v)

    @field_validator("consent")
    @classmethod
    def _consent(cls, v: bool) -> bool:
        if not v:
            raise PydanticCustomError("consent_required", "consent required")
        return v

    @model_validator(mode="after")
    def _slot_or_callback(self):
        if self.callback:
            self.slot = None
        elif self.slot is None:
            raise PydanticCustomError("slot_required", "choose a slot or a call back", {"field": "slot"})
        return self


class PhoneIn(BaseModel):
    """A number to send a one-time code to (or whose bookings a proven device asks for)."""

    phone: Phone

    _phone = field_validator("phone")(lambda cls, v: normalise_phone(v))


class PhoneCodeIn(PhoneIn):
    """The code texted to the number (a wrong, expired or spent code is a 422 on `code`)."""

    code: str = PydField(min_length=1, max_length=10)


class CodeSent(Public):
    sent: bool
    expires_in: int  # seconds the code is valid
    resend_in: int  # seconds before another code can be asked for


class PhoneProof(Public):
    proof: str  # send as X-Phone-Proof; valid for expires_in seconds
    expires_in: int


class Serving(Public):
    """Who will serve a proven number, why (a routing reason code) and their open times."""

    manager: EmployeeCard
    reason: str  # dedicated | successor | out_of_office | branch_pool | grid_least_loaded | new_customer
    days: list[SlotDay]


class StatusChange(BaseModel):
    status: Choice(*STATUSES)
    note: Chars(NOTE_MAX) = ""


class Reschedule(BaseModel):
    """Another open time of the booking's manager (GET /api/status/slots), else a 422 on `slot`."""

    slot: datetime


class BookingPublic(Public):
    """A booking as its customer (status link) sees it: phone masked."""

    reference: str
    status: str
    name: str
    phone: str
    product: str
    product_name: str
    product_name_en: str = ""  # English, else the Chinese (as in EmployeeCard)
    slot_start: Optional[datetime]
    callback: bool
    note: str
    manager: str
    manager_phone: str
    branch: str
    branch_en: str = ""
    branch_address: str
    branch_address_en: str = ""
    bank: str
    hotline: str
    created_at: datetime
    can_cancel: bool
    # Why this person serves the customer: dedicated | successor | out_of_office | branch_pool |
    # grid_least_loaded | new_customer; and within how many working hours they will call.
    reason: str = "new_customer"
    contact_within_hours: int = 2
    shop_url: str = ""  # the shop it came through (status page only), to book again
    # On the appointment's day, for a booking made through a shop until it is verified: the
    # 6-digit code staff type or scan (核验到店), and a QR of it (PNG data URL).
    checkin_code: Optional[str] = None
    checkin_qr: Optional[str] = None
    verified: bool = False  # the arrival is verified (it counts)


class BookingCreated(BookingPublic):
    status_url: str
    status_token: str


class CustomerBookings(Public):
    """What a proven number sees: its dedicated manager and its bookings."""

    dedicated_manager: Optional[str]
    bookings: list[BookingPublic]


class BookingStaff(Public):
    """A booking as staff see it; phone in full only for the routed manager."""

    reference: str
    status: str
    name: str
    phone: str
    phone_masked: bool
    product: str
    product_name: str
    slot_start: Optional[datetime]
    callback: bool
    note: str
    channel: str
    source: str
    employee_id: int
    employee: str
    branch: str
    route_reason: str
    created_at: datetime
    updated_at: datetime
    next_statuses: list[str]
    verified: bool = False  # evidence from the customer's side: the result counts
    verified_by: str = ""  # code | self | otp
    checkin: str = "code"  # how it can be verified: code (on the customer's page) | otp (sent by SMS)
    flag: str = ""  # why it is left out of rankings ("" = counted)
    flag_review: str = ""  # confirmed | cleared
    # May the viewer reveal the full number (masked, and theirs to reveal: POST .../reveal)?
    can_reveal: bool = False
    # The shop it came through: its code, whose it is (the owner's name) and, for a grid code,
    # the grid; the channel code's name is `channel`. "" for bookings from before codes were kept.
    shop_code: str = ""
    shop_owner: str = ""
    shop_owner_id: Optional[int] = None
    shop_grid: str = ""


class CheckinCode(BaseModel):
    """The code on the customer's status page, or the one texted to them (a wrong one is a 422)."""

    code: Annotated[str, Bounded(json_schema_extra={"pattern": rf"^[{SPACE}]*(?:[0-9A-Za-z][{SPACE}]*){{4,12}}$"})]

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        v = re.sub(r"\s", "", v)
        if not 4 <= len(v) <= 12 or not v.isascii() or not v.isalnum():
            raise PydanticCustomError("checkin_code_wrong", "not a check-in code")
        return v


class CheckinDone(Public):
    reference: str
    status: str
    branch: str
    manager: str
    verified: bool


class BranchCheckin(Public):
    branch_id: int
    branch: str
    code: str
    url: str  # PUBLIC_BASE_URL/c/<code>: what the branch's printed QR encodes
    png: str  # the QR as a PNG


class StaffBookingCreate(BookingCreate):
    """A booking staff make for a customer at the counter (walk-in) or on the phone: that is its
    channel; `send_link`: the customer agreed to receive the status link by text message."""

    channel: Optional[Literal["walk-in", "phone", ""]] = "walk-in"
    send_link: bool = False

    # A form that says nothing of the channel (an empty field) means the customer is at the counter.
    _walk_in = field_validator("channel")(lambda cls, v: v or "walk-in")


class BookingStaffCreated(BookingStaff):
    """A booking staff just made, with the customer's receipt: the status link and its QR code."""

    status_url: str
    qr: str  # data:image/png;base64,...
    message_queued: bool


class RemindersIn(BaseModel):
    on: bool


class RemindersState(Public):
    """Whether the customer gets reminders (the day before, an hour before) for this booking."""

    on: bool
    available: bool  # False for a call back (no time) or a booking no longer to come


class MessageCount(Public):
    kind: str
    state: str
    count: int


class MessageFailure(Public):
    reference: str
    kind: str
    error: str
    at: datetime


class MessageReport(Public):
    """Messages to customers, for admins: how many in each state, and the latest failures."""

    counts: list[MessageCount]
    failures: list[MessageFailure]


class RevealIn(BaseModel):
    """Why staff need a customer's full number (required; kept in the audit log)."""

    reason: Chars(200)

    _reason = field_validator("reason")(lambda cls, v: clean_text(v))


class Revealed(Public):
    reference: str
    phone: str


class BookingList(Public):
    items: list[BookingStaff]
    next_cursor: Optional[str] = None  # ?cursor= for the next page; None: this is the last


class LoginIn(BaseModel):
    staff_no: STAFF_NO
    password: Chars(200)


class PasswordChange(BaseModel):
    """The current password, and a new one that is neither a common password nor the staff number
    (else a 422 on that field)."""

    current_password: Chars(200)
    new_password: Chars(200)


WEEKDAY, HOUR = "^[0-6]$", "^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"  # "0" is Monday; "09:30"
MAX_RANGES_PER_DAY, MAX_DAYS_OFF = 4, 60


class AvailabilityIO(BaseModel):
    """Weekly hours (Monday = "0") and days off, in and out of /api/staff/availability.

    Checked in server/staff/service.py (with its own messages), as the document says, and then
    that no range ends before it starts nor overlaps another of its day."""

    weekly: Annotated[dict[str, list[list[str]]], Bounded(json_schema_extra={
        "propertyNames": {"pattern": WEEKDAY},
        "additionalProperties": {"type": "array", "maxItems": MAX_RANGES_PER_DAY, "items": {
            "type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string", "pattern": HOUR}}}})]
    days_off: Annotated[list[str], Bounded(json_schema_extra={
        "maxItems": MAX_DAYS_OFF, "items": {"type": "string", "format": "date"}})] = []


class OutOfOfficeIn(BaseModel):
    start: date
    end: date
    delegate_staff_no: STAFF_NO
    employee_staff_no: STAFF_NO = ""  # a manager may set it for one of their people; "" = me
    reason: Chars(AWAY_REASON_MAX) = ""  # 年假, 培训…: shown in the list and the audit log

    _reason = field_validator("reason")(lambda cls, v: " ".join(clean_text(v).split()))


class OutOfOfficePublic(Public):
    id: int
    employee: str
    start: date
    end: date
    delegate: str
    reason: str


class OutOfOfficeList(Public):
    items: list[OutOfOfficePublic]


class Colleague(Public):
    """Someone to pick in a form (a delegate, a successor): never their phone number."""

    staff_no: str
    name: str
    branch: str
    grid: str
    left: bool  # 已离职


class ColleagueList(Public):
    items: list[Colleague]


class Me(Public):
    id: int
    staff_no: str
    name: str
    role: str
    branch_id: int
    grid_id: Optional[int]
    level: str
    track: str
    branch: str
    shop_code: str
    shop_url: str
    csrf_token: str


class BoardRow(Public):
    rank: int
    id: int
    name: str
    branch: str = ""
    level: str = ""
    track: str = ""
    members: Optional[int] = None  # groups: active members counted
    visits: int  # reach: not in the score (anyone can send a visit)
    bookings: int
    arrived: int  # verified arrivals only
    completed: int  # verified completions only
    no_show: int
    unverified: int = 0  # arrivals / completions / walk-ins without the customer's evidence: 0 points
    score: float
    score_per_capita: Optional[float] = None
    medal: Optional[int] = None  # 1 / 2 / 3 for ranks 1-3 with at least one point
    left: bool = False  # employees: left the bank (已离职); still listed in periods they had results in


class Board(Public):
    period: str
    start: date
    end: date
    by: str
    formula: str  # 质量分 = 预约×1 + 到店×3 + 办结×5 − 爽约×2, from QUALITY_WEIGHTS
    formula_en: str = ""
    tie_break: str = ""  # equal scores share a rank; how rows with equal scores are ordered
    weights: dict[str, float]
    rows: list[BoardRow]
    bottom: list[BoardRow] = []
    mine: Optional[BoardRow] = None  # the viewer's own row (employee boards), wherever it ranks


class FunnelRow(Public):
    key: str
    name: str
    visits: int
    bookings: int
    arrived: int
    completed: int
    booking_rate: Optional[float]
    arrival_rate: Optional[float]
    completion_rate: Optional[float]


class Funnel(Public):
    period: str
    start: date
    end: date
    by: str
    rows: list[FunnelRow]


class TrendTotals(Public):
    visits: int  # reach: shown apart, not part of the score
    bookings: int
    arrived: int
    completed: int
    no_show: int
    score: float


class TrendPoint(TrendTotals):
    day: date


class TrendPrevious(Public):
    start: date
    end: date
    totals: TrendTotals


class Trend(Public):
    period: str
    start: date
    end: date
    by: str  # employee | branch | all
    id: Optional[int]  # the employee or branch; None for all
    formula: str
    weights: dict[str, float]
    series: list[TrendPoint]  # one point a day, zeros included
    totals: TrendTotals
    previous: TrendPrevious  # the period before, of the same length
    change: TrendTotals  # totals − previous totals


class FlaggedRow(Public):
    reference: str
    employee: str
    branch: str
    phone: str
    flag: str
    reason: str
    created_at: datetime
    status: str = ""
    review: str = ""  # "" = open; confirmed (stays out) | cleared (counts)


class FlaggedList(Public):
    items: list[FlaggedRow]


class FlagReview(BaseModel):
    action: Choice("confirm", "clear")


class UnverifiedRow(Public):
    reference: str
    employee: str
    branch: str
    status: str
    source: str  # shop | staff
    reason_code: str  # no_checkin | walkin_unconfirmed
    reason: str
    updated_at: datetime


class UnverifiedList(Public):
    items: list[UnverifiedRow]


class AuditRow(Public):
    at: datetime  # Asia/Shanghai, with its offset
    action: str
    action_label: str = ""  # the action in the reader's language
    actor: str
    target: str
    detail: str
    source: str


class AuditList(Public):
    items: list[AuditRow]
    next_cursor: Optional[str] = None  # ?cursor= for the next page; None: this is the last


class Erased(Public):
    bookings: int  # how many bookings were stripped of personal data


class CustomerLookup(BaseModel):
    phone: Phone

    _phone = field_validator("phone")(lambda cls, v: normalise_phone(v))


class CustomerData(Public):
    """Everything the bank holds on one customer (for a PIPL access request)."""

    phone: str
    name: str
    dedicated_manager: str
    bound_at: datetime
    marketing_consent_at: Optional[datetime]
    bookings: list[dict]


class HandoverIn(BaseModel):
    """Two staff numbers that exist, the successor another active employee (else a 422 on it)."""

    from_staff_no: STAFF_NO
    to_staff_no: STAFF_NO
    reason: NonBlank(200)
    leaving: bool = False

    _reason = field_validator("reason")(lambda cls, v: clean_text(v))


class HandoverPublic(Public):
    id: int
    from_employee: str
    to_employee: str
    customers: int
    bookings: int
    links: int
    skipped: int
    rescheduled: list[str] = []  # bookings whose slot the successor already had: now call-backs


class RosterResult(Public):
    errors: list[dict]  # {line, column, reason}
    changes: list[dict]  # {line, staff_no, action, fields}
    new_org: list[str]  # "支行：娘子关支行": created only where a row's 新建 column says 是
    new_org_counts: dict[str, int]  # {"branch": 1, "grid": 0, "team": 0}
    applied: int


# --- organisation admin (/api/org) ---------------------------------------------------------


def _one_line(value: str) -> str:
    return " ".join(clean_text(value).split())


def _split(value, sep: str) -> list[str]:
    """A stored `a、b` (or `a,b`) column as a list; lists pass through."""
    if isinstance(value, str):
        return [part for part in value.split(sep) if part]
    return value


BRANCH_KINDS = ("city", "rural")
# One item of a list stored joined (a village, a document): no separator in it (server/org/service.py).
ITEM, ITEM_EN = r"^[^\x00、,]*$", r"^[^\x00、]*$"  # English items may hold a comma
Item = Annotated[str, StringConstraints(max_length=30), Bounded(json_schema_extra={"pattern": ITEM})]
ItemEn = Annotated[str, StringConstraints(max_length=60), Bounded(json_schema_extra={"pattern": ITEM_EN})]


class BranchIn(BaseModel):
    """A branch; its name not another's (else a 422 on `name`)."""

    name: NonBlank(60)
    kind: Choice(*BRANCH_KINDS) = "city"
    address: Chars(200) = ""
    phone: Chars(30) = ""
    name_en: Chars(60) = ""  # "" = the English shop shows the Chinese
    address_en: Chars(200) = ""

    _clean = field_validator("name", "address", "phone", "name_en", "address_en")(lambda cls, v: _one_line(v))


class GridIn(BaseModel):
    """A grid of an existing branch, its name not another's; its areas joined with 、 at most 500
    characters (else a 422 on the field)."""

    branch_id: int
    name: NonBlank(60)
    areas: Annotated[list[Item], Bounded(max_length=50)] = []  # villages / communities it covers
    name_en: Chars(60) = ""
    areas_en: Annotated[list[Annotated[str, StringConstraints(max_length=30),
                                       Bounded(json_schema_extra={"pattern": ITEM_EN})]], Bounded(max_length=50)] = []

    _clean = field_validator("name", "name_en")(lambda cls, v: _one_line(v))
    _areas = field_validator("areas", "areas_en")(lambda cls, v: [_one_line(a) for a in v if _one_line(a)])


class TeamIn(BaseModel):
    """A team of an existing branch, its name not another's (else a 422 on the field)."""

    branch_id: int
    name: NonBlank(60)

    _clean = field_validator("name")(lambda cls, v: _one_line(v))


EN_PRODUCT_TEXT = ("name_en", "summary_en", "audience_en", "amount_en", "term_en")


class ProductIn(BaseModel):
    """A product, its code and name not another's; documents joined with 、 at most 300 characters
    (500 in English) (else a 422 on the field)."""

    code: Annotated[Chars(40), Bounded(json_schema_extra={"pattern": PRODUCT_CODE})]
    name: NonBlank(40)
    line: Choice(*PRODUCT_LINES)
    method: Choice("", *PRODUCT_METHODS) = ""
    kind: Choice(*PRODUCT_KINDS) = "matrix"
    summary: Chars(200) = ""
    audience: Chars(200) = ""
    amount: Chars(60) = ""
    term: Chars(60) = ""
    documents: Annotated[list[Item], Bounded(max_length=30)] = []
    tracks: Annotated[list[Choice(*TRACKS)], Bounded(min_length=1, max_length=len(TRACKS))] = ["microloan", "none"]
    sort: int = 0
    active: bool = True
    name_en: Chars(80) = ""  # English text: "" = the English shop shows the Chinese
    summary_en: Chars(300) = ""
    audience_en: Chars(300) = ""
    amount_en: Chars(80) = ""
    term_en: Chars(80) = ""
    documents_en: Annotated[list[ItemEn], Bounded(max_length=30)] = []

    _clean = field_validator("name", "summary", "audience", "amount", "term", *EN_PRODUCT_TEXT)(
        lambda cls, v: _one_line(v))
    _lists = field_validator("documents", "documents_en")(lambda cls, v: [_one_line(a) for a in v if _one_line(a)])


class BranchPublic(Public):
    id: int
    name: str
    kind: str
    address: str
    phone: str
    name_en: str = ""
    address_en: str = ""


class GridPublic(Public):
    id: int
    branch_id: int
    name: str
    areas: list[str]
    name_en: str = ""
    areas_en: list[str] = []

    _areas = field_validator("areas", "areas_en", mode="before")(lambda cls, v: _split(v, "、"))


class TeamPublic(Public):
    id: int
    branch_id: int
    name: str


class ProductAdmin(Public):
    """A product as head office manages it: inactive ones included."""

    id: int
    code: str
    name: str
    line: str
    method: str
    kind: str
    summary: str
    audience: str
    amount: str
    term: str
    documents: list[str]
    tracks: list[str]
    sort: int
    active: bool
    name_en: str = ""
    summary_en: str = ""
    audience_en: str = ""
    amount_en: str = ""
    term_en: str = ""
    documents_en: list[str] = []

    _documents = field_validator("documents", "documents_en", mode="before")(lambda cls, v: _split(v, "、"))
    _tracks = field_validator("tracks", mode="before")(lambda cls, v: _split(v, ","))


class EmployeeProfileIn(BaseModel):
    """What a customer reads about an employee on their shop, in Chinese and English."""

    title: Chars(40) = ""
    intro: Chars(300) = ""
    title_en: Chars(60) = ""
    intro_en: Chars(400) = ""

    _clean = field_validator("title", "intro", "title_en", "intro_en")(lambda cls, v: _one_line(v))


class FindQuery(BaseModel):
    q: str = PydField("", description="part of a staff number or name; its first 40 characters are used")


class EmployeeProfile(Public):
    id: int
    staff_no: str
    name: str
    branch_id: int
    title: str
    intro: str
    title_en: str
    intro_en: str


class EmployeeProfileList(Public):
    items: list[EmployeeProfile]


class OrgPublic(Public):
    branches: list[BranchPublic]
    grids: list[GridPublic]
    teams: list[TeamPublic]
    products: list[ProductAdmin]
