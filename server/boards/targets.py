"""Monthly targets (目标) per branch and per employee, and progress against them.

Head office sets them one by one or imports a spreadsheet; every change is audited. Progress
adds up the rollups the boards read (an employee's DailyStat rows; a branch's day totals,
server/boards/daytotals.py), so a target counts exactly what the board counts (verified
arrivals, unflagged bookings), without ranking everyone to find a few people.
"""
import calendar
import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from server import access
from server.audit import service as audit
from server.boards import daytotals, schemas
from server.db import begin_write
from server.errors import Invalid
from server.models import Branch, DailyStat, Employee, Target, utcnow

METRICS = ("bookings", "arrived", "completed")
SCOPES = ("branch", "employee")
MONTH = re.compile(schemas.MONTH)  # 2000-01 to 2100-12
TARGET_MAX = 100_000
IMPORT_COLUMNS = {"月份": "period", "支行": "branch", "工号": "staff_no", "预约": "bookings",
                  "到店": "arrived", "办结": "completed"}


def month_range(period: str) -> tuple[date, date]:
    """First and last day of a `YYYY-MM` month (422 on `period` otherwise)."""
    match = MONTH.fullmatch(period or "")
    if not match:
        raise Invalid(period="month_invalid")
    year, month = int(match[1]), int(match[2])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def set_target(db: Session, *, actor: Employee, period: str, scope: str, subject_id: int,
               values: dict, source: str = "") -> Target:
    """Create or change one target (all metrics at once) in its own audited transaction."""
    month_range(period)
    _check_subject(db, scope, subject_id)
    begin_write(db)
    target = _upsert(db, actor, period, scope, subject_id, values)
    audit.record(db, action="target_set", actor=actor, target=f"{scope}:{subject_id}",
                 detail=f"{period} " + " ".join(f"{m}={values.get(m, 0)}" for m in METRICS), source=source)
    db.commit()
    return target


def delete_target(db: Session, *, actor: Employee, target_id: int, source: str = "") -> bool:
    """Remove one target (audited); False when there was none."""
    begin_write(db)
    target = db.get(Target, target_id)
    if target is None:
        db.rollback()
        return False
    audit.record(db, action="target_deleted", actor=actor, target=f"{target.scope}:{target.subject_id}",
                 detail=target.period, source=source)
    db.delete(target)
    db.commit()
    return True


def _upsert(db: Session, actor: Employee, period: str, scope: str, subject_id: int, values: dict) -> Target:
    target = db.exec(select(Target).where(Target.period == period, Target.scope == scope,
                                          Target.subject_id == subject_id)).first()
    if target is None:
        target = Target(period=period, scope=scope, subject_id=subject_id)
    for metric in METRICS:
        setattr(target, metric, int(values.get(metric, 0)))
    target.updated_by, target.updated_at = actor.id, utcnow()
    db.add(target)
    db.flush()
    return target


def _check_subject(db: Session, scope: str, subject_id: int) -> None:
    if scope not in SCOPES:
        raise Invalid(scope="choice_invalid")
    model = Branch if scope == "branch" else Employee
    if db.get(model, subject_id) is None:
        raise Invalid(subject_id="branch_unknown" if scope == "branch" else "staff_unknown")


def listing(db: Session, *, period: str) -> list[dict]:
    """Every target of a month with the name of what it is for (admin screen)."""
    month_range(period)
    names = _names(db)
    rows = db.exec(select(Target).where(Target.period == period).order_by(Target.scope, Target.subject_id))
    return [{**_plain(t), **names[t.scope].get(t.subject_id, {"name": "?", "branch": ""})} for t in rows]


def _plain(target: Target) -> dict:
    return {"id": target.id, "period": target.period, "scope": target.scope,
            "subject_id": target.subject_id, **{m: getattr(target, m) for m in METRICS}}


def _names(db: Session) -> dict:
    branches = dict(db.exec(select(Branch.id, Branch.name)).all())
    people = {i: {"name": name, "branch": branches.get(branch_id, ""), "staff_no": staff_no, "branch_id": branch_id}
              for i, name, staff_no, branch_id in db.exec(select(Employee.id, Employee.name, Employee.staff_no,
                                                                 Employee.branch_id))}
    return {"branch": {i: {"name": n, "branch": n, "staff_no": "", "branch_id": i} for i, n in branches.items()},
            "employee": people}


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The span measured, the span it is compared with, and the share of the month's target."""

    start: date
    end: date
    previous_start: date
    previous_end: date
    period: str  # the month whose targets apply
    share: float  # 1 for a month; 7 / days-in-month for a week


