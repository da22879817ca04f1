"""Print kits: every employee's A4 poster and each grid's service board, as a PDF or PNGs.

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

from .poster import check_board, draw_board, draw_poster
from .sheet import areas_text

Progress = Callable[[int, int], None]
JPEG = {"quality": 95, "subsampling": 0}  # Pillow stores RGB pages as JPEG: keep edges crisp


@dataclass
class Person:
    """One employee as printed: who they are, where they serve, and their shop link."""

    name: str
    level_label: str  # e.g. "中级客户经理"
    branch: str
    grid: str
    grid_areas: Sequence[str] | str  # villages / communities, e.g. ["张庄村", "东城社区"]
    url: str  # the shop link the code holds (PUBLIC_BASE_URL/s/<code>?c=<channel>)
    photo: bytes | None = None  # any image Pillow reads; cropped round


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
                        bank: str, hotline: str, dpi: int = 300) -> Image.Image:
    """A grid's A4 landscape service board (网格服务公示牌): who serves it, no phone numbers."""
    return draw_board(grid_name, areas, people, bank=bank, hotline=hotline, dpi=dpi).image


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
    """A PDF with one poster page per person, then one page per service board.

    `service_boards` maps a grid's name to the people on its board. `progress(done, total)`
    is called as each page is drawn (drawing is most of the time). Each page is kept only as
    its JPEG (under 1 MB) once drawn, and img2pdf wraps the JPEGs as they are: memory stays
    near one drawn page plus the finished file, however many pages a kit has.
    """
    boards = service_boards or {}
    total = len(kit.people) + len(boards)
    if total == 0:
        raise ValueError("打印包为空：没有人员也没有公示牌 / nothing to print")
    for grid_name, people in boards.items():
        check_board(grid_name, people)  # before minutes of drawing, not after
    jpegs = []
    for page in _counted(_pages(kit, boards, dpi), total, progress):
        out = io.BytesIO()
        page.save(out, "JPEG", dpi=(dpi, dpi), **JPEG)  # the dpi makes each page A4
        jpegs.append(out.getvalue())
    return img2pdf.convert(jpegs, title=kit.title or f"{kit.bank} · 一人一店 印刷物料", author=kit.bank,
                           creator="一人一店")


def png_zip(kit: Kit, progress: Progress | None = None, *, dpi: int = 300) -> bytes:
    """A ZIP of one PNG poster per person, named `001-王丽.png`; `progress` per poster."""
    out = io.BytesIO()
    total = len(kit.people)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for i, person in enumerate(kit.people, start=1):
            image = poster_image(person, bank=kit.bank, hotline=kit.hotline, dpi=dpi)
            png = io.BytesIO()
            image.save(png, "PNG", dpi=(dpi, dpi))  # so it prints at A4, not at 72 dpi
            archive.writestr(file_name(i, person.name), png.getvalue())
            if progress:
                progress(i, total)
    return out.getvalue()


def file_name(number: int, name: str) -> str:
    """`001-王丽.png`: the number, then only the name's letters and digits (Chinese kept)."""
    safe = "".join(c for c in unicodedata.normalize("NFC", name) if c.isalnum() or c in "·_")
    safe = safe[:32]
    return f"{number:03d}-{safe}.png" if safe else f"{number:03d}.png"


def _pages(kit: Kit, boards: dict[str, list[Person]], dpi: int) -> Iterator[Image.Image]:
    """Every page in print order, drawn only when asked for."""
    for person in kit.people:
        yield poster_image(person, bank=kit.bank, hotline=kit.hotline, dpi=dpi)
    for grid_name, people in boards.items():
        yield service_board_image(grid_name, board_areas(grid_name, people), people,
                                  bank=kit.bank, hotline=kit.hotline, dpi=dpi)


def _counted(pages: Iterator[Image.Image], total: int,
             progress: Progress | None) -> Iterator[Image.Image]:
    """The same pages, calling `progress(done, total)` as each one is drawn."""
    for done, page in enumerate(pages, start=1):
        if progress:
            progress(done, total)
        yield page


