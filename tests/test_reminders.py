"""Reminders to customers: the day before and an hour before, once each across workers and
restarts, never at night, none for cancelled bookings, re-planned for moved ones; opt-out."""
import threading
from datetime import datetime, timedelta

from sqlmodel import Session, select

from server import create_app, db as database
from server.clock import TZ
from server.customers import reminders
from server.models import Reminder
from tests.conftest import booking_body, next_slot


def _book(book, bank, slot):
    r = book("SHOP0001", headers={"Idempotency-Key": f"k-{slot.isoformat()}"}, slot=slot.isoformat())
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _deliver(app, at: datetime, engine=None) -> int:
    with app.app_context(), Session(engine or app.extensions["engine"]) as db:
        return reminders.deliver_due(db, now=at)


def _sent(app, kind="reminder"):
    return [m for m in app.extensions["customer_sender"].sent if m["kind"] == kind]


def _evening_before(slot: datetime, hour=18, minute=1) -> datetime:
    return datetime.combine(slot.date() - timedelta(days=1), datetime.min.time(), TZ).replace(hour=hour, minute=minute)


def test_a_reminder_goes_the_evening_before_and_an_hour_before_once_each(app, bank, book):
    slot = next_slot(days_ahead=3, hour=10)
    made = _book(book, bank, slot)

    assert _deliver(app, _evening_before(slot, 17, 59)) == 0
    assert _deliver(app, _evening_before(slot)) == 1
    assert _deliver(app, _evening_before(slot, 18, 30)) == 0
    assert _deliver(app, slot - timedelta(minutes=61)) == 0
    assert _deliver(app, slot - timedelta(minutes=59)) == 1
    assert _deliver(app, slot - timedelta(minutes=30)) == 0

    sent = _sent(app)
    assert len(sent) == 2
    assert {m["phone"] for m in sent} == {"13812345678"}
    assert sent[0]["params"]["link"] == made["status_url"]
    assert sent[0]["params"]["time"] == slot.strftime("%m月%d日 %H:%M")
    assert "王丽" in sent[0]["params"]["manager"]


def test_two_workers_claiming_at_once_send_each_reminder_exactly_once(app, bank, book, database_url):
    slots = [next_slot(days_ahead=3, hour=h) for h in (9, 10, 11)] + \
            [next_slot(days_ahead=3, hour=h, minute=30) for h in (9, 10, 11)]
    for slot in slots:
        _book(book, bank, slot)
    at = _evening_before(slots[0])
    engines = [database.make_engine(database_url), database.make_engine(database_url)]
    barrier, counts, errors = threading.Barrier(2), [], []

    def worker(engine):
        try:
            barrier.wait()
            counts.append(_deliver(app, at, engine))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for e in engines:
        e.dispose()

    assert errors == []
    assert sum(counts) == len(slots)
    assert len(_sent(app)) == len(slots)


def test_a_restarted_process_sends_nothing_already_sent(app, bank, book, database_url):
    slot = next_slot(days_ahead=3, hour=10)
    _book(book, bank, slot)
    assert _deliver(app, _evening_before(slot)) == 1

    again = create_app({**app.config, "DATABASE_URL": database_url})
    again.extensions["customer_sender"] = app.extensions["customer_sender"]
    try:
        assert _deliver(again, _evening_before(slot, 18, 2)) == 0
        assert _deliver(again, _evening_before(slot, 21, 0)) == 0
    finally:
        again.extensions["engine"].dispose()
    assert len(_sent(app)) == 1


def test_a_process_that_died_while_sending_leaves_at_most_one_more_send(app, bank, book, db):
    slot = next_slot(days_ahead=3, hour=10)
    _book(book, bank, slot)
    at = _evening_before(slot)
    with app.app_context():
        reminders.plan(db, at)
        claimed = reminders.claim(db, at)  # ... and the process dies before sending or recording
    assert len(claimed) == 1

    assert _deliver(app, at + timedelta(minutes=1)) == 0  # its lease still runs
    assert _deliver(app, at + reminders.LEASE + timedelta(minutes=1)) == 1
    assert _deliver(app, at + 3 * reminders.LEASE) == 0
    assert len(_sent(app)) == 1


def test_no_reminder_for_a_cancelled_booking(app, bank, book, client):
    slot = next_slot(days_ahead=3, hour=10)
    made = _book(book, bank, slot)
    assert _deliver(app, _evening_before(slot, 17, 0)) == 0  # planned
    r = client.post("/api/status/cancel", headers={"X-Booking-Token": made["status_token"]})
    assert r.status_code == 200

    assert _deliver(app, _evening_before(slot)) == 0
    assert _deliver(app, slot - timedelta(minutes=59)) == 0
    assert _sent(app) == []


def test_no_reminder_at_night_one_due_then_waits_for_the_morning(app, bank, book):
    slot = next_slot(days_ahead=3, hour=10)
    _book(book, bank, slot)
    night = _evening_before(slot, 23, 0)

    assert _deliver(app, night) == 0  # the 18:00 reminder is due, but it is night
    assert _deliver(app, night + timedelta(hours=8, minutes=59)) == 0  # 07:59
    assert _deliver(app, night + timedelta(hours=9)) == 1  # 08:00
    assert len(_sent(app)) == 1