def window(kind: str, today: date, month: str = "") -> Window:
    """This month (to date) against the same days of the previous month, or this week
    (to date) against the same days of the previous week with a pro-rated target."""
    if kind == "week":
        start = today - timedelta(days=today.weekday())
        first, last = month_range(month_of(today))
        return Window(start, today, start - timedelta(days=7), today - timedelta(days=7), month_of(today),
                      7 / (last - first + timedelta(days=1)).days)
    if kind != "month":
        raise Invalid(period="period_invalid")
    start, last = month_range(month or month_of(today))
    end = min(last, today) if start <= today else last
    previous_start = (start - timedelta(days=1)).replace(day=1)
    previous_last = start - timedelta(days=1)
    previous_end = min(previous_start + (end - start), previous_last)
    return Window(start, end, previous_start, previous_end, month_of(start), 1.0)


def progress(db: Session, *, viewer: Employee | None, win: Window, branch_id: int | None = None,
             now: datetime | None = None) -> list[dict]:
    """The viewer's targets (staff: theirs and their branch's; branch head: the branch and its
    people; admin: all, or one branch) with actual, percentage and change. Without a viewer (a
    TV wall link), what its scope shows: all, or one branch and its people. May keep closed
    days' branch totals (daytotals.branch_days) in a transaction of its own."""
    subjects = _scope(db, viewer, branch_id)
    query = select(Target).where(Target.period == win.period)
    targets = [t for t in db.exec(query.order_by(Target.scope, Target.subject_id)) if subjects(t)]
    if not targets:
        return []
    people = {t.subject_id for t in targets if t.scope == "employee"}
    actual = _actuals(db, win.start, win.end, people, now)
    before = _actuals(db, win.previous_start, win.previous_end, people, now)
    names = _names(db)
    items = []
    for t in targets:
        who = names[t.scope].get(t.subject_id, {"name": "?", "branch": "", "staff_no": ""})
        mine = actual[t.scope].get(t.subject_id, {})
        previous = before[t.scope].get(t.subject_id, {})
        metrics = []
        for m in METRICS:
            goal = getattr(t, m)
            if goal <= 0:
                continue
            goal_now = round(goal * win.share, 1)
            value, was = mine.get(m, 0), previous.get(m, 0)
            metrics.append({"metric": m, "target": goal_now, "actual": value,
                            "percent": round(100 * value / goal_now, 1) if goal_now else 0.0,
                            "previous": was, "change": value - was})
        items.append({"id": t.id, "scope": t.scope, "subject_id": t.subject_id, "name": who["name"],
                      "branch": who["branch"], "staff_no": who.get("staff_no", ""), "metrics": metrics})
    items.sort(key=lambda i: (i["scope"] != "branch", i["branch"], i["name"]))
    return items


def _scope(db: Session, viewer: Employee | None, branch_id: int | None):
    """A predicate over targets: which ones the viewer may see (no viewer: a wall link's scope)."""
    whole = viewer is None or access.is_admin(viewer)
    if whole and not branch_id:
        return lambda t: True
    if whole or access.is_branch_head(viewer):
        branch = branch_id if whole else viewer.branch_id
        people = set(db.exec(select(Employee.id).where(Employee.branch_id == branch)))
        return lambda t: t.subject_id == branch if t.scope == "branch" else t.subject_id in people
    return lambda t: (t.scope == "employee" and t.subject_id == viewer.id) or (
        t.scope == "branch" and t.subject_id == viewer.branch_id)


def _actuals(db: Session, start: date, end: date, people: set[int], now: datetime | None) -> dict:
    """What the boards count over [start, end], from the rollups they read: per employee in
    `people`, their results wherever they happened (`by_employee`: DailyStat summed in SQL); per
    branch, the results credited there (`by_group(by="branches")`: each branch's day totals)."""
    sums = [func.coalesce(func.sum(getattr(DailyStat, m)), 0) for m in METRICS]
    query = (select(DailyStat.employee_id, *sums).group_by(DailyStat.employee_id)
             .where(DailyStat.day >= start, DailyStat.day <= end, DailyStat.employee_id.in_(people or [-1])))
    actual = {"employee": {k: dict(zip(METRICS, map(int, counts))) for k, *counts in db.exec(query)}, "branch": {}}
    for _, branch, counts in daytotals.branch_days(db, [(start, end)], METRICS, now):
        row = actual["branch"].setdefault(branch, dict.fromkeys(METRICS, 0))
        for m in METRICS:
            row[m] += counts[m]
    return actual


