"""Roster import (花名册): the staff list as HR hands it over, as CSV or XLSX.

A dry run reports every change and every row error (line, column, reason in Chinese); an import
with any error applies nothing; importing the same file twice changes nothing the second time.
Branches, grids and teams are created only where a row asks (新建 = 是): any other unknown name
is a typo, reported with the nearest existing names (roster_checks.py).
"""
import csv
import io
import unicodedata
from dataclasses import dataclass, field
from itertools import islice

from sqlmodel import Session, select

from server.admin import roster_checks as checks
from server.audit import service as audit
from server.db import begin_write
from server.models import Branch, Employee, Grid, ShopLink, Team, clean_text
from server.shops.service import new_shop_code

COLUMNS = {"工号": "staff_no", "姓名": "name", "手机": "phone", "支行": "branch", "网格": "grid",
           "团队": "team", "等级": "level", "条线": "track", "角色": "role", "在岗": "active", "新建": "create"}
REQUIRED = ("工号", "姓名", "支行")
MAX_ROWS = 5000  # a whole bank's staff; more is a mistake (or an attack on the one worker)
MAX_COLUMNS = 40  # headers are looked for in this many columns, no further
# The longest value each free-text column may hold (the table's columns).
MAX_LENGTHS = {"staff_no": 20, "name": 40, "branch": 60, "grid": 60, "team": 60}


class TooManyRows(ValueError):
    """The roster has more than MAX_ROWS rows."""
# What the shop shows about a person, in Chinese and English: applied only when the file has
# the column (a roster without it leaves what was written in the admin screen alone).
OPTIONAL = {"职务": "title", "简介": "intro", "英文职务": "title_en", "英文简介": "intro_en",
            "title": "title", "intro": "intro", "title_en": "title_en", "intro_en": "intro_en"}
OPTIONAL_MAX = {"title": 40, "intro": 300, "title_en": 60, "intro_en": 400}
CHOICES = {
    "level": {"见习": "trainee", "初级": "junior", "中级": "mid", "高级": "senior"},
    "track": {"公司类": "corporate", "微贷类": "microloan", "无": "none", "": "none"},
    "role": {"员工": "staff", "网格长": "grid_leader", "支行长": "branch_manager", "管理员": "admin", "": "staff"},
    "active": {"是": True, "否": False, "": True},
    # 是: the row's branch, grid or team is new and is created; otherwise an unknown name is a typo.
    "create": {"是": True, "否": False, "": False},
}


@dataclass
class Plan:
    errors: list[dict] = field(default_factory=list)  # {line, column, reason}
    changes: list[dict] = field(default_factory=list)  # {line, staff_no, action, fields}
    new_org: list[str] = field(default_factory=list)  # branches / grids / teams to be created
    new_org_counts: dict[str, int] = field(default_factory=lambda: {"branch": 0, "grid": 0, "team": 0})
    rows: list[dict] = field(default_factory=list)


