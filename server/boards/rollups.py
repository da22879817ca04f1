"""Counting: every event is stored raw and added to its day's rollups in the same transaction.

Two rollups: DailyStat (day × employee) feeds the boards; FunnelStat (day × employee ×
product × channel) feeds the funnels. Events of flagged bookings are kept but only counted
as `flagged`, so they never move a ranking.
"""
import functools
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, delete

from server.clock import local_day
from server.models import COUNTERS, FUNNEL_COUNTERS, DailyStat, Event, FunnelStat

STATUS_COUNTER = {"contacted": "contacted", "arrived": "arrived", "completed": "completed",
                  "cancelled": "cancelled", "no_show": "no_show"}


def counter_for(kind: str, status: str) -> str:
    if kind == "visit":
        return "visits"
    if kind == "booking":
        return "bookings"
    return STATUS_COUNTER[status]


def record(db: Session, event: dict) -> None:
    """Store `event` (a row from now_event()) and add it to its rollups; the caller commits.

    Three statements built once per process (an INSERT and two upserts), not ORM objects:
    every booking, visit and status change goes through here.
    """
    db.execute(_INSERT_EVENT, event)
    _count(db, event["day"], event["employee_id"], event["branch_id"], event["product_id"] or 0,
           event["channel"], event["kind"], event["status"], event["flagged"], 1)


def _count(db, day, employee_id, branch_id, product_id, channel, kind, status, flagged, n) -> None:
    counter = counter_for(kind, status)
    if flagged:
        if kind == "booking":
            _upsert(db, DailyStat, ["day", "employee_id"], dict(day=day, employee_id=employee_id,
                                                               branch_id=branch_id), "flagged", n)
        return
    _upsert(db, DailyStat, ["day", "employee_id"],
            dict(day=day, employee_id=employee_id, branch_id=branch_id), counter, n)
    if counter in FUNNEL_COUNTERS:
        _upsert(db, FunnelStat, ["day", "employee_id", "product_id", "channel"],
                dict(day=day, employee_id=employee_id, branch_id=branch_id, product_id=product_id,
                     channel=channel), counter, n)


def _upsert(db: Session, model, keys: list[str], row: dict, counter: str, n: int) -> None:
    """INSERT ... ON CONFLICT DO UPDATE counter = counter + n (SQLite and PostgreSQL)."""
    db.execute(_upsert_statement(db.get_bind().dialect.name, model, tuple(keys), counter), {**row, counter: n})


@functools.cache
def _upsert_statement(dialect: str, model, keys: tuple[str, ...], counter: str):
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)
    return insert.on_conflict_do_update(index_elements=list(keys), set_={
        counter: getattr(model.__table__.c, counter) + getattr(insert.excluded, counter)})


def rebuild(db: Session) -> int:
    """Recompute every rollup from the raw events (after a restore or a bug fix)."""
    db.execute(delete(DailyStat))
    db.execute(delete(FunnelStat))
    group = (Event.day, Event.employee_id, Event.branch_id, Event.product_id, Event.channel,
             Event.kind, Event.status, Event.flagged)
    rows = db.execute(select(*group, func.count()).group_by(*group)).all()
    for day, employee_id, branch_id, product_id, channel, kind, status, flagged, n in rows:
        _count(db, day, employee_id, branch_id, product_id or 0, channel, kind, status, flagged, n)
    db.commit()
    return len(rows)


EVENT_DEFAULTS = {"shop_link_id": None, "booking_id": None, "product_id": None, "channel": "", "status": "",
                  "flagged": False}
_INSERT_EVENT = insert(Event.__table__)


def now_event(kind: str, at: datetime, **fields) -> dict:
    """An event row: what happened (`kind`), when (`at`; its day in Asia/Shanghai), to whom."""
    unknown = set(fields) - set(EVENT_DEFAULTS) - {"employee_id", "branch_id"}
    if unknown:
        raise TypeError(f"not event fields: {sorted(unknown)}")
    return {**EVENT_DEFAULTS, **fields, "kind": kind, "at": at, "day": local_day(at)}


assert set(STATUS_COUNTER.values()) | {"visits", "bookings"} == set(COUNTERS)
