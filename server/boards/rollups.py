"""Counting: every event is stored raw and added to its day's rollup in the same transaction."""
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, delete

from server.clock import local_day
from server.models import COUNTERS, DailyStat, Event

STATUS_COUNTER = {"contacted": "contacted", "arrived": "arrived", "completed": "completed",
                  "cancelled": "cancelled", "no_show": "no_show"}


def counter_for(event: Event) -> str:
    if event.kind == "visit":
        return "visits"
    if event.kind == "booking":
        return "bookings"
    return STATUS_COUNTER[event.status]


def record(db: Session, event: Event) -> None:
    """Store `event` and add one to its (day, employee) rollup; the caller commits."""
    event.day = local_day(event.at)
    db.add(event)
    _bump(db, event.day, event.employee_id, event.branch_id, counter_for(event))


def _bump(db: Session, day, employee_id: int, branch_id: int, counter: str, by: int = 1) -> None:
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    column = getattr(DailyStat.__table__.c, counter)
    stmt = insert(DailyStat.__table__).values(
        day=day, employee_id=employee_id, branch_id=branch_id, **{counter: by})
    db.execute(stmt.on_conflict_do_update(
        index_elements=["day", "employee_id"], set_={counter: column + by}))


def rebuild(db: Session) -> int:
    """Recompute every rollup from the raw events (after a restore or a bug fix)."""
    db.execute(delete(DailyStat))
    rows = db.execute(
        select(Event.day, Event.employee_id, Event.branch_id, Event.kind, Event.status,
               func.count()).group_by(Event.day, Event.employee_id, Event.branch_id,
                                      Event.kind, Event.status)).all()
    for day, employee_id, branch_id, kind, status, n in rows:
        counter = counter_for(Event(kind=kind, status=status, day=day, employee_id=0, branch_id=0))
        _bump(db, day, employee_id, branch_id, counter, by=n)
    db.commit()
    return len(rows)


def now_event(kind: str, at: datetime, **fields) -> Event:
    return Event(kind=kind, at=at, day=local_day(at), **fields)


assert set(STATUS_COUNTER.values()) | {"visits", "bookings"} == set(COUNTERS)
