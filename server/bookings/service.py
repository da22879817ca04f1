"""Bookings: made exactly once, routed to the dedicated manager, moved through their states."""
import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from server.audit import service as audit
from server.boards import rollups
from server.cache import catalog_get, catalog_row, rebuild
from server.bookings import flags
from server.bookings.routing import route_to_manager
from server.bookings.slots import SlotRules, next_free, open_slots, schedule_for, taken
from server.clock import local_day, to_utc
from server.db import begin_write
from server.errors import ApiError, Conflict, Invalid, NotFound
from server.live.bus import publish
from server.notify import service as notify
from server.models import Booking, BookingCreate, Branch, Customer, Employee, Product, ShopLink, utcnow
from server.shops.service import CODE_ALPHABET, serving

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
    # that answers finds them in the session. Nothing is read after the commit, so a database
    # that fails right then cannot turn a booking that exists into an error.
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
         source: str = "shop", idempotency_key: str | None = None, device_id: str = "") -> Booked:
    """Create a booking through `link`, routed to the customer's dedicated manager.

    The database decides races: a unique slot index and a unique idempotency key; on a
    conflict the transaction is retried, and the retry finds the winner.
    """
    now = now or utcnow()
    fingerprint = _fingerprint(link, data)
    for _ in range(ATTEMPTS):
        begin_write(db)
        earlier = _earlier(db, idempotency_key, fingerprint)
        if earlier:
            return earlier
        try:
            booking, token, rows = _insert(db, link=link, data=data, now=now, source=source,
                                           idempotency_key=idempotency_key, fingerprint=fingerprint,
                                           device=flags.device_hash(device_id))
            db.commit()
        except IntegrityError:
            db.rollback()  # a concurrent request won a unique index; the retry sees it
            continue
        except Conflict:
            # The slot may have gone to this very request's twin (same key) a moment ago.
            db.rollback()
            earlier = _earlier(db, idempotency_key, fingerprint)
            if earlier:
                return earlier
            raise
        publish({"type": "booking", "employee_id": booking.employee_id, "branch_id": booking.branch_id})
        if notify.configured() and "notify" in current_app.extensions:
            current_app.extensions["notify"].kick()
        return Booked(booking, token, False, rows)
    raise Conflict("slot_taken")


def _earlier(db: Session, idempotency_key: str | None, fingerprint: str) -> Booked | None:
    """The booking an earlier request with this key made, if any (422 if the body differs)."""
    if not idempotency_key:
        return None
    earlier = db.exec(select(Booking).where(Booking.idempotency_key == idempotency_key)).first()
    if earlier is None:
        return None
    if earlier.request_hash != fingerprint:
        raise ApiError("idempotency_mismatch", 422)
    db.rollback()
    return Booked(earlier, _status_token(idempotency_key), True)


def _insert(db: Session, *, link, data, now, source, idempotency_key, fingerprint,
            device) -> tuple[Booking, str, tuple]:
    product = catalog_row(db, Product, data.product, lambda: db.exec(select(Product).where(
        Product.code == data.product, Product.active == True)).first())  # noqa: E712
    if product is None:
        raise Invalid(product="product_unknown")
    if data.consent_version != current_app.config["CONSENT_VERSION"]:
        raise Invalid(consent="consent_outdated")
    day = local_day(to_utc(data.slot)) if data.slot else local_day(now)
    manager, reason, customer = route_to_manager(db, link=link, phone=data.phone, day=day)
    slot = _check_slot(db, manager, data.slot, now) if data.slot else None
    flag = flags.flag_for(db, phone=data.phone, customer=customer, device=device, source=source, now=now)
    if customer is None:
        row = dict(phone=data.phone, name=data.name, employee_id=manager.id, bound_at=now, created_at=now,
                   marketing_consent_at=now if data.marketing else None)
        customer = rebuild(Customer, {"id": db.execute(_INSERT_CUSTOMER, row).scalar_one(), **row}, db)
    else:
        customer.name = data.name
        if data.marketing:
            customer.marketing_consent_at = now
    token = _status_token(idempotency_key)
    row = dict(
        reference="YQ" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
        customer_id=customer.id, employee_id=manager.id, branch_id=manager.branch_id,
        shop_link_id=link.id, product_id=product.id, channel=data.channel or link.channel,
        source=source, name=data.name, slot_start=slot, status="new", note=data.note, route_reason=reason,
        consent_version=data.consent_version, consented_at=now, token_hash=hash_token(token),
        idempotency_key=idempotency_key, request_hash=fingerprint, flag=flag, device=device,
        created_at=now, updated_at=now)
    # Core statements built once, the rows rebuilt as loaded: the ORM's unit of work was a
    # fifth of a booking's time. A unique index that says no raises here, as a flush did.
    booking = rebuild(Booking, {"id": db.execute(_INSERT_BOOKING, row).scalar_one(), **row}, db)
    rollups.record(db, rollups.now_event(
        "booking", now, employee_id=manager.id, branch_id=manager.branch_id, shop_link_id=link.id,
        booking_id=booking.id, product_id=product.id, channel=booking.channel, flagged=bool(flag)))
    notify.enqueue(db, booking)
    return booking, token, (manager, catalog_get(db, Branch, manager.branch_id), product, customer)


_INSERT_CUSTOMER = insert(Customer.__table__).returning(Customer.__table__.c.id)
_INSERT_BOOKING = insert(Booking.__table__).returning(Booking.__table__.c.id)


def _check_slot(db: Session, manager: Employee, wanted: datetime, now: datetime) -> datetime:
    slot = to_utc(wanted)
    if not rules().is_slot(slot, now, schedule_for(db, manager)):
        raise Invalid(slot="slot_unavailable")
    if slot in taken(db, manager, slot, slot + timedelta(seconds=1)):
        free = next_free(db, employee=manager, rules=rules(), now=now)
        raise Conflict("slot_taken", free_slots=slot_json(free))
    return slot


def change_status(db: Session, *, booking: Booking, actor: Employee | None, status: str,
                  now: datetime | None = None, source: str = "") -> Booking:
    """Move a booking to `status` if its state machine allows it (else 409); audited."""
    now = now or utcnow()
    begin_write(db)
    booking = db.get(Booking, booking.id, populate_existing=True)
    if status not in TRANSITIONS.get(booking.status, ()):
        raise Conflict("bad_transition", current=booking.status)
    booking.status = status
    booking.updated_at = now
    rollups.record(db, rollups.now_event(
        "status", now, employee_id=booking.employee_id, branch_id=booking.branch_id,
        booking_id=booking.id, product_id=booking.product_id, channel=booking.channel, status=status,
        flagged=bool(booking.flag)))
    audit.record(db, action="status_changed", actor=actor, target=f"booking:{booking.reference}",
                 detail=f"{status} by {'staff' if actor else 'customer'}", source=source)
    db.commit()
    publish({"type": "status", "employee_id": booking.employee_id, "branch_id": booking.branch_id})
    return booking


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
        raise Conflict("slot_taken", free_slots=slot_json(next_free(db, employee=manager, rules=rules(), now=now)))
    publish({"type": "status", "employee_id": booking.employee_id, "branch_id": booking.branch_id})
    return booking
