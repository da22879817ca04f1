"""The public shop: profile, products by track, visits counted, QR codes, the API document."""
import shutil
import subprocess

import cv2
import numpy as np
import pytest
from sqlmodel import select

from server.models import DailyStat, Event, ShopLink


def test_the_shop_shows_the_manager_card_and_their_products(bank, client):
    shop = client.get(f"/api/shops/{bank.code(bank.wang)}").get_json()
    assert shop["manager"]["name"] == "王丽" and shop["manager"]["branch"] == "平定支行"
    assert shop["manager"]["grid"] == "冠山网格" and shop["covering"] is None
    assert [p["code"] for p in shop["products"]] == ["consumer-credit", "agri-guarantee", "nuanshang"]
    assert shop["url"] == "http://shop.test/s/SHOP0001"


def test_a_corporate_manager_offers_small_business_products(bank, client):
    shop = client.get(f"/api/shops/{bank.code(bank.zhao)}").get_json()
    assert [p["code"] for p in shop["products"]] == ["tax-loan"]


def test_shop_codes_are_not_case_sensitive(bank, client):
    assert client.get("/api/shops/shop0001").status_code == 200


def test_an_unknown_shop_says_to_ask_for_a_new_code(client):
    r = client.get("/api/shops/ZZZZ9999")
    assert r.status_code == 404 and "二维码" in r.get_json()["message"]


def test_opening_the_shop_counts_a_visit_with_its_codes_channel(bank, client, db):
    db.add(ShopLink(code="POSTER01", employee_id=bank.wang.id, channel="村口海报"))
    db.commit()
    assert client.post("/api/shops/POSTER01/visits", json={}).status_code == 204
    event = db.exec(select(Event)).one()
    assert (event.kind, event.channel, event.employee_id) == ("visit", "村口海报", bank.wang.id)
    assert db.exec(select(DailyStat.visits)).one() == 1


def decode(png: bytes) -> str:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def test_the_qr_png_decodes_to_the_shop_url_and_is_cached_by_etag(bank, client, tmp_path):
    r = client.get(f"/qr/{bank.code(bank.wang)}.png")
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert decode(r.data) == "http://shop.test/s/SHOP0001"
    if shutil.which("zbarimg"):
        (tmp_path / "qr.png").write_bytes(r.data)
        out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "qr.png")],
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == "http://shop.test/s/SHOP0001"
    again = client.get(f"/qr/{bank.code(bank.wang)}.png", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_the_qr_svg_is_served(bank, client):
    r = client.get(f"/qr/{bank.code(bank.wang)}.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<path" in r.data


@pytest.mark.parametrize("path, method", [
    ("/api/shops/{code}", "get"), ("/api/shops/{code}/slots", "get"),
    ("/api/shops/{code}/bookings", "post"), ("/api/status/cancel", "post"),
    ("/api/staff/bookings/{reference}/status", "post"), ("/api/boards/{by}", "get")])
def test_the_api_is_described_by_openapi(client, path, method):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert method in spec["paths"][path]


def test_every_api_route_is_in_the_spec(app, client):
    """server.extensions.doc keeps each route's description without spectree's wrapper."""
    import re

    paths = client.get("/openapi.json").get_json()["paths"]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint not in ("live.stream", "wall.stream"):  # streams: no @doc
            path = re.sub(r"<(?:[^<>]*:)?(\w+)>", r"{\1}", rule.rule)  # <any(a, b):by> too
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in paths.get(path, {}), (method, path)


def test_booking_request_schema_is_published(client):
    spec = client.get("/openapi.json").get_json()
    op = spec["paths"]["/api/shops/{code}/bookings"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert {"name", "phone", "product", "slot", "consent"} <= set(spec["components"]["schemas"][ref]["properties"])
    assert {"201", "409", "422"} <= set(op["responses"])


def test_every_response_carries_security_headers(client):
    for r in (client.get("/api/shops/NOPE"), client.get("/healthz")):
        assert "object-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
