"""Tests that notice when a security rule breaks: each one fails if its rule is removed (the
CSRF token, exact status-token matching, a keyed token, link expiry, no changes after the
appointment, Shanghai midnight for the daily limit and the repeat flag, the Idempotency-Key
lookup, the one-active-booking-per-slot index, the per-test log scan)."""
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from server.clock import TZ, to_utc
from server.models import Booking
from tests.conftest import next_slot

ROOT = Path(__file__).resolve().parent.parent


def clock_at(monkeypatch, moment: datetime) -> list[datetime]:
    """Make every server module's utcnow() answer `moment` (aware); returns a one-item list the
    test may change to move the clock."""
    from server import models

    now = [to_utc(moment)]
    real = models.utcnow
    for name, module in list(sys.modules.items()):
        if name.startswith("server") and getattr(module, "utcnow", None) is real:
            monkeypatch.setattr(module, "utcnow", lambda: now[0])
    return now


def callback(book, bank, phone="13812345678", **kw):
    return book(bank.code(bank.wang), phone=phone, slot=None, callback=True, **kw)


# --- CSRF ----------------------------------------------------------------------------------

def changing_routes(app):
    from server import PUBLIC_BLUEPRINTS

    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else ""
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            if blueprint not in PUBLIC_BLUEPRINTS and rule.endpoint != "staff.login":
                yield method, rule, blueprint


def test_every_state_changing_staff_route_refuses_a_request_without_the_csrf_token(app, bank, login):
    admin = login(bank.admin)
    token = admin.environ_base.pop("HTTP_X_CSRFTOKEN")
    checked = set()
    for method, rule, blueprint in changing_routes(app):
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "YQAAAAAA")
        for headers in ({}, {"X-CSRFToken": token[:-2] + "xx"}):  # none, or a forged one
            r = admin.open(url, method=method, json={}, headers=headers)
            assert r.status_code == 400 and r.get_json()["error"] == "csrf", f"{method} {url}: {r.status_code}"
        checked.add(blueprint)
    assert {"admin", "org", "handover", "staff"} <= checked
    # audit and kits only read today; a changing route there would be in the loop above
    assert admin.get("/api/audit", headers={"X-CSRFToken": ""}).status_code == 200
    assert admin.post("/api/staff/channel-codes", json={"channel": "集市"},
                      headers={"X-CSRFToken": token}).status_code == 201  # the token itself works


# --- status tokens ---------------------------------------------------------------------------

def test_a_status_token_must_match_its_whole_hash(bank, book, client, db):
    from server.bookings.service import hash_token

    token = callback(book, bank).get_json()["status_token"]
    booking = db.exec(select(Booking)).one()
    assert client.get("/api/status", headers={"X-Booking-Token": token}).status_code == 200
    for guess in (token[:-1], token[:20], booking.token_hash, booking.token_hash[:32]):
        assert client.get("/api/status", headers={"X-Booking-Token": guess}).status_code == 404, guess
    # a stored hash that shares only its first half with the token's is another booking's
    booking.token_hash = hash_token(token)[:32] + "0" * 32
    db.add(booking)
    db.commit()
    assert client.get("/api/status", headers={"X-Booking-Token": token}).status_code == 404


