"""Bookings that wait together are written together, and each still ends as it would alone.

The requests are real threads posting through the app while the process's writer is held
busy, so that all of them queue and the next batch takes them at once (as under load).
"""
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, make_url
from sqlmodel import func, select

from server.bookings import service
from server.models import Booking, DailyStat
from tests.conftest import booking_body, next_slot


def post_together(app, requests):
    """Post every (code, body, headers) at once while the writer is busy; the answers, and how
    many transactions committed once it was free."""
    group, commits = app.extensions["group_commit"], []
    listen = lambda conn: commits.append(1)  # noqa: E731
    with ThreadPoolExecutor(len(requests)) as pool:
        with group._writing:  # a batch is being written: everyone else queues, in this order
            futures = []
            for code, body, headers in requests:
                futures.append(pool.submit(app.test_client().post, f"/api/shops/{code}/bookings", json=body,
                                           headers=headers or {}))
                deadline = time.monotonic() + 10
                while len(group._queue) < len(futures) and time.monotonic() < deadline:
                    time.sleep(0.005)
                assert len(group._queue) == len(futures)
            event.listen(app.extensions["engine"], "commit", listen)
        try:
            return [f.result(timeout=30) for f in futures], len(commits)
        finally:
            event.remove(app.extensions["engine"], "commit", listen)


def phone(i):
    return f"1370000{i:04d}"


def test_bookings_waiting_together_share_one_transaction_and_each_is_made_once(app, bank, db):
    code = bank.code(bank.wang)
    answers, commits = post_together(app, [(code, booking_body(phone=phone(i), slot=None, callback=True), None)
                                           for i in range(8)])
    assert [r.status_code for r in answers] == [201] * 8
    assert len({r.get_json()["reference"] for r in answers}) == 8
    assert all(r.get_json()["manager"] == "王丽" for r in answers)
    assert commits == 1
    assert db.exec(select(func.count()).select_from(Booking)).one() == 8
    assert db.exec(select(func.sum(DailyStat.bookings))).one() == 8


