"""The one input every renderer takes, and the rules they share (sections, cell text)."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Table:
    """A further table under the ranking (e.g. the per-capita branch PK), shown in full."""

    heading: str
    columns: list[tuple[str, str]]
    rows: list[dict]
    highlight: str = "score"
    note: str = ""  # one line under the heading (how the column is computed)


@dataclass(frozen=True)
class Report:
    """A ranking ready to publish; `columns` (key, Chinese header) decide what is shown."""

    title: str
    bank: str
    day: date
    period_label: str
    columns: list[tuple[str, str]]
    rows: list[dict]
    formula: str = ""
    top_n: int = 10
    highlight: str = "score"  # the column drawn large and coloured, when present
    extra: tuple[Table, ...] = ()  # further tables, after the ranking


@dataclass(frozen=True)
class Section:
    """A run of consecutive ranked rows under one heading (龙榜, 虎榜 or the whole list)."""

    kind: str  # "top", "bottom" or "all"
    heading: str
    rows: list[dict] = field(default_factory=list)


def sections(report: Report) -> tuple[list[Section], int]:
    """Top N (龙榜) and bottom N (虎榜) when there are more than 2×N rows, else one full list.

    Returns the sections (none when there are no rows) and how many middle rows were left out.
    """
    rows, n = report.rows, max(report.top_n, 1)
    if not rows:
        return [], 0
    if len(rows) > 2 * n:
        return [Section("top", f"龙榜 · 前 {n} 名", rows[:n]),
                Section("bottom", f"虎榜 · 后 {n} 名", rows[-n:])], len(rows) - 2 * n
    return [Section("all", f"龙虎榜 · 全部 {len(rows)} 名", list(rows))], 0


def as_report(report: Report, extra: Table) -> Report:
    """A further table seen as a report of its own, so the same renderers can draw it."""
    return Report(title=extra.heading, bank=report.bank, day=report.day, period_label=report.period_label,
                  columns=extra.columns, rows=extra.rows, top_n=max(len(extra.rows), 1),
                  highlight=extra.highlight)


def is_number(value) -> bool:
    """True for values shown right-aligned as numbers (bools are not numbers here)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def cell_text(value) -> str:
    """How a cell reads on the poster and in Markdown: 1,234 / 17.5 / 2025-06-03 / 是."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (float, Decimal)):  # one decimal; pass ratios as percentages
        return f"{value:,.1f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())  # newlines and tabs would break a line or a table


def day_label(day: date) -> str:
    """A date the way a Chinese notice writes it: 2025年6月3日 星期二."""
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def numeric_keys(report: Report) -> set[str]:
    """Column keys whose values are numbers in every row that has them."""
    keys = set()
    for key, _header in report.columns:
        values = [r[key] for r in report.rows if r.get(key) is not None]
        if values and all(is_number(v) for v in values):
            keys.add(key)
    return keys
