"""What counts in rankings: results on the clock, with evidence from the customer's side."""
import re

import pytest
from sqlmodel import select

from server.models import Booking
from tests.conftest import CONSENT, check_in, come_due


def move(c, ref, status):
    return c.post(f"/api/staff/bookings/{ref}/status", json={"status": status})


def row(c, name, by="employees", **params):
    query = "&".join(f"{k}={v}" for k, v in {"period": "today", **params}.items())
    return {r["name"]: r for r in c.get(f"/api/boards/{by}?{query}").get_json()["rows"]}[name]


def status_of(client, created):
    return client.get("/api/status", headers={"X-Booking-Token": created["status_token"]}).get_json()


# --- time rules ---------------------------------------------------------------------------------

def test_arrival_before_the_slot_is_refused(bank, book, login):
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    r = move(login(bank.wang), ref, "arrived")
    assert r.status_code == 409 and r.get_json()["error"] == "too_early"
    assert "预约时间还没到" in r.get_json()["message"]
    english = login(bank.wang).post(f"/api/staff/bookings/{ref}/status", json={"status": "arrived"},
                                    headers={"Accept-Language": "en"})
    assert "has not started" in english.get_json()["message"]


def test_a_no_show_waits_for_the_end_of_the_slot(bank, book, login, db):
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    come_due(db, ref, minutes_ago=10)  # the 30-minute slot is still running
    r = move(login(bank.wang), ref, "no_show")
    assert r.status_code == 409 and r.get_json()["error"] == "no_show_too_early"
    come_due(db, ref, minutes_ago=31)
    assert move(login(bank.wang), ref, "no_show").status_code == 200


def test_a_call_back_arrives_only_once_it_was_contacted(bank, book, login):
    ref = book(bank.code(bank.wang), callback=True).get_json()["reference"]
    c = login(bank.wang)
    r = move(c, ref, "arrived")
    assert r.status_code == 409 and r.get_json()["error"] == "not_contacted"
    assert move(c, ref, "contacted").status_code == 200
    assert move(c, ref, "arrived").status_code == 200


# --- evidence -----------------------------------------------------------------------------------

def test_an_arrival_without_the_customers_evidence_moves_the_booking_but_scores_nothing(bank, book, login, db):
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    come_due(db, ref)
    c = login(bank.wang)
    assert move(c, ref, "arrived").status_code == 200 and move(c, ref, "completed").status_code == 200
    mine = row(c, "王丽")
    assert (mine["bookings"], mine["arrived"], mine["completed"], mine["unverified"]) == (1, 0, 0, 2)
    assert mine["score"] == 1
    listed = login(bank.boss).get("/api/boards/unverified").get_json()["items"]
    assert [(i["reference"], i["reason_code"]) for i in listed] == [(ref, "no_checkin")]


def test_the_status_page_shows_a_check_in_code_only_on_the_appointment_day(bank, book, client, db):
    created = book(bank.code(bank.wang)).get_json()
    assert status_of(client, created)["checkin_code"] is None  # tomorrow's appointment
    come_due(db, created["reference"], minutes_ago=5)
    shown = status_of(client, created)
    assert re.fullmatch(r"\d{6}", shown["checkin_code"])
    assert shown["checkin_qr"].startswith("data:image/png;base64,")


def test_the_customers_code_verifies_the_arrival_and_it_counts(bank, book, client, login, db):
    created = book(bank.code(bank.wang)).get_json()
    come_due(db, created["reference"])
    done = check_in(client, login(bank.wang), created)
    assert done["status"] == "arrived" and done["verified"] and done["verified_by"] == "code"
    assert status_of(client, created)["checkin_code"] is None  # shown until verified
    mine = row(login(bank.wang), "王丽")
    assert (mine["arrived"], mine["unverified"], mine["score"]) == (1, 0, 4)


def test_a_wrong_check_in_code_is_422_and_the_check_locks_after_a_few(bank, book, client, login, db, app):
    created = book(bank.code(bank.wang)).get_json()
    come_due(db, created["reference"])
    right = status_of(client, created)["checkin_code"]
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    c = login(bank.wang)
    for _ in range(app.config["CHECKIN_ATTEMPTS"]):
        r = c.post(f"/api/staff/bookings/{created['reference']}/checkin", json={"code": wrong})
        assert r.status_code == 422 and "code" in r.get_json()["fields"]
    r = c.post(f"/api/staff/bookings/{created['reference']}/checkin", json={"code": right})
    assert r.status_code == 409 and r.get_json()["error"] == "checkin_locked"
    assert db.exec(select(Booking.verified_at)).one() is None