def test_a_reminder_due_at_night_goes_at_eight_or_not_at_all(app, bank, book, db):
    app.config["REMINDER_HOUR_BEFORE_MINUTES"] = 150  # 09:00 appointment: due 06:30, at night
    slot = next_slot(days_ahead=3, hour=9)
    _book(book, bank, slot)
    assert _deliver(app, _evening_before(slot)) == 1  # the evening's
    assert _deliver(app, slot - timedelta(minutes=150)) == 0  # 06:30
    assert _deliver(app, slot - timedelta(minutes=61)) == 0  # 07:59
    assert _deliver(app, slot - timedelta(minutes=60)) == 1  # 08:00 sharp
    assert [m["params"]["time"] for m in _sent(app)][-1] == slot.strftime("%m月%d日 %H:%M")

    app.config["QUIET_HOURS"] = "22:00-09:30"  # the morning comes after the appointment: skipped
    later = next_slot(days_ahead=4, hour=9)
    _book(book, bank, later)
    for at in (later - timedelta(hours=3), later - timedelta(minutes=10), later + timedelta(minutes=40)):
        _deliver(app, at)
    states = {r.kind: r.state for r in db.exec(select(Reminder).where(Reminder.slot_start == later))}
    assert states["hour_before"] == "skipped"


def test_a_moved_booking_is_reminded_of_its_new_time(app, bank, book, client):
    slot = next_slot(days_ahead=3, hour=10)
    made = _book(book, bank, slot)
    assert _deliver(app, _evening_before(slot, 12, 0)) == 0  # planned for 10:00
    moved = slot.replace(hour=15)
    r = client.post("/api/status/reschedule", headers={"X-Booking-Token": made["status_token"]},
                    json={"slot": moved.isoformat()})
    assert r.status_code == 200, r.get_json()

    assert _deliver(app, _evening_before(slot)) == 1
    assert _deliver(app, slot - timedelta(minutes=59)) == 0  # the old time: nothing
    assert _deliver(app, moved - timedelta(minutes=59)) == 1
    assert [m["params"]["time"] for m in _sent(app)] == [moved.strftime("%m月%d日 %H:%M")] * 2


def test_reminders_can_be_turned_off_and_on_from_the_status_page(app, bank, book, client):
    slot = next_slot(days_ahead=3, hour=10)
    made = _book(book, bank, slot)
    token = {"X-Booking-Token": made["status_token"]}
    assert client.get("/api/status/reminders", headers=token).get_json() == {"on": True, "available": True}

    r = client.put("/api/status/reminders", headers=token, json={"on": False})
    assert r.status_code == 200 and r.get_json()["on"] is False
    assert _deliver(app, _evening_before(slot)) == 0
    assert client.get("/api/status/reminders", headers=token).get_json()["on"] is False

    client.put("/api/status/reminders", headers=token, json={"on": True})
    assert _deliver(app, slot - timedelta(minutes=59)) == 2  # the evening's, late but before it; the hour's
    assert client.put("/api/status/reminders", headers={"X-Booking-Token": "nope"}, json={"on": False}).status_code == 404
    assert client.put("/api/status/reminders", headers=token, json={"on": "maybe"}).status_code == 422


def test_send_reminders_command_reports_what_it_sent(app, bank, book):
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 0"


def test_failed_messages_are_listed_for_admins_without_personal_data(app, bank, book, login, caplog):
    class Refusing:
        def send(self, phone, kind, params):
            return False

    app.extensions["customer_sender"] = Refusing()
    slot = next_slot(days_ahead=3, hour=10)
    made = _book(book, bank, slot)
    at = _evening_before(slot)
    for minutes in (0, 6, 17, 40):  # tried again with back-off, then given up
        _deliver(app, at + timedelta(minutes=minutes))

    report = login(bank.admin).get("/api/admin/messages").get_json()
    assert {"kind": "day_before", "state": "failed", "count": 1} in report["counts"]
    assert report["failures"][0]["reference"] == made["reference"]
    assert login(bank.wang).get("/api/admin/messages").status_code == 403
    audit = login(bank.admin).get("/api/audit").get_json()
    assert any(e["action"] == "message_failed" for e in audit.get("items", audit if isinstance(audit, list) else []))
    assert "13812345678" not in caplog.text and "刘大爷" not in caplog.text


def test_a_web_process_sends_a_queued_receipt_by_itself(app, bank, login):
    import time

    from server.customers.runner import ReminderRunner

    r = login(bank.wang).post("/api/staff/bookings", json=booking_body(slot=None, callback=True, send_link=True))
    assert r.status_code == 201, r.get_json()
    app.testing = False  # a served app: the runner starts
    runner = ReminderRunner(app)
    try:
        runner.kick()
        deadline = time.monotonic() + 10
        while not _sent(app, "receipt") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()
        app.testing = True
    assert len(_sent(app, "receipt")) == 1
