"""New-booking notifications: delivered after the booking, retried, never blocking or losing it."""
import http.server
import json
import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from server.models import Booking, Notification, utcnow
from server.notify import service
from server.notify.service import deliver_due


class Receiver:
    """A webhook receiver on loopback that can be told to fail."""

    def __init__(self, failures: int = 0, delay: float = 0):
        self.got, self.failures, self.arrived = [], failures, threading.Event()
        self.headers, self.in_flight, self.overlaps = [], set(), []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("X-Message-Id")
                with lock:
                    if key in outer.in_flight:
                        outer.overlaps.append(key)  # a second delivery started while one is in flight
                    outer.in_flight.add(key)
                    outer.headers.append(key)
                time.sleep(delay)
                with lock:
                    outer.in_flight.discard(key)
                if outer.failures:
                    outer.failures -= 1
                    self.send_response(500)
                else:
                    outer.got.append(body)
                    outer.arrived.set()
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        deadline = time.monotonic() + 5
        while self.in_flight and time.monotonic() < deadline:  # let slow answers finish
            time.sleep(0.02)
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app):
    r = Receiver()
    app.config["NOTIFY_WEBHOOK_URL"] = r.url
    yield r
    r.close()


def test_the_manager_is_told_through_the_webhook_without_the_customers_number(bank, book, receiver):
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    assert receiver.arrived.wait(5), "the webhook never arrived"
    [body] = receiver.got
    assert body["event"] == "booking.created" and body["reference"] == ref
    assert "138****5678" in body["text"] and "13812345678" not in json.dumps(body, ensure_ascii=False)


def test_the_wecom_format_is_a_markdown_message(bank, book, receiver, app):
    app.config["NOTIFY_WEBHOOK_FORMAT"] = "wecom"
    book(bank.code(bank.wang))
    assert receiver.arrived.wait(5)
    assert receiver.got[0]["msgtype"] == "markdown" and "新预约" in receiver.got[0]["markdown"]["content"]


def test_a_dead_receiver_neither_blocks_nor_loses_the_booking_and_it_is_sent_later(bank, book, app, db):
    dead = Receiver()
    dead.close()  # nothing listens there any more
    app.config["NOTIFY_WEBHOOK_URL"] = dead.url
    app.extensions.pop("notify")  # deliver by hand here, to control the clock
    assert book(bank.code(bank.wang)).status_code == 201
    with app.app_context():
        assert deliver_due(db) == 0
        note = db.exec(select(Notification)).one()
        assert (note.status, note.attempts) == ("pending", 1) and note.next_at > utcnow()
        alive = Receiver(failures=1)
        app.config["NOTIFY_WEBHOOK_URL"] = alive.url
        assert deliver_due(db, now=utcnow() + timedelta(minutes=5)) == 0  # 500: tried again later
        assert deliver_due(db, now=utcnow() + timedelta(minutes=10)) == 1
        alive.close()
    db.rollback()
    assert db.exec(select(Notification.status)).one() == "sent" and len(db.exec(select(Booking)).all()) == 1
    assert alive.got[0]["reference"] == db.exec(select(Booking.reference)).one()


def test_in_one_batch_each_message_keeps_its_own_outcome(bank, book, app, db):
    """Results are written a few at a time: the two that the receiver refused are tried again
    later, the rest are recorded as sent, and none is sent twice."""
    receiver = Receiver(failures=2)
    app.config["NOTIFY_WEBHOOK_URL"] = receiver.url
    app.extensions.pop("notify")
    for k in range(12):  # more than one results write (RECORD_EVERY = 10)
        assert book(bank.code(bank.wang), phone=f"1390000{k:04d}", slot=None, callback=True).status_code == 201
    with app.app_context():
        assert deliver_due(db) == 10
        db.rollback()
        notes = db.exec(select(Notification)).all()
        assert sorted(n.status for n in notes) == ["pending"] * 2 + ["sent"] * 10
        assert all(n.attempts == 1 for n in notes)
        assert all((n.sent_at is not None) == (n.status == "sent") for n in notes)
        assert deliver_due(db) == 0  # not due yet: backing off
        assert deliver_due(db, now=utcnow() + timedelta(minutes=5)) == 2
    receiver.close()
    assert len(receiver.got) == 12 and len({m["reference"] for m in receiver.got}) == 12


def test_two_processes_never_send_the_same_notification_twice(bank, book, app, receiver):
    app.extensions.pop("notify")
    book(bank.code(bank.wang))
    engine = app.extensions["engine"]
    with app.app_context(), Session(engine) as one, Session(engine) as two:
        sent = deliver_due(one) + deliver_due(two)
    assert sent == 1 and len(receiver.got) == 1


def test_the_message_sender_is_pluggable_and_logs_nothing_personal(bank, book, app, db, caplog):
    app.config["MESSAGE_SENDER"] = "log"
    app.extensions.pop("notify")
    book(bank.code(bank.wang))
    with app.app_context(), caplog.at_level("INFO", logger="yryd.notify"):
        assert deliver_due(db) == 1
    assert f"message to employee:{bank.wang.id}" in caplog.text and "138" not in caplog.text


