"""The daily ranking (日通报): the employee board of one day, ready for the report renderers.
Weekly and monthly reports: server/boards/periodic.py."""
from datetime import date

from sqlmodel import Session

from server.boards import periodic, service
from server.reports import Report

EMPLOYEE_COLUMNS = [("rank", "名次"), ("name", "姓名"), ("branch", "支行"), ("visits", "访问"),
                    ("bookings", "预约"), ("arrived", "到店"), ("completed", "办结"), ("no_show", "爽约"),
                    ("score", "质量分")]
BRANCH_COLUMNS = [("rank", "名次"), ("name", "支行"), ("members", "人数"), ("bookings", "预约"),
                  ("arrived", "到店"), ("completed", "办结"), ("no_show", "爽约"), ("score", "质量分"),
                  ("score_per_capita", "人均")]


def daily_report(db: Session, *, day: date, weights: service.Weights, bank: str) -> Report:
    """PK 龙虎榜 for `day`: every active employee ranked by quality score."""
    return periodic.build(db, period="day", day=day, weights=weights, bank=bank)
