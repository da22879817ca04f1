"""Bookings: made exactly once, routed to the dedicated manager, moved through their states."""
import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from datetime import datetime, time, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from server.audit import service as audit
from server.boards import rollups
from server.cache import catalog_get, catalog_row, detached, rebuild
from server.bookings import evidence, flags
from server.bookings.routing import route_to_manager
from server.bookings.slots import SlotRules, next_free, open_slots, schedule_for, taken
from server.clock import TZ, local_day, to_utc
from server.db import begin_write
from server.errors import ApiError, Conflict, Invalid, NotFound, TooMany
from server.live.bus import publish, publish_many
from server.notify import service as notify
from server.models import Booking, BookingCreate, Branch, Customer, Employee, Product, ShopLink, utcnow
from server.shops.service import CODE_ALPHABET, offered, serving

TRANSITIONS = {
    "new": ("contacted", "arrived", "cancelled", "no_show"),
    "contacted": ("arrived", "cancelled", "no_show"),
    "arrived": ("completed",),
}
CUSTOMER_CAN_CHANGE = ("new", "contacted")
STATUS_LINK_DAYS = 7  # a status link works until a week after the appointment
ATTEMPTS = 3


class Booked(NamedTuple):
    booking: Booking
    token: str  # the private status token; only its hash is stored
    replayed: bool  # True when an Idempotency-Key replay returned an earlier booking
    # The rows the booking loaded (manager, branch, product, customer): held here so the view
    # that answers needs no query. Nothing is read after the commit, so a database that fails
    # right then cannot turn a booking that exists into an error. They may belong to a batch's
    # session, closed since: loaded, only to be read.
    rows: tuple = ()


def rules() -> SlotRules:
    cfg = current_app.config
    return SlotRules(minutes=cfg["SLOT_MINUTES"], lead_minutes=cfg["SLOT_LEAD_MINUTES"],
                     horizon_days=cfg["BOOKING_HORIZON_DAYS"])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _status_token(idempotency_key: str | None) -> str:
    """128+ bits; derived from the idempotency key so a replay can return the same link."""
    if not idempotency_key:
        return secrets.token_urlsafe(32)
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), b"status:" + idempotency_key.encode(),
                   hashlib.sha256)
    return urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def _fingerprint(link: ShopLink, data: BookingCreate) -> str:
    return hashlib.sha256(f"{link.code}|{data.model_dump_json()}".encode()).hexdigest()


def slot_json(slots: list[dict]) -> list[dict]:
    return [{"start": s["start"].isoformat(), "label": s["label"]} for s in slots]


def slot_days(db: Session, employee: Employee, now: datetime | None = None, routed: bool = False) -> dict:
    """Open slots as the API returns them; `routed`: each day's slots are those of whoever
    serves `employee` that day (a delegate while they are away)."""
    pick = (lambda day: serving(db, employee, day)[0]) if routed else None
    days = open_slots(db, employee=employee, rules=rules(), now=now or utcnow(), pick=pick)
    return {"days": [{"date": d["date"], "slots": slot_json(d["slots"])} for d in days]}


def book(db: Session, *, link: ShopLink, data: BookingCreate, now: datetime | None = None,
         source: str = "shop", idempotency_key: str | None = None, device_id: str = "",
         proven: bool = False) -> Booked:
    """Create a booking through `link`, routed to the customer's dedicated manager when the
    number is `proven` (a one-time code) or staff book it; else as a new customer of the shop.

    In an app, the booking joins the others waiting in this process and is written with them
    in one transaction (server/bookings/group.py); the rows it returns are then detached.
    The database decides races: a unique slot index and a unique idempotency key. A batch
    that loses one is rolled back and each of its bookings is made again alone, retried on a
    conflict until it finds the winner.
    """
    job = Job(link=link, data=data, now=now or utcnow(), source=source, key=idempotency_key,
              device=flags.device_hash(device_id), proven=proven or source == "staff")
    if db.in_transaction():
        db.commit()  # hold no lock while waiting for the batch
    group = current_app.extensions.get("group_commit")
    if group is not None:
        group.book(job)
        if job.error is not None:
            raise job.error
        if job.booked is not None:
            return job.booked
    return _book_alone(db, job)


