"""A walk-in's receipt: the status link as a QR on the staff phone, by text when the customer
agrees, once; and the appointment as a calendar file the phone's calendar opens."""
import base64
import io
from datetime import timedelta

import cv2
import numpy as np
from icalendar import Calendar
from PIL import Image
from sqlmodel import Session

from server.customers import reminders
from tests.conftest import booking_body, next_slot


def _decode(data_url: str) -> str:
    assert data_url.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1])))
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(np.array(image.convert("L")))
    return text


def _deliver(app, at=None) -> int:
    with app.app_context(), Session(app.extensions["engine"]) as db:
        return reminders.deliver_due(db, now=at)


def test_a_walk_in_booking_answers_with_a_qr_that_opens_its_status_page(app, bank, login, client):
    staff = login(bank.wang)
    r = staff.post("/api/staff/bookings", json=booking_body(channel="walk-in"), headers={"Idempotency-Key": "w-1"})
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["status_url"].startswith("http://shop.test/b/#")
    assert _decode(made["qr"]) == made["status_url"]

    token = made["status_url"].split("#", 1)[1]
    status = client.get("/api/status", headers={"X-Booking-Token": token})
    assert status.status_code == 200
    assert status.get_json()["reference"] == made["reference"]
    assert made["message_queued"] is False


def test_the_status_link_is_texted_once_when_the_customer_agrees(app, bank, login, caplog):
    staff = login(bank.wang)
    body = booking_body(channel="phone", send_link=True)
    r = staff.post("/api/staff/bookings", json=body, headers={"Idempotency-Key": "w-2"})
    assert r.status_code == 201
    again = staff.post("/api/staff/bookings", json=body, headers={"Idempotency-Key": "w-2"})
    assert again.get_json()["reference"] == r.get_json()["reference"]

    assert _deliver(app) == 1
    assert _deliver(app) == 0
    sent = [m for m in app.extensions["customer_sender"].sent if m["kind"] == "receipt"]
    assert len(sent) == 1
    assert sent[0]["phone"] == "13812345678"
    assert sent[0]["params"]["link"] == r.get_json()["status_url"]
    assert set(sent[0]["params"]) == {"bank", "link", "time", "manager"}
    token = r.get_json()["status_url"].split("#", 1)[1]
    assert "13812345678" not in caplog.text and token not in caplog.text and "刘大爷" not in caplog.text


def test_no_text_without_the_customers_agreement(app, bank, login):
    r = login(bank.wang).post("/api/staff/bookings", json=booking_body(send_link=False))
    assert r.status_code == 201
    assert _deliver(app) == 0
    assert app.extensions["customer_sender"].sent == []


def test_a_staff_booking_without_a_key_still_gets_a_working_link(app, bank, login, client):
    r = login(bank.wang).post("/api/staff/bookings", json=booking_body())
    token = r.get_json()["status_url"].split("#", 1)[1]
    assert client.get("/api/status", headers={"X-Booking-Token": token}).status_code == 200


def test_the_calendar_file_holds_the_time_place_manager_and_link(app, bank, book, client):
    slot = next_slot(days_ahead=2, hour=10, minute=30)
    made = book("SHOP0001", headers={"Idempotency-Key": "c-1"}, slot=slot.isoformat()).get_json()
    r = client.get("/api/status/calendar.ics", headers={"X-Booking-Token": made["status_token"]})
    assert r.status_code == 200
    assert r.mimetype == "text/calendar"

    cal = Calendar.from_ical(r.data)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    event = cal.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == slot
    assert str(event.decoded("DTSTART").tzinfo) == "Asia/Shanghai"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)
    assert "阳泉市" not in str(event["LOCATION"]) and "平定县冠山镇" in str(event["LOCATION"])
    assert "消费信用贷" in str(event["SUMMARY"])
    assert "王丽" in str(event["DESCRIPTION"]) and made["status_url"] in str(event["DESCRIPTION"])
    assert str(event["UID"]) == f"{made['reference']}@shop.test"


def test_no_calendar_file_without_a_link_or_a_time(app, bank, book, client):
    assert client.get("/api/status/calendar.ics").status_code == 404
    made = book("SHOP0001", slot=None, callback=True).get_json()
    r = client.get("/api/status/calendar.ics", headers={"X-Booking-Token": made["status_token"]})
    assert r.status_code == 409
    assert r.get_json()["error"] == "no_appointment_time"