def _deliver_until_done(app, engine, seconds: float = 30) -> None:
    """One delivering worker: its own session, rounds until nothing is pending or claimable."""
    deadline = time.monotonic() + seconds
    with app.app_context(), Session(engine) as db:
        while time.monotonic() < deadline:
            deliver_due(db, limit=10)
            if not db.exec(select(Notification.id).where(Notification.status == "pending")).first():
                return
            db.rollback()
            time.sleep(0.05)


def _workers(app, engines, per_engine: int = 2) -> None:
    threads = [threading.Thread(target=_deliver_until_done, args=(app, engine))
               for engine in engines for _ in range(per_engine)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_a_receiver_slower_than_the_timeout_gets_each_notification_once_across_two_workers(
        bank, book, app, db, monkeypatch):
    monkeypatch.setattr(service, "TIMEOUT_SECONDS", 0.3)
    slow = Receiver(delay=0.8)  # answers after the client has stopped waiting
    app.config["NOTIFY_WEBHOOK_URL"] = slow.url
    app.extensions.pop("notify")
    for k in range(3):
        assert book(bank.code(bank.wang), phone=f"1390000{k:04d}", slot=None, callback=True).status_code == 201
    _workers(app, [app.extensions["engine"]])
    with app.app_context():
        assert deliver_due(db, now=utcnow() + timedelta(hours=2)) == 0  # nothing left to try again
    slow.close()
    ids = [m["id"] for m in slow.got]
    assert len(ids) == 3 and len(set(ids)) == 3 and sorted(slow.headers) == sorted(ids)
    assert slow.overlaps == []
    assert db.exec(select(Notification.status)).all() == ["sent"] * 3
    message = slow.got[0]
    assert message["manager"] == {"name": "王丽", "staff_no": "YQ0001"} and message["branch"] == "平定支行"
    assert "王丽" in message["text"] and "平定支行" in message["text"]


def test_a_message_taken_over_after_its_lease_ended_is_not_sent_by_the_first_worker_too(
        bank, book, app, receiver):
    app.extensions.pop("notify")
    book(bank.code(bank.wang))
    engine = app.extensions["engine"]
    with app.app_context(), Session(engine) as one, Session(engine) as two:
        now = utcnow()
        batch, held = service.claim(one, now, 10)  # the first worker claims, then stalls
        assert len(batch) == 1
        assert deliver_due(two, now=now + service.lease() + timedelta(seconds=1)) == 1
        woke = now + service.lease() + timedelta(seconds=2)  # it wakes up after its lease ended:
        assert service.deliver(one, batch, held, woke) == 0  # no longer its message
    assert len(receiver.got) == 1


def test_the_same_message_keeps_its_id_when_it_is_tried_again(bank, book, app, db):
    flaky = Receiver(failures=1)
    app.config["NOTIFY_WEBHOOK_URL"] = flaky.url
    app.extensions.pop("notify")
    book(bank.code(bank.wang))
    with app.app_context():
        assert deliver_due(db) == 0
        assert deliver_due(db, now=utcnow() + timedelta(minutes=5)) == 1
    flaky.close()
    assert len(flaky.headers) == 2 and flaky.headers[0] == flaky.headers[1] == flaky.got[0]["id"]


def test_two_instances_delivering_hundreds_at_once_never_deadlock_and_send_each_once(
        bank, book, app, db, database_url, caplog):
    """Two engines (two instances) of two workers each, while bookings keep coming."""
    from sqlalchemy import create_engine, insert

    from server.db import make_engine

    fast = Receiver()
    app.config["NOTIFY_WEBHOOK_URL"] = fast.url
    app.extensions.pop("notify")
    app.config.update(BOOKING_LIMIT_IP="100000/minute", BOOKING_PHONE_PER_DAY=100000)
    offers = {bank.wang.id: "consumer-credit", bank.li.id: "consumer-credit", bank.zhao.id: "tax-loan"}
    bookings = [book(bank.code(e), phone=f"1390001{k:04d}", slot=None, callback=True, product=offers[e.id]).status_code
                for k, e in enumerate([bank.wang, bank.li, bank.zhao] * 4)]
    assert bookings == [201] * 12
    rows = db.exec(select(Booking.id, Booking.employee_id)).all()
    now = utcnow()
    db.execute(insert(Notification.__table__), [
        dict(booking_id=b, employee_id=e, channel="webhook", status="pending", attempts=0, next_at=now,
             created_at=now, sent_at=None) for k in range(25) for b, e in rows])
    db.commit()
    total = db.exec(select(Notification.id)).all()
    assert len(total) == 312
    other = make_engine(database_url)
    more = threading.Thread(target=lambda: [book(bank.code(bank.wang), phone=f"1390002{k:04d}", slot=None,
                                                 callback=True) for k in range(20)])
    with caplog.at_level("INFO"):
        more.start()
        _workers(app, [app.extensions["engine"], other])
        more.join()
        _workers(app, [app.extensions["engine"]], per_engine=1)  # what the late bookings added
    other.dispose()
    fast.close()
    db.rollback()
    assert db.exec(select(Notification.status)).all() == ["sent"] * 332
    assert len(fast.got) == 332 and len({m["id"] for m in fast.got}) == 332
    assert "40P01" not in caplog.text and "deadlock" not in caplog.text.lower()
    assert "40001" not in caplog.text and "retried" not in caplog.text
