"""Booking through a shop: 201 with a private link, 422 per field, 409 for a taken slot."""
import pytest
from sqlmodel import func, select

from server.models import Booking, Customer, DailyStat
from tests.conftest import next_slot


def count(db, model):
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def test_booking_returns_reference_and_private_status_link(bank, book):
    r = book(bank.code(bank.wang))
    assert r.status_code == 201
    data = r.get_json()
    assert data["reference"].startswith("YQ") and data["status"] == "new"
    assert data["manager"] == "王丽"
    assert data["phone"] == "138****5678"  # masked even in the customer's own confirmation
    assert data["status_url"] == "http://shop.test/b/#" + data["status_token"]
    assert len(data["status_token"]) >= 22  # at least 128 bits


def test_booking_stores_the_consent_version_and_counts_in_todays_rollup(bank, book, db):
    book(bank.code(bank.wang))
    booking = db.exec(select(Booking)).one()
    assert booking.consent_version == "2026-12-v2"
    stat = db.exec(select(DailyStat)).one()
    assert (stat.employee_id, stat.bookings) == (bank.wang.id, 1)


@pytest.mark.parametrize("field, value, message", [
    ("phone", "12345", "请输入正确的 11 位手机号码。"),
    ("phone", "23812345678", "请输入正确的 11 位手机号码。"),
    ("name", "", "请填写姓名（1–20 个字）。"),
    ("name", "名" * 21, "请填写姓名（1–20 个字）。"),
    ("product", "no-such-product", "请选择要办理的业务。"),
    ("slot", "2020-01-06T09:00:00+08:00", "这个时间不能预约，请选择其他时间。"),
    ("slot", next_slot(hour=9, minute=10).isoformat(), "这个时间不能预约，请选择其他时间。"),
    ("slot", next_slot(hour=12, minute=30).isoformat(), "这个时间不能预约，请选择其他时间。"),
    ("slot", None, "请选择预约时间，或选择“请回电话给我”。"),
    ("consent", False, "请阅读并勾选同意《个人信息处理说明》。"),
    ("note", "长" * 201, "备注最多 200 个字。"),
])
def test_bad_input_is_a_422_with_a_chinese_message_for_that_field_and_stores_nothing(
        bank, book, db, field, value, message):
    r = book(bank.code(bank.wang), **{field: value})
    assert r.status_code == 422
    assert r.get_json()["fields"][field] == message
    assert count(db, Booking) == 0 and count(db, Customer) == 0 and count(db, DailyStat) == 0


