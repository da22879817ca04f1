"""API schemas of targets, periodic reports and exports (the boards' own; tables live in
server/models.py)."""
from datetime import date
from typing import Optional

from pydantic import BaseModel, Field

from server.models import Public


class TargetIn(BaseModel):
    """One target as head office types it: a month, a branch or an employee, three goals."""

    period: str = Field(max_length=7)  # YYYY-MM
    scope: str  # branch | employee
    subject_id: Optional[int] = None  # the branch's id (scope=branch)
    staff_no: str = ""  # or the employee's staff number (scope=employee)
    bookings: int = Field(default=0, ge=0, le=100_000)
    arrived: int = Field(default=0, ge=0, le=100_000)
    completed: int = Field(default=0, ge=0, le=100_000)


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
