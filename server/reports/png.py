"""The daily ranking poster (日通报 · PK 龙虎榜) as a PNG sized for a phone in a WeChat group."""
import io
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from server.reports import table
from qr.fonts import truetype
from server.reports.report import Report, Section, as_report, cell_text, day_label, numeric_keys, sections
from server.reports.table import GREEN, GREEN_DARK, MEDALS, MUTED, RED, TEXT, WHITE

WIDTH = 1080
MARGIN = 48
HEADER_HEIGHT = 300
PAGE = (234, 239, 236)
PALE = (208, 234, 219)  # light text on the green header
TIGER = (214, 96, 24)  # 虎榜: orange, a warning rather than a disgrace


@dataclass
class Layout:
    """Where things landed: the page height and the box of the first ranked row."""

    height: int = 0
    first_row: tuple[int, int, int, int] | None = None
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)


class _Measure:
    """Stands in for ImageDraw on the sizing pass: every drawing call does nothing."""

    def __getattr__(self, _name):
        return lambda *args, **kwargs: None


def render(report: Report) -> bytes:
    """The poster as PNG bytes; the same report always gives the same bytes."""
    height = _paint(_Measure(), report).height
    image = Image.new("RGB", (WIDTH, height), PAGE)
    _paint(ImageDraw.Draw(image), report)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def plan(report: Report) -> Layout:
    """The poster's layout without drawing it (height, where the first row sits)."""
    return _paint(_Measure(), report)


def _paint(draw, report: Report) -> Layout:
    """Lay out (and, given a real ImageDraw, draw) the whole poster top to bottom."""
    layout = Layout()
    y = _header(draw, report)
    parts, omitted = sections(report)
    grid = table.fit(report, [r for part in parts for r in part.rows], WIDTH - 2 * MARGIN)
    if not report.rows:
        y = _empty(draw, y)
    for i, part in enumerate(parts):
        colour = TIGER if part.kind == "bottom" else RED
        y = _heading(draw, y, part.heading, colour)
        if part.kind != "bottom":
            y = _podium(draw, y, report, part)
        y = table.draw(draw, grid, part.rows, MARGIN, y, medals=part.kind != "bottom",
                       rank_colour=colour, boxes=layout.boxes)
        if omitted and i == 0:
            y = _centred(draw, y + 28, f"⋯⋯  中间 {omitted} 名略  ⋯⋯", truetype(28), MUTED) + 8
    for extra in report.extra:
        y = _extra(draw, y, as_report(report, extra), extra.note, layout)
    y = _footer(draw, y + 24, report)
    layout.height = y
    layout.first_row = layout.boxes[0] if layout.boxes else None
    return layout


def _extra(draw, y: int, table_report: Report, note: str, layout: Layout) -> int:
    """A further table (e.g. the per-capita branch PK) under the ranking, every row shown."""
    y = _heading(draw, y, table_report.title, GREEN)
    if note:
        for line in table.wrap(note, truetype(28), WIDTH - 2 * MARGIN):
            draw.text((MARGIN, y), line, font=truetype(28), fill=MUTED, anchor="lt")
            y += 40
        y += 8
    if not table_report.rows:
        return _empty(draw, y)
    grid = table.fit(table_report, table_report.rows, WIDTH - 2 * MARGIN)
    return table.draw(draw, grid, table_report.rows, MARGIN, y, medals=True, rank_colour=RED,
                      boxes=[])