def test_a_staff_made_booking_never_shows_a_check_in_code(bank, login, client, db):
    c = login(bank.wang)
    body = {"name": "柜台客户", "phone": "13900008888", "product": "consumer-credit", "callback": True,
            "consent": True, "consent_version": CONSENT}
    r = c.post("/api/staff/bookings", json=body)
    assert r.status_code == 201 and r.get_json()["checkin"] == "otp"
    booking = db.exec(select(Booking)).one()
    assert booking.source == "staff"
    from server.checkin.service import code_for
    come_due(db, booking.reference)
    with client.application.app_context():
        assert code_for(booking) is None


def test_an_early_check_in_is_kept_and_the_arrival_counts_when_recorded(bank, book, client, login, db):
    created = book(bank.code(bank.wang)).get_json()
    come_due(db, created["reference"], minutes_ago=0)
    booking = db.exec(select(Booking)).one()
    booking.slot_start = booking.slot_start.replace(second=0, microsecond=0)
    from datetime import timedelta
    booking.slot_start += timedelta(minutes=20)  # later today
    db.add(booking)
    db.commit()
    c = login(bank.wang)
    from server.clock import local_day
    from server.models import utcnow
    if local_day(booking.slot_start) != local_day(utcnow()):
        pytest.skip("too close to midnight in Shanghai")
    done = check_in(client, c, created)
    assert done["status"] == "new" and done["verified"]  # verified, waiting for the appointment
    come_due(db, created["reference"])
    assert move(c, created["reference"], "arrived").status_code == 200
    assert row(c, "王丽")["arrived"] == 1


# --- the branch's check-in QR -------------------------------------------------------------------

def branch_checkin(c, branch):
    r = c.get(f"/api/branches/{branch.id}/checkin")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_scanning_the_branch_qr_checks_in_the_phones_booking_and_alerts_the_manager(bank, book, client, login, db, app):
    created = book(bank.code(bank.wang)).get_json()
    come_due(db, created["reference"])
    kit = branch_checkin(login(bank.boss), bank.rural)
    assert kit["url"].endswith(f"/c/{kit['code']}")
    assert client.get(kit["png"]).mimetype == "image/png"
    assert client.get(f"/c/{kit['code']}").status_code == 200  # the page the QR opens
    sub = app.extensions["bus"].subscribe()
    r = client.post(f"/api/checkin/{kit['code']}", headers={"X-Booking-Token": created["status_token"]})
    assert r.status_code == 200 and r.get_json()["verified"] and r.get_json()["status"] == "arrived"
    heard = [sub.get(timeout=1) for _ in range(2)]
    sub.close()
    assert {"type": "checkin", "employee_id": bank.wang.id, "branch_id": bank.rural.id} in heard
    assert row(login(bank.wang), "王丽")["arrived"] == 1


def test_a_check_in_by_a_phone_whose_booking_is_not_here_today_is_refused(bank, book, client, login, db):
    elsewhere = book(bank.code(bank.zhao), product="tax-loan").get_json()  # 城区支行
    come_due(db, elsewhere["reference"])
    tomorrow = book(bank.code(bank.wang), phone="13900000002").get_json()
    kit = branch_checkin(login(bank.boss), bank.rural)
    answers = [client.post(f"/api/checkin/{kit['code']}", headers={"X-Booking-Token": token})
               for token in (elsewhere["status_token"], tomorrow["status_token"], "not-a-token")]
    assert [a.status_code for a in answers] == [409, 409, 409]
    assert len({a.get_data() for a in answers}) == 1  # the same words: nothing about any booking
    assert elsewhere["reference"] not in answers[0].get_data(as_text=True)
    assert db.exec(select(Booking.verified_at).where(Booking.verified_at != None)).all() == []  # noqa: E711


def test_a_branch_qr_is_only_handed_to_that_branchs_staff(bank, login, client):
    assert login(bank.zhao).get(f"/api/branches/{bank.rural.id}/checkin").status_code == 404
    assert login(bank.admin).get(f"/api/branches/{bank.rural.id}/checkin").status_code == 200
    assert client.get("/c/NOTACODE").status_code == 404


# --- the scenario from the issue ----------------------------------------------------------------