def wait_until(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_bookings_posted_while_the_writer_waits_for_the_database_join_its_batch(app, bank, database_url):
    """Another process holds SQLite's write lock: the first booking waits for it, and those
    posted meanwhile are written in that same transaction once the lock is free."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock; PostgreSQL takes no lock to begin")
    code, group, commits = bank.code(bank.wang), app.extensions["group_commit"], []
    listen = lambda conn: commits.append(1)  # noqa: E731
    post = lambda i: app.test_client().post(f"/api/shops/{code}/bookings",  # noqa: E731
                                            json=booking_body(phone=phone(i), slot=None, callback=True))
    other = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(post, 0)]
            wait_until(group._writing.locked)  # the first one is writing: it waits for the lock
            time.sleep(0.05)
            waiting = len(group._queue)
            for i in range(1, 6):
                futures.append(pool.submit(post, i))
                wait_until(lambda: len(group._queue) == waiting + i)
            time.sleep(0.05)
            event.listen(app.extensions["engine"], "commit", listen)
            other.execute("COMMIT")
            answers = [f.result(timeout=30) for f in futures]
    finally:
        other.close()
        if event.contains(app.extensions["engine"], "commit", listen):
            event.remove(app.extensions["engine"], "commit", listen)
    assert [r.status_code for r in answers] == [201] * 6
    assert commits == [1]  # all six in the transaction that waited


def test_in_a_batch_each_booking_ends_as_it_would_alone(app, bank, db):
    """A refused one refuses only itself; two that touch the same customer, slot or key are
    made one after the other, so the second sees the first."""
    code, slot = bank.code(bank.wang), next_slot(hour=10).isoformat()
    answers, commits = post_together(app, [
        (code, booking_body(phone=phone(1), slot=slot), None),
        (code, booking_body(phone=phone(2), slot=slot), None),  # the same slot: taken by then
        (code, booking_body(phone=phone(3), product="no-such-loan"), None),
        (code, booking_body(phone=phone(4), slot=None, callback=True), None),
        (code, booking_body(phone=phone(4), slot=None, callback=True, note="再约一次"), None),  # same customer
        (code, booking_body(phone=phone(5), slot=None, callback=True), {"Idempotency-Key": "k-1"}),
        (code, booking_body(phone=phone(5), slot=None, callback=True), {"Idempotency-Key": "k-1"}),  # a retry
    ])
    statuses = [r.status_code for r in answers]
    assert statuses == [201, 409, 422, 201, 201, 201, 201]
    assert answers[1].get_json()["error"] == "slot_taken" and answers[1].get_json()["free_slots"]
    assert answers[2].get_json()["fields"]["product"]
    assert answers[6].headers["Idempotent-Replayed"] == "true"
    assert answers[6].get_json()["reference"] == answers[5].get_json()["reference"]
    assert commits == 2  # the first batch, then the three put off behind it
    flags = dict(db.exec(select(Booking.note, Booking.flag).where(Booking.customer_id.is_not(None))).all())
    assert flags["再约一次"] == "repeat_phone"  # counted after the first, as if alone
    assert db.exec(select(func.count()).select_from(Booking)).one() == 4


def test_a_batch_that_loses_a_race_is_made_again_one_by_one(app, bank, db, monkeypatch):
    """Another process took a slot between the check and the write (here: the check is
    blinded): the unique index says no, the batch rolls back, and each booking is made alone."""
    code, slot = bank.code(bank.wang), next_slot(hour=11)
    assert app.test_client().post(f"/api/shops/{code}/bookings",
                                  json=booking_body(phone=phone(9), slot=slot.isoformat())).status_code == 201
    monkeypatch.setattr(service, "taken", lambda *a, **k: set())
    answers, _ = post_together(app, [
        (code, booking_body(phone=phone(1), slot=None, callback=True), None),
        (code, booking_body(phone=phone(2), slot=slot.isoformat()), None),
        (code, booking_body(phone=phone(3), slot=None, callback=True), None),
    ])
    assert [r.status_code for r in answers] == [201, 409, 201]
    assert db.exec(select(func.count()).select_from(Booking)).one() == 3
    assert db.exec(select(func.sum(DailyStat.bookings))).one() == 3


def test_the_writer_never_leaves_a_request_waiting_when_the_database_fails(app, bank, monkeypatch):
    """Every booking of a batch hears the failure (503), and the writer takes the next batch."""
    import sqlalchemy.exc

    code, real = bank.code(bank.wang), service.write
    broken = threading.Event()
    broken.set()

    def failing(db, jobs):
        if broken.is_set():
            raise sqlalchemy.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(db, jobs)

    monkeypatch.setattr(service, "write", failing)
    answers, _ = post_together(app, [(code, booking_body(phone=phone(i), slot=None, callback=True), None)
                                     for i in range(4)])
    assert [r.status_code for r in answers] == [503] * 4
    broken.clear()
    assert app.test_client().post(f"/api/shops/{code}/bookings",
                                  json=booking_body(phone=phone(7), slot=None, callback=True)).status_code == 201


def test_a_batch_chosen_as_a_deadlock_victim_is_made_again_not_refused(app, bank, db, monkeypatch):
    """PostgreSQL may abort one of two transactions that wait on each other (SQLSTATE 40P01):
    that is a lost race like a unique index's, so the customers still get their bookings."""
    import sqlalchemy.exc

    class Deadlock(Exception):
        sqlstate = "40P01"

    code, real, calls = bank.code(bank.wang), service.write, []

    def first_batch_deadlocks(db, jobs):
        calls.append(len(jobs))
        if len(calls) == 1:
            raise sqlalchemy.exc.OperationalError("INSERT", {}, Deadlock("deadlock detected"))
        return real(db, jobs)

    monkeypatch.setattr(service, "write", first_batch_deadlocks)
    answers, _ = post_together(app, [(code, booking_body(phone=phone(i), slot=None, callback=True), None)
                                     for i in range(3)])
    assert [r.status_code for r in answers] == [201] * 3
    assert calls == [3, 1, 1, 1]  # the batch, then each booking alone
    assert db.exec(select(func.count()).select_from(Booking)).one() == 3
