"""Leaderboards and funnels, read from the per-day rollups only: a board costs the same at
1,000 bookings or 10 million. Flagged bookings are not in the rollups' counts."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, false, func, or_
from sqlmodel import Session, select

from server.clock import TZ, local_day
from server.models import Branch, DailyStat, Employee, FunnelStat, Grid, Product, Team, utcnow
from server.shops.channels import labels as channel_labels

BOARD_COUNTERS = ("visits", "bookings", "arrived", "completed", "no_show", "unverified")
GROUPS = {"branches": (Branch, "branch_id"), "grids": (Grid, "grid_id"), "teams": (Team, "team_id")}
LABELS = {"visits": "访问", "bookings": "预约", "arrived": "到店", "completed": "办结", "no_show": "爽约"}
LABELS_EN = {"visits": "visits", "bookings": "bookings", "arrived": "arrivals", "completed": "completions",
             "no_show": "no-shows"}
TIE_BREAK = {"zh": "同分同名次；同分者按办结、到店、预约、姓名先后排列（仅为显示顺序）。",
             "en": "Equal scores share a rank; among them, rows are listed by completions, arrivals, "
                   "bookings, then name (display order only)."}
MEDAL_MIN = 1  # no medal below one point


@dataclass(frozen=True)
class Weights:
    """The quality score: each count times its weight, summed. The one source of the formula
    every surface prints (board, wall, poster, Markdown, WeCom)."""

    values: dict

    @classmethod
    def parse(cls, spec: str) -> "Weights":
        pairs = (item.split(":") for item in spec.split(",") if item.strip())
        return cls({k.strip(): float(v) for k, v in pairs})

    def score(self, row: dict) -> float:
        return round(sum(row.get(k, 0) * w for k, w in self.values.items()), 2)

    def formula(self, lang: str = "zh") -> str:
        """"质量分 = 预约×1 + 到店×3 + 办结×5 − 爽约×2": the weights with their signs."""
        labels, head = (LABELS_EN, "Quality score") if lang == "en" else (LABELS, "质量分")
        text = ""
        for i, (k, w) in enumerate(self.values.items()):
            term = f"{labels.get(k, k)}×{abs(w):g}"
            text += (("− " if w < 0 else "") + term) if i == 0 else ((" − " if w < 0 else " + ") + term)
        return f"{head} = {text or '0'}"


@dataclass(frozen=True)
class Cohort:
    """Who is ranked: optional level / track / branch filters (a trainee among trainees)."""

    level: str = ""
    track: str = ""
    branch_id: int | None = None

    def admits(self, e: Employee) -> bool:
        return ((not self.level or e.level == self.level) and (not self.track or e.track == self.track))


def _totals(db: Session, start: date, end: date, branch_id: int | None = None) -> dict[tuple, dict]:
    """Counts per (employee, branch where they happened) over the period."""
    sums = [func.coalesce(func.sum(getattr(DailyStat, c)), 0) for c in BOARD_COUNTERS]
    query = (select(DailyStat.employee_id, DailyStat.branch_id, *sums)
             .where(DailyStat.day >= start, DailyStat.day <= end)
             .group_by(DailyStat.employee_id, DailyStat.branch_id))
    if branch_id:
        query = query.where(DailyStat.branch_id == branch_id)
    return {(r[0], r[1]): dict(zip(BOARD_COUNTERS, map(int, r[2:]))) for r in db.exec(query)}


def rank(rows: list[dict], key: str = "score") -> list[dict]:
    """Standard competition ranking (1, 1, 3): equal scores share a rank. Rows are listed best
    first; ties by outcomes, then name, then id (display order only). Ranks 1-3 with at least
    one point get a medal."""
    rows.sort(key=lambda r: (-r[key], -r["completed"], -r["arrived"], -r["bookings"], r["name"], r["id"]))
    for i, row in enumerate(rows):
        row["rank"] = rows[i - 1]["rank"] if i and rows[i - 1][key] == row[key] else i + 1
        row["medal"] = row["rank"] if row["rank"] <= 3 and row[key] >= MEDAL_MIN else None
    return rows


_rank = rank


def _people(db: Session, start: date, end: date, totals: dict, cohort: Cohort) -> list[Employee]:
    """Who a period's board lists: everyone with results in it (leavers too), and the active staff
    employed by its end (zeros included); a branch filter: its members and those credited there."""
    credited = {employee_id for employee_id, _ in totals}
    cutoff = datetime.combine(end + timedelta(days=1), time(0), TZ)
    query = select(Employee).where(or_(Employee.id.in_(credited) if credited else false(),
                                       and_(Employee.disabled == False,  # noqa: E712
                                            Employee.created_at < cutoff)))
    people = [e for e in db.exec(query) if cohort.admits(e)]
    if cohort.branch_id:
        people = [e for e in people if e.id in credited or e.branch_id == cohort.branch_id]
    return people


def by_employee(db: Session, *, start: date, end: date, weights: Weights,
                cohort: Cohort = Cohort()) -> list[dict]:
    """The cohort's people (zeros and leavers included), ranked by quality score. Each result is
    theirs where and when it happened: a row's branch is where their results of the period were
    credited (most of them), else where they work now."""
    totals = _totals(db, start, end, cohort.branch_id)
    branches = {b.id: b.name for b in db.exec(select(Branch))}
    by_person: dict[int, dict[int, dict]] = {}
    for (employee_id, branch_id), counts in totals.items():
        by_person.setdefault(employee_id, {})[branch_id] = counts
    rows = []
    for e in _people(db, start, end, totals, cohort):
        mine = by_person.get(e.id, {})
        counts = {c: sum(m[c] for m in mine.values()) for c in BOARD_COUNTERS}
        home = max(mine, key=lambda b: (sum(mine[b].values()), -b)) if mine else e.branch_id
        row = {"id": e.id, "name": e.name, "branch": branches[home], "level": e.level, "track": e.track,
               "branch_id": home, "member_of": e.branch_id, "grid_id": e.grid_id, "team_id": e.team_id,
               "left": e.disabled,
               "by_branch": mine, **counts}
        row["score"] = weights.score(row)
        rows.append(row)
    return rank(rows)


def by_group(db: Session, *, by: str, start: date, end: date, weights: Weights,
             cohort: Cohort = Cohort(), per_capita: bool = False) -> list[dict]:
    """Branches, grids or teams: their members' counts summed, and per member. Branches sum the
    results credited at each branch (a transfer never moves a past result); members are the
    active staff counted on the board (today's and open periods: the branch's staff now; a closed
    period: those with results there), so a closed period's numbers never change."""
    model, attr = GROUPS[by]
    members: dict[int, set] = {}
    sums: dict[int, dict] = {}
    closed = end < local_day(utcnow())
    for row in by_employee(db, start=start, end=end, weights=weights, cohort=cohort):
        if by == "branches":
            parts = list(row["by_branch"].items())
        else:
            parts = [(row[attr], {c: row[c] for c in BOARD_COUNTERS})] if row[attr] else []
        for group_id, counts in parts:
            total = sums.setdefault(group_id, dict.fromkeys(BOARD_COUNTERS, 0))
            for c in BOARD_COUNTERS:
                total[c] += counts[c]
            if closed:
                members.setdefault(group_id, set()).add(row["id"])
        now_in = row["member_of"] if by == "branches" else row[attr]
        if not closed and not row["left"] and now_in:
            members.setdefault(now_in, set()).add(row["id"])
    rows = []
    for group in db.exec(select(model)):
        people = members.get(group.id, set())
        row = {"id": group.id, "name": group.name, "members": len(people),
               **sums.get(group.id, dict.fromkeys(BOARD_COUNTERS, 0))}
        row["score"] = weights.score(row)
        row["score_per_capita"] = round(row["score"] / len(people), 2) if people else 0.0
        rows.append(row)
    return rank(rows, "score_per_capita" if per_capita else "score")