# --- spreadsheet import --------------------------------------------------------------------


@dataclass
class ImportPlan:
    errors: list[dict] = field(default_factory=list)  # {line, column, reason}
    rows: list[dict] = field(default_factory=list)  # {line, period, scope, subject_id, name, metrics}


def plan_import(db: Session, raw_rows: list[dict]) -> ImportPlan:
    """Check every row of a targets sheet; nothing changes."""
    result, seen = ImportPlan(), {}
    branches = {b.name: b for b in db.exec(select(Branch))}
    staff = {e.staff_no: e for e in db.exec(select(Employee))}
    for line, raw in enumerate(raw_rows, start=2):
        row = _parse_row(raw, line, result, branches, staff)
        if row is None:
            continue
        key = (row["period"], row["scope"], row["subject_id"])
        if key in seen:
            result.errors.append({"line": line, "column": "工号" if row["scope"] == "employee" else "支行",
                                  "reason": f"与第 {seen[key]} 行重复"})
            continue
        seen[key] = line
        result.rows.append(row)
    return result


def _parse_row(raw: dict, line: int, result: ImportPlan, branches: dict, staff: dict) -> dict | None:
    cells = {key: str(raw.get(header) or "").strip() for header, key in IMPORT_COLUMNS.items()}
    errors = []
    if not MONTH.fullmatch(cells["period"]):
        errors.append(("月份", "应为 年-月，例如 2026-12"))
    subject = None
    if cells["staff_no"]:
        subject = staff.get(cells["staff_no"].upper())
        if subject is None:
            errors.append(("工号", _unknown("工号", cells["staff_no"], {
                f"{e.staff_no} {e.name}": e.staff_no for e in staff.values()})))
        elif cells["branch"] and branches.get(cells["branch"]) and branches[cells["branch"]].id != subject.branch_id:
            errors.append(("支行", f"{subject.staff_no} 不在{cells['branch']}"))
    elif cells["branch"]:
        subject = branches.get(cells["branch"])
        if subject is None:
            errors.append(("支行", _unknown("支行", cells["branch"], {n: n for n in branches})))
    else:
        errors.append(("工号", "工号和支行至少填一项（填工号为个人目标，只填支行为支行目标）"))
    metrics = {}
    for m, header in zip(METRICS, ("预约", "到店", "办结")):
        text = cells[m] or "0"
        try:
            number = float(text)
        except ValueError:
            number = -1
        if number < 0 or number != int(number) or number > TARGET_MAX:
            errors.append((header, f"应为 0–{TARGET_MAX} 的整数"))
        else:
            metrics[m] = int(number)
    if not errors and not any(metrics.values()):
        errors.append(("预约", "预约、到店、办结至少有一项大于 0"))
    for column, reason in errors:
        result.errors.append({"line": line, "column": column, "reason": reason})
    if errors:
        return None
    scope = "employee" if cells["staff_no"] else "branch"
    return {"line": line, "period": cells["period"], "scope": scope, "subject_id": subject.id,
            "name": f"{subject.staff_no} {subject.name}" if scope == "employee" else subject.name,
            **metrics}


def _unknown(label: str, value: str, choices: dict[str, str]) -> str:
    """`没有这个工号：YQ0O01。您是不是要找：YQ0001 王丽？` with the nearest names."""
    near = difflib.get_close_matches(value.upper(), [v.upper() for v in choices.values()], n=3, cutoff=0.5)
    near_labels = [k for k, v in choices.items() if v.upper() in near]
    near_labels += [k for k in difflib.get_close_matches(value, list(choices), n=3, cutoff=0.4)
                    if k not in near_labels]
    text = f"没有这个{label}：{value}"
    return text + (f"。您是不是要找：{'、'.join(near_labels[:3])}？" if near_labels else "")


def apply_import(db: Session, *, actor: Employee, result: ImportPlan, source: str = "") -> int:
    """Apply a checked sheet in one transaction (all or nothing), audited once per target."""
    if result.errors:
        raise ValueError("a sheet with errors is never applied")
    begin_write(db)
    for row in result.rows:
        _upsert(db, actor, row["period"], row["scope"], row["subject_id"], row)
        audit.record(db, action="target_set", actor=actor, target=f"{row['scope']}:{row['subject_id']}",
                     detail=f"{row['period']} " + " ".join(f"{m}={row[m]}" for m in METRICS) + " (import)",
                     source=source)
    audit.record(db, action="targets_imported", actor=actor, detail=f"{len(result.rows)} targets", source=source)
    db.commit()
    return len(result.rows)