def _book_alone(db: Session, job: "Job") -> Booked:
    """`job` in a transaction of its own on `db`, retried when it loses a unique index."""
    for _ in range(ATTEMPTS):
        begin_write(db)
        try:
            if write(db, [job]):
                raise RuntimeError("a batch of one is never put off")
            db.commit()
        except Exception as e:
            db.rollback()
            if not lost_race(e):
                raise
            job.booked = job.made = None  # a concurrent request won a unique index; the retry sees it
            continue
        if job.error is not None:
            raise job.error
        finish([job])
        announce([job])
        return job.booked
    raise Conflict("slot_taken")


def lost_race(e: Exception) -> bool:
    """A unique index said no, or PostgreSQL chose this transaction as a deadlock's victim
    or failed it for serialization: made again, the booking succeeds or finds the winner."""
    return isinstance(e, IntegrityError) or getattr(getattr(e, "orig", None), "sqlstate", None) in ("40P01", "40001")


class Job:
    """One booking on its way to the database: what was asked, and how it ended."""

    def __init__(self, *, link: ShopLink, data: BookingCreate, now: datetime, source: str,
                 key: str | None, device: str, proven: bool = False):
        self.link, self.data, self.now, self.source, self.key, self.device = link, data, now, source, key, device
        self.proven = proven  # the number was proven (or staff booked): its customer's record is reachable
        self.fingerprint = _fingerprint(link, data)
        self.token = _status_token(key)  # made here, not while the batch holds the write lock
        self.made: tuple | None = None  # a new booking's row and what it loaded, until finish()
        self.booked: Booked | None = None
        self.error: Exception | None = None
        self.finished = False  # GroupCommit is done with it

    def marks(self) -> set:
        """What an earlier booking in the same transaction could change for this one: its
        customer, key, device (burst count) or grid (least loaded)."""
        marks = {("phone", self.data.phone)}
        if self.key:
            marks.add(("key", self.key))
        if self.device:
            marks.add(("device", self.device))
        if self.link.grid_id:
            marks.add(("grid", self.link.grid_id))
        return marks


def write(db: Session, jobs: list[Job]) -> list[Job]:
    """Book `jobs` in `db`'s write transaction (begun); the caller commits.

    Each job ends with .made (a new booking, for finish() once committed), .booked (a replay)
    or .error, except those returned: they touch what an earlier job of the batch does (same
    customer, key, device, grid, or the same manager's slot) and must wait for a later
    transaction, where they see it. The first job is never put off. A unique index that says no raises IntegrityError: roll back the whole batch.
    """
    now_jobs, later, seen = [], [], set()
    for job in jobs:
        marks = job.marks()
        (later if marks & seen else now_jobs).append(job)
        seen |= marks
    keys = [job.key for job in now_jobs if job.key]
    earlier = {b.idempotency_key: b for b in db.execute(_EARLIER, {"keys": keys}).scalars()} if keys else {}
    customers = _customers(db, [job.data.phone for job in now_jobs])
    plans, slots = [], set()
    for job in now_jobs:
        try:
            if job.key in earlier:
                job.booked = _replay(earlier[job.key], job)
                continue
            try:
                plan = _plan(db, job, customers.get(job.data.phone))
            except Conflict:
                # The slot may have gone to this very request's twin (same key) a moment ago.
                twin = job.key and db.exec(select(Booking).where(Booking.idempotency_key == job.key)).first()
                if not twin:
                    raise
                job.booked = _replay(twin, job)
                continue
        except ApiError as e:
            job.error = e
            continue
        if plan.slot is not None and (plan.manager.id, plan.slot) in slots:
            later.append(job)
            continue
        slots.add((plan.manager.id, plan.slot))
        plans.append(plan)
    _insert(db, plans)
    return later


def _customers(db: Session, phones: list[str]) -> dict[str, Customer]:
    """The customers behind `phones`, locked until commit on PostgreSQL (in phone order, so
    two batches never deadlock): a returning customer's bookings are made one at a time."""
    rows = db.execute(_CUSTOMERS_BY_PHONE, {"phones": phones}).mappings()
    return {row["phone"]: rebuild(Customer, dict(row), db) for row in rows}


def _replay(earlier: Booking, job: Job) -> Booked:
    """The booking an earlier request with this key made (422 if the body differs)."""
    if earlier.request_hash != job.fingerprint:
        raise ApiError("idempotency_mismatch", 422)
    return Booked(earlier, job.token, True)