def test_three_walk_ins_moved_to_completed_at_once_score_nothing_and_are_listed(bank, login):
    c = login(bank.li)
    refs = []
    for i in range(3):
        body = {"name": "柜台客户", "phone": f"1390000880{i}", "product": "consumer-credit", "callback": True,
                "consent": True, "consent_version": CONSENT}
        refs.append(c.post("/api/staff/bookings", json=body).get_json()["reference"])
    for ref in refs:
        for status in ("contacted", "arrived", "completed"):
            assert move(c, ref, status).status_code == 200
    board = login(bank.boss).get("/api/boards/employees?period=today").get_json()
    li = {r["name"]: r for r in board["rows"]}["李强"]
    assert li["score"] == 0 and li["unverified"] == 6 and li.get("medal") is None
    assert li["rank"] == board["rows"][0]["rank"] == 1  # everyone has 0: one shared rank
    listed = login(bank.boss).get("/api/boards/unverified").get_json()["items"]
    assert sorted(i["reference"] for i in listed) == sorted(refs)
    assert {i["reason_code"] for i in listed} == {"walkin_unconfirmed"}
    flagged = login(bank.boss).get("/api/boards/flagged").get_json()["items"]
    assert {f["flag"] for f in flagged} == {"fast_complete"}


def test_a_hundred_anonymous_visits_move_no_score(bank, client, login):
    before = row(login(bank.wang), "李强")
    for _ in range(100):
        assert client.post(f"/api/shops/{bank.code(bank.li)}/visits", json={}).status_code == 204
    after = row(login(bank.wang), "李强")
    assert after["score"] == before["score"] == 0
    assert after["visits"] == 1  # one address without a device id: one visit a day


def test_a_visit_counts_once_per_device_a_day(bank, client, login):
    for device in ("a", "a", "b", "a"):
        client.post(f"/api/shops/{bank.code(bank.li)}/visits", json={}, headers={"X-Device-Id": device})
    assert row(login(bank.wang), "李强")["visits"] == 2


def test_the_privacy_notice_in_force_names_the_shops_device_id_in_both_languages(app, client):
    zh = client.get("/api/privacy-notice?lang=zh-CN").get_json()
    en = client.get("/api/privacy-notice?lang=en").get_json()
    assert zh["version"] == en["version"] == app.config["CONSENT_VERSION"]
    assert "随机生成并保存的一个设备编号" in " ".join(s["text"] for s in zh["sections"])
    assert "random device number" in " ".join(s["text"] for s in en["sections"])


# --- walk-ins: the customer confirms with a one-time code sent to their phone ---------------------

def walk_in(c, phone):
    body = {"name": "柜台客户", "phone": phone, "product": "consumer-credit", "callback": True,
            "consent": True, "consent_version": CONSENT}
    r = c.post("/api/staff/bookings", json=body)
    assert r.status_code == 201
    return r.get_json()["reference"]


def confirm(app, c, ref, phone):
    assert c.post(f"/api/staff/bookings/{ref}/checkin/send").status_code == 204
    code = app.extensions["customer_sender"].last(phone)["params"]["code"]
    return c.post(f"/api/staff/bookings/{ref}/checkin", json={"code": code})


def test_the_three_walk_ins_score_once_their_customers_confirm_with_a_code_sent_to_their_phones(bank, login, app):
    c = login(bank.li)
    phones = [f"1390000880{i}" for i in range(3)]
    refs = [walk_in(c, phone) for phone in phones]
    for ref in refs:
        for status in ("contacted", "arrived"):
            assert move(c, ref, status).status_code == 200
    assert row(c, "李强")["score"] == 0
    r = c.post(f"/api/staff/bookings/{refs[0]}/checkin", json={"code": "000000"})
    assert r.status_code == 422 and "code" in r.get_json()["fields"]
    for ref, phone in zip(refs, phones):
        r = confirm(app, c, ref, phone)
        assert r.status_code == 200 and r.get_json()["verified_by"] == "otp"
    li = row(c, "李强")
    assert (li["bookings"], li["arrived"], li["score"]) == (3, 3, 12)
    assert login(bank.boss).get("/api/boards/unverified").get_json()["items"] == []


def test_a_shop_booking_is_verified_by_its_own_code_not_a_text_message(bank, book, login):
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    r = login(bank.wang).post(f"/api/staff/bookings/{ref}/checkin/send")
    assert r.status_code == 409 and r.get_json()["error"] == "checkin_by_code"


def test_one_persons_walk_ins_far_above_the_branch_median_are_flagged_when_they_would_count(bank, login, app):
    app.config.update(FLAG_WALKIN_MIN=3, FLAG_WALKIN_FACTOR=3)
    c = login(bank.li)
    phones = [f"1390000881{i}" for i in range(3)]
    refs = [walk_in(c, phone) for phone in phones]
    assert confirm(app, c, refs[0], phones[0]).get_json()["flag"] == "walkin_outlier"
    assert row(c, "李强")["score"] == 0
    flagged = login(bank.boss).get("/api/boards/flagged").get_json()["items"]
    assert [(f["reference"], f["reason"]) for f in flagged] == [(refs[0], "本人近 30 天代客预约数远高于本支行中位数")]
