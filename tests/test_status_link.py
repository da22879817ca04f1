"""The customer's private status link: view, cancel, pick another time."""
from datetime import datetime

from tests.conftest import next_slot


def made(book, bank):
    data = book(bank.code(bank.wang)).get_json()
    return {"X-Booking-Token": data["status_token"]}, data


def test_the_status_link_shows_the_booking_with_a_masked_phone(bank, book, client):
    token, data = made(book, bank)
    r = client.get("/api/status", headers=token)
    assert r.status_code == 200
    assert r.get_json()["reference"] == data["reference"] and r.get_json()["phone"] == "138****5678"
    assert r.headers["Cache-Control"] == "no-store"


def test_an_unknown_or_missing_token_shows_nothing(bank, book, client):
    made(book, bank)
    assert client.get("/api/status", headers={"X-Booking-Token": "x" * 43}).status_code == 404
    assert client.get("/api/status").status_code == 404


def test_the_customer_can_cancel_and_the_slot_opens_again(bank, book, client, login):
    token, data = made(book, bank)
    r = client.post("/api/status/cancel", headers=token)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert r.get_json()["can_cancel"] is False
    assert client.post("/api/status/cancel", headers=token).status_code == 409
    inbox = login(bank.wang).get("/api/staff/bookings").get_json()["items"]
    assert inbox[0]["status"] == "cancelled"
    assert book(bank.code(bank.wang), phone="13900002222").status_code == 201


def test_the_customer_can_move_to_another_open_slot(bank, book, client):
    token, _ = made(book, bank)
    later = next_slot(days_ahead=2, hour=14).isoformat()
    assert later in [s["start"] for d in client.get("/api/status/slots", headers=token).get_json()["days"]
                     for s in d["slots"]]
    r = client.post("/api/status/reschedule", headers=token, json={"slot": later})
    assert r.status_code == 200
    moved = client.get("/api/status", headers=token).get_json()["slot_start"]
    assert datetime.fromisoformat(moved) == next_slot(days_ahead=2, hour=14)


def test_rescheduling_onto_a_taken_slot_is_409(bank, book, client):
    token, _ = made(book, bank)
    other = next_slot(days_ahead=2).isoformat()
    book(bank.code(bank.wang), phone="13900003333", slot=other)
    r = client.post("/api/status/reschedule", headers=token, json={"slot": other})
    assert r.status_code == 409 and r.get_json()["error"] == "slot_taken"