class Plan(NamedTuple):
    job: Job
    product: Product
    manager: Employee
    reason: str
    slot: datetime | None
    flag: str
    customer: Customer | None  # None: a new customer, inserted with the batch


def _plan(db: Session, job: Job, customer: Customer | None) -> Plan:
    """Check and route one booking (reads only); raises the ApiError that refuses it."""
    data, now = job.data, job.now
    product = catalog_row(db, Product, data.product, lambda: db.exec(select(Product).where(
        Product.code == data.product, Product.active == True)).first())  # noqa: E712
    if product is None:
        raise Invalid(product="product_unknown")
    if product.code not in offered(db, job.link, local_day(now)):
        raise Invalid(product="product_not_offered")  # a product another shop offers
    if data.consent_version != current_app.config["CONSENT_VERSION"]:
        raise Invalid(consent="consent_outdated")
    day = local_day(to_utc(data.slot)) if data.slot else local_day(now)
    # Knowing a number is not being its customer: unproven, the booking goes where a new
    # customer's would (the person the shop shows), so its answer tells nothing about the number.
    manager, reason = route_to_manager(db, link=job.link, customer=customer if job.proven else None, day=day,
                                       chosen=_grid_member(db, job.link, data.serve_code))
    if customer is not None and not job.proven and reason == "new_customer":
        reason = "unproven"
    slot = _check_slot(db, manager, data.slot, now) if data.slot else None
    # Counted apart for proven and unproven bookings: others typing a customer's number can
    # never use up the quota the customer has once they prove it.
    today = _booked_today(db, customer, now, job.proven) if customer else 0
    if job.source == "shop" and today >= current_app.config["BOOKING_PHONE_PER_DAY"]:
        # Counted from the bookings themselves (the customer's row is locked meanwhile on
        # PostgreSQL): only bookings actually made count, and nothing else keeps a tally.
        raise TooMany(retry_after=_until_midnight(now))
    flag = flags.flag_for(db, phone=data.phone, today=today, device=job.device, source=job.source, now=now)
    return Plan(job, product, manager, reason, slot, flag, customer)


def _grid_member(db: Session, link: ShopLink, code: str) -> Employee | None:
    """For a grid code, the team member whose times the customer was shown (their own shop
    code, from the slots answer); 422 when they no longer serve that grid."""
    if not link.grid_id or not code:
        return None
    own = catalog_row(db, ShopLink, code.upper(), lambda: db.exec(select(ShopLink).where(ShopLink.code == code.upper())).first())
    member = catalog_get(db, Employee, own.employee_id) if own is not None and not own.channel else None
    if member is None or member.disabled or member.grid_id != link.grid_id:
        raise Invalid(serve_code="grid_member_gone")
    return member


def _booked_today(db: Session, customer: Customer, now: datetime, proven: bool) -> int:
    """How many bookings, proven or not as `proven`, `customer`'s number made since midnight (Asia/Shanghai)."""
    day_start = to_utc(datetime.combine(local_day(now), time(0), TZ))
    return db.execute(_BOOKED_TODAY, {"customer": customer.id, "since": day_start, "proven": proven}).scalar_one()


def _until_midnight(now: datetime) -> int:
    """Seconds until the next day begins in Asia/Shanghai."""
    midnight = datetime.combine(local_day(now) + timedelta(days=1), time(0), TZ)
    return max(1, int((midnight - now).total_seconds()))


