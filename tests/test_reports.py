"""Daily reports (日通报 · PK 龙虎榜), tested as plain functions: no app, no database."""
import base64
import csv
import hashlib
import io
import json
import logging
import socket
import threading
import time
from dataclasses import replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest
from PIL import Image, ImageFont

from qr import fonts
from server.reports import Report, export, markdown, png, webhook

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["丽", "伟", "芳", "秀英", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "晓东", "建华", "佳怡"]
BRANCHES = ["平定支行", "盂县支行", "城区支行", "矿区支行", "郊区支行", "开发区支行"]
COLUMNS = [("rank", "名次"), ("name", "姓名"), ("branch", "支行"), ("visits", "访问"),
           ("bookings", "预约"), ("arrived", "到店"), ("completed", "办结"), ("score", "质量分")]
FORMULA = "质量分 = 到店×3 + 办结×5 + 预约×1 + 访问×0.1 − 爽约×2"
MISSING_GLYPHS = ("\U0010ffff", "\uffff")  # unassigned: any font draws its .notdef box


def name_of(i: int) -> str:
    """A distinct, ordinary Chinese name for every i below 500; rank 1 is 王丽."""
    return SURNAMES[i // len(GIVEN) % len(SURNAMES)] + GIVEN[i % len(GIVEN)]


def make_report(n: int = 25, **changes) -> Report:
    """A ranking of n staff, best first, the way the boards hand it over."""
    rows = []
    for i in range(n):
        completed, arrived, bookings, visits = (n - i) // 4, (n - i) // 3, (n - i) // 2, n - i + 7
        rows.append({"rank": i + 1, "name": name_of(i), "branch": BRANCHES[i % len(BRANCHES)],
                     "visits": visits, "bookings": bookings, "arrived": arrived,
                     "completed": completed,
                     "score": round(arrived * 3 + completed * 5 + bookings + visits * 0.1, 1)})
    report = Report(title="PK 龙虎榜 · 日通报", bank="阳泉农商银行", day=date(2025, 6, 3),
                    period_label="本日", columns=COLUMNS, rows=rows, formula=FORMULA, top_n=10)
    return replace(report, **changes)


def glyph(font: ImageFont.FreeTypeFont, char: str) -> tuple:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


# The poster


def test_the_poster_is_a_phone_width_png_whose_height_follows_the_rows():
    short, long = make_report(5), make_report(40)
    images = [Image.open(io.BytesIO(png.render(r))) for r in (short, long)]
    assert [im.format for im in images] == ["PNG", "PNG"]
    assert [im.width for im in images] == [1080, 1080]
    assert 800 < images[0].height < images[1].height < 4000
    assert images[1].height == png.plan(long).height


def test_the_poster_is_drawn_with_a_font_that_has_real_chinese_glyphs():
    path = fonts.find_cjk_font()
    font = ImageFont.truetype(str(path), 64, index=fonts.face_index(path))
    first = make_report().rows[0]["name"]
    assert first == "王丽"
    for char in first:
        drawn = glyph(font, char)
        assert drawn[0][0] > 0 and any(drawn[1])
        assert all(drawn != glyph(font, missing) for missing in MISSING_GLYPHS)


def test_the_first_ranked_row_on_the_poster_has_ink_in_it():
    report = make_report()
    image = Image.open(io.BytesIO(png.render(report))).convert("L")
    row = image.crop(png.plan(report).first_row)
    dark = sum(row.histogram()[:100])
    assert dark > 500, "the first row should show the rank, the name and the numbers"


def test_the_same_report_always_gives_the_same_png_bytes():
    assert png.render(make_report(30)) == png.render(make_report(30))


def test_a_report_with_no_rows_still_renders_a_poster():
    image = Image.open(io.BytesIO(png.render(make_report(0))))
    assert image.width == 1080 and image.height > 600


def test_a_report_font_that_does_not_exist_raises_font_missing_with_instructions(
        monkeypatch, tmp_path):
    monkeypatch.setenv("REPORT_FONT", str(tmp_path / "no-such-font.ttc"))
    with pytest.raises(fonts.FontMissing) as caught:
        fonts.find_cjk_font()
    message = str(caught.value)
    for needed in ("REPORT_FONT", "fonts-noto-cjk", ".ttc/.ttf/.otf", "中文字体", "no-such-font"):
        assert needed in message
    with pytest.raises(fonts.FontMissing):
        png.render(make_report())


def test_a_report_font_without_chinese_glyphs_is_refused_rather_than_drawing_boxes(monkeypatch):
    latin = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not latin.is_file():
        pytest.skip("needs DejaVuSans as an example of a font without Chinese")
    monkeypatch.setenv("REPORT_FONT", str(latin))
    with pytest.raises(fonts.FontMissing, match="fonts-noto-cjk"):
        fonts.find_cjk_font()


def test_with_no_chinese_font_anywhere_the_error_says_how_to_install_one(monkeypatch):
    monkeypatch.delenv("REPORT_FONT", raising=False)
    monkeypatch.setattr(fonts, "_candidates", lambda bold: iter([]))
    fonts._search.cache_clear()
    try:
        with pytest.raises(fonts.FontMissing, match="apt-get install fonts-noto-cjk"):
            fonts.find_cjk_font()
    finally:
        fonts._search.cache_clear()


# Markdown


def positions(text: str, names: list[str]) -> list[int]:
    return [text.index(f" {name} ") if f" {name} " in text else text.index(name)
            for name in names]


def test_markdown_lists_everyone_in_rank_order_when_the_list_is_short():
    report = make_report(15)
    text = markdown.render(report)
    names = [r["name"] for r in report.rows]
    assert positions(text, names) == sorted(positions(text, names))
    assert "| 名次 | 姓名 | 支行 |" in text and FORMULA in text


def test_markdown_shows_the_top_and_bottom_ten_in_order_and_skips_the_middle():
    report = make_report(30)
    text = markdown.render(report)
    shown = [r["name"] for r in report.rows[:10] + report.rows[-10:]]
    assert positions(text, shown) == sorted(positions(text, shown))
    assert all(f"| {r['name']} |" not in text for r in report.rows[10:20])
    assert "龙榜" in text and "虎榜" in text and "中间 10 名略" in text


def test_a_pipe_in_a_name_does_not_break_the_markdown_table():
    report = make_report(3)
    report.rows[0]["name"] = "王|丽"
    row = next(line for line in markdown.render(report).splitlines() if "王" in line)
    assert row.replace("\\|", "").count("|") == len(COLUMNS) + 1


def test_the_wecom_variant_has_no_table_and_keeps_rank_order():
    report = make_report(30)
    text = markdown.render(report, wecom=True)
    shown = [r["name"] for r in report.rows[:10] + report.rows[-10:]]
    assert "|" not in text
    assert positions(text, shown) == sorted(positions(text, shown))
    assert '<font color="info">' in text and FORMULA in text


@pytest.mark.parametrize("top_n", [10, 250])
def test_the_wecom_variant_fits_in_4096_bytes_for_500_rows(top_n):
    report = make_report(500, top_n=top_n)
    text = markdown.render(report, wecom=True)
    assert len(text.encode("utf-8")) <= markdown.WECOM_LIMIT
    first, last = report.rows[0]["name"], report.rows[-1]["name"]
    assert text.index(first) < text.index(last), "the very top and bottom are kept"
    assert FORMULA in text


def test_the_wecom_variant_defuses_markup_in_names():
    report = make_report(3)
    report.rows[0]["name"] = '<font color="warning">假</font>'
    text = markdown.render(report, wecom=True)
    assert '<font color="warning">假' not in text and "假" in text


# Webhooks


@pytest.fixture
def receiver():
    """Start a loopback HTTP receiver answering the given statuses in turn (then 200)."""
    servers = []

    def start(statuses=(), answer=b'{"errcode":0,"errmsg":"ok"}'):
        script, received = list(statuses), []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append({"path": self.path, "type": self.headers["Content-Type"],
                                 "json": json.loads(body)})
                status = script.pop(0) if script else 200
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                                  daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=SECRET", \
            received

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_generic_and_wecom_payloads_arrive_intact(receiver):
    url, received = receiver()
    report = make_report(12)
    generic, wecom = webhook.generic_payload(report), webhook.wecom_payload(report)
    assert webhook.post(url, generic) and webhook.post(url, wecom)
    assert [r["json"] for r in received] == [generic, wecom]
    assert received[0]["type"] == "application/json; charset=utf-8"
    assert generic["day"] == "2025-06-03" and generic["rows"][0]["name"] == "王丽"
    assert generic["markdown"] == markdown.render(report) and generic["formula"] == FORMULA
    assert wecom["msgtype"] == "markdown" and "王丽" in wecom["markdown"]["content"]


def test_a_receiver_failing_twice_with_500_gets_three_attempts_and_the_post_succeeds(receiver):
    url, received = receiver(statuses=[500, 503])
    assert webhook.post(url, {"n": 1}, backoff=0.001) is True
    assert len(received) == 3


def test_a_receiver_that_keeps_failing_gets_exactly_the_attempts_allowed(receiver):
    url, received = receiver(statuses=[500] * 10)
    assert webhook.post(url, {"n": 1}, attempts=4, backoff=0.001) is False
    assert len(received) == 4


def test_a_client_error_is_not_retried(receiver):
    url, received = receiver(statuses=[400])
    assert webhook.post(url, {"n": 1}, backoff=0.001) is False
    assert len(received) == 1


def test_a_wecom_error_code_in_a_200_answer_counts_as_failure(receiver):
    url, received = receiver(answer=b'{"errcode":93000,"errmsg":"invalid webhook url"}')
    assert webhook.post(url, {"n": 1}, backoff=0.001) is False
    assert len(received) == 1


def test_a_dead_port_returns_false_quickly_without_raising():
    started = time.monotonic()
    assert webhook.post(f"http://127.0.0.1:{free_port()}/hook", {"n": 1}, backoff=0.001) is False
    assert time.monotonic() - started < 2


def test_bad_urls_and_unserialisable_payloads_return_false():
    assert webhook.post("file:///etc/passwd", {"n": 1}) is False
    assert webhook.post("not a url", {"n": 1}) is False
    assert webhook.post("http://127.0.0.1:9/", {"n": object()}) is False


def test_a_failed_post_logs_the_host_but_never_the_key_or_the_payload(caplog):
    url = f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key=SECRET"
    with caplog.at_level(logging.WARNING, logger="server.reports.webhook"):
        assert webhook.post(url, {"name": "王丽"}, attempts=1) is False
    assert "127.0.0.1" in caplog.text
    assert "SECRET" not in caplog.text and "王丽" not in caplog.text


def test_the_wecom_image_payload_carries_the_png_as_base64_with_its_md5():
    data = png.render(make_report())
    payload = webhook.wecom_image_payload(data)
    assert payload["msgtype"] == "image"
    assert base64.b64decode(payload["image"]["base64"]) == data
    assert payload["image"]["md5"] == hashlib.md5(data).hexdigest()
    assert len(data) < webhook.WECOM_IMAGE_LIMIT


# Exports

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
EXPORT_COLUMNS = [("rank", "名次"), ("name", "姓名"), ("score", "质量分")]


def hostile_rows() -> list[dict]:
    return [{"rank": i + 1, "name": name, "score": 17.5 - i} for i, name in enumerate(HOSTILE)]


def test_csv_has_a_bom_and_neutralises_formulas_while_numbers_stay_numbers():
    data = export.csv_bytes(EXPORT_COLUMNS, hostile_rows())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["名次", "姓名", "质量分"]
    assert [r[1] for r in rows[1:]] == ["'" + name for name in HOSTILE]
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, len(HOSTILE) + 1)]
    assert rows[1][2] == "17.5" and rows[3][2] == "15.5"


def test_xlsx_neutralises_formulas_while_numbers_stay_numeric():
    data = export.xlsx_bytes(EXPORT_COLUMNS, hostile_rows())
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["排名"]
    assert [c.value for c in sheet[1]] == ["名次", "姓名", "质量分"]
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    # A stored carriage return may come back as a newline (plain XML parsing) or as itself
    # (openpyxl with lxml); the apostrophe is what counts.
    assert [c.value.replace("\r", "\n") for c in names] == ["'" + name.replace("\r", "\n") for name in HOSTILE]
    assert {c.data_type for c in names} == {"s"}
    numbers = [c for row in sheet.iter_rows(min_row=2) for c in (row[0], row[2])]
    assert {c.data_type for c in numbers} == {"n"}
    assert sheet["A2"].value == 1 and sheet["C2"].value == 17.5
    assert sheet.freeze_panes == "A2"


def test_xlsx_takes_a_chinese_sheet_name_and_ordinary_names_are_left_alone():
    rows = [{"rank": 1, "name": "王丽", "score": 3}]
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(EXPORT_COLUMNS, rows,
                                                               sheet="支行排名")))
    assert book.sheetnames == ["支行排名"]
    assert book["支行排名"]["B2"].value == "王丽"
