"""Daily trends for the boards, read from the per-day rollups (DailyStat) only: one grouped query
over this period and the one before it, whatever the number of bookings.

A trend is the score's columns per day (visits apart, as reach) and the score each day, plus
the change against the previous period of the same length: this week against the same days
of last week, this month against the same days of last month, a range against the range of
equal length just before it.
"""
import calendar
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

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
          branch_id: int | None = None) -> dict:
    """Per-day counts and score over [start, end] for the given employees (None: everyone) and
    branch (results credited there), with the totals of the previous period and the change."""
    before = previous_range(period, start, end)
    sums = [func.coalesce(func.sum(getattr(DailyStat, c)), 0) for c in TREND_COUNTERS]
    query = (select(DailyStat.day, *sums).where(DailyStat.day >= before[0], DailyStat.day <= end)
             .group_by(DailyStat.day))
    if employee_ids is not None:
        query = query.where(DailyStat.employee_id.in_(employee_ids or [-1]))
    if branch_id is not None:
        query = query.where(DailyStat.branch_id == branch_id)
    by_day = {day: dict(zip(TREND_COUNTERS, map(int, counts))) for day, *counts in db.exec(query)}
    series = [_point(day, by_day.get(day), weights) for day in _days(start, end)]
    previous = [_point(day, by_day.get(day), weights) for day in _days(*before)]
    totals, earlier = _total(series, weights), _total(previous, weights)
    change = {k: round(totals[k] - earlier[k], 2) if k == "score" else totals[k] - earlier[k] for k in totals}
    return {"series": series, "totals": totals,
            "previous": {"start": before[0], "end": before[1], "totals": earlier}, "change": change}


def _days(start: date, end: date):
    return (start + timedelta(days=n) for n in range((end - start).days + 1))


def _point(day: date, counts: dict | None, weights) -> dict:
    row = dict(counts or dict.fromkeys(TREND_COUNTERS, 0))
    return {"day": day, **row, "score": weights.score(row)}


def _total(points: list[dict], weights) -> dict:
    row = {c: sum(p[c] for p in points) for c in TREND_COUNTERS}
    return {**row, "score": weights.score(row)}