def _insert(db: Session, plans: list[Plan]) -> None:
    """Write the planned bookings: a few statements for the whole batch, built once, not
    through the ORM's unit of work (a fifth of a booking's time); finish() makes the rows
    objects, after the commit."""
    if not plans:
        return
    # Rows in a fixed order (numbers, then each manager's slots): two batches that insert the
    # same two keys take their index locks in the same order, so neither waits on the other.
    plans = sorted(plans, key=lambda p: (p.manager.id, p.slot is not None, p.slot or p.job.now))
    new = sorted((p for p in plans if p.customer is None), key=lambda p: p.job.data.phone)
    if new:
        rows = [dict(phone=p.job.data.phone, name=p.job.data.name, employee_id=p.manager.id, bound_at=p.job.now,
                     created_at=p.job.now, marketing_consent_at=p.job.now if p.job.data.marketing else None)
                for p in new]
        ids = dict(db.execute(_INSERT_CUSTOMER, rows).all())  # phone -> id
        customers = {p.job: {"id": ids[row["phone"]], **row} for p, row in zip(new, rows)}
    else:
        customers = {}
    rows = []
    for p in plans:
        job, data = p.job, p.job.data
        # A booking never rewrites its customer's record: the name typed this time is the
        # booking's own. Only a proven number may give marketing consent for its customer.
        if p.customer is not None and job.proven and data.marketing:
            p.customer.marketing_consent_at = job.now
        rows.append(dict(
            reference=_reference(),
            customer_id=p.customer.id if p.customer is not None else customers[job]["id"],
            employee_id=p.manager.id, branch_id=p.manager.branch_id,
            shop_link_id=job.link.id, product_id=p.product.id,
            channel=data.channel if job.source == "staff" else job.link.channel,  # a shop booking: its code's
            source=job.source, name=data.name, slot_start=p.slot, status="new", note=data.note,
            route_reason=p.reason, consent_version=data.consent_version, consented_at=job.now,
            token_hash=hash_token(job.token), idempotency_key=job.key, request_hash=job.fingerprint,
            flag=p.flag, device=job.device, proven=job.proven, created_at=job.now, updated_at=job.now))
    ids = dict(db.execute(_INSERT_BOOKING, rows).all())  # token hash -> id
    for row in rows:
        row["id"] = ids[row["token_hash"]]
    rollups.record_many(db, [rollups.now_event(
        "booking", b["created_at"], employee_id=b["employee_id"], branch_id=b["branch_id"],
        shop_link_id=b["shop_link_id"], booking_id=b["id"], product_id=b["product_id"], channel=b["channel"],
        flagged=bool(b["flag"]), unverified=b["source"] == "staff") for b in rows])
    notify.enqueue(db, rows)
    for p, row in zip(plans, rows):
        p.job.made = row, (p.manager, catalog_get(db, Branch, p.manager.branch_id), p.product,
                           p.customer or customers[p.job])


def finish(jobs: list[Job]) -> None:
    """After the commit, outside the write lock: each new booking (and customer) as the loaded,
    detached object its request answers with, with the rows it loaded (no query to answer)."""
    for job in jobs:
        if job.made is not None:
            row, (manager, branch, product, customer) = job.made
            if isinstance(customer, dict):
                customer = detached(Customer, customer)
            job.booked = Booked(detached(Booking, row), job.token, False, (manager, branch, product, customer))
            job.made = None


