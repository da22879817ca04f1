"""Knowing a phone number gives no power over its customer (issue: a stranger with a number).

A booking with an unproven number goes where a new customer's would, never rewrites the
customer's record, and its status link reaches that booking only. A one-time code sent to the
number proves it: then the booking routes to the dedicated manager and the number's bookings,
manager and erasure are reachable."""
import logging
from datetime import timedelta

from sqlmodel import select

from server.models import Booking, Customer
from tests.conftest import next_slot

PHONE = "13812345678"


def test_a_strangers_booking_with_a_customers_number_changes_nothing_of_theirs(bank, book, client, db):
    real = book(bank.code(bank.li), name="刘大爷", note="想了解一下")
    assert real.status_code == 201
    stranger = book(bank.code(bank.zhao), product="tax-loan", name="冒名者", note="", slot=next_slot(days_ahead=2).isoformat())
    assert stranger.status_code == 201
    # The stranger learns nothing: the answer names the shop they came through, not the
    # customer's dedicated manager (李强) or their branch.
    assert stranger.get_json()["manager"] == "赵敏" and stranger.get_json()["branch"] == "城区支行"
    customer = db.exec(select(Customer)).one()
    db.refresh(customer)
    assert (customer.name, customer.employee_id) == ("刘大爷", bank.li.id)

    # The stranger's status link erases their own booking and nothing else.
    r = client.post("/api/status/erase", headers={"X-Booking-Token": stranger.get_json()["status_token"]})
    assert r.status_code == 200 and r.get_json() == {"bookings": 1}
    mine = client.get("/api/status", headers={"X-Booking-Token": real.get_json()["status_token"]})
    assert mine.status_code == 200
    assert mine.get_json()["status"] == "new" and mine.get_json()["note"] == "想了解一下"
    db.refresh(customer)
    assert (customer.phone, customer.name, customer.employee_id) == (PHONE, "刘大爷", bank.li.id)


def test_an_unproven_answer_is_the_same_for_a_customer_and_a_new_number(bank, book, login):
    book(bank.code(bank.li))
    known = book(bank.code(bank.zhao), product="tax-loan", slot=next_slot(days_ahead=2).isoformat()).get_json()
    unknown = book(bank.code(bank.zhao), product="tax-loan", phone="13900001111", slot=next_slot(days_ahead=3).isoformat()).get_json()
    differs = {"reference", "status_token", "status_url", "phone", "slot_start", "created_at"}
    assert {k: v for k, v in known.items() if k not in differs} == {
        k: v for k, v in unknown.items() if k not in differs}
    # Staff see why: the number belongs to someone else's customer and was not proven.
    staff = login(bank.zhao).get(f"/api/staff/bookings/{known['reference']}").get_json()
    assert staff["route_reason"] == "unproven"