FUNNEL_KEYS = {"employee": FunnelStat.employee_id, "branch": FunnelStat.branch_id,
               "product": FunnelStat.product_id, "channel": FunnelStat.channel}


def funnel(db: Session, *, by: str, start: date, end: date, employee_ids: list[int] | None = None,
           branch_id: int | None = None) -> list[dict]:
    """Visits → bookings → arrived → completed, with conversion rates, grouped by `by` (only the
    results credited at `branch_id`, if given)."""
    key = FUNNEL_KEYS[by]
    sums = [func.coalesce(func.sum(getattr(FunnelStat, c)), 0) for c in ("visits", "bookings", "arrived", "completed")]
    keys = (key, FunnelStat.shop_link_id) if by == "channel" else (key,)
    query = select(*keys, *sums).where(FunnelStat.day >= start, FunnelStat.day <= end).group_by(*keys)
    if employee_ids is not None:
        query = query.where(FunnelStat.employee_id.in_(employee_ids))
    if branch_id is not None:
        query = query.where(FunnelStat.branch_id == branch_id)
    found = db.exec(query).all()
    if by == "channel":
        found = _by_current_label(db, found)
    names = _names(db, by)
    rows = []
    for k, visits, bookings, arrived, completed in found:
        rows.append({"key": str(k), "name": names(k), "visits": int(visits), "bookings": int(bookings),
                     "arrived": int(arrived), "completed": int(completed),
                     "booking_rate": _rate(bookings, visits), "arrival_rate": _rate(arrived, bookings),
                     "completion_rate": _rate(completed, arrived)})
    rows.sort(key=lambda r: (-r["bookings"], -r["visits"], r["name"]))
    return rows


def _by_current_label(db: Session, found) -> list[tuple]:
    """Channel rows summed by each channel code's current name (results belong to the code; a
    renamed code's past shows under its new name); other rows keep their channel ("" / walk-in)."""
    current = channel_labels(db, [link_id for _, link_id, *_ in found])
    merged: dict[str, list[int]] = {}
    for channel, link_id, *counts in found:
        total = merged.setdefault(current.get(link_id, channel), [0, 0, 0, 0])
        for i, n in enumerate(counts):
            total[i] += int(n)
    return [(label, *counts) for label, counts in merged.items()]


def _names(db: Session, by: str):
    if by == "channel":
        return lambda k: k or "个人店铺"
    model = {"employee": Employee, "branch": Branch, "product": Product}[by]
    names = {row.id: row.name for row in db.exec(select(model))}
    return lambda k: names.get(k, "（未选业务）" if by == "product" else str(k))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