def _header(draw, report: Report) -> int:
    """The bank-green band: bank, title, date and the period as a pill."""
    draw.rectangle((0, 0, WIDTH, HEADER_HEIGHT), fill=GREEN)
    draw.rectangle((0, HEADER_HEIGHT - 10, WIDTH, HEADER_HEIGHT), fill=GREEN_DARK)
    draw.text((MARGIN, 52), report.bank, font=truetype(34), fill=PALE, anchor="lt")
    title = table.clip(report.title, truetype(68, bold=True), WIDTH - 2 * MARGIN)
    draw.text((MARGIN, 104), title, font=truetype(68, bold=True), fill=WHITE, anchor="lt")
    draw.text((MARGIN, 216), day_label(report.day), font=truetype(34), fill=PALE, anchor="lt")
    if report.period_label:
        font = truetype(30, bold=True)
        width = int(font.getlength(report.period_label)) + 48
        box = (WIDTH - MARGIN - width, 206, WIDTH - MARGIN, 258)
        draw.rounded_rectangle(box, radius=26, fill=WHITE)
        draw.text(((box[0] + box[2]) // 2, 232), report.period_label, font=font,
                  fill=GREEN_DARK, anchor="mm")
    return HEADER_HEIGHT + 36


def _heading(draw, y: int, text: str, colour) -> int:
    """A section heading with a coloured bar: red for 龙榜, orange for 虎榜."""
    draw.rounded_rectangle((MARGIN, y + 6, MARGIN + 10, y + 50), radius=5, fill=colour)
    draw.text((MARGIN + 28, y + 28), text, font=truetype(42, bold=True), fill=TEXT, anchor="lm")
    return y + 76


def _podium(draw, y: int, report: Report, part: Section) -> int:
    """Cards for the first three, second-first-third like a real podium."""
    keys = [k for k, _ in report.columns]
    top = [r for r in part.rows if isinstance(r.get("rank"), int) and r["rank"] <= 3]
    if "name" not in keys or len(top) < 3:
        return y
    value_key, value_header = table.value_column(report)
    numbers = numeric_keys(report)
    sub_key = next((k for k, _ in report.columns
                    if k not in ("rank", "name", value_key) and k not in numbers), None)
    gap = 24
    width = (WIDTH - 2 * MARGIN - 2 * gap) // 3
    for slot, row in zip((1, 0, 2), top):
        step = 0 if slot == 1 else 44  # the winner stands a step higher
        x = MARGIN + slot * (width + gap)
        _card(draw, (x, y + step, x + width, y + step + 332), row, sub_key, value_key,
              value_header)
    return y + 44 + 332 + 28


def _card(draw, box, row: dict, sub_key, value_key, value_header) -> None:
    """One podium card: medal, name, branch (or other text) and the deciding number."""
    x0, y0, x1, y1 = box
    rank = row["rank"]
    medal = MEDALS[rank]
    cx = (x0 + x1) // 2
    draw.rounded_rectangle(box, radius=24, fill=medal)
    draw.rounded_rectangle((x0, y0 + 10, x1, y1), radius=24, fill=WHITE)
    draw.ellipse((cx - 36, y0 + 28, cx + 36, y0 + 100), fill=medal)
    draw.text((cx, y0 + 64), str(rank), font=truetype(42, bold=True), fill=WHITE, anchor="mm")
    name_font = truetype(44 if rank == 1 else 40, bold=True)
    name = table.clip(cell_text(row.get("name")), name_font, x1 - x0 - 24)
    draw.text((cx, y0 + 140), name, font=name_font, fill=TEXT, anchor="mm")
    if sub_key:
        sub = table.clip(cell_text(row.get(sub_key)), truetype(28), x1 - x0 - 24)
        draw.text((cx, y0 + 184), sub, font=truetype(28), fill=MUTED, anchor="mm")
    if value_key:
        draw.text((cx, y0 + 244), cell_text(row.get(value_key)), font=truetype(52, bold=True),
                  fill=GREEN, anchor="mm")
        draw.text((cx, y0 + 290), value_header, font=truetype(26), fill=MUTED, anchor="mm")


def _empty(draw, y: int) -> int:
    """The card shown on a day without any rows."""
    draw.rounded_rectangle((MARGIN, y, WIDTH - MARGIN, y + 160), radius=24, fill=WHITE)
    draw.text((WIDTH // 2, y + 80), "暂无数据", font=truetype(40), fill=MUTED, anchor="mm")
    return y + 160 + 24


def _centred(draw, y: int, text: str, font, colour) -> int:
    """One centred line of text; returns the y below it."""
    draw.text((WIDTH // 2, y), text, font=font, fill=colour, anchor="mt")
    return y + font.size + 12


def _footer(draw, y: int, report: Report) -> int:
    """The scoring rule, so everyone can check their own number, then the bank's name."""
    if report.formula:
        font, label = truetype(30), truetype(30, bold=True)
        lines = table.wrap(report.formula, font, WIDTH - 2 * MARGIN - 64)
        height = 40 + 44 + len(lines) * 44 + 24
        draw.rounded_rectangle((MARGIN, y, WIDTH - MARGIN, y + height), radius=20,
                               fill=(218, 237, 226))
        draw.text((MARGIN + 32, y + 32), "计分规则", font=label, fill=GREEN_DARK, anchor="lt")
        for i, line in enumerate(lines):
            draw.text((MARGIN + 32, y + 84 + i * 44), line, font=font, fill=TEXT, anchor="lt")
        y += height + 28
    y = _centred(draw, y, f"{report.bank} · 一人一店", truetype(26), MUTED)
    return y + 36
