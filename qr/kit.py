"""Print kits: every employee's A4 poster (and one per channel code) and each grid's service
board, as a PDF or PNGs.

A grid with more people than one board holds gets as many board pages as it needs.

Plain data in, bytes out: the caller (the server, a command) gathers people and shop
links; nothing here touches a database or Flask. Pages are drawn at 300 dpi unless asked.
"""

import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import img2pdf
from PIL import Image

from .person import Person
from .poster import board_pages, check_board, draw_board, draw_poster
from .sheet import areas_text

Progress = Callable[[int, int], None]
JPEG = {"quality": 95, "subsampling": 0}  # Pillow stores RGB pages as JPEG: keep edges crisp


@dataclass
class Kit:
    """Everything one print run needs."""

    bank: str
    hotline: str  # the bank's service hotline, the only phone number ever printed
    people: list[Person]
    title: str = ""  # the PDF's title; "<bank> · 一人一店 印刷物料" when empty


def poster_image(person: Person, *, bank: str, hotline: str, dpi: int = 300) -> Image.Image:
    """One employee's A4 portrait poster (2480×3508 px at 300 dpi) as an RGB image."""
    return draw_poster(person, bank=bank, hotline=hotline, dpi=dpi).image


def service_board_image(grid_name: str, areas: Sequence[str] | str, people: list[Person], *,
                        bank: str, hotline: str, dpi: int = 300, page: int = 1,
                        pages: int = 1) -> Image.Image:
    """One page of a grid's A4 landscape service board (网格服务公示牌): who serves it, no
    phone numbers; at most MAX_BOARD_PEOPLE people (board_pages splits a larger grid)."""
    return draw_board(grid_name, areas, people, bank=bank, hotline=hotline, dpi=dpi,
                      page=page, pages=pages).image


def board_areas(grid_name: str, people: list[Person]) -> list[str]:
    """The villages a grid covers, gathered in order from its people (those of that grid first)."""
    ordered = [p for p in people if p.grid == grid_name] or people
    areas: list[str] = []
    for person in ordered:
        text = areas_text(person.grid_areas).replace("，", "、").replace(",", "、")
        areas += [a.strip() for a in text.split("、") if a.strip() and a.strip() not in areas]
    return areas


def pdf(kit: Kit, *, service_boards: dict[str, list[Person]] | None = None,
        progress: Progress | None = None, dpi: int = 300) -> bytes:
    """A PDF with one poster page per person, then each grid's service board (a page per
    MAX_BOARD_PEOPLE people or fewer: board_pages).

    `service_boards` maps a grid's name to the people on its board. `progress(done, total)`
    is called as each page is drawn (drawing is most of the time). Each page is kept only as
    its JPEG (under 1 MB) once drawn, and img2pdf wraps the JPEGs as they are: memory stays
    near one drawn page plus the finished file, however many pages a kit has.
    """
    boards = _board_sheets(service_boards)
    total = len(kit.people) + len(boards)
    if total == 0:
        raise ValueError("打印包为空：没有人员也没有公示牌 / nothing to print")
    jpegs = []
    pages = [*(_poster(kit, p, dpi) for p in kit.people), *(_board(kit, b, dpi) for b in boards)]
    for page in _counted(iter(pages), total, progress):
        out = io.BytesIO()
        page.save(out, "JPEG", dpi=(dpi, dpi), **JPEG)  # the dpi makes each page A4
        jpegs.append(out.getvalue())
    return img2pdf.convert(jpegs, title=kit.title or f"{kit.bank} · 一人一店 印刷物料", author=kit.bank,
                           creator="一人一店")


def png_zip(kit: Kit, progress: Progress | None = None, *, dpi: int = 300,
            service_boards: dict[str, list[Person]] | None = None) -> bytes:
    """A ZIP of one PNG poster per person, named `001-王丽.png`, then each grid's service
    board, `公示牌-冠山网格.png` (`…-1.png`, `…-2.png` over several pages); `progress` per page."""
    boards = _board_sheets(service_boards)
    out = io.BytesIO()
    total = len(kit.people) + len(boards)
    names = [file_name(i, p.name, p.channel) for i, p in enumerate(kit.people, start=1)]
    names += [board_file_name(grid, page, pages) for grid, _, page, pages in boards]
    drawings = [*(_poster(kit, p, dpi) for p in kit.people), *(_board(kit, b, dpi) for b in boards)]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, (name, draw) in enumerate(zip(names, drawings), start=1):
            png = io.BytesIO()
            draw().save(png, "PNG", dpi=(dpi, dpi))  # so it prints at A4, not at 72 dpi
            archive.writestr(name, png.getvalue())
            if progress:
                progress(done, total)
    return out.getvalue()


def file_name(number: int, name: str, channel: str = "") -> str:
    """`001-王丽.png`, `002-王丽-村口海报.png` for a channel code's poster: the number, then only
    the letters and digits of the name and channel (Chinese kept)."""
    parts = [f"{number:03d}", *(p for p in (_safe(name), _safe(channel)) if p)]
    return "-".join(parts) + ".png"


def board_file_name(grid_name: str, page: int, pages: int) -> str:
    """`公示牌-冠山网格.png`, or `公示牌-冠山网格-2.png` for the second of several pages."""
    more = f"-{page}" if pages > 1 else ""
    return f"公示牌-{_safe(grid_name) or 'grid'}{more}.png"


def _safe(name: str) -> str:
    """Only a name's letters and digits (Chinese kept), at most 32: safe as a file name."""
    return "".join(c for c in unicodedata.normalize("NFC", name) if c.isalnum() or c in "·_")[:32]


Board = tuple[str, list[Person], int, int]  # grid, the people on this page, page, pages


def _board_sheets(service_boards: dict[str, list[Person]] | None) -> list[Board]:
    """Every board page to print, checked before minutes of drawing rather than after."""
    sheets = []
    for grid_name, people in (service_boards or {}).items():
        if not people:
            check_board(grid_name, people)  # refused: a board needs someone (too many: more pages)
        split = board_pages(people)
        sheets += [(grid_name, part, i, len(split)) for i, part in enumerate(split, start=1)]
    return sheets


def _poster(kit: Kit, person: Person, dpi: int) -> Callable[[], Image.Image]:
    """One poster, drawn only when called: pages are drawn one at a time."""
    return lambda: poster_image(person, bank=kit.bank, hotline=kit.hotline, dpi=dpi)


def _board(kit: Kit, board: Board, dpi: int) -> Callable[[], Image.Image]:
    grid_name, people, page, pages = board
    return lambda: service_board_image(grid_name, board_areas(grid_name, people), people, bank=kit.bank,
                                       hotline=kit.hotline, dpi=dpi, page=page, pages=pages)


def _counted(pages: Iterator[Callable[[], Image.Image]], total: int,
             progress: Progress | None) -> Iterator[Image.Image]:
    """The pages drawn one by one, calling `progress(done, total)` as each one is drawn."""
    for done, draw in enumerate(pages, start=1):
        page = draw()
        if progress:
            progress(done, total)
        yield page


