"""Each branch's counts per day, whatever the number of people or bookings: DayTotal for closed
days, DailyStat for the days still open.

DayTotal is DailyStat summed per branch and day (quiet days included, as zeros), written the
first time a closed day is read: a closed day's rollups never change (later verifications and
flags count on the day they happen, server/boards/rollups.py), so it never goes stale; a
rebuild of the rollups empties it. So a bank-wide or branch trend, or a branch's target, reads
one row per branch and closed day plus today's rows, not every busy person's every day.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from server.boards.rollups import ROLLUP_COUNTERS
from server.clock import local_day
from server.db import begin_write
from server.models import Branch, DailyStat, DayTotal, utcnow

DAY_COUNTERS = ROLLUP_COUNTERS[DailyStat]  # DayTotal keeps every one of them
# A day is closed this long after its midnight: a write that read the clock just before midnight
# (a batch of bookings, a host whose clock is a little behind) has committed by then.
CLOSE_AFTER = timedelta(hours=1)


def closed_until(now: datetime | None = None) -> date:
    """The last closed day."""
    return local_day((now or utcnow()) - CLOSE_AFTER) - timedelta(days=1)


def branch_days(db: Session, ranges: list[tuple[date, date]], counters: tuple,
                now: datetime | None = None) -> list[tuple[date, int, dict]]:
    """(day, branch, counts of `counters`) over the [first, last] `ranges`; a closed day's totals
    are summed from DailyStat and kept (in a transaction of their own) the first time they are
    read. Open days: only the branches with counts."""
    last = closed_until(now)
    closed = [(a, min(b, last)) for a, b in ranges if a <= last]
    still_open = [(max(a, last + timedelta(days=1)), b) for a, b in ranges if b > last]
    kept = []
    if closed:
        query = select(DayTotal.day, DayTotal.branch_id, *(getattr(DayTotal, c) for c in counters))
        kept = [(day, branch, dict(zip(counters, counts)))
                for day, branch, *counts in db.exec(query.where(within(DayTotal.day, closed)))]
    have = {day for day, _, _ in kept}
    missing = [d for a, b in closed for d in days(a, b) if d not in have]
    if missing:
        fresh = _summed(db, missing)
        if fresh:
            _keep(db, fresh)
        kept += [(day, branch, {c: counts[c] for c in counters}) for day, branch, counts in fresh]
    if still_open:
        kept += daily(db, still_open, [], counters, by_branch=True)
    return kept


def daily(db: Session, ranges: list, where: list, counters: tuple, by_branch: bool = False) -> list:
    """DailyStat summed per day (and branch) over `ranges`: [(day, counts)] or [(day, branch, counts)]."""
    keys = (DailyStat.day, DailyStat.branch_id) if by_branch else (DailyStat.day,)
    sums = [func.coalesce(func.sum(getattr(DailyStat, c)), 0) for c in counters]
    query = select(*keys, *sums).where(within(DailyStat.day, ranges), *where).group_by(*keys)
    n = len(keys)
    return [(*row[:n], dict(zip(counters, map(int, row[n:])))) for row in db.exec(query)]


def _summed(db: Session, closed: list[date]) -> list:
    """DailyStat of `closed` days summed per branch, for every branch and day (zeros included)."""
    branches = db.exec(select(Branch.id).order_by(Branch.id)).all()  # results happen at a branch: all of them
    zeros = dict.fromkeys(DAY_COUNTERS, 0)
    sums = {(day, branch): counts
            for day, branch, counts in daily(db, [(d, d) for d in closed], [], DAY_COUNTERS, by_branch=True)}
    return [(day, branch, sums.get((day, branch), zeros)) for day in closed for branch in branches]


def _keep(db: Session, rows: list) -> None:
    """Store closed days' totals (a reader that got there first stored the same numbers)."""
    table = DayTotal.__table__
    insert = (postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)
    begin_write(db)
    db.execute(insert.on_conflict_do_nothing(index_elements=["day", "branch_id"]),
               [{"day": day, "branch_id": branch, **counts} for day, branch, counts in rows])
    db.commit()


def within(column, ranges: list):
    """`column` in any of the [first, last] ranges, consecutive days merged."""
    merged: list[list] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return or_(*(and_(column >= a, column <= b) for a, b in merged))


def days(start: date, end: date):
    return (start + timedelta(days=n) for n in range((end - start).days + 1))
