"""The ranking table on the poster: column widths fitted to the content, rows striped."""
from dataclasses import dataclass

from qr.fonts import truetype
from server.reports.report import Report, cell_text, numeric_keys

GREEN = (0, 122, 74)  # bank green
GREEN_DARK = (0, 88, 54)
WHITE = (255, 255, 255)
TEXT = (33, 37, 41)
MUTED = (112, 119, 126)
RED = (200, 36, 36)
HEAD_FILL = (224, 240, 231)
STRIPE = (243, 248, 245)
MEDALS = {1: (214, 160, 20), 2: (150, 160, 172), 3: (184, 112, 52)}
HEAD_HEIGHT, ROW_HEIGHT, PAD, RANK_WIDTH = 64, 76, 16, 96
SIZES = (32, 30, 28, 26, 24)


@dataclass(frozen=True)
class Column:
    """One fitted column: what it shows, how it is aligned ("l", "r", "m") and its width."""

    key: str
    header: str
    align: str
    width: int


@dataclass(frozen=True)
class Grid:
    """Fitted columns plus the font size they were fitted at."""

    columns: list[Column]
    size: int
    highlight: str


def value_column(report: Report) -> tuple[str | None, str]:
    """The column that decides the ranking: `highlight` if shown, else the last numeric one."""
    numbers = numeric_keys(report)
    headers = dict(report.columns)
    if report.highlight in headers:
        return report.highlight, headers[report.highlight]
    last = [k for k, _ in report.columns if k in numbers and k != "rank"]
    return (last[-1], headers[last[-1]]) if last else (None, "")


def fit(report: Report, rows: list[dict], width: int) -> Grid:
    """Columns sized to their widest cell, shrinking the font (then names) until they fit."""
    numbers = numeric_keys(report)
    for size in SIZES:
        columns = [_natural(key, header, numbers, rows, size, report.highlight)
                   for key, header in report.columns]
        total = sum(c.width for c in columns)
        if total <= width or size == SIZES[-1]:
            return Grid(_share(columns, width - total), size, report.highlight)
    raise AssertionError("unreachable")


def _natural(key, header, numbers, rows, size, highlight) -> Column:
    """A column as wide as its widest cell at `size` (text capped at 8 characters)."""
    if key == "rank":
        return Column(key, header, "m", max(RANK_WIDTH, _width(header, size - 4, True) + 2 * PAD))
    texts = [cell_text(r.get(key)) for r in rows]
    widest = max([_width(t, size, key == highlight) for t in texts] + [
        _width(header, size - 4, True)])
    if key in numbers:
        return Column(key, header, "r", widest + 2 * PAD)
    # One very long name must not shrink everyone's text: past 8 characters it is clipped.
    return Column(key, header, "l", min(widest, 8 * size) + 2 * PAD)


def _share(columns: list[Column], spare: int) -> list[Column]:
    """Give spare room to text columns; when short of room, trim only the widest of them."""
    flexible = [c.key for c in columns if c.align == "l"] or [
        c.key for c in columns if c.key != "rank"]
    if not flexible:
        return columns
    widths = {c.key: c.width for c in columns if c.key in flexible}
    if spare >= 0:
        each, rest = divmod(spare, len(flexible))
        new = {k: w + each + (rest if k == flexible[0] else 0) for k, w in widths.items()}
    else:
        cap = _cap(sorted(widths.values()), sum(widths.values()) + spare)
        new = {k: max(min(w, cap), 2 * PAD + 40) for k, w in widths.items()}
    return [Column(c.key, c.header, c.align, new.get(c.key, c.width)) for c in columns]


def _cap(widths: list[int], total: int) -> int:
    """The largest cap such that sum(min(w, cap)) fits in `total` (water-filling)."""
    for i, w in enumerate(widths):
        cap = total // (len(widths) - i)
        if w > cap:
            return cap
        total -= w
    return widths[-1]


