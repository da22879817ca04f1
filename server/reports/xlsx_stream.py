"""An XLSX written as it is sent: rows go into a deflated ZIP entry a batch at a time, and the
bytes produced so far are handed on, so 100,000 rows never sit in memory (openpyxl's
write-only mode still builds the whole file before the first byte can leave).

One sheet, a bold frozen header row, text as inline strings (cleaned of XML-illegal characters
and neutralised against formulas), numbers as numbers. No Flask, no database.
"""
import zipfile
from typing import Iterable, Iterator
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from server.reports.export import neutralise

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
PARTS = {
    "[Content_Types].xml": HEAD + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/></Types>'),
    "_rels/.rels": HEAD + (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": HEAD + (
        f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": HEAD + (
        f'<styleSheet xmlns="{MAIN}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}
BATCH = 500  # rows between hand-overs of the bytes produced


class _Sink:
    """A write-only file object that keeps what was written until it is taken."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def stream(headers: list[str], rows: Iterable[list], *, sheet: str = "Sheet1") -> Iterator[bytes]:
    """The workbook's bytes, a batch of rows at a time."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as book:
        for name, text in PARTS.items():
            book.writestr(name, text)
        book.writestr("xl/workbook.xml", HEAD + (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="{escape(_title(sheet), {chr(34): "&quot;"})}" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'))
        yield sink.take()
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((HEAD + f'<worksheet xmlns="{MAIN}"><sheetViews><sheetView workbookViewId="0">'
                        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                        '</sheetView></sheetViews><sheetData>').encode())
            part.write(_row(1, headers, style=1).encode())
            for n, row in enumerate(rows, start=2):
                part.write(_row(n, row).encode())
                if n % BATCH == 0:
                    yield sink.take()
            part.write(b"</sheetData></worksheet>")
    yield sink.take()


def _row(n: int, values: list, style: int = 0) -> str:
    cells = "".join(_cell(f"{get_column_letter(i)}{n}", v, style) for i, v in enumerate(values, 1))
    return f'<row r="{n}">{cells}</row>'


def _cell(ref: str, value, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    text = escape(neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value))))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _title(sheet: str) -> str:
    return "".join("_" if c in "[]:*?/\\" else c for c in sheet).strip("'")[:31] or "Sheet1"
