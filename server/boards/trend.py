"""Daily trends for the boards, read from the rollups only: what a trend reads is bounded by its
days × branches (bank-wide, one branch) or × the people asked for, never by the bookings.

A trend is the score's columns per day (visits apart, as reach) and the score each day, plus
the change against the previous period of the same length: this week against the same days
of last week, this month against the same days of last month, a range against the range of
equal length just before it. Only the days of the two periods are read, not the days between:
some people's from their DailyStat rows, a branch's or the whole bank's from each branch's
day totals (server/boards/daytotals.py).
"""
import calendar
from datetime import date, datetime, timedelta

from sqlmodel import Session

from server.boards import daytotals
from server.models import DailyStat

TREND_COUNTERS = ("visits", "bookings", "arrived", "completed", "no_show")
SCOPES = ("employee", "branch", "all")


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
    May keep closed days' totals (daytotals.branch_days) in a transaction of its own."""
    before = previous_range(period, start, end)
    ranges = [before, (start, end)]
    if employee_ids is not None:
        where = [DailyStat.employee_id.in_(employee_ids or [-1])]
        if branch_id is not None:
            where.append(DailyStat.branch_id == branch_id)
        rows = daytotals.daily(db, ranges, where, TREND_COUNTERS)
    else:
        rows = [(day, counts) for day, branch, counts in daytotals.branch_days(db, ranges, TREND_COUNTERS, now)
                if branch_id is None or branch == branch_id]
    by_day: dict[date, dict] = {}
    for day, counts in rows:
        total = by_day.setdefault(day, dict.fromkeys(TREND_COUNTERS, 0))
        for c in TREND_COUNTERS:
            total[c] += counts[c]
    series = [_point(day, by_day.get(day), weights) for day in daytotals.days(start, end)]
    previous = [_point(day, by_day.get(day), weights) for day in daytotals.days(*before)]
    totals, earlier = _total(series, weights), _total(previous, weights)
    change = {k: round(totals[k] - earlier[k], 2) if k == "score" else totals[k] - earlier[k] for k in totals}
    return {"series": series, "totals": totals,
            "previous": {"start": before[0], "end": before[1], "totals": earlier}, "change": change}


def _point(day: date, counts: dict | None, weights) -> dict:
    row = dict(counts or dict.fromkeys(TREND_COUNTERS, 0))
    return {"day": day, **row, "score": weights.score(row)}


def _total(points: list[dict], weights) -> dict:
    row = {c: sum(p[c] for p in points) for c in TREND_COUNTERS}
    return {**row, "score": weights.score(row)}
