"""Counting: every event is stored raw and added to its day's rollups in the same transaction.

Two rollups: DailyStat (day × employee) feeds the boards; FunnelStat (day × employee ×
product × channel × code) feeds the funnels and each channel code's numbers. Events of flagged bookings are kept but only counted
as `flagged`, so they never move a ranking. Arrivals and completions without the customer's
evidence (and every count of a staff-made booking its customer has not confirmed) are counted
only as `unverified`. A later verification or cleared flag adds the counts on the day it
happens, as `credit` events (a flag raised afterwards takes them back: `debit`): a closed day
never changes. Each event carries the employee and the branch it happened at, then.
"""
import functools
from collections import Counter
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, delete

from server.clock import local_day
from server.models import COUNTERS, FUNNEL_COUNTERS, DailyStat, DayTotal, Event, FunnelStat

STATUS_COUNTER = {"contacted": "contacted", "arrived": "arrived", "completed": "completed",
                  "cancelled": "cancelled", "no_show": "no_show"}


def counter_for(kind: str, status: str) -> str:
    if kind == "visit":
        return "visits"
    if kind == "booking":
        return "bookings"
    return STATUS_COUNTER[status]


def record(db: Session, event: dict) -> None:
    """Store `event` (a row from now_event()) and add it to its rollups; the caller commits."""
    record_many(db, [event])


def record_many(db: Session, events: list[dict]) -> None:
    """Store `events` and add them to their rollups: one INSERT for the events and one upsert
    statement per rollup counter, whatever their number (a batch of bookings, say).

    The rollup rows are updated in key order: two transactions that count the same rows lock
    them in the same order, so they never deadlock on PostgreSQL.
    """
    if not events:
        return
    db.execute(_INSERT_EVENT, events)
    increments = Counter()
    for e in events:
        for inc, delta in _increments(e["day"], e["employee_id"], e["branch_id"], e["product_id"] or 0,
                                      e["channel"], e["kind"], e["status"], e["flagged"], e["unverified"],
                                      link_id=e["shop_link_id"] or 0):
            increments[inc] += delta
    _apply(db, increments)


UNVERIFIED = {"bookings", "arrived", "completed"}  # what counts only with the customer's evidence


def _increments(day, employee_id, branch_id, product_id, channel, kind, status, flagged, unverified, *, link_id=0):
    """The rollup counters one event adds to, as ((model, counter, key, other columns), ±1); the
    funnel's key holds the code the event came through (`link_id`, 0 for none)."""
    daily = lambda counter: (DailyStat, counter, (day, employee_id, branch_id), ())  # noqa: E731
    if flagged:  # kept, but only counted as flagged: never moves a ranking
        return [(daily("flagged"), 1)] if kind == "booking" else []
    counter = status if kind in ("credit", "debit") else counter_for(kind, status)
    if unverified:  # moves the booking, scores nothing (nor does its no-show)
        if counter in UNVERIFIED or counter == "no_show":
            return [(daily("unverified"), 1)] if counter in UNVERIFIED else []
    delta = -1 if kind == "debit" else 1
    out = [(daily(counter), delta)]
    if counter in FUNNEL_COUNTERS:
        out.append(((FunnelStat, counter, (day, employee_id, product_id, channel, branch_id, link_id), ()), delta))
    return out


def _apply(db: Session, increments: Counter) -> None:
    """Add the counts to their rollup rows: per rollup, one INSERT ... ON CONFLICT DO UPDATE
    over its rows in key order, each adding to every counter of the row (most by 0)."""
    rows: dict[tuple, dict] = {}
    for (model, counter, key, other), n in increments.items():
        row = rows.setdefault((model, key), dict(zip(KEYS[model], key), **dict.fromkeys(ROLLUP_COUNTERS[model], 0)))
        row[counter] += n
    dialect = db.get_bind().dialect.name
    for model in (DailyStat, FunnelStat):
        mine = [rows[k] for k in sorted(k for k in rows if k[0] is model)]  # (model, key): by key
        if mine:
            db.execute(_upsert_statement(dialect, model), mine)


KEYS = {DailyStat: ("day", "employee_id", "branch_id"),
        FunnelStat: ("day", "employee_id", "product_id", "channel", "branch_id", "shop_link_id")}
ROLLUP_COUNTERS = {DailyStat: (*COUNTERS, "flagged", "unverified"), FunnelStat: FUNNEL_COUNTERS}


@functools.cache
def _upsert_statement(dialect: str, model):
    """INSERT ... ON CONFLICT DO UPDATE c = c + excluded.c for every counter (SQLite, PostgreSQL)."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)
    return insert.on_conflict_do_update(index_elements=list(KEYS[model]), set_={
        c: getattr(model.__table__.c, c) + getattr(insert.excluded, c) for c in ROLLUP_COUNTERS[model]})


def rebuild(db: Session) -> int:
    """Recompute every rollup from the raw events (after a restore or a bug fix); the closed
    days' totals trends keep (DayTotal) are summed again from the new DailyStat when next read."""
    db.execute(delete(DailyStat))
    db.execute(delete(FunnelStat))
    db.execute(delete(DayTotal))
    group = (Event.day, Event.employee_id, Event.branch_id, Event.product_id, Event.channel,
             Event.shop_link_id, Event.kind, Event.status, Event.flagged, Event.unverified)
    rows = db.execute(select(*group, func.count()).group_by(*group)).all()
    increments = Counter()
    for day, employee_id, branch_id, product_id, channel, link_id, kind, status, flagged, unverified, n in rows:
        for inc, delta in _increments(day, employee_id, branch_id, product_id or 0, channel, kind, status,
                                      flagged, unverified, link_id=link_id or 0):
            increments[inc] += delta * n
    _apply(db, increments)
    db.commit()
    return len(rows)


EVENT_DEFAULTS = {"shop_link_id": None, "booking_id": None, "product_id": None, "channel": "", "status": "",
                  "flagged": False, "unverified": False}
_INSERT_EVENT = insert(Event.__table__)


def now_event(kind: str, at: datetime, **fields) -> dict:
    """An event row: what happened (`kind`), when (`at`; its day in Asia/Shanghai), to whom."""
    unknown = set(fields) - set(EVENT_DEFAULTS) - {"employee_id", "branch_id"}
    if unknown:
        raise TypeError(f"not event fields: {sorted(unknown)}")
    return {**EVENT_DEFAULTS, **fields, "kind": kind, "at": at, "day": local_day(at)}


assert set(STATUS_COUNTER.values()) | {"visits", "bookings"} == set(COUNTERS)
