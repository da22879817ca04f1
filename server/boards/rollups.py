"""Counting: every event is stored raw and added to its day's rollups in the same transaction.

Two rollups: DailyStat (day × employee) feeds the boards; FunnelStat (day × employee ×
product × channel) feeds the funnels. Events of flagged bookings are kept but only counted
as `flagged`, so they never move a ranking.
"""
from datetime import datetime

from sqlalchemy import func, select
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


def record(db: Session, event: Event) -> None:
    """Store `event` and add it to its rollups; the caller commits."""
    event.day = local_day(event.at)
    db.add(event)
    _count(db, event.day, event.employee_id, event.branch_id, event.product_id or 0, event.channel,
           event.kind, event.status, event.flagged, 1)


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
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    column = getattr(model.__table__.c, counter)
    stmt = insert(model.__table__).values(**row, **{counter: n})
    db.execute(stmt.on_conflict_do_update(index_elements=keys, set_={counter: column + n}))


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


def now_event(kind: str, at: datetime, **fields) -> Event:
    return Event(kind=kind, at=at, day=local_day(at), **fields)


assert set(STATUS_COUNTER.values()) | {"visits", "bookings"} == set(COUNTERS)