def test_a_status_token_is_derived_with_the_secret_key(app, bank, book, client):
    headers = {"Idempotency-Key": "retry-me-0001"}
    first = callback(book, bank, headers=headers).get_json()["status_token"]
    app.config["SECRET_KEY"] = "another-secret-key"
    again = callback(book, bank, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["status_token"] != first  # knowing the Idempotency-Key is not enough
    app.config["SECRET_KEY"] = "test-secret"
    assert callback(book, bank, headers=headers).get_json()["status_token"] == first


def test_a_status_link_expires_status_link_days_after_the_appointment(bank, book, client, monkeypatch):
    from server.bookings.service import STATUS_LINK_DAYS

    slot = next_slot()
    token = book(bank.code(bank.wang), slot=slot.isoformat()).get_json()["status_token"]
    now = clock_at(monkeypatch, slot + timedelta(days=STATUS_LINK_DAYS) - timedelta(minutes=1))
    assert client.get("/api/status", headers={"X-Booking-Token": token}).status_code == 200
    now[0] += timedelta(minutes=2)
    r = client.get("/api/status", headers={"X-Booking-Token": token})
    assert r.status_code == 404 and r.get_json()["error"] == "status_not_found"


def test_a_call_back_link_expires_status_link_days_after_it_was_booked(bank, book, client, monkeypatch):
    from server.bookings.service import STATUS_LINK_DAYS

    booked = datetime(2026, 12, 10, 10, 0, tzinfo=TZ)
    now = clock_at(monkeypatch, booked)
    token = callback(book, bank).get_json()["status_token"]
    now[0] = to_utc(booked + timedelta(days=STATUS_LINK_DAYS, minutes=-1))
    assert client.get("/api/status", headers={"X-Booking-Token": token}).status_code == 200
    now[0] += timedelta(minutes=2)
    assert client.get("/api/status", headers={"X-Booking-Token": token}).status_code == 404


def test_a_customer_cannot_cancel_or_move_after_the_appointment_started(bank, book, client, monkeypatch):
    slot = next_slot()
    token = {"X-Booking-Token": book(bank.code(bank.wang), slot=slot.isoformat()).get_json()["status_token"]}
    other = next_slot(hour=14).isoformat()
    now = clock_at(monkeypatch, slot + timedelta(minutes=1))
    moved = client.post("/api/status/reschedule", json={"slot": other}, headers=token)
    cancelled = client.post("/api/status/cancel", headers=token)
    assert (moved.status_code, cancelled.status_code) == (409, 409)
    assert cancelled.get_json()["error"] == "cannot_cancel"
    assert client.get("/api/status", headers=token).get_json()["can_cancel"] is False
    now[0] = to_utc(slot - timedelta(minutes=1))  # a minute before: still the customer's to change
    assert client.post("/api/status/cancel", headers=token).status_code == 200


# --- Shanghai days -------------------------------------------------------------------------

def test_the_daily_limits_retry_after_runs_exactly_to_shanghai_midnight(app, bank, book, monkeypatch):
    app.config["BOOKING_PHONE_PER_DAY"] = 1
    clock_at(monkeypatch, datetime(2026, 12, 10, 23, 59, 30, tzinfo=TZ))
    assert callback(book, bank).status_code == 201
    r = callback(book, bank)
    assert r.status_code == 429 and r.headers["Retry-After"] == "30"


def test_the_daily_limit_starts_again_at_shanghai_midnight_not_utc(app, bank, book, monkeypatch):
    app.config["BOOKING_PHONE_PER_DAY"] = 1
    now = clock_at(monkeypatch, datetime(2026, 12, 10, 23, 59, 30, tzinfo=TZ))
    assert callback(book, bank).status_code == 201
    now[0] = to_utc(datetime(2026, 12, 11, 0, 0, 30, tzinfo=TZ))  # UTC still says the 10th
    assert callback(book, bank).status_code == 201


def flags(admin) -> dict[str, str]:
    rows = admin.get("/api/boards/flagged?period=range&start=2026-12-01&end=2026-12-31").get_json()["items"]
    return {row["reference"]: row["flag"] for row in rows}


def test_today_for_the_repeat_phone_flag_counts_from_shanghai_midnight(bank, book, login, monkeypatch):
    now = clock_at(monkeypatch, datetime(2026, 12, 10, 7, 0, tzinfo=TZ))  # UTC: the 9th, 23:00
    callback(book, bank)
    now[0] = to_utc(datetime(2026, 12, 10, 9, 0, tzinfo=TZ))  # UTC: the 10th
    repeat = callback(book, bank).get_json()["reference"]
    assert flags(login(bank.admin)) == {repeat: "repeat_phone"}


def test_a_booking_after_shanghai_midnight_is_a_new_day_though_utc_says_otherwise(bank, book, login,
                                                                                   monkeypatch):
    now = clock_at(monkeypatch, datetime(2026, 12, 9, 23, 30, tzinfo=TZ))  # UTC: the 9th, 15:30
    callback(book, bank)
    now[0] = to_utc(datetime(2026, 12, 10, 0, 30, tzinfo=TZ))  # UTC: the 9th, 16:30
    assert callback(book, bank).status_code == 201
    assert flags(login(bank.admin)) == {}


# --- Idempotency-Key, with call backs: no slot check can answer for the key lookup ----------

def test_a_retried_call_back_with_the_same_key_is_the_same_booking(bank, book, db):
    headers = {"Idempotency-Key": "callback-retry-0001"}
    first, again = callback(book, bank, headers=headers), callback(book, bank, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["reference"] == first.get_json()["reference"]
    assert len(db.exec(select(Booking)).all()) == 1


def test_a_key_reused_for_another_call_back_is_refused(bank, book, db):
    headers = {"Idempotency-Key": "callback-retry-0002"}
    callback(book, bank, headers=headers)
    r = callback(book, bank, headers=headers, note="另一件事")
    assert r.status_code == 422 and r.get_json()["error"] == "idempotency_mismatch"
    assert len(db.exec(select(Booking)).all()) == 1


# --- the database decides slot races, on SQLite as on PostgreSQL ---------------------------

def test_the_database_refuses_a_second_active_booking_for_the_same_manager_and_slot(app, bank, book, db):
    indexes = {ix["name"]: ix for ix in inspect(app.extensions["engine"]).get_indexes("booking")}
    assert indexes["uq_booking_active_slot"]["unique"]
    assert indexes["uq_booking_active_slot"]["column_names"] == ["employee_id", "slot_start"]
    assert book(bank.code(bank.wang)).status_code == 201
    first = db.exec(select(Booking)).one()
    row = first.model_dump(exclude={"id"})

    def insert(**changes):
        db.add(Booking(**{**row, "reference": "YQZZZZZ" + str(len(changes)), "token_hash": os.urandom(32).hex(),
                          "idempotency_key": None, **changes}))
        db.commit()

    with pytest.raises(IntegrityError):
        insert(status="contacted")
    db.rollback()
    insert(status="cancelled")  # a cancelled booking holds no slot


# --- the log scan names the test that leaked ------------------------------------------------

LEAKY_TEST = '''
import logging


def test_that_logs_a_phone_number():
    logging.getLogger("leaky").warning("customer 13812345678 booked")


def test_that_logs_nothing_personal():
    logging.getLogger("clean").warning("a booking was made")
'''


def test_a_log_line_with_a_phone_number_fails_the_test_that_wrote_it(tmp_path):
    (tmp_path / "test_leaky.py").write_text(LEAKY_TEST)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
                          "--rootdir", str(tmp_path), str(tmp_path / "test_leaky.py")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "TEST_DATABASE_URL": ""})
    assert run.returncode != 0
    out = run.stdout
    assert "ERROR at teardown of test_that_logs_a_phone_number" in out, out[-2000:]
    assert "test_leaky.py::test_that_logs_a_phone_number" in out.split("short test summary info")[1]
    assert "personal data reached the logs" in out and "1 error" in out
    assert "test_that_logs_nothing_personal" not in out.split("short test summary info")[1]
