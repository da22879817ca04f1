"""The customer's path: a taken time offers the times nearest the one picked, and every
answer says why this person serves the customer and when they will call."""
from server.clock import TZ
from tests.conftest import next_slot


def test_a_taken_time_offers_the_free_times_nearest_the_one_picked(bank, book):
    picked = next_slot(days_ahead=3, hour=14)
    assert book(bank.code(bank.li), slot=picked.isoformat()).status_code == 201
    r = book(bank.code(bank.li), phone="13900005555", slot=picked.isoformat())
    assert r.status_code == 409
    starts = [s["start"] for s in r.get_json()["free_slots"]]
    from datetime import datetime
    times = [datetime.fromisoformat(s).astimezone(TZ) for s in starts]
    assert times == sorted(times)
    assert all(t.date() == picked.date() for t in times)  # the same day first
    assert {t.strftime("%H:%M") for t in times} >= {"13:30", "14:30"}  # either side of 14:00
    assert r.get_json()["manager"] == "李强"


def test_the_confirmation_says_why_this_person_and_when_they_will_call(app, bank, book, prove):
    first = book(bank.code(bank.li)).get_json()
    assert first["reason"] == "new_customer" and first["contact_within_hours"] == app.config["CONTACT_WITHIN_HOURS"]
    proven = book(bank.code(bank.wang), slot=next_slot(days_ahead=2).isoformat(), headers=prove()).get_json()
    assert proven["manager"] == "李强" and proven["reason"] == "dedicated"


def test_an_unproven_number_reads_as_a_new_customer_in_the_answer(bank, book):
    book(bank.code(bank.li))
    again = book(bank.code(bank.wang), slot=next_slot(days_ahead=2).isoformat()).get_json()
    assert again["manager"] == "王丽" and again["reason"] == "new_customer"


def grid_code(bank):
    from server.models import ShopLink
    bank.add(ShopLink(code="GRID0001", employee_id=bank.wang.id, channel="冠山村公示牌", grid_id=bank.grid.id))
    return "GRID0001"


def test_a_grid_codes_shop_shows_the_grid_team_not_one_card(bank, client):
    shop = client.get(f"/api/shops/{grid_code(bank)}").get_json()
    assert {m["name"] for m in shop["grid_team"]} == {"王丽", "李强", "张支行长"}
    assert client.get(f"/api/shops/{bank.code(bank.wang)}").get_json()["grid_team"] == []


def test_a_grid_booking_goes_to_the_member_whose_times_were_shown(bank, book, client, db, login):
    code = grid_code(bank)
    slots = client.get(f"/api/shops/{code}/slots").get_json()
    shown, serve = slots["manager"], slots["serve_code"]
    # Loads change meanwhile: the member shown gets two open bookings, so the grid's least
    # loaded member is someone else now; the booking still goes to the person shown.
    member = {"王丽": bank.wang, "李强": bank.li, "张支行长": bank.boss}[shown]
    for i, phone in enumerate(("13900007001", "13900007002")):
        book(bank.code(member), phone=phone, callback=True)
    start = slots["days"][0]["slots"][0]["start"]
    r = book(code, slot=start, serve_code=serve)
    assert r.status_code == 201 and r.get_json()["manager"] == shown
    assert r.get_json()["reason"] == "grid_least_loaded"


def test_a_grid_booking_with_someone_outside_the_grid_is_refused(bank, book):
    code = grid_code(bank)
    r = book(code, callback=True, serve_code=bank.code(bank.zhao))
    assert r.status_code == 422 and "serve_code" in r.get_json()["fields"]
