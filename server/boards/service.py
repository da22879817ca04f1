"""Leaderboards, read from the per-day rollups only: a board costs the same at any volume."""
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from server.models import Branch, DailyStat, Employee

BOARD_COUNTERS = ("visits", "bookings", "arrived", "completed")
# Ranking order: outcomes before activity; then name and id so ties are stable.
RANK_KEYS = ("completed", "arrived", "bookings", "visits")


def _sums():
    return [func.coalesce(func.sum(getattr(DailyStat, c)), 0).label(c) for c in BOARD_COUNTERS]


def _ranked(rows: list[dict]) -> list[dict]:
    rows.sort(key=lambda r: tuple(-r[k] for k in RANK_KEYS) + (r["name"], r["id"]))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


def by_employee(db: Session, *, start: date, end: date, branch_id: int | None = None) -> list[dict]:
    """Every active employee (zeros included) with their counts between start and end."""
    totals = {r.employee_id: r for r in db.exec(
        select(DailyStat.employee_id, *_sums())
        .where(DailyStat.day >= start, DailyStat.day <= end).group_by(DailyStat.employee_id))}
    people = select(Employee).where(Employee.disabled == False)  # noqa: E712
    if branch_id:
        people = people.where(Employee.branch_id == branch_id)
    branches = {b.id: b.name for b in db.exec(select(Branch))}
    rows = []
    for e in db.exec(people):
        t = totals.get(e.id)
        rows.append({"id": e.id, "name": e.name, "branch": branches[e.branch_id],
                     **{c: int(getattr(t, c)) if t else 0 for c in BOARD_COUNTERS}})
    return _ranked(rows)


def by_branch(db: Session, *, start: date, end: date) -> list[dict]:
    """Every branch with its counts between start and end (where each event happened)."""
    totals = {r.branch_id: r for r in db.exec(
        select(DailyStat.branch_id, *_sums())
        .where(DailyStat.day >= start, DailyStat.day <= end).group_by(DailyStat.branch_id))}
    rows = []
    for b in db.exec(select(Branch)):
        t = totals.get(b.id)
        rows.append({"id": b.id, "name": b.name, **{c: int(getattr(t, c)) if t else 0
                                                  for c in BOARD_COUNTERS}})
    return _ranked(rows)