def test_others_typing_a_number_cannot_use_up_the_quota_of_its_proven_customer(app, bank, book, prove):
    app.config["BOOKING_PHONE_PER_DAY"] = 2
    book(bank.code(bank.li), callback=True)
    assert book(bank.code(bank.zhao), product="tax-loan", callback=True).status_code == 201
    refused = book(bank.code(bank.zhao), product="tax-loan", callback=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    proven = book(bank.code(bank.zhao), product="tax-loan", callback=True, headers=prove())
    assert proven.status_code == 201 and proven.get_json()["manager"] == "李强"


def test_a_proven_number_goes_to_its_dedicated_manager_and_reaches_its_bookings(bank, book, client, prove, login):
    first = book(bank.code(bank.li)).get_json()
    headers = prove()
    r = book(bank.code(bank.zhao), product="tax-loan", slot=next_slot(days_ahead=2).isoformat(), headers=headers)
    assert r.status_code == 201 and r.get_json()["manager"] == "李强"
    staff = login(bank.li).get(f"/api/staff/bookings/{r.get_json()['reference']}").get_json()
    assert staff["route_reason"] == "dedicated"
    mine = client.post("/api/phone/bookings", json={"phone": PHONE}, headers=headers)
    assert mine.status_code == 200
    assert mine.get_json()["dedicated_manager"] == "李强"
    assert {b["reference"] for b in mine.get_json()["bookings"]} == {first["reference"], r.get_json()["reference"]}


def test_a_number_s_bookings_manager_and_erasure_need_its_proof(bank, book, client, prove):
    book(bank.code(bank.li))
    other = prove("13900002222")
    for path in ("/api/phone/bookings", "/api/phone/erase"):
        assert client.post(path, json={"phone": PHONE}).status_code == 403
        # A proof of another number proves nothing about this one.
        assert client.post(path, json={"phone": PHONE}, headers=other).status_code == 403
    r = client.post("/api/phone/erase", json={"phone": PHONE}, headers=prove())
    assert r.status_code == 200 and r.get_json() == {"bookings": 1}


def test_a_status_token_from_a_booking_cannot_prove_its_number(bank, book, client):
    token = book(bank.code(bank.li)).get_json()["status_token"]
    r = client.post("/api/phone/bookings", json={"phone": PHONE}, headers={"X-Phone-Proof": token})
    assert r.status_code == 403


def test_the_one_time_code_is_sent_checked_and_never_logged(app, bank, client, caplog):
    caplog.set_level(logging.DEBUG)
    r = client.post("/api/phone/code", json={"phone": PHONE})
    assert r.status_code == 202 and r.get_json()["sent"] is True
    code = app.extensions["customer_sender"].last(PHONE)["params"]["code"]
    assert len(code) == 6 and code.isdigit()
    # Asking again at once is refused, with when to try again.
    again = client.post("/api/phone/code", json={"phone": PHONE})
    assert again.status_code == 429 and 0 < int(again.headers["Retry-After"]) <= 60
    wrong = "000000" if code != "000000" else "111111"
    r = client.post("/api/phone/verify", json={"phone": PHONE, "code": wrong})
    assert r.status_code == 422 and "验证码不正确" in r.get_json()["fields"]["code"]
    r = client.post("/api/phone/verify", json={"phone": PHONE, "code": code})
    assert r.status_code == 200 and r.get_json()["proof"]
    # A code works once.
    r = client.post("/api/phone/verify", json={"phone": PHONE, "code": code})
    assert r.status_code == 422 and "已失效" in r.get_json()["fields"]["code"]
    assert not [rec for rec in caplog.records if code in rec.getMessage() or PHONE in rec.getMessage()]


def test_too_many_wrong_codes_lock_the_code(app, bank, client):
    client.post("/api/phone/code", json={"phone": PHONE})
    code = app.extensions["customer_sender"].last(PHONE)["params"]["code"]
    wrong = "000000" if code != "000000" else "111111"
    answers = [client.post("/api/phone/verify", json={"phone": PHONE, "code": wrong}).get_json()["fields"]["code"]
               for _ in range(app.config["OTP_ATTEMPTS"])]
    assert "输错次数过多" in answers[-1]
    r = client.post("/api/phone/verify", json={"phone": PHONE, "code": code})
    assert r.status_code == 422 and "输错次数过多" in r.get_json()["fields"]["code"]


def test_an_expired_code_is_refused(app, bank, client):
    app.config["OTP_TTL_SECONDS"] = 0
    client.post("/api/phone/code", json={"phone": PHONE})
    code = app.extensions["customer_sender"].last(PHONE)["params"]["code"]
    r = client.post("/api/phone/verify", json={"phone": PHONE, "code": code})
    assert r.status_code == 422 and "已失效" in r.get_json()["fields"]["code"]


def test_the_codes_a_number_receives_a_day_are_limited(app, bank, client, db):
    app.config["OTP_PER_DAY"] = 1
    assert client.post("/api/phone/code", json={"phone": PHONE}).status_code == 202
    # Past the resend wait, the day's limit still holds.
    from server.models import PhoneCode
    row = db.exec(select(PhoneCode)).one()
    row.created_at -= timedelta(minutes=5)
    db.add(row)
    db.commit()
    r = client.post("/api/phone/code", json={"phone": PHONE})
    assert r.status_code == 429


def test_the_answer_to_a_code_request_is_the_same_for_any_number(bank, book, client):
    book(bank.code(bank.li))
    a = client.post("/api/phone/code", json={"phone": PHONE})
    b = client.post("/api/phone/code", json={"phone": "13900003333"})
    assert (a.status_code, a.get_json()) == (b.status_code, b.get_json())


def test_a_proof_expires(app, bank, client, prove):
    headers = prove()
    app.config["PROOF_MINUTES"] = -1
    assert client.post("/api/phone/bookings", json={"phone": PHONE}, headers=headers).status_code == 403


def test_proven_bookings_are_recorded_as_such(bank, book, db, prove):
    book(bank.code(bank.li))
    book(bank.code(bank.li), slot=next_slot(days_ahead=2).isoformat(), headers=prove())
    assert sorted(b.proven for b in db.exec(select(Booking))) == [False, True]


def test_a_proven_customer_sees_who_will_serve_them_and_their_times_before_booking(bank, book, client, prove):
    book(bank.code(bank.li))
    headers = prove()
    r = client.post(f"/api/phone/serving/{bank.code(bank.zhao)}", json={"phone": PHONE}, headers=headers)
    assert r.status_code == 200
    serving = r.get_json()
    assert serving["manager"]["name"] == "李强" and serving["manager"]["branch"] == "平定支行"
    assert serving["reason"] == "dedicated" and serving["days"]
    # A time offered here is one the booking then gets, with the same manager.
    slot = serving["days"][0]["slots"][0]["start"]
    booked = book(bank.code(bank.zhao), product="tax-loan", slot=slot, headers=headers)
    assert booked.status_code == 201 and booked.get_json()["manager"] == "李强"


def test_who_serves_a_number_is_told_only_to_its_proven_holder(bank, book, client, prove):
    book(bank.code(bank.li))
    assert client.post(f"/api/phone/serving/{bank.code(bank.zhao)}", json={"phone": PHONE}).status_code == 403
    r = client.post(f"/api/phone/serving/{bank.code(bank.zhao)}", json={"phone": "13900004444"},
                    headers=prove("13900004444"))
    assert r.get_json()["manager"]["name"] == "赵敏" and r.get_json()["reason"] == "new_customer"
