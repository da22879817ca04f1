"""The level review (职级考评): every employee's quantitative indicators for a quarter or a year,
as an XLSX for the yearly 见习/初级/中级/高级 review. Leavers are listed, marked 已离职.

The indicator weights are their own setting (LEVEL_REVIEW_WEIGHTS, by default the quality
score's), so head office can weigh the review differently from the daily PK.
"""
import calendar
import io
import re
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlmodel import Session, select

from server.boards import service
from server.errors import Invalid
from server.models import Branch, Employee
from server.reports.export import neutralise

LEVEL_NAMES = {"trainee": "见习", "junior": "初级", "mid": "中级", "senior": "高级"}
TRACK_NAMES = {"corporate": "公司类", "microloan": "微贷类", "none": "无"}
PERIOD = re.compile(r"^(20[0-9]{2}|2100)(?:-Q([1-4]))?$")  # as ReviewQuery documents it
HEADER_FILL = PatternFill("solid", start_color="FF007A4A")


@dataclass(frozen=True)
class ReviewPeriod:
    label: str  # 2026-Q4 | 2026
    start: date
    end: date


def period(spec: str) -> ReviewPeriod:
    """`2026-Q4` (a quarter) or `2026` (a year); 422 on `period` otherwise."""
    match = PERIOD.fullmatch(spec or "")
    if not match:
        raise Invalid(period="review_period_invalid")
    year = int(match[1])
    if match[2] is None:
        return ReviewPeriod(str(year), date(year, 1, 1), date(year, 12, 31))
    last = 3 * int(match[2])
    return ReviewPeriod(f"{year}-Q{match[2]}", date(year, last - 2, 1),
                        date(year, last, calendar.monthrange(year, last)[1]))


class _Everyone(service.Cohort):
    """The whole roster of one branch, or of the bank, leavers included (marked in the sheet)."""

    def people(self):
        query = select(Employee)
        return query.where(Employee.branch_id == self.branch_id) if self.branch_id else query


def rows(db: Session, *, when: ReviewPeriod, weights: service.Weights, branch_id: int | None) -> list[dict]:
    """One row per employee: counts, score with the review's weights, level, track, branch."""
    staff = {e.id: e for e in db.exec(select(Employee))}
    counted = service.by_employee(db, start=when.start, end=when.end, weights=weights,
                                  cohort=_Everyone(branch_id=branch_id))
    out = []
    for row in counted:
        e = staff[row["id"]]
        out.append({**row, "staff_no": e.staff_no, "level_name": LEVEL_NAMES.get(e.level, e.level),
                    "track_name": TRACK_NAMES.get(e.track, e.track), "left": "已离职" if e.disabled else "在岗"})
    return out


def columns(weights: service.Weights) -> list[tuple[str, str]]:
    counts = [("bookings", "预约"), ("arrived", "核实到店"), ("completed", "办结"), ("no_show", "爽约")]
    extra = [(k, service.LABELS.get(k, k)) for k in weights.values if k not in dict(counts)]
    return ([("rank", "名次"), ("staff_no", "工号"), ("name", "姓名"), ("branch", "支行"), ("level_name", "等级"),
             ("track_name", "条线"), ("left", "状态")] + counts + extra + [("score", "考评得分")])


def xlsx(*, when: ReviewPeriod, weights: service.Weights, people: list[dict], scope: str, bank: str) -> bytes:
    """The review workbook: 考评 (one row per employee) and 说明 (period, scope, formula)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "考评"
    cols = columns(weights)
    sheet.append([header for _, header in cols])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFFFF"), HEADER_FILL
    for row in people:
        sheet.append([_cell(row.get(key)) for key, _ in cols])
    sheet.freeze_panes = "A2"
    about = book.create_sheet("说明")
    for line in (("银行", bank), ("考核期", when.label), ("起止", f"{when.start} 至 {when.end}"),
                 ("范围", scope), ("计分规则", weights.formula().replace("质量分", "考评得分")),
                 ("说明", "到店为客户核实的到店；被标记的异常预约不计入。已离职员工列出，状态为“已离职”。")):
        about.append([_cell(v) for v in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    return neutralise(value) if isinstance(value, str) else value


def branch_name(db: Session, branch_id: int | None) -> str:
    return db.get(Branch, branch_id).name if branch_id and db.get(Branch, branch_id) else "全行"
