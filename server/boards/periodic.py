"""Daily, weekly and monthly ranking reports (日通报 / 周通报 / 月通报), ready for the renderers.

Every report shows the columns the score is made of (each weighted count, 爽约 included) and
the formula built from the same weights, so a reader can add up any row; the weekly and monthly
ones add the per-capita branch PK (score ÷ active headcount).
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from server.boards import service
from server.reports import Report, Table

PERIODS = ("day", "week", "month")
TITLES = {"day": "日通报", "week": "周通报", "month": "月通报"}
LABELS = {"day": "本日", "week": "本周", "month": "本月"}


@dataclass(frozen=True)
class Span:
    period: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.period == "day":
            return LABELS["day"]
        return f"{LABELS[self.period]} {self.start:%m-%d} 至 {self.end:%m-%d}"


def span(period: str, day: date) -> Span:
    """The report's days, ending on `day`: that day, its week from Monday, its month from the 1st."""
    if period == "day":
        return Span(period, day, day)
    if period == "week":
        return Span(period, day - timedelta(days=day.weekday()), day)
    if period == "month":
        return Span(period, day.replace(day=1), day)
    raise ValueError(period)


def score_columns(weights: service.Weights) -> list[tuple[str, str]]:
    """Every count the score is made of, in the formula's order, then the score."""
    return [(k, service.LABELS.get(k, k)) for k in weights.values] + [("score", "质量分")]


def employee_columns(weights: service.Weights) -> list[tuple[str, str]]:
    return [("rank", "名次"), ("name", "姓名"), ("branch", "支行")] + score_columns(weights)


def branch_columns(weights: service.Weights) -> list[tuple[str, str]]:
    return ([("rank", "名次"), ("name", "支行"), ("members", "在岗人数")] + score_columns(weights)
            + [("score_per_capita", "人均")])


def build(db: Session, *, period: str, day: date, weights: service.Weights, bank: str,
          branch_id: int | None = None, branch_name: str = "") -> Report:
    """The PK 龙虎榜 of the period ending on `day` (one branch's people with `branch_id`)."""
    s = span(period, day)
    cohort = service.Cohort(branch_id=branch_id)
    rows = service.by_employee(db, start=s.start, end=s.end, weights=weights, cohort=cohort)
    extra = ()
    if period != "day":
        branches = service.by_group(db, by="branches", start=s.start, end=s.end, weights=weights,
                                    per_capita=True)
        if branch_id is not None:
            branches = [b for b in branches if b["id"] == branch_id]
        extra = (Table(heading="支行人均 PK", columns=branch_columns(weights), rows=branches,
                       highlight="score_per_capita", note="人均 = 支行质量分 ÷ 在岗人数"),)
    title = f"PK 龙虎榜 · {TITLES[period]}" + (f" · {branch_name}" if branch_name else "")
    return Report(title=title, bank=bank, day=s.end, period_label=s.label,
                  columns=employee_columns(weights), rows=rows, formula=weights.formula(), extra=extra)
