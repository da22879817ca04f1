"""Daily trends for the boards, read from the rollups only: what a trend reads is bounded by its
days × branches (bank-wide, one branch) or × the people asked for, never by the bookings.

A trend is the score's columns per day (visits apart, as reach) and the score each day, plus
the change against the previous period of the same length: this week against the same days
of last week, this month against the same days of last month, a range against the range of
equal length just before it. Only the days of the two periods are read, not the days between.

Where the counts come from:
- some people's (`employee_ids`): their DailyStat rows of those days;
- a branch's or the whole bank's: DayTotal (one row per branch and day) for closed days, and
  DailyStat for the days still open. DayTotal is DailyStat summed per branch (quiet days
  included, as zeros), written the first time a trend reads a closed day: a closed day's
  rollups never change (later verifications and flags count on the day they happen,
  server/boards/rollups.py), so it never goes stale.
"""
import calendar
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from server.boards.rollups import ROLLUP_COUNTERS
from server.clock import local_day
from server.db import begin_write
from server.models import Branch, DailyStat, DayTotal, utcnow

TREND_COUNTERS = ("visits", "bookings", "arrived", "completed", "no_show")
SCOPES = ("employee", "branch", "all")
DAY_COUNTERS = ROLLUP_COUNTERS[DailyStat]  # DayTotal keeps every one of them
# A day is closed this long after its midnight: a write that read the clock just before midnight
# (a batch of bookings, a host whose clock is a little behind) has committed by then.
CLOSE_AFTER = timedelta(hours=1)


def previous_range(period: str, start: date, end: date) -> tuple[date, date]:
    """The period before [start, end] of the same length (a week, the same days of last month...)."""
    if period == "week":
        return start - timedelta(days=7), end - timedelta(days=7)
    if period == "month":
        year, month = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
        last = calendar.monthrange(year, month)[1]
        return date(year, month, 1), date(year, month, min(end.day, last))
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def trend(db: Session, *, period: str, start: date, end: date, weights, employee_ids: list[int] | None,
          branch_id: int | None = None, now: datetime | None = None) -> dict:
    """Per-day counts and score over [start, end] for the given employees (None: everyone) and
    branch (results credited there), with the totals of the previous period and the change.
    May store closed days' totals (DayTotal) in a transaction of its own."""
    before = previous_range(period, start, end)
    ranges = [before, (start, end)]
    if employee_ids is not None:
        where = [DailyStat.employee_id.in_(employee_ids or [-1])]
        if branch_id is not None:
            where.append(DailyStat.branch_id == branch_id)
        rows = _daily(db, ranges, where)
    else:
        rows = _branch_days(db, ranges, branch_id, local_day((now or utcnow()) - CLOSE_AFTER) - timedelta(days=1))
    by_day: dict[date, dict] = {}
    for day, counts in rows:
        total = by_day.setdefault(day, dict.fromkeys(TREND_COUNTERS, 0))
        for c in TREND_COUNTERS:
            total[c] += counts[c]
    series = [_point(day, by_day.get(day), weights) for day in _days(start, end)]
    previous = [_point(day, by_day.get(day), weights) for day in _days(*before)]
    totals, earlier = _total(series, weights), _total(previous, weights)
    change = {k: round(totals[k] - earlier[k], 2) if k == "score" else totals[k] - earlier[k] for k in totals}
    return {"series": series, "totals": totals,
            "previous": {"start": before[0], "end": before[1], "totals": earlier}, "change": change}


def _branch_days(db: Session, ranges: list, branch_id: int | None, closed_until: date) -> list:
    """(day, counts) of a branch (None: every branch) over `ranges`: closed days from DayTotal
    (summed from DailyStat and kept the first time), open ones from DailyStat."""
    closed = [(a, min(b, closed_until)) for a, b in ranges if a <= closed_until]
    still_open = [(max(a, closed_until + timedelta(days=1)), b) for a, b in ranges if b > closed_until]
    kept = []
    if closed:
        sums = [getattr(DayTotal, c) for c in TREND_COUNTERS]
        query = select(DayTotal.day, DayTotal.branch_id, *sums).where(_within(DayTotal.day, closed))
        kept = [(day, branch, dict(zip(TREND_COUNTERS, counts))) for day, branch, *counts in db.exec(query)]
    have = {day for day, _, _ in kept}
    missing = [d for a, b in closed for d in _days(a, b) if d not in have]
    if missing:
        fresh = _summed(db, missing)
        if fresh:
            _keep(db, fresh)
        kept += fresh
    rows = [(day, counts) for day, branch, counts in kept if branch_id is None or branch == branch_id]
    if still_open:
        rows += _daily(db, still_open, [DailyStat.branch_id == branch_id] if branch_id is not None else [])
    return rows


def _daily(db: Session, ranges: list, where: list, by_branch: bool = False, counters=TREND_COUNTERS) -> list:
    """DailyStat summed per day (and branch) over `ranges`: [(day, counts)] or [(day, branch, counts)]."""
    keys = (DailyStat.day, DailyStat.branch_id) if by_branch else (DailyStat.day,)
    sums = [func.coalesce(func.sum(getattr(DailyStat, c)), 0) for c in counters]
    query = select(*keys, *sums).where(_within(DailyStat.day, ranges), *where).group_by(*keys)
    n = len(keys)
    return [(*row[:n], dict(zip(counters, map(int, row[n:])))) for row in db.exec(query)]


def _summed(db: Session, days: list[date]) -> list:
    """DailyStat of closed `days` summed per branch: (day, branch, counts) for every branch and
    day, zeros included (a quiet day is kept too, and never summed again)."""
    branches = db.exec(select(Branch.id).order_by(Branch.id)).all()  # results happen at a branch: all of them
    zeros = dict.fromkeys(DAY_COUNTERS, 0)
    sums = {(day, branch): counts for day, branch, counts in
            _daily(db, [(d, d) for d in days], [], by_branch=True, counters=DAY_COUNTERS)}
    return [(day, branch, sums.get((day, branch), zeros)) for day in days for branch in branches]


def _keep(db: Session, rows: list) -> None:
    """Store closed days' totals (a reader that got there first stored the same numbers)."""
    table = DayTotal.__table__
    insert = (postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)
    begin_write(db)
    db.execute(insert.on_conflict_do_nothing(index_elements=["day", "branch_id"]),
               [{"day": day, "branch_id": branch, **counts} for day, branch, counts in rows])
    db.commit()


def _within(column, ranges: list):
    """`column` in any of the [first, last] ranges, consecutive days merged."""
    merged: list[list] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return or_(*(and_(column >= a, column <= b) for a, b in merged))


def _days(start: date, end: date):
    return (start + timedelta(days=n) for n in range((end - start).days + 1))


def _point(day: date, counts: dict | None, weights) -> dict:
    row = dict(counts or dict.fromkeys(TREND_COUNTERS, 0))
    return {"day": day, **row, "score": weights.score(row)}


def _total(points: list[dict], weights) -> dict:
    row = {c: sum(p[c] for p in points) for c in TREND_COUNTERS}
    return {**row, "score": weights.score(row)}