def read(filename: str, data: bytes, max_rows: int = MAX_ROWS) -> list[dict]:
    """Rows as {Chinese header: text}, from a CSV (UTF-8, with or without BOM) or an XLSX.

    Read as a stream, stopping one row past `max_rows` (TooManyRows): a small XLSX can expand
    to a hundred thousand rows, and no one reads them all only to refuse them."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            values = (["" if v is None else str(v).strip() for v in row] for row in rows)
            header = next(values, [])
            body = [row for row in islice((r for r in values if any(r)), max_rows + 1)]
        finally:
            book.close()
        result = [dict(zip(header, row)) for row in body]
    else:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        result = [{k: (v or "").strip() for k, v in row.items() if isinstance(v, str)}
                  for row in islice(reader, max_rows + 1)]
    if len(result) > max_rows:
        raise TooManyRows(max_rows)
    return result


def plan(db: Session, rows: list[dict]) -> Plan:
    """Check every row and work out what would change, without changing anything."""
    result, known = Plan(), checks.Known.load(db)
    parsed, seen, phones = [], {}, {}
    for line, raw in enumerate(rows, start=2):  # line 1 is the header
        row = _parse(raw, line, result)
        if row is None:
            continue
        if row["staff_no"] in seen:
            result.errors.append({"line": line, "column": "工号", "reason": f"与第 {seen[row['staff_no']]} 行重复"})
            continue
        seen[row["staff_no"]] = line
        if row["phone"] in phones:
            result.errors.append({"line": line, "column": "手机", "reason": f"与第 {phones[row['phone']]} 行的手机号重复"})
            continue
        if row["phone"]:
            phones[row["phone"]] = line
        parsed.append((line, row))
    org, in_file = checks.Organisation(known, parsed), set(seen)
    for line, row in parsed:
        problems = [*org.problems(row), ("工号", checks.identity_problem(known, row)),
                    ("手机", checks.phone_problem(known, row, in_file=in_file))]
        problems = [(column, reason) for column, reason in problems if reason]
        for column, reason in problems:
            result.errors.append({"line": line, "column": column, "reason": reason})
        if not problems:
            result.rows.append(row)
            _diff(known, row, line, result)
    for key, name in org.to_create():
        result.new_org.append(f"{checks.LABELS[key]}：{name}")
        result.new_org_counts[key] += 1
    return result


def _parse(raw: dict, line: int, result: Plan) -> dict | None:
    missing = [c for c in REQUIRED if not raw.get(c)]
    for column in missing:
        result.errors.append({"line": line, "column": column, "reason": "不能为空"})
    row = {key: raw.get(header, "").strip() for header, key in COLUMNS.items()}
    # Full-width letters and digits (ＹＱ０１０１) are the same number as YQ0101.
    row["staff_no"] = unicodedata.normalize("NFKC", row["staff_no"]).strip().upper()
    row["phone"] = unicodedata.normalize("NFKC", row["phone"]).strip()
    for key, longest in MAX_LENGTHS.items():
        if len(row[key]) > longest:
            header = next(h for h, k in COLUMNS.items() if k == key)
            result.errors.append({"line": line, "column": header, "reason": f"最多 {longest} 个字"})
            missing.append(header)
            row[key] = ""  # not echoed back, nor checked further
    for key, choices in CHOICES.items():
        if row[key] not in choices:
            header = next(h for h, k in COLUMNS.items() if k == key)
            result.errors.append({"line": line, "column": header,
                                  "reason": f"应为 {'/'.join(c for c in choices if c)} 之一"})
            missing.append(header)
        else:
            row[key] = choices[row[key]]
    if row["phone"] and not (row["phone"].isdigit() and len(row["phone"]) == 11):
        result.errors.append({"line": line, "column": "手机", "reason": "应为 11 位手机号码"})
        missing.append("手机")
    for header, key in OPTIONAL.items():
        if header in raw:
            row[key] = " ".join(clean_text(raw[header] or "").split())
            if len(row[key]) > OPTIONAL_MAX[key]:
                result.errors.append({"line": line, "column": header, "reason": f"最多 {OPTIONAL_MAX[key]} 个字"})
                missing.append(header)
    return None if missing else row


def _diff(known: checks.Known, row: dict, line: int, result: Plan) -> None:
    employee = known.staff.get(row["staff_no"])
    wanted = {"name": row["name"], "phone": row["phone"], "level": row["level"], "track": row["track"],
              "role": row["role"], "disabled": not row["active"], **_profile(row)}
    if employee is None:
        result.changes.append({"line": line, "staff_no": row["staff_no"], "action": "create", "fields": wanted})
        return
    names = {"branch": known.name_of("branch", employee.branch_id), "grid": known.name_of("grid", employee.grid_id),
             "team": known.name_of("team", employee.team_id)}
    changed = {k: v for k, v in wanted.items() if getattr(employee, k) != v}
    changed.update({k: row[k] for k in names if names[k] != row[k]})
    if changed:
        result.changes.append({"line": line, "staff_no": row["staff_no"], "action": "update", "fields": changed})


def _profile(row: dict) -> dict:
    """The title / bio columns the file has (Chinese and English)."""
    return {key: row[key] for key in OPTIONAL_MAX if key in row}


def apply(db: Session, result: Plan, *, actor: Employee, source: str = "", progress=None) -> int:
    """Apply a plan without errors in one transaction, audited in it under `actor` (from
    `source`: an address, or "cli"); returns employees created or updated."""
    if result.errors:
        raise ValueError("a roster with errors is never applied")
    begin_write(db)
    changed = {c["staff_no"] for c in result.changes}
    for i, row in enumerate(result.rows, 1):
        if row["staff_no"] in changed:
            _upsert(db, row)
        if progress and i % 50 == 0:
            progress(i, len(result.rows))
    audit.record(db, action="roster_imported", actor=actor, detail=f"{len(changed)} employees", source=source)
    db.commit()
    return len(changed)


def _upsert(db: Session, row: dict) -> None:
    branch = _get_or_create(db, Branch, row["branch"])
    grid = _get_or_create(db, Grid, row["grid"], branch_id=branch.id) if row["grid"] else None
    team = _get_or_create(db, Team, row["team"], branch_id=branch.id) if row["team"] else None
    employee = db.exec(select(Employee).where(Employee.staff_no == row["staff_no"])).first()
    if employee is None:
        employee = Employee(staff_no=row["staff_no"], name=row["name"], branch_id=branch.id)
        db.add(employee)
    employee.name, employee.phone, employee.level = row["name"], row["phone"], row["level"]
    employee.track, employee.role, employee.disabled = row["track"], row["role"], not row["active"]
    employee.branch_id, employee.grid_id = branch.id, grid.id if grid else None
    employee.team_id = team.id if team else None
    for key, value in _profile(row).items():
        setattr(employee, key, value)
    db.flush()
    if db.exec(select(ShopLink).where(ShopLink.employee_id == employee.id, ShopLink.channel == "")).first() is None:
        db.add(ShopLink(code=new_shop_code(), employee_id=employee.id))


def _get_or_create(db: Session, model, name: str, **fields):
    found = db.exec(select(model).where(model.name == name)).first()
    if found is None:
        found = model(name=name, **fields)
        db.add(found)
        db.flush()
    return found
