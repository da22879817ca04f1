"""Rankings as CSV and XLSX files that Excel opens in Chinese without running anything.

A name like `=HYPERLINK(...)` would be a live formula in Excel; following OWASP's CSV-injection
guidance every text cell that could start one gets a leading apostrophe. Numbers stay numbers.
"""
import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# OWASP's list, plus newline and the full-width forms as cheap insurance.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
HEADER_FILL = PatternFill("solid", start_color="FF007A4A")


def neutralise(value):
    """The value as it should go into a cell: text that could start a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(columns: list[tuple[str, str]], rows: list[dict]) -> bytes:
    """A CSV with Chinese headers, UTF-8 with a BOM so that Excel picks the right encoding."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(header) for _, header in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(key)) for key, _ in columns])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(columns: list[tuple[str, str]], rows: list[dict], sheet: str = "排名") -> bytes:
    """An XLSX workbook with one sheet: bold green header, frozen first row, fitted widths."""
    book = Workbook()
    ws = book.active
    ws.title = _sheet_title(sheet)
    ws.append([_xlsx_cell(header) for _, header in columns])
    for row in rows:
        ws.append([_xlsx_cell(row.get(key)) for key, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A2"
    for index, (key, header) in enumerate(columns, 1):
        widest = max([_display_width(header)] + [_display_width(r.get(key)) for r in rows])
        ws.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 6), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_cell(value):
    """Numbers as they are, dates in ISO form, everything else as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return neutralise(str(value))
    return value


def _xlsx_cell(value):
    """Numbers and dates stay typed; text is cleaned of XML-illegal characters and neutralised."""
    if value is None or isinstance(value, (bool, int, float, Decimal, datetime, date)):
        return value
    # openpyxl refuses control characters that XML 1.0 cannot carry; drop them.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _sheet_title(sheet: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in sheet).strip("'")[:31]
    return cleaned or "排名"


def _display_width(value) -> int:
    """Roughly how many Latin character widths `value` takes; Chinese counts double."""
    text = "" if value is None else str(value)
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)
