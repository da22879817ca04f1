"""API schemas of targets, periodic reports and exports (the boards' own; tables live in
server/models.py)."""
from datetime import date
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from server.models import LEVELS, TRACKS, Choice, Public

MONTH = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"  # 2026-12 (targets.month_range reads it)


def _id(**kwargs):
    """An id in a query string; 0 (or absent): none."""
    return Field(0, ge=0, le=10**9, **kwargs)


class TargetIn(BaseModel):
    """One target as head office types it: a month, a branch (subject_id) or an employee (staff_no)
    that exists, three goals (at least one of them above 0)."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": [m], "properties": {m: {"minimum": 1}}} for m in ("bookings", "arrived", "completed")]})

    period: str = Field(max_length=7, json_schema_extra={"pattern": MONTH})  # YYYY-MM
    scope: Choice("branch", "employee")
    subject_id: Optional[int] = None  # the branch's id (scope=branch)
    staff_no: str = Field("", max_length=20)  # or the employee's staff number (scope=employee)
    bookings: int = Field(default=0, ge=0, le=100_000)
    arrived: int = Field(default=0, ge=0, le=100_000)
    completed: int = Field(default=0, ge=0, le=100_000)


# Query strings, for the document (the routes read request.args themselves, with their own messages).

class PeriodQuery(BaseModel):
    """A period of Asia/Shanghai days: start and end (at most 366 days apart) only with range."""

    period: Literal["today", "yesterday", "week", "month", "range"] = "today"
    start: Optional[date] = None
    end: Optional[date] = None


class BoardQuery(PeriodQuery):
    level: Literal[LEVELS] = Field(None, description="only this level's people")
    track: Literal[TRACKS] = Field(None, description="only this track's people")
    branch_id: int = _id()
    top: int = Field(100, ge=0, le=100, description="rows from the top")
    bottom: int = Field(0, ge=0, le=100, description="rows from the bottom, last first")
    per_capita: Literal["0", "1"] = Field("0", description="groups: score per active member")
    format: Literal["csv", "xlsx"] = Field(None, description="a spreadsheet instead of JSON")


class TrendQuery(PeriodQuery):
    by: Literal["employee", "branch", "all"] = "employee"
    id: int = _id(description="the employee or branch (default: the viewer's)")


class ReportQuery(BaseModel):
    day: Optional[date] = Field(None, description="a day of the period (default: today)")
    branch_id: int = _id()


class ReviewQuery(BaseModel):
    period: str = Field(json_schema_extra={"pattern": r"^(?:20[0-9]{2}|2100)(?:-Q[1-4])?$"},
                        description="a quarter (2026-Q4) or a year (2026)")
    branch_id: int = _id()


class ProgressQuery(BaseModel):
    period: Literal["month", "week"] = "month"
    month: str = Field(None, json_schema_extra={"pattern": MONTH},
                       description="period=month: which (default: this one)")
    branch_id: int = _id()


class MonthQuery(BaseModel):
    month: str = Field(None, json_schema_extra={"pattern": MONTH}, description="default: this month")


class TargetSheet(BaseModel):
    file: bytes = Field(description="月份,支行,工号,预约,到店,办结 as a .csv or .xlsx file")


class ApplyQuery(BaseModel):
    apply: Literal["0", "1"] = Field("0", description="1: apply the sheet if it has no errors; else a dry run")


class TargetPublic(Public):
    id: int
    period: str
    scope: str
    subject_id: int
    name: str
    branch: str
    staff_no: str = ""
    bookings: int
    arrived: int
    completed: int


class TargetList(Public):
    period: str
    items: list[TargetPublic]


class TargetMetric(Public):
    metric: str  # bookings | arrived | completed
    target: float  # the month's goal (pro-rated to 7 days for a week)
    actual: int
    percent: float
    previous: int  # the same span of the previous month / week
    change: int


class TargetProgressItem(Public):
    id: int
    scope: str
    subject_id: int
    name: str
    branch: str
    staff_no: str = ""
    metrics: list[TargetMetric]


class TargetProgress(Public):
    period: str  # month | week
    month: str
    start: date
    end: date
    previous_start: date
    previous_end: date
    items: list[TargetProgressItem]


class TargetImportResult(Public):
    errors: list[dict]  # {line, column, reason}
    rows: list[dict]  # {line, period, scope, subject_id, name, bookings, arrived, completed}
    applied: int
