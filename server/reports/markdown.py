"""The ranking as Markdown: a table for anything that renders Markdown, and a WeCom variant.

WeCom group robots accept only a small subset (headings, bold, links, quotes and
<font color="info|comment|warning">; no tables) and at most 4096 bytes of content.
"""
from dataclasses import replace

from server.reports.report import Report, as_report, cell_text, day_label, numeric_keys, sections

WECOM_LIMIT = 4096  # bytes of UTF-8, per WeCom's group-robot documentation
_ESCAPE = {c: "\\" + c for c in "\\`*_[]<>|#~"}
# WeCom has no escapes: swap markup characters for their full-width twins.
_WECOM_SAFE = str.maketrans({"<": "＜", ">": "＞", "*": "＊", "_": "＿", "[": "［", "]": "］",
                             "`": "｀", "#": "＃", "\\": "＼"})


def render(report: Report, *, wecom: bool = False) -> str:
    """The report as Markdown; `wecom=True` gives the table-free variant that fits in 4096 bytes."""
    return _wecom(report) if wecom else _generic(report)


def _generic(report: Report) -> str:
    """Headings and GitHub-style tables, numbers right-aligned."""
    lines = [f"# {_esc(report.title)}", "", _esc(_subtitle(report)), ""]
    parts, omitted = sections(report)
    if not report.rows:
        lines += ["*暂无数据*", ""]
    numbers = numeric_keys(report)
    for i, part in enumerate(parts):
        lines += [f"## {part.heading}", "",
                  "| " + " | ".join(_esc(h) for _, h in report.columns) + " |",
                  "|" + "|".join(" ---: " if k in numbers else " --- " for k, _ in report.columns)
                  + "|"]
        lines += ["| " + " | ".join(_esc(cell_text(row.get(k))) for k, _ in report.columns) + " |"
                  for row in part.rows]
        lines.append("")
        if omitted and i == 0:
            lines += [f"*⋯⋯ 中间 {omitted} 名略 ⋯⋯*", ""]
    for extra in report.extra:
        lines += [f"## {_esc(extra.heading)}", ""] + ([_esc(extra.note), ""] if extra.note else [])
        lines += _table(as_report(report, extra))
    if report.formula:
        lines += [f"> 计分规则:{_esc(report.formula)}", ""]
    return "\n".join(lines)


def _table(report: Report) -> list[str]:
    """A whole table (header, alignment row, every row) and a blank line."""
    numbers = numeric_keys(report)
    lines = ["| " + " | ".join(_esc(h) for _, h in report.columns) + " |",
             "|" + "|".join(" ---: " if k in numbers else " --- " for k, _ in report.columns) + "|"]
    lines += ["| " + " | ".join(_esc(cell_text(row.get(k))) for k, _ in report.columns) + " |"
              for row in report.rows]
    return lines + ([""] if report.rows else ["*暂无数据*", ""])


def _wecom(report: Report) -> str:
    """Fewer rows per section until the text fits; the very top and bottom are kept last."""
    text = _wecom_text(report)
    if len(text.encode()) <= WECOM_LIMIT:
        return text
    low, high, best = 1, max(report.top_n, 1), None
    while low <= high:
        middle = (low + high) // 2
        candidate = _wecom_text(replace(report, top_n=middle))
        if len(candidate.encode()) <= WECOM_LIMIT:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best if best is not None else _cut(text, WECOM_LIMIT)


def _wecom_text(report: Report) -> str:
    """The WeCom message at the report's own top_n, whatever its size."""
    lines = [f"## {_safe(report.title)}",
             f'<font color="comment">{_safe(_subtitle(report))}</font>', ""]
    parts, omitted = sections(report)
    numbers = numeric_keys(report)
    if not report.rows:
        lines += ['<font color="comment">暂无数据</font>', ""]
    for i, part in enumerate(parts):
        colour = "warning" if part.kind == "bottom" else "info"
        lines.append(f'**<font color="{colour}">{part.heading}</font>**')
        lines += [_wecom_row(report, row, numbers) for row in part.rows]
        lines.append("")
        if omitted and i == 0:
            lines += [f'<font color="comment">⋯⋯ 中间 {omitted} 名略 ⋯⋯</font>', ""]
    for extra in report.extra:
        table = as_report(report, extra)
        lines.append(f'**<font color="info">{_safe(extra.heading)}</font>**')
        if extra.note:
            lines.append(f'<font color="comment">{_safe(extra.note)}</font>')
        lines += [_wecom_row(table, row, numeric_keys(table)) for row in extra.rows]
        lines.append("")
    if report.formula:
        lines.append(f'> <font color="comment">计分规则:{_safe(report.formula)}</font>')
    return "\n".join(lines).rstrip("\n")


def _wecom_row(report: Report, row: dict, numbers: set[str]) -> str:
    """`1. **王丽** 平定支行 质量分 17.5 · 访问 12 预约 5 …` on one line."""
    head, text, counts = [], [], []
    for key, header in report.columns:
        value = _safe(cell_text(row.get(key)))
        if key == "rank":
            head.append(f"{value}.")
        elif key == "name":
            head.append(f"**{value}**")
        elif key == report.highlight:
            head.append(f'{_safe(header)} <font color="info">{value}</font>')
        elif key in numbers:
            counts.append(f"{_safe(header)} {value}")
        elif value:
            text.append(value)
    line = " ".join(head[:2] + text + head[2:])
    return line + (" · " + " ".join(counts) if counts else "")


def _subtitle(report: Report) -> str:
    """Bank · date · period, on one line."""
    return " · ".join(p for p in (report.bank, day_label(report.day), report.period_label) if p)


def _esc(text: str) -> str:
    """Backslash-escape what Markdown would read as markup (and | in tables)."""
    return "".join(_ESCAPE.get(c, c) for c in " ".join(str(text).split()))


def _safe(text: str) -> str:
    """Text with WeCom markup characters swapped for full-width ones."""
    return " ".join(str(text).split()).translate(_WECOM_SAFE)


def _cut(text: str, limit: int) -> str:
    """`text` shortened to `limit` UTF-8 bytes without splitting a character."""
    marker = "\n⋯⋯"
    room = limit - len(marker.encode())
    return text.encode()[:room].decode(errors="ignore") + marker
