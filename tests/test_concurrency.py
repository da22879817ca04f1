"""No booking lost or doubled under real concurrency: 64 parallel requests through gunicorn
workers, on SQLite and on PostgreSQL; the database itself says no."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, func, select

from server.models import Booking, DailyStat
from tests.conftest import booking_body, next_slot
from tests.servers import gunicorn, migrated_bank, request

N = 64
LIMITS = {"BOOKING_LIMIT_IP": "100000/minute", "PUBLIC_LIMIT_IP": "100000/minute"}


@pytest.fixture
def server(database_url):
    bank = migrated_bank(database_url)
    with gunicorn(database_url, workers=2, **LIMITS) as port:
        yield port, bank


def post_all(port, code, bodies, keys=None):
    def one(i):
        headers = {"Idempotency-Key": keys[i]} if keys else {}
        return request(port, "POST", f"/api/shops/{code}/bookings", bodies[i], headers, timeout=60)
    with ThreadPoolExecutor(max_workers=N) as pool:
        return list(pool.map(one, range(len(bodies))))


def counts(database_url):
    engine = create_engine(database_url)
    with Session(engine) as db:
        bookings = db.exec(select(func.count()).select_from(Booking)).one()
        rolled = db.exec(select(func.coalesce(func.sum(DailyStat.bookings), 0))).one()
    engine.dispose()
    return bookings, rolled


def phone(i: int) -> str:
    return f"1390000{i:04d}"


def test_64_parallel_posts_of_one_key_make_one_booking(server, database_url):
    port, bank = server
    results = post_all(port, bank.code(bank.wang), [booking_body()] * N, keys=["same-key-1"] * N)
    statuses = [status for status, _, _ in results]
    assert all(s < 500 for s in statuses), statuses
    assert set(statuses) == {201}
    assert len({body["reference"] for _, body, _ in results}) == 1
    assert counts(database_url) == (1, 1)


def test_64_customers_racing_for_one_slot_get_one_201_and_63_409s(server, database_url):
    port, bank = server
    bodies = [booking_body(phone=phone(i), name=f"客户{i}") for i in range(N)]
    statuses = sorted(status for status, _, _ in post_all(port, bank.code(bank.wang), bodies))
    assert statuses == [201] + [409] * (N - 1)
    assert counts(database_url) == (1, 1)


def test_64_customers_on_64_distinct_slots_all_get_their_booking(server, database_url):
    port, bank = server
    slots, day = [], next_slot()
    while len(slots) < N:
        for hour, minute in [(9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (11, 30), (13, 30), (14, 0),
                             (14, 30), (15, 0), (15, 30), (16, 0), (16, 30)]:
            slots.append(day.replace(hour=hour, minute=minute).isoformat())
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    bodies = [booking_body(phone=phone(i), slot=slots[i]) for i in range(N)]
    statuses = [status for status, _, _ in post_all(port, bank.code(bank.wang), bodies)]
    assert statuses == [201] * N
    assert counts(database_url) == (N, N)


def test_a_worker_waiting_for_another_processes_sqlite_lock_keeps_answering(database_url):
    """Another process (a second worker, a backup, the CLI) holds SQLite's write lock: a
    booking waits for it, and the same worker's other requests are answered meanwhile."""
    import sqlite3
    import threading
    import time

    from sqlalchemy import make_url

    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    bank = migrated_bank(database_url)
    with gunicorn(database_url, workers=1, MESSAGE_SENDER="", PUBLIC_BASE_URL="http://shop.test") as port:
        holder = sqlite3.connect(make_url(database_url).database, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        threading.Timer(2.0, lambda: holder.execute("COMMIT")).start()
        booked = []
        booking = threading.Thread(target=lambda: booked.append(request(
            port, "POST", f"/api/shops/{bank.code(bank.wang)}/bookings", booking_body(), timeout=30)))
        booking.start()
        time.sleep(0.3)  # the booking is waiting for the lock now
        started = time.monotonic()
        assert request(port, "GET", "/healthz")[0] == 200
        waited = time.monotonic() - started
        booking.join()
        holder.close()
    assert waited < 0.5, waited
    assert booked[0][0] == 201  # and once the lock was free, the booking was made
