"""Print kits (posters, grid service boards, PDF, ZIP), tested as a plain library: no app.

What matters is the printed page: it must scan back to the exact shop link, in Chinese,
with no one's phone number on it. Layout tests draw at 100-150 dpi to stay quick; the
A4 and printed-PDF tests use the real 300 dpi.
"""
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

import qr
from qr import kit, poster
from qr.kit import Kit, Person
from qr.sheet import AVATAR_COLOURS, face
from qr import fonts

BANK = "阳泉农商银行"
HOTLINE = "0353-96511"
SHOP_URL = "http://127.0.0.1:8000/s/K7P2XQ9M?c=poster"
GRID = "冠山镇第三网格"
VILLAGES = ["宋家庄村", "西关村", "东关社区", "理家庄村"]
A_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def person(name: str = "王丽", **changes) -> Person:
    """An account manager of the demo grid; `changes` override any field."""
    fields = {"name": name, "level_label": "中级客户经理", "branch": "平定支行", "grid": GRID,
              "grid_areas": VILLAGES, "url": SHOP_URL}
    return Person(**(fields | changes))


def team() -> list[Person]:
    """Three people of one grid, each with their own shop link (one with a Chinese tag)."""
    return [person(),
            person("李建华", level_label="高级客户经理", url="http://127.0.0.1:8000/s/Q2WERT7Y"),
            person("张秀英", level_label="见习客户经理",
                   url="http://127.0.0.1:8000/s/ZX8C9V2B?c=村口海报")]


def decode_with_opencv(image: Image.Image) -> str:
    """The text OpenCV reads from a PIL image, or "" when it finds no code."""
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(np.array(image.convert("L")))
    return text


def decode_with_zbar(path: Path) -> str | None:
    """The text zbarimg reads from a PNG file, or None when zbar-tools is not installed."""
    if shutil.which("zbarimg") is None:
        return None
    done = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True,
                          timeout=30, check=False)
    return done.stdout.decode("ascii").strip()


def rasterise(document: bytes, tmp_path: Path, dpi: int, *, pages: int | None = None):
    """The PDF's pages as PNG files, drawn by Poppler as a printer driver would."""
    if shutil.which("pdftoppm") is None:
        message = "pdftoppm (Debian poppler-utils) is not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    source = tmp_path / "kit.pdf"
    source.write_bytes(document)
    limit = ["-f", "1", "-l", str(pages)] if pages else []
    command = ["pdftoppm", "-r", str(dpi), "-png", *limit, str(source), str(tmp_path / "page")]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return sorted(tmp_path.glob("page-*.png"))


def dark_pixels(image: Image.Image, box) -> int:
    return sum(image.crop(box).convert("L").histogram()[:128])


# The poster


def test_the_poster_is_a4_at_300_dpi_and_its_code_reads_back_the_exact_shop_link(tmp_path):
    image = qr.poster_image(person(), bank=BANK, hotline=HOTLINE)
    assert image.size == (2480, 3508)
    assert decode_with_opencv(image) == SHOP_URL
    image.save(tmp_path / "poster.png")
    assert decode_with_zbar(tmp_path / "poster.png") in (SHOP_URL, None)


def test_the_code_on_the_poster_is_over_8_cm_wide_and_keeps_its_white_quiet_zone():
    sheet = poster.draw_poster(person(), bank=BANK, hotline=HOTLINE, dpi=300)
    x0, y0, x1, y1 = sheet.boxes["qr"]
    assert x1 - x0 >= 945 and y1 - y0 >= 945  # 8 cm at 300 dpi
    module = (x1 - x0) // len(qr.matrix(SHOP_URL))
    quiet = sheet.image.crop((x0, y0, x1, y0 + 4 * module)).convert("L")
    assert quiet.getextrema() == (255, 255)


def test_the_poster_is_drawn_with_a_font_that_has_real_chinese_glyphs():
    sheet = poster.draw_poster(person("欧阳晓东"), bank=BANK, hotline=HOTLINE, dpi=100)
    name = next(p for p in sheet.printed if p.text == "欧阳晓东")
    assert name.font.path == str(fonts.find_cjk_font(bold=True))
    assert fonts.draws_chinese(name.font, "欧阳晓东")
    assert dark_pixels(sheet.image, name.box) > 200
    for piece in sheet.printed:
        assert fonts.draws_chinese(piece.font, "".join(c for c in piece.text if ord(c) > 0x2e80))