def test_errors_come_in_english_when_the_phone_asks_for_english(bank, book):
    r = book(bank.code(bank.wang), phone="1", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.get_json()["fields"]["phone"] == "Please enter a valid 11-digit mainland mobile number."


def test_a_body_that_is_not_json_is_rejected(bank, client):
    r = client.post(f"/api/shops/{bank.code(bank.wang)}/bookings", data="name=x")
    assert r.status_code == 400 and r.get_json()["error"] == "bad_json"


def test_an_outdated_consent_version_asks_to_reload(bank, book):
    r = book(bank.code(bank.wang), consent_version="2020-01-v0")
    assert r.status_code == 422 and "刷新" in r.get_json()["fields"]["consent"]


def test_phone_numbers_are_normalised(bank, book, db):
    assert book(bank.code(bank.wang), phone="+86 138-1234-5678").status_code == 201
    assert db.exec(select(Customer.phone)).one() == "13812345678"


def test_a_taken_slot_is_409_and_offers_other_free_slots(bank, book, db):
    code = bank.code(bank.wang)
    assert book(code).status_code == 201
    r = book(code, phone="13900001111", name="另一位")
    assert r.status_code == 409
    body = r.get_json()
    assert body["error"] == "slot_taken" and body["free_slots"]
    assert next_slot().isoformat() not in [s["start"] for s in body["free_slots"]]
    assert count(db, Booking) == 1


def test_a_taken_slot_disappears_from_open_slots(bank, book, client):
    code = bank.code(bank.wang)
    starts = lambda: [s["start"] for d in client.get(f"/api/shops/{code}/slots").get_json()["days"]
                      for s in d["slots"]]
    assert next_slot().isoformat() in starts()
    book(code)
    assert next_slot().isoformat() not in starts()


def test_open_slots_are_half_hours_in_branch_hours_from_tomorrow(bank, client):
    days = client.get(f"/api/shops/{bank.code(bank.wang)}/slots").get_json()["days"]
    assert 10 <= len(days) <= 13  # two weeks without Sundays
    labels = {s["label"] for d in days for s in d["slots"]}
    assert "09:00" in labels and "16:30" in labels
    assert not labels & {"08:30", "12:00", "13:00", "17:00"}


def test_call_me_back_needs_no_slot(bank, book):
    r = book(bank.code(bank.wang), slot=None, callback=True)
    assert r.status_code == 201 and r.get_json()["callback"] is True


def test_same_idempotency_key_returns_the_first_booking_and_creates_nothing(bank, book, db):
    headers = {"Idempotency-Key": "c0ffee00-0000-4000-8000-000000000001"}
    first = book(bank.code(bank.wang), headers=headers)
    again = book(bank.code(bank.wang), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["reference"] == first.get_json()["reference"]
    assert again.get_json()["status_token"] == first.get_json()["status_token"]
    assert count(db, Booking) == 1 and db.exec(select(DailyStat.bookings)).one() == 1


def test_same_idempotency_key_with_a_different_body_is_422(bank, book, db):
    headers = {"Idempotency-Key": "key-1"}
    book(bank.code(bank.wang), headers=headers)
    r = book(bank.code(bank.wang), headers=headers, note="别的内容")
    assert r.status_code == 422 and r.get_json()["error"] == "idempotency_mismatch"
    assert count(db, Booking) == 1


def test_unknown_shop_is_404_with_what_to_do(client):
    r = client.post("/api/shops/NOPE2345/bookings", json={})
    assert r.status_code == 404 and "二维码" in r.get_json()["message"]


def test_a_booking_is_acknowledged_even_if_the_database_fails_right_after_its_commit(app, bank, book, db):
    """Once committed, the answer needs nothing more from the database: a failure then (a
    restart, a full connection pool) must not tell the customer their booking failed."""
    import sqlalchemy.exc
    from sqlalchemy import event

    engine, inserted, broken = app.extensions["engine"], [], []

    def fail_after_commit(conn, cursor, statement, *args):
        if broken:
            raise sqlalchemy.exc.OperationalError(statement, {}, Exception("server closed the connection"))
        if statement.startswith("INSERT INTO booking"):
            inserted.append(True)

    event.listen(engine, "commit", lambda conn: inserted and broken.append(True))
    event.listen(engine, "before_cursor_execute", fail_after_commit)
    try:
        r = book(bank.code(bank.wang), headers={"Idempotency-Key": "after-commit-1"})
    finally:
        event.remove(engine, "before_cursor_execute", fail_after_commit)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["manager"] == "王丽" and r.get_json()["branch"] == "平定支行"
    assert db.exec(select(func.count()).select_from(Booking)).one() == 1


def test_when_no_database_connection_can_be_had_the_answer_is_503_with_retry_after(app, bank, book, db):
    import sqlalchemy.exc
    from sqlalchemy import event

    engine = app.extensions["engine"]

    def pool_exhausted(*args):
        raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 10 overflow 20 reached")

    event.listen(engine, "before_cursor_execute", pool_exhausted)
    try:
        r = book(bank.code(bank.wang))
    finally:
        event.remove(engine, "before_cursor_execute", pool_exhausted)
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert "请稍候" in r.get_json()["message"]
    assert db.exec(select(func.count()).select_from(Booking)).one() == 0


def test_a_database_error_that_is_a_bug_is_a_500_not_a_busy_503(app, bank, book):
    import sqlalchemy.exc
    from sqlalchemy import event

    engine = app.extensions["engine"]

    def broken_schema(*args):
        raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("no such table: product"))

    event.listen(engine, "before_cursor_execute", broken_schema)
    try:
        r = book(bank.code(bank.wang))
    finally:
        event.remove(engine, "before_cursor_execute", broken_schema)
    assert r.status_code == 500 and "Retry-After" not in r.headers


def test_a_sqlite_write_lock_held_too_long_elsewhere_is_a_503_and_nothing_is_written(
        app, bank, book, db, database_url, monkeypatch):
    import sqlite3

    from sqlalchemy import make_url

    from server import db as database

    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    monkeypatch.setattr(database, "BUSY_SECONDS", 0.3)
    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than we wait
    try:
        r = book(bank.code(bank.wang))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert db.exec(select(func.count()).select_from(Booking)).one() == 0
    assert book(bank.code(bank.wang)).status_code == 201  # the same connections work afterwards
