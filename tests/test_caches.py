"""Shop profiles and boards are served from per-process caches: never staler than a change.

A change committed in this process clears its caches at once; one committed by another process
clears them when its message arrives over Redis; without any message, an entry lives at most
SHOP_CACHE_SECONDS / BOARD_CACHE_SECONDS.
"""
import os
import time
import uuid
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from server import create_app
from server.cache import Cache
from server.clock import TZ
from server.models import Booking, Employee, OutOfOffice, Product
from tests.conftest import PASSWORD

REDIS = os.environ.get("TEST_REDIS_URL")


def test_a_shop_shows_a_staff_or_product_change_at_once(bank, client, db):
    code = bank.code(bank.wang)
    first = client.get(f"/api/shops/{code}").get_json()
    assert "三农保证贷" in [p["name"] for p in first["products"]]

    wang = db.get(Employee, bank.wang.id)
    wang.intro = "周三在冠山村便民点"
    db.get(Product, bank.products[1].id).active = False
    db.commit()

    shop = client.get(f"/api/shops/{code}").get_json()
    assert shop["manager"]["intro"] == "周三在冠山村便民点"
    assert "三农保证贷" not in [p["name"] for p in shop["products"]]


def test_an_unchanged_shop_answers_304(bank, client):
    r = client.get(f"/api/shops/{bank.code(bank.wang)}")
    again = client.get(f"/api/shops/{bank.code(bank.wang)}", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_a_board_counts_a_new_booking_at_once_and_each_viewer_sees_their_own_row(bank, book, login):
    wang, li = login(bank.wang), login(bank.li)
    before = wang.get("/api/boards/employees?period=today").get_json()
    assert before["mine"]["name"] == "王丽" and before["mine"]["bookings"] == 0

    assert book(bank.code(bank.li)).status_code == 201

    board = wang.get("/api/boards/employees?period=today").get_json()
    assert board["mine"]["name"] == "王丽"
    assert next(r for r in board["rows"] if r["name"] == "李强")["bookings"] == 1
    theirs = li.get("/api/boards/employees?period=today").get_json()
    assert theirs["rows"] == board["rows"]
    assert theirs["mine"]["name"] == "李强" and theirs["mine"]["bookings"] == 1


def test_a_polling_phone_gets_304_until_the_board_or_its_own_row_changes(bank, book, login):
    wang, li = login(bank.wang), login(bank.li)
    board = "/api/boards/employees?period=today"
    first = wang.get(board)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    again = wang.get(board, headers={"If-None-Match": tag})
    assert again.status_code == 304 and not again.data
    assert li.get(board).headers["ETag"] != tag  # the same ranking, another viewer's own row

    assert book(bank.code(bank.li)).status_code == 201
    changed = wang.get(board, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert next(r for r in changed.get_json()["rows"] if r["name"] == "李强")["bookings"] == 1


def test_without_any_message_a_cached_shop_is_stale_for_at_most_its_ttl(app, bank, client, db):
    app.extensions["caches"].shops.ttl = 1
    code = bank.code(bank.wang)
    client.get(f"/api/shops/{code}")
    # Raw SQL from outside the app (a DBA's fix, say): no ORM event, no bus message.
    db.execute(text("UPDATE employee SET intro = 'changed by hand' WHERE id = :id"), {"id": bank.wang.id})
    db.commit()
    assert client.get(f"/api/shops/{code}").get_json()["manager"]["intro"] != "changed by hand"
    time.sleep(1.1)
    assert client.get(f"/api/shops/{code}").get_json()["manager"]["intro"] == "changed by hand"


def test_a_value_computed_before_a_change_is_not_stored_after_it():
    cache = Cache(ttl=60)
    generation = cache.generation  # a board read starts...
    cache.clear()  # ...a booking commits meanwhile...
    cache.put("board", "old numbers", generation)  # ...the read finishes with what it saw
    assert cache.get("board") is None
    cache.put("board", "new numbers", cache.generation)
    assert cache.get("board") == "new numbers"


def _callback(phone: str) -> dict:
    return dict(phone=phone, slot=None, callback=True)


def test_a_booking_follows_an_absence_a_product_change_and_a_staff_number_at_once(bank, book, db):
    """Bookings read shop codes, staff, absences and products from the worker's cache: a
    change committed a moment ago routes, refuses and flags the very next booking."""
    code = bank.code(bank.wang)
    first = book(code, **_callback("13900000001"))  # fills the cache
    assert first.status_code == 201 and first.get_json()["manager"] == "王丽"

    today = datetime.now(TZ).date()
    db.add(OutOfOffice(employee_id=bank.wang.id, start=today, end=today, delegate_id=bank.li.id,
                       created_by=bank.wang.id))
    db.get(Employee, bank.li.id).phone = "13900000003"
    db.commit()
    assert book(code, **_callback("13900000002")).get_json()["manager"] == "李强"  # the delegate

    staff_number = book(code, **_callback("13900000003"))
    assert staff_number.status_code == 201
    db.rollback()
    flagged = db.exec(select(Booking).where(Booking.reference == staff_number.get_json()["reference"])).one()
    assert flagged.flag == "staff_phone"

    db.get(Product, bank.products[0].id).active = False
    db.commit()
    gone = book(code, **_callback("13900000004"), product=bank.products[0].code)
    assert gone.status_code == 422 and "product" in gone.get_json()["fields"]


def test_while_redis_is_unreachable_a_booking_reads_the_catalog_from_the_database(app, bank, book, db):
    code = bank.code(bank.wang)
    assert book(code, **_callback("13900000001")).get_json()["manager"] == "王丽"  # cached now
    app.extensions["bus"].degraded = True
    today = datetime.now(TZ).date().isoformat()
    # Set by another worker (raw SQL: no event reaches this process, and no message could).
    db.execute(text("INSERT INTO outofoffice (employee_id, start, \"end\", delegate_id, created_by, created_at) "
                    "VALUES (:w, :d, :d, :l, :w, CURRENT_TIMESTAMP)"), {"w": bank.wang.id, "l": bank.li.id, "d": today})
    db.commit()
    assert book(code, **_callback("13900000002")).get_json()["manager"] == "李强"


@contextmanager
def two_hosts(database_url: str, **settings):
    """Two app instances (two workers or hosts) on one database and one fresh Redis channel."""
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
              "PUBLIC_BASE_URL": "http://shop.test", "MESSAGE_SENDER": "", "REDIS_URL": REDIS,
              "REDIS_CHANNEL": f"test:{uuid.uuid4().hex}",
              "RATELIMIT_STORAGE_URI": "memory://", **settings}  # no counters shared with other runs
    hosts = create_app(config), create_app(config)
    try:
        yield hosts
    finally:
        for instance in hosts:
            instance.extensions["bus"].close()
            instance.extensions["notify"].stop()
            instance.extensions["engine"].dispose()


@pytest.mark.skipif(not REDIS, reason="TEST_REDIS_URL not set")
def test_a_change_made_by_another_process_reaches_this_ones_cache(database_url, app, bank):
    with two_hosts(database_url, SHOP_CACHE_SECONDS=300) as (reader, writer):  # only a message clears it
        code = bank.code(bank.wang)
        assert reader.test_client().get(f"/api/shops/{code}").get_json()["manager"]["intro"] == ""
        time.sleep(0.3)  # the reader's bus listener subscribes in the background
        with Session(writer.extensions["engine"]) as other:
            other.get(Employee, bank.wang.id).intro = "changed on another host"
            other.commit()  # publishes {"type": "catalog"} on the shared channel
        deadline, intro = time.monotonic() + 3, ""
        while intro != "changed on another host" and time.monotonic() < deadline:
            time.sleep(0.05)
            intro = reader.test_client().get(f"/api/shops/{code}").get_json()["manager"]["intro"]
        assert intro == "changed on another host"


def test_a_disabled_employee_is_refused_at_once_while_redis_is_unreachable(app, bank, login, db):
    """Without the bus a worker cannot hear other workers' changes: it reads the employee on
    every request instead of trusting its cache."""
    c = login(bank.wang)
    assert c.get("/api/staff/me").status_code == 200  # the row is cached now
    app.extensions["bus"].degraded = True  # as RedisBus sets it when Redis goes away
    # Disabled by another worker (raw SQL here: no event reaches this process).
    db.execute(text("UPDATE employee SET disabled = :yes WHERE id = :id"), {"yes": True, "id": bank.wang.id})
    db.commit()
    assert c.get("/api/staff/me").status_code == 401


@pytest.mark.skipif(not REDIS, reason="TEST_REDIS_URL not set")
def test_logging_out_on_one_host_kills_a_copied_cookie_on_another(database_url, app, bank):
    with two_hosts(database_url, USER_CACHE_SECONDS=300) as (here, there):  # only a message clears it
        mine = here.test_client()
        r = mine.post("/api/staff/login", json={"staff_no": "YQ0001", "password": PASSWORD})
        assert r.status_code == 200, r.get_json()
        mine.environ_base["HTTP_X_CSRFTOKEN"] = r.get_json()["csrf_token"]
        thief = there.test_client()
        thief.set_cookie("yryd", mine.get_cookie("yryd").value)
        assert thief.get("/api/staff/me").status_code == 200  # cached on the other host
        time.sleep(0.3)  # its bus listener subscribes in the background
        assert mine.post("/api/staff/logout").status_code in (200, 204)
        deadline, status = time.monotonic() + 3, 200
        while status == 200 and time.monotonic() < deadline:
            status = thief.get("/api/staff/me").status_code
        assert status == 401


def test_two_requests_of_one_staff_member_at_once_each_get_their_own_employee_row(app, bank, login):
    """A worker's requests share one cached, read-only row for a session's employee; a route
    that needs the row in its database session gets a copy, so two requests at the same time
    never fight over one object (an object belongs to one session at a time)."""
    import threading

    from server.http import me

    client = login(bank.wang)
    assert client.get("/api/staff/me").status_code == 200  # the row is now in the worker's cache
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = f"{name}={client.get_cookie(name).value}"
    first_has_it, second_done, rows, errors = threading.Event(), threading.Event(), {}, []

    def request(key, wait_for, then):
        try:
            with app.test_request_context("/api/staff/me", headers={"Cookie": cookie}):
                if wait_for:
                    wait_for.wait(5)
                rows[key] = me()
                then.set()
                if key == "first":
                    second_done.wait(5)  # still in its request while the other one runs
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
            then.set()

    threads = [threading.Thread(target=request, args=("first", None, first_has_it)),
               threading.Thread(target=request, args=("second", first_has_it, second_done))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert rows["first"] is not rows["second"] and rows["first"].id == rows["second"].id == bank.wang.id