def _reference(size: int = len(CODE_ALPHABET)) -> str:
    """YQ and six characters of the code alphabet, from one random draw (not six)."""
    n = secrets.randbelow(size ** 6)
    return "YQ" + "".join(CODE_ALPHABET[n // size ** i % size] for i in range(6))


def announce(jobs: list[Job]) -> None:
    """After the commit: tell live clients, and wake the notification sender."""
    made = [job.booked.booking for job in jobs if job.booked is not None and not job.booked.replayed]
    if not made:
        return
    publish_many([{"type": "booking", "employee_id": b.employee_id, "branch_id": b.branch_id} for b in made])
    if notify.configured() and "notify" in current_app.extensions:
        current_app.extensions["notify"].kick()


_CUSTOMERS_BY_PHONE = (Customer.__table__.select().where(Customer.__table__.c.phone.in_(bindparam("phones", expanding=True)))
                       .order_by(Customer.__table__.c.phone).with_for_update())
# Built once: building a statement per call cost twice what running it does.
_EARLIER = select(Booking).where(Booking.idempotency_key.in_(bindparam("keys", expanding=True)))
_BOOKED_TODAY = select(func.count()).select_from(Booking).where(
    Booking.customer_id == bindparam("customer"), Booking.created_at >= bindparam("since"),
    Booking.proven == bindparam("proven"))
# insertmanyvalues: one multi-row INSERT per batch. Each id comes back with a column unique in
# the batch (a batch never holds two bookings of one number or key) to find its row by: asking
# for the rows' order instead made SQLite insert the batch one row per statement.
_INSERT_CUSTOMER = insert(Customer.__table__).returning(Customer.__table__.c.phone, Customer.__table__.c.id)
_INSERT_BOOKING = insert(Booking.__table__).returning(Booking.__table__.c.token_hash, Booking.__table__.c.id)


def _check_slot(db: Session, manager: Employee, wanted: datetime, now: datetime) -> datetime:
    slot = to_utc(wanted)
    if not rules().is_slot(slot, now, schedule_for(db, manager)):
        raise Invalid(slot="slot_unavailable")
    if slot in taken(db, manager, slot, slot + timedelta(seconds=1)):
        free = next_free(db, employee=manager, rules=rules(), now=now, near=slot)
        raise Conflict("slot_taken", free_slots=slot_json(free), manager=manager.name)
    return slot


def change_status(db: Session, *, booking: Booking, actor: Employee | None, status: str,
                  now: datetime | None = None, source: str = "") -> Booking:
    """Move a booking to `status` if its state machine and the clock allow it (else 409); audited."""
    now = now or utcnow()
    begin_write(db)
    booking = db.get(Booking, booking.id, populate_existing=True)
    move(db, booking=booking, actor=actor, status=status, now=now, source=source)
    db.commit()
    publish({"type": "status", "employee_id": booking.employee_id, "branch_id": booking.branch_id})
    return booking


def move(db: Session, *, booking: Booking, actor: Employee | None, status: str, now: datetime,
         source: str = "", events: list[dict] = (), audited: bool = True) -> None:
    """The status change itself, in the caller's write transaction (the caller commits).

    Arrived / completed / no-show wait for the appointment (a call back: for the contact);
    what the change counts for follows the evidence (server/bookings/evidence.py). `events`:
    what the caller's own change of the booking counts (evidence.difference), recorded with
    the status event: one INSERT and one upsert per rollup for all of them. `audited=False`:
    the caller's audit entry says it (a check-in's arrival)."""
    if status not in TRANSITIONS.get(booking.status, ()):
        raise Conflict("bad_transition", current=booking.status)
    evidence.check_time(booking, status, now, current_app.config["SLOT_MINUTES"])
    if status == "contacted" and booking.contacted_at is None:
        booking.contacted_at = now
    if status == "completed" and evidence.too_fast(booking, now, current_app.config["FLAG_FAST_MINUTES"]):
        evidence.raise_flag(db, booking, "fast_complete", now)
    booking.status = status
    booking.updated_at = now
    rollups.record_many(db, [*events, rollups.now_event(
        "status", now, employee_id=booking.employee_id, branch_id=booking.branch_id,
        booking_id=booking.id, shop_link_id=booking.shop_link_id, product_id=booking.product_id,
        channel=booking.channel, status=status,
        flagged=evidence.flag_active(booking), unverified=evidence.unverified(booking, status))])
    if audited:
        audit.record(db, action="status_changed", actor=actor, target=f"booking:{booking.reference}",
                     detail=f"{status} by {'staff' if actor else 'customer'}", source=source,
                     branch_id=booking.branch_id)


def customer_can_change(booking: Booking, now: datetime) -> bool:
    return booking.status in CUSTOMER_CAN_CHANGE and (booking.slot_start is None or booking.slot_start > now)


def by_token(db: Session, token: str, now: datetime | None = None) -> Booking:
    """The booking a private status link points at, while the link is valid."""
    now = now or utcnow()
    booking = db.exec(select(Booking).where(Booking.token_hash == hash_token(token))).first()
    if booking is None:
        raise NotFound("status_not_found")
    ends = (booking.slot_start or booking.created_at) + timedelta(days=STATUS_LINK_DAYS)
    if now > ends:
        raise NotFound("status_not_found")
    return booking


def cancel_by_customer(db: Session, *, booking: Booking, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    if not customer_can_change(booking, now):
        raise Conflict("cannot_cancel")
    return change_status(db, booking=booking, actor=None, status="cancelled", now=now)


def reschedule(db: Session, *, booking: Booking, slot: datetime, now: datetime | None = None) -> Booking:
    """Move the appointment to another open slot of the same manager."""
    now = now or utcnow()
    begin_write(db)
    booking = db.get(Booking, booking.id, populate_existing=True)
    if not customer_can_change(booking, now):
        raise Conflict("cannot_cancel")
    manager = db.get(Employee, booking.employee_id)
    booking.slot_start = _check_slot(db, manager, slot, now)
    booking.updated_at = now
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise Conflict("slot_taken", free_slots=slot_json(next_free(db, employee=manager, rules=rules(), now=now,
                                                                    near=to_utc(slot))), manager=manager.name)
    publish({"type": "status", "employee_id": booking.employee_id, "branch_id": booking.branch_id})
    return booking
