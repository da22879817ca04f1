"""Sessions and requests from elsewhere: copied cookies, expiry, passwords, cross-site posts."""
import time

import pytest

from config import settings

from tests.conftest import PASSWORD


def copy_of(app, c):
    """Another client carrying a copy of c's session cookie (as a thief would)."""
    thief = app.test_client()
    cookie = c.get_cookie("yryd")
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def test_logging_out_makes_a_copied_cookie_useless(bank, login, app):
    c = login(bank.wang)
    thief = copy_of(app, c)
    assert thief.get("/api/staff/me").status_code == 200
    c.post("/api/staff/logout")
    assert thief.get("/api/staff/me").status_code == 401


def test_the_session_cookie_is_httponly_and_lax(bank, login):
    c = login(bank.wang)
    cookie = c.get_cookie("yryd")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_behind_tls_the_cookie_is_secure_and_host_prefixed(monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    cfg = settings.load()
    assert cfg["SESSION_COOKIE_NAME"] == "__Host-yryd" and cfg["SESSION_COOKIE_SECURE"]


def test_an_idle_session_ends(bank, login, app):
    c = login(bank.wang)
    with c.session_transaction() as s:
        s["seen"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 - 1
    assert c.get("/api/staff/me").status_code == 401


def test_a_session_ends_after_its_absolute_limit_even_when_used(bank, login, app):
    c = login(bank.wang)
    with c.session_transaction() as s:
        s["started"] = int(time.time()) - app.config["SESSION_ABSOLUTE_HOURS"] * 3600 - 1
    assert c.get("/api/staff/me").status_code == 401


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(bank, login, app, client):
    c = login(bank.wang)
    other = login(bank.wang)
    r = c.post("/api/staff/password", json={"current_password": PASSWORD, "new_password": "river-stone-77"})
    assert r.status_code == 200
    c.environ_base["HTTP_X_CSRFTOKEN"] = r.get_json()["csrf_token"]
    assert c.get("/api/staff/me").status_code == 200
    assert other.get("/api/staff/me").status_code == 401
    assert client.post("/api/staff/login", json={"staff_no": "YQ0001", "password": "river-stone-77"}).status_code == 200


@pytest.mark.parametrize("new, field, message", [
    ("short", "new_password", "新密码至少 8 位。"),
    ("woaini1314", "new_password", "这个密码太常见，请换一个不易被猜到的。"),
    ("12345678", "new_password", "这个密码太常见，请换一个不易被猜到的。"),
])
def test_weak_new_passwords_are_refused(bank, login, new, field, message):
    r = login(bank.wang).post("/api/staff/password", json={"current_password": PASSWORD, "new_password": new})
    assert r.status_code == 422 and r.get_json()["fields"][field] == message


def test_the_current_password_is_required_to_change_it(bank, login):
    r = login(bank.wang).post("/api/staff/password", json={"current_password": "nope-nope", "new_password": "river-stone-77"})
    assert r.status_code == 422 and "current_password" in r.get_json()["fields"]


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"},
                                     {"Sec-Fetch-Site": "same-site"}])
def test_a_booking_posted_from_another_site_is_refused_and_stores_nothing(bank, book, headers, login):
    r = book(bank.code(bank.wang), headers=headers)
    assert r.status_code == 403 and r.get_json()["error"] == "cross_site"
    assert login(bank.wang).get("/api/staff/bookings").get_json()["items"] == []


def test_a_booking_from_the_shop_itself_is_accepted(bank, book):
    r = book(bank.code(bank.wang), headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"})
    assert r.status_code == 201


def test_logging_in_as_someone_else_on_a_shared_device_starts_their_session(bank, login):
    c = login(bank.wang)
    r = c.post("/api/staff/login", json={"staff_no": bank.li.staff_no, "password": PASSWORD})
    assert r.status_code == 200 and c.get("/api/staff/me").get_json()["name"] == "李强"