def test_the_poster_shows_who_serves_where_and_the_hotline():
    sheet = poster.draw_poster(person(), bank=BANK, hotline=HOTLINE, dpi=100)
    printed = " ".join(p.text for p in sheet.printed)
    for expected in (BANK, "扫码预约 · 专属客户经理", "王丽", "中级客户经理", "平定支行", GRID,
                     "宋家庄村", "微信扫一扫，在线预约，专人服务", f"服务热线  {HOTLINE}"):
        assert expected in printed


def test_a_channel_codes_poster_names_its_channel_in_the_header_and_scans_to_its_code():
    url = "http://127.0.0.1:8000/s/ZX8C9V2B"
    sheet = poster.draw_poster(person(url=url, channel="冠山村赶集 13812345678"), bank=BANK, hotline=HOTLINE, dpi=100)
    label = next(p for p in sheet.printed if p.text.startswith("渠道："))
    assert label.text == "渠道：冠山村赶集 138****5678"  # a number typed into a name is masked
    assert sheet.boxes["channel"][3] < sheet.px(480)  # in the green band, above the headline
    assert decode_with_opencv(sheet.image) == url
    assert kit.file_name(2, "王丽", "村口/海报") == "002-王丽-村口海报.png"


def test_without_a_photo_the_avatar_shows_the_last_two_characters_of_the_name():
    def letters(name: str) -> np.ndarray:
        """Where the avatar is white: the letters, whatever colour the disc is."""
        return np.array(face(person(name), 200).convert("L")) > 200

    def differ(a: str, b: str) -> float:
        return float(np.mean(letters(a) != letters(b)))

    assert differ("欧阳晓东", "李晓东") < 0.005  # only anti-aliased edges on another colour
    assert differ("欧阳晓东", "欧阳晓明") > 0.02
    sheet = poster.draw_poster(person("欧阳晓东"), bank=BANK, hotline=HOTLINE, dpi=100)
    colours = sheet.image.crop(sheet.boxes["avatar"]).getcolors(maxcolors=1 << 20)
    assert max(colours)[1] in AVATAR_COLOURS  # mostly a coloured disc behind the letters


