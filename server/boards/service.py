"""Leaderboards and funnels, read from the per-day rollups only: a board costs the same at
1,000 bookings or 10 million. Flagged bookings are not in the rollups' counts."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from server.models import Branch, DailyStat, Employee, FunnelStat, Grid, Product, Team

BOARD_COUNTERS = ("visits", "bookings", "arrived", "completed", "no_show")
GROUPS = {"branches": (Branch, "branch_id"), "grids": (Grid, "grid_id"), "teams": (Team, "team_id")}
LABELS = {"visits": "访问", "bookings": "预约", "arrived": "到店", "completed": "办结", "no_show": "爽约"}


@dataclass(frozen=True)
class Weights:
    """The quality score: each count times its weight, summed."""

    values: dict

    @classmethod
    def parse(cls, spec: str) -> "Weights":
        pairs = (item.split(":") for item in spec.split(",") if item.strip())
        return cls({k.strip(): float(v) for k, v in pairs})

    def score(self, row: dict) -> float:
        return round(sum(row.get(k, 0) * w for k, w in self.values.items()), 2)

    def formula(self) -> str:
        parts = [f"{LABELS.get(k, k)}×{w:g}" for k, w in self.values.items()]
        return "质量分 = " + " + ".join(parts).replace("+ -", "− ").replace("×-", "×")


@dataclass(frozen=True)
class Cohort:
    """Who is ranked: optional level / track / branch filters (a trainee among trainees)."""

    level: str = ""
    track: str = ""
    branch_id: int | None = None

    def people(self):
        query = select(Employee).where(Employee.disabled == False)  # noqa: E712
        if self.level:
            query = query.where(Employee.level == self.level)
        if self.track:
            query = query.where(Employee.track == self.track)
        if self.branch_id:
            query = query.where(Employee.branch_id == self.branch_id)
        return query


def _totals(db: Session, start: date, end: date) -> dict[int, dict]:
    sums = [func.coalesce(func.sum(getattr(DailyStat, c)), 0) for c in BOARD_COUNTERS]
    rows = db.exec(select(DailyStat.employee_id, *sums)
                   .where(DailyStat.day >= start, DailyStat.day <= end).group_by(DailyStat.employee_id))
    return {r[0]: dict(zip(BOARD_COUNTERS, map(int, r[1:]))) for r in rows}


def _rank(rows: list[dict], key: str = "score") -> list[dict]:
    """Best first; ties broken by outcomes, then name, then id: the same order every time."""
    rows.sort(key=lambda r: (-r[key], -r["completed"], -r["arrived"], -r["bookings"], r["name"], r["id"]))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


def by_employee(db: Session, *, start: date, end: date, weights: Weights,
                cohort: Cohort = Cohort()) -> list[dict]:
    """Every active employee of the cohort (zeros included), ranked by quality score."""
    totals = _totals(db, start, end)
    branches = {b.id: b.name for b in db.exec(select(Branch))}
    zero = dict.fromkeys(BOARD_COUNTERS, 0)
    rows = []
    for e in db.exec(cohort.people()):
        row = {"id": e.id, "name": e.name, "branch": branches[e.branch_id], "level": e.level,
               "track": e.track, "branch_id": e.branch_id, "grid_id": e.grid_id, "team_id": e.team_id,
               **totals.get(e.id, zero)}
        row["score"] = weights.score(row)
        rows.append(row)
    return _rank(rows)


def by_group(db: Session, *, by: str, start: date, end: date, weights: Weights,
             cohort: Cohort = Cohort(), per_capita: bool = False) -> list[dict]:
    """Branches, grids or teams: their members' counts summed, and per active member."""
    model, attr = GROUPS[by]
    members: dict[int, list[dict]] = {}
    for row in by_employee(db, start=start, end=end, weights=weights, cohort=cohort):
        group_id = row[attr]  # carried in the row: no query per employee
        if group_id:
            members.setdefault(group_id, []).append(row)
    rows = []
    for group in db.exec(select(model)):
        people = members.get(group.id, [])
        row = {"id": group.id, "name": group.name, "members": len(people),
               **{c: sum(p[c] for p in people) for c in BOARD_COUNTERS}}
        row["score"] = weights.score(row)
        row["score_per_capita"] = round(row["score"] / len(people), 2) if people else 0.0
        rows.append(row)
    return _rank(rows, "score_per_capita" if per_capita else "score")


FUNNEL_KEYS = {"employee": FunnelStat.employee_id, "branch": FunnelStat.branch_id,
               "product": FunnelStat.product_id, "channel": FunnelStat.channel}


def funnel(db: Session, *, by: str, start: date, end: date, employee_ids: list[int] | None = None) -> list[dict]:
    """Visits → bookings → arrived → completed, with conversion rates, grouped by `by`."""
    key = FUNNEL_KEYS[by]
    sums = [func.coalesce(func.sum(getattr(FunnelStat, c)), 0) for c in ("visits", "bookings", "arrived", "completed")]
    query = select(key, *sums).where(FunnelStat.day >= start, FunnelStat.day <= end).group_by(key)
    if employee_ids is not None:
        query = query.where(FunnelStat.employee_id.in_(employee_ids))
    names = _names(db, by)
    rows = []
    for k, visits, bookings, arrived, completed in db.exec(query):
        rows.append({"key": str(k), "name": names(k), "visits": int(visits), "bookings": int(bookings),
                     "arrived": int(arrived), "completed": int(completed),
                     "booking_rate": _rate(bookings, visits), "arrival_rate": _rate(arrived, bookings),
                     "completion_rate": _rate(completed, arrived)})
    rows.sort(key=lambda r: (-r["bookings"], -r["visits"], r["name"]))
    return rows


def _names(db: Session, by: str):
    if by == "channel":
        return lambda k: k or "个人店铺"
    model = {"employee": Employee, "branch": Branch, "product": Product}[by]
    names = {row.id: row.name for row in db.exec(select(model))}
    return lambda k: names.get(k, "（未选业务）" if by == "product" else str(k))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
