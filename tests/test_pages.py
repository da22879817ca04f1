"""The PWA pages as served: shop previews, per-shop manifest, service worker."""
import json
import re

import pytest
from sqlmodel import select

from server.models import Employee


def test_the_shop_page_names_the_manager_for_chat_previews(bank, client):
    r = client.get(f"/s/{bank.code(bank.wang)}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<meta property="og:title" content="王丽的金融微店 · 阳泉农商银行">' in html
    assert 'data-code="SHOP0001"' in html
    assert 'href="/s/SHOP0001/manifest.webmanifest"' in html


def test_a_name_with_markup_is_escaped_in_the_page(bank, client, db):
    wang = db.exec(select(Employee).where(Employee.id == bank.wang.id)).one()
    wang.name = '<script>x</script>"'
    db.add(wang)
    db.commit()
    html = client.get(f"/s/{bank.code(bank.wang)}").get_data(as_text=True)
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;&#34;" in html


def test_an_unknown_shop_is_still_a_page_that_can_say_what_to_do(client):
    r = client.get("/s/NOPE2345")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert 'data-code="NOPE2345"' in r.get_data(as_text=True)


def test_the_manifest_starts_at_that_shop_and_has_a_maskable_icon(bank, client):
    r = client.get(f"/s/{bank.code(bank.wang)}/manifest.webmanifest")
    manifest = json.loads(r.data)
    assert manifest["start_url"] == "/s/SHOP0001" and manifest["display"] == "standalone"
    assert any(i["purpose"] == "maskable" for i in manifest["icons"])
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as r:
            assert r.status_code == 200 and r.mimetype == "image/png"


def test_the_service_worker_is_served_for_the_whole_site(client):
    with client.get("/sw.js") as r:
        assert r.status_code == 200 and r.headers["Service-Worker-Allowed"] == "/"


def test_the_service_worker_version_changes_with_the_files_it_precaches(client, monkeypatch, tmp_path):
    import shutil

    from server import pages

    with client.get("/sw.js") as r:
        before = re.search(r'const VERSION = "([^"]+)";', r.get_data(as_text=True)).group(1)
    assert before != "dev" and r.headers["Cache-Control"] == "no-cache"
    copy = tmp_path / "pwa"
    shutil.copytree(pages.PWA, copy)
    monkeypatch.setattr(pages, "PWA", copy)
    with client.get("/sw.js") as r:
        assert re.search(r'const VERSION = "([^"]+)";', r.get_data(as_text=True)).group(1) == before
    (copy / "js" / "home.js").write_text("changed")  # not precached: no new version
    (copy / "js" / "views" / "home.js").write_text((copy / "js" / "views" / "home.js").read_text() + "\n// changed")
    with client.get("/sw.js") as r:
        assert re.search(r'const VERSION = "([^"]+)";', r.get_data(as_text=True)).group(1) != before


def test_every_url_the_service_worker_precaches_exists(client):
    """A missing precached file would stop the service worker from installing at all."""
    with client.get("/sw.js") as r:
        source = r.get_data(as_text=True)
    block = re.search(r"const PRECACHE = \[(.*?)\];", source, re.S).group(1)
    urls = re.findall(r'"([^"]+)"', block)
    assert "/static/css/app.css" in urls
    for url in urls:
        with client.get(url) as r:
            assert r.status_code == 200, url


def test_every_front_end_module_parses():
    """A syntax error in one ES module (say, a name imported twice after a merge) stops the whole
    page from running; Node checks each file as a module, without a browser."""
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    pwa = Path(__file__).resolve().parent.parent / "pwa"
    for path in sorted(pwa.rglob("*.js")):
        done = subprocess.run([node, "--experimental-default-type=module", "--check", str(path)],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{path.relative_to(pwa)}: {done.stderr[-500:]}"
