"""A rural link: text goes compressed to phones (brotli, else gzip); 304s still work; the live
stream and tiny bodies go as they are. The shop page carries its data and is built once."""
import gzip
import json
import os
import re
from pathlib import Path

import brotli
from sqlmodel import select

from server.compress import coding_for
from server.models import Employee
from server.pages import PWA

BR = {"Accept-Encoding": "gzip, deflate, br"}


def test_static_text_goes_compressed_with_brotli_or_gzip_and_varies_on_it(client):
    source = (PWA / "js" / "views" / "book.js").read_bytes()
    with client.get("/static/js/views/book.js", headers=BR) as r:
        assert r.headers["Content-Encoding"] == "br" and "Accept-Encoding" in r.headers["Vary"]
        assert brotli.decompress(r.data) == source and len(r.data) < len(source) / 2
    with client.get("/static/js/views/book.js", headers={"Accept-Encoding": "gzip"}) as r:
        assert r.headers["Content-Encoding"] == "gzip" and gzip.decompress(r.data) == source
    with client.get("/static/js/views/book.js") as r:  # a client that accepts nothing else
        assert "Content-Encoding" not in r.headers and r.data == source


def test_a_coding_refused_with_q_zero_is_not_used():
    assert coding_for("br;q=0, gzip") == "gzip"
    assert coding_for("identity") is None and coding_for("gzip;q=0.5") == "gzip"


def test_a_compressed_copy_still_answers_304_to_its_etag(bank, client):
    r = client.get("/api/shops/SHOP0001", headers=BR)
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    assert r.headers["ETag"].startswith('W/"')  # weak: the compressed bytes are another copy
    assert json.loads(brotli.decompress(r.data))["manager"]["name"] == "王丽"
    again = client.get("/api/shops/SHOP0001", headers={**BR, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    with client.get("/static/css/app.css", headers=BR) as first:
        etag = first.headers["ETag"]
    with client.get("/static/css/app.css", headers={**BR, "If-None-Match": etag}) as cached:
        assert cached.status_code == 304


def test_tiny_bodies_and_errors_go_as_they_are(client):
    assert "Content-Encoding" not in client.get("/healthz", headers=BR).headers
    r = client.get("/api/nothing-here", headers=BR)
    assert r.status_code == 404 and "Content-Encoding" not in r.headers


def test_the_live_stream_is_never_compressed(bank, login):
    staff = login(bank.wang)
    r = staff.get("/api/stream", headers=BR, buffered=False)
    try:
        assert r.status_code == 200 and r.mimetype == "text/event-stream"
        assert "Content-Encoding" not in r.headers
        assert next(r.response)  # the first event arrives at once, as written
    finally:
        r.close()


def shop_data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="shop-data">(.*?)</script>', page, re.S).group(1))


def test_the_shop_page_carries_the_shop_api_data(bank, client):
    page = client.get("/s/SHOP0001").get_data(as_text=True)
    assert shop_data(page) == client.get("/api/shops/SHOP0001").get_json()


def test_the_cached_shop_page_shows_a_staff_change_at_once_and_answers_304_meanwhile(bank, client, db):
    first = client.get("/s/SHOP0001")
    assert client.get("/s/SHOP0001", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    wang = db.exec(select(Employee).where(Employee.id == bank.wang.id)).one()
    wang.name = "王丽华"
    db.add(wang)
    db.commit()
    changed = client.get("/s/SHOP0001", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert shop_data(changed.get_data(as_text=True))["manager"]["name"] == "王丽华"
    assert "王丽华的金融微店" in changed.get_data(as_text=True)


def test_markup_in_the_shop_data_cannot_end_its_script_element(bank, client, db):
    wang = db.exec(select(Employee).where(Employee.id == bank.wang.id)).one()
    wang.intro = '</script><script>alert(1)</script>{{data}}'
    db.add(wang)
    db.commit()
    page = client.get("/s/SHOP0001").get_data(as_text=True)
    assert "<script>alert(1)" not in page and page.count("</script>") == 3  # shop.js, the data, the words
    assert shop_data(page)["manager"]["intro"] == wang.intro


def test_the_shop_page_holds_its_style_and_first_module_allowed_by_hash_only(bank, client):
    import base64
    import hashlib

    r = client.get("/s/SHOP0001")
    page, csp = r.get_data(as_text=True), r.headers["Content-Security-Policy"]
    script = re.search(r'<script type="module" id="shop-main" blocking="render">(.*?)</script>', page, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    for text in (script, style):
        assert "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'" in csp
    assert "unsafe-inline" not in csp and 'from "./' not in script and 'from "/static/js/html.js"' in script
    assert "sha256" not in client.get("/healthz").headers["Content-Security-Policy"]  # that page only


def words(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="words" data-lang="zh-CN">(.*?)</script>',
                                page, re.S).group(1))


def test_the_shop_page_carries_the_chinese_words_even_on_a_dead_code(bank, client):
    """i18n.js reads them there instead of fetching lang/zh.js (tests/test_browser_shop.py checks
    they are the module's own); every key of the English dictionary is there."""
    from server.pages import _object_literal

    english = _object_literal((PWA / "js" / "lang" / "en.js").read_text(encoding="utf-8").partition("export default")[2])
    for page in (client.get("/s/SHOP0001").get_data(as_text=True), client.get("/s/NOSUCHCODE").get_data(as_text=True)):
        assert words(page).keys() == json.loads(english).keys() and words(page)["book"] == "预约办理"


def test_a_dictionary_this_cannot_read_is_left_to_the_browser():
    from server.pages import _object_literal

    assert json.loads(_object_literal(""" { a: "x", 'b': 'it\\'s', // note
        /* more */ "c.d": "<b>{{code}}</b>", };""")) == {"a": "x", "b": "it's", "c.d": "<b>{{code}}</b>"}
    assert "<" not in _object_literal('{a: "<"}') and "{{" not in _object_literal('{a: "{{code}}"}')
    for source in ('{a: `x`}', '{a: b}', '{a: "x" + "y"}', '{a: 1}', '["a"]', '{a: "x"', '{...x}', r'{a: "\d"}'):
        assert _object_literal(source) == "", source


def imports(start: str) -> set[str]:
    """Every module `start` (a path under pwa/js/) imports statically, and those import, ..."""
    graph, todo = set(), [start]
    while todo:
        name = todo.pop()
        source = (PWA / "js" / name).read_text(encoding="utf-8")
        for spec in re.findall(r'^import (?:[^"]* from )?"([^"]+)";', source, re.M):
            path = os.path.normpath(Path(name).parent / spec)
            if path not in graph:
                graph.add(path)
                todo.append(path)
    return graph


def test_the_first_screen_needs_one_round_of_six_files():
    """Over HTTP/1.1 a browser fetches six files at a time, each a round trip on a slow link
    (bench/weaknet.py): what shop.js imports, and what those import, is what shop.html preloads,
    and no more than six. Anything else loads with import() once the shop is drawn; the booking
    form's files are asked for all at once (shop.js FORM), not one import after another."""
    page = (PWA / "shop.html").read_text(encoding="utf-8")
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/js/([^"]+)">', page)
    assert sorted(imports("shop.js")) == sorted(preloaded) and len(preloaded) <= 6
    form = re.search(r"const FORM = \[(.*?)\];", (PWA / "js" / "shop.js").read_text(encoding="utf-8"), re.S).group(1)
    form = re.findall(r'"([^"]+)"', form)
    assert sorted(form) == sorted({"views/book.js"} | imports("views/book.js") - imports("shop.js")) and len(form) <= 6
