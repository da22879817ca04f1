"""New-booking notifications: delivered after the booking, retried, never blocking or losing it."""
import http.server
import json
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from server.models import Booking, Notification, utcnow
from server.notify.service import deliver_due


class Receiver:
    """A webhook receiver on loopback that can be told to fail."""

    def __init__(self, failures: int = 0):
        self.got, self.failures, self.arrived = [], failures, threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
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

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
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