def draw(canvas, grid: Grid, rows: list[dict], x: int, y: int, *, medals: bool, rank_colour,
         boxes: list) -> int:
    """Draw the header row and `rows` at (x, y); return the y below the table."""
    width = sum(c.width for c in grid.columns)
    height = HEAD_HEIGHT + ROW_HEIGHT * len(rows)
    canvas.rounded_rectangle((x, y, x + width, y + height), radius=20, fill=WHITE)
    canvas.rounded_rectangle((x, y, x + width, y + HEAD_HEIGHT + 20), radius=20, fill=HEAD_FILL)
    canvas.rectangle((x, y + HEAD_HEIGHT, x + width, y + HEAD_HEIGHT + 20), fill=WHITE)
    _cells(canvas, grid, x, y, HEAD_HEIGHT, lambda c: (c.header, truetype(grid.size - 4, bold=True),
                                                         GREEN_DARK))
    top = y + HEAD_HEIGHT
    for i, row in enumerate(rows):
        box = (x, top, x + width, top + ROW_HEIGHT)
        boxes.append(box)
        if i % 2:
            bottom_row = i == len(rows) - 1
            canvas.rounded_rectangle(box, radius=20 if bottom_row else 0, fill=STRIPE)
            if bottom_row:
                canvas.rectangle((x, top, x + width, top + 20), fill=STRIPE)
        _row(canvas, grid, row, x, top, medals, rank_colour)
        top += ROW_HEIGHT
    return top + 32


def _row(canvas, grid: Grid, row: dict, x: int, top: int, medals: bool, rank_colour) -> None:
    """One ranked row: a medal for the first three, the deciding number in bold green."""
    rank = row.get("rank")
    if medals and isinstance(rank, int) and rank in MEDALS and grid.columns[0].key == "rank":
        cx, cy = x + grid.columns[0].width // 2, top + ROW_HEIGHT // 2
        canvas.ellipse((cx - 24, cy - 24, cx + 24, cy + 24), fill=MEDALS[rank])

    def style(c: Column):
        text = cell_text(row.get(c.key))
        if c.key == "rank":
            if medals and rank in MEDALS:
                return text, truetype(grid.size - 2, bold=True), WHITE
            return text, truetype(grid.size, bold=True), rank_colour if not medals else MUTED
        if c.key == grid.highlight:
            return text, truetype(grid.size, bold=True), GREEN
        return text, truetype(grid.size, bold=c.key == "name"), TEXT

    _cells(canvas, grid, x, top, ROW_HEIGHT, style)


def _cells(canvas, grid: Grid, x: int, top: int, height: int, style) -> None:
    """Draw one line of cells; `style(column)` gives (text, font, colour)."""
    cy = top + height // 2
    for c in grid.columns:
        text, font, colour = style(c)
        text = clip(text, font, c.width - 2 * PAD)
        if c.align == "r":
            canvas.text((x + c.width - PAD, cy), text, font=font, fill=colour, anchor="rm")
        elif c.align == "m":
            canvas.text((x + c.width // 2, cy), text, font=font, fill=colour, anchor="mm")
        else:
            canvas.text((x + PAD, cy), text, font=font, fill=colour, anchor="lm")
        x += c.width


def clip(text: str, font, width: int) -> str:
    """`text` cut with an ellipsis so that it fits in `width` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def wrap(text: str, font, width: int) -> list[str]:
    """Lines of `text` no wider than `width`; Chinese breaks anywhere, so break by character."""
    lines, line = [], ""
    for ch in " ".join(text.split()):
        if line and font.getlength(line + ch) > width:
            lines.append(line.rstrip())
            line = ch.lstrip()
        else:
            line += ch
    return lines + [line] if line else lines


def _width(text: str, size: int, bold: bool) -> int:
    """Rendered width of `text` in pixels."""
    return int(truetype(size, bold=bold).getlength(text)) + 1