def test_a_photo_is_printed_cropped_round_in_place_of_the_initials():
    blue = io.BytesIO()
    Image.new("RGB", (600, 800), (30, 80, 200)).save(blue, "JPEG")
    sheet = poster.draw_poster(person(photo=blue.getvalue()), bank=BANK, hotline=HOTLINE, dpi=100)
    x0, y0, x1, y1 = sheet.boxes["avatar"]
    centre = sheet.image.getpixel(((x0 + x1) // 2, (y0 + y1) // 2))
    corner = sheet.image.getpixel((x0 + 2, y0 + 2))
    assert all(abs(a - b) < 12 for a, b in zip(centre, (30, 80, 200)))
    assert corner != centre  # round: the corners of its square are the card behind it


def test_an_unreadable_photo_is_refused_with_the_persons_name():
    with pytest.raises(ValueError, match="王丽"):
        qr.poster_image(person(photo=b"not a picture"), bank=BANK, hotline=HOTLINE, dpi=100)


def test_long_names_and_village_lists_stay_on_the_page_and_are_shortened():
    long = person("阿卜杜热依木·艾买提江·买买提明", branch="阳泉市郊区河底镇农村商业银行营业部" * 2,
                  grid_areas=[f"第{i}村民小组" for i in range(40)])
    sheet = poster.draw_poster(long, bank=BANK, hotline=HOTLINE, dpi=100)
    width, height = sheet.image.size
    for piece in sheet.printed:
        x0, y0, x1, y1 = piece.box
        assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height, piece.text
    assert any(p.text.endswith("…") for p in sheet.printed)


def test_without_a_chinese_font_the_poster_is_refused_with_instructions(monkeypatch, tmp_path):
    monkeypatch.setenv("REPORT_FONT", str(tmp_path / "no-such-font.ttc"))
    with pytest.raises(fonts.FontMissing, match="fonts-noto-cjk"):
        qr.poster_image(person(), bank=BANK, hotline=HOTLINE, dpi=60)


def test_importing_qr_and_drawing_a_poster_does_not_import_flask():
    code = ("import sys, qr; qr.poster_image(qr.Person('王丽', '中级客户经理', '平定支行', '', '', 'http://x/s/A',"
            " channel='村口海报'), bank='银行', hotline='1', dpi=50); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'server')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60, cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "[]"


def test_the_qr_modules_import_downwards_only():
    """kit uses poster and sheet, poster uses sheet, and nothing in qr names the server: no
    module imports one that imports it back, however indirectly."""
    import ast

    package = Path(qr.__file__).parent
    graph = {}
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level and not node.module:  # from . import kit
                names.update("." + a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.add("." + node.module if node.level else node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        assert not {n for n in names if n.split(".")[0] in ("server", "flask")}, path.name
        graph[path.stem] = {n.lstrip(".").split(".")[0] for n in names if n.startswith(".")}
    assert {"poster", "sheet"} <= graph["kit"] and "sheet" in graph["poster"]

    def circle(module, path=()):
        """The import path that comes back to a module on it, if any."""
        if module in path:
            return (*path, module)
        return next(filter(None, (circle(n, (*path, module)) for n in graph.get(module, ()) - {"__init__"})), ())
    assert [circle(m) for m in graph if circle(m)] == []


# The grid service board


def test_the_service_board_is_a4_landscape_and_every_code_reads_back_its_own_link():
    people = team()
    sheet = poster.draw_board(GRID, VILLAGES, people, bank=BANK, hotline=HOTLINE, dpi=150)
    assert sheet.image.size == (1754, 1240)
    for i, someone in enumerate(people):
        assert decode_with_opencv(sheet.image.crop(sheet.boxes[f"qr-{i}"])) == qr.to_uri(
            someone.url)


def test_the_service_board_lists_the_grid_its_villages_and_its_people_but_no_phone_number():
    people = team() + [person("赵强", level_label="初级客户经理 13812345678",
                              branch="平定支行（电话 15900001111）")]
    sheet = poster.draw_board(GRID, VILLAGES, people, bank=BANK, hotline=HOTLINE, dpi=100)
    printed = [p.text for p in sheet.printed]
    everything = " ".join(printed)
    for expected in ("网格服务公示牌", BANK, GRID, "宋家庄村", "理家庄村", "王丽", "李建华",
                     "张秀英", "高级客户经理", HOTLINE):
        assert expected in everything
    assert "phone" not in {f.lower() for f in Person.__dataclass_fields__}
    assert not [text for text in printed if A_MOBILE.search(text)]
    assert "138****5678" in everything and "159****1111" in everything


def test_a_board_with_nobody_or_more_than_fits_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match=GRID):
        qr.service_board_image(GRID, VILLAGES, [], bank=BANK, hotline=HOTLINE, dpi=100)
    with pytest.raises(ValueError, match="最多 12 人"):
        qr.service_board_image(GRID, VILLAGES, team() * 5, bank=BANK, hotline=HOTLINE, dpi=100)


def test_a_full_board_of_twelve_still_prints_codes_that_scan():
    people = [person(f"员工{i}", url=f"http://127.0.0.1:8000/s/CODE{i:04d}") for i in range(12)]
    sheet = poster.draw_board(GRID, VILLAGES, people, bank=BANK, hotline=HOTLINE, dpi=150)
    for i in (0, 11):
        assert decode_with_opencv(sheet.image.crop(sheet.boxes[f"qr-{i}"])) == people[i].url


def test_a_grid_with_more_people_than_one_board_holds_goes_on_to_a_second_page():
    people = [person(f"员工{i}", url=f"http://127.0.0.1:8000/s/CODE{i:04d}") for i in range(15)]
    pages = poster.board_pages(people)
    assert [len(p) for p in pages] == [8, 7] and sum(pages, []) == people  # nobody dropped, in order
    on_boards = []
    for number, part in enumerate(pages, start=1):
        sheet = poster.draw_board(GRID, VILLAGES, part, bank=BANK, hotline=HOTLINE, dpi=100,
                                  page=number, pages=len(pages))
        printed = " ".join(p.text for p in sheet.printed)
        assert f"第 {number} 页，共 2 页" in printed
        on_boards += [p.name for p in part if p.name in printed]
    assert on_boards == [p.name for p in people]
    assert [len(p) for p in poster.board_pages(people[:12])] == [12]
    assert [len(p) for p in poster.board_pages(people * 2)] == [10, 10, 10]


def test_the_zip_holds_the_posters_then_every_grids_service_board_pages():
    people = [person(f"员工{i}", url=f"http://127.0.0.1:8000/s/CODE{i:04d}") for i in range(13)]
    seen = []
    archive = zipfile.ZipFile(io.BytesIO(qr.png_zip(
        Kit(BANK, HOTLINE, people), lambda done, total: seen.append((done, total)), dpi=100,
        service_boards={GRID: people, "娘子关镇第一网格": people[:1]})))
    names = archive.namelist()
    assert names[:13] == [f"{i:03d}-员工{i - 1}.png" for i in range(1, 14)]
    assert names[13:] == [f"公示牌-{GRID}-1.png", f"公示牌-{GRID}-2.png", "公示牌-娘子关镇第一网格.png"]
    board = Image.open(io.BytesIO(archive.read(names[13])))
    assert board.width > board.height  # landscape
    assert seen[-1] == (16, 16)


# The PDF and the ZIP


def test_the_printed_pdf_page_still_scans_to_the_exact_shop_link(tmp_path):
    document = qr.pdf(Kit(bank=BANK, hotline=HOTLINE, people=[person()]))
    assert document.startswith(b"%PDF")
    [page] = rasterise(document, tmp_path, 150, pages=1)
    with Image.open(page) as printed:
        image = printed.convert("RGB")
    assert image.size == (1240, 1754)  # A4 at 150 dpi: the page is A4, not 300 dpi pixels at 72
    assert decode_with_opencv(image) == SHOP_URL
    assert decode_with_zbar(page) in (SHOP_URL, None)


def test_the_pdf_has_a_page_per_person_then_one_per_service_board(tmp_path):
    people = team()
    boards = {GRID: people, "娘子关镇第一网格": [person("刘芳", grid="娘子关镇第一网格")]}
    document = qr.pdf(Kit(bank=BANK, hotline=HOTLINE, people=people), service_boards=boards,
                      dpi=100)
    pages = []
    for path in rasterise(document, tmp_path, 20):
        with Image.open(path) as page:
            pages.append(page.size)
    assert len(pages) == len(people) + len(boards)
    assert [w < h for w, h in pages] == [True, True, True, False, False]


def test_progress_is_reported_for_every_page():
    people = team()
    seen_pdf, seen_zip = [], []
    qr.pdf(Kit(bank=BANK, hotline=HOTLINE, people=people), service_boards={GRID: people},
           progress=lambda done, total: seen_pdf.append((done, total)), dpi=60)
    qr.png_zip(Kit(bank=BANK, hotline=HOTLINE, people=people),
               lambda done, total: seen_zip.append((done, total)), dpi=60)
    assert seen_pdf == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert seen_zip == [(1, 3), (2, 3), (3, 3)]


def test_an_empty_kit_is_refused_rather_than_printing_a_blank_pdf():
    with pytest.raises(ValueError):
        qr.pdf(Kit(bank=BANK, hotline=HOTLINE, people=[]))


def test_a_pdf_with_a_board_that_cannot_be_printed_is_refused_before_any_page_is_drawn():
    drawn = []
    with pytest.raises(ValueError, match="娘子关镇第一网格"):
        qr.pdf(Kit(BANK, HOTLINE, team()), service_boards={GRID: team(), "娘子关镇第一网格": []},
               progress=lambda done, total: drawn.append(done), dpi=60)
    assert drawn == []


def test_the_zip_holds_one_png_poster_per_person_with_safe_file_names():
    people = [person(), person("../../etc/passwd"), person("李/建\\华"), person("欧阳 晓东:"),
              person("///")]
    archive = zipfile.ZipFile(io.BytesIO(qr.png_zip(Kit(BANK, HOTLINE, people), dpi=60)))
    names = archive.namelist()
    assert names == ["001-王丽.png", "002-etcpasswd.png", "003-李建华.png", "004-欧阳晓东.png",
                     "005.png"]
    for name in names:
        image = Image.open(io.BytesIO(archive.read(name)))
        assert image.format == "PNG" and image.size == (496, 702)  # A4 at 60 dpi
        assert round(image.info["dpi"][0]) == 60
