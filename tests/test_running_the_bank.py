"""Running the bank: out-of-office delegates, channel and grid codes, handover (客户继承)."""
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from server.clock import TZ
from server.models import Booking, Customer, CustomerMove, ShopLink
from tests.conftest import next_slot


def away(c, start, end, delegate="YQ0002", **extra):
    return c.post("/api/staff/out-of-office", json={"start": start.isoformat(), "end": end.isoformat(),
                                                     "delegate_staff_no": delegate, **extra})


def test_while_away_my_bookings_go_to_my_delegate_and_the_shop_says_who_covers(bank, login, client, book):
    day = next_slot().date()
    assert away(login(bank.wang), datetime.now(TZ).date(), day).status_code == 201
    shop = client.get(f"/api/shops/{bank.code(bank.wang)}").get_json()
    assert shop["covering"] == "李强" and shop["manager"]["name"] == "李强"
    r = book(bank.code(bank.wang))
    assert r.status_code == 201 and r.get_json()["manager"] == "李强"
    detail = login(bank.li).get(f"/api/staff/bookings/{r.get_json()['reference']}").get_json()
    assert detail["route_reason"] == "out_of_office"


def test_after_the_absence_bookings_come_back_to_me(bank, login, book):
    first = next_slot().date()
    away(login(bank.wang), first, first)
    later = next_slot(days_ahead=(first - datetime.now(TZ).date()).days + 1)
    r = book(bank.code(bank.wang), slot=later.isoformat())
    assert r.get_json()["manager"] == "王丽"


def test_a_branch_manager_sets_it_for_their_people_but_not_for_other_branches(bank, login):
    today = datetime.now(TZ).date()
    assert away(login(bank.boss), today, today, employee_staff_no="YQ0001").status_code == 201
    assert away(login(bank.boss), today, today, delegate="YQ0010", employee_staff_no="YQ0003").status_code == 403
    assert away(login(bank.li), today, today, employee_staff_no="YQ0001").status_code == 403


@pytest.mark.parametrize("days, delegate, field", [((-1, 0), "YQ0002", "start"), ((2, 1), "YQ0002", "start"),
                                                   ((0, 120), "YQ0002", "start"), ((0, 1), "YQ0001", "delegate_staff_no"),
                                                   ((0, 1), "NOBODY", "delegate_staff_no")])
def test_bad_absences_are_422(bank, login, days, delegate, field):
    today = datetime.now(TZ).date()
    r = away(login(bank.wang), today + timedelta(days=days[0]), today + timedelta(days=days[1]), delegate)
    assert r.status_code == 422 and field in r.get_json()["fields"]


def test_a_channel_code_is_counted_apart_in_the_funnel(bank, login, client, book):
    r = login(bank.wang).post("/api/staff/channel-codes", json={"channel": "冠山村庙会"})
    assert r.status_code == 201
    code = r.get_json()["code"]
    assert code != bank.code(bank.wang) and r.get_json()["url"].endswith(f"/s/{code}")
    client.post(f"/api/shops/{code}/visits", json={})
    book(code)
    rows = {x["name"]: x for x in login(bank.admin).get("/api/boards/funnel/channel").get_json()["rows"]}
    assert (rows["冠山村庙会"]["visits"], rows["冠山村庙会"]["bookings"]) == (1, 1)


def test_a_grid_code_sends_new_customers_to_the_least_loaded_grid_employee(bank, login, book):
    r = login(bank.wang).post("/api/staff/channel-codes", json={"channel": "冠山网格公示牌", "grid": True})
    assert r.status_code == 201 and r.get_json()["grid"] == "冠山网格"
    code = r.get_json()["code"]
    book(bank.code(bank.wang), phone="13900000001")  # wang now has one open booking
    first = book(code, phone="13900000002", slot=next_slot(days_ahead=2).isoformat()).get_json()
    assert first["manager"] == "李强"  # li and the branch manager have none; li has the lower id
    reason = login(bank.li).get(f"/api/staff/bookings/{first['reference']}").get_json()["route_reason"]
    assert reason == "grid_least_loaded"
    second = book(code, phone="13900000003", slot=next_slot(days_ahead=3).isoformat()).get_json()
    assert second["manager"] == "张支行长"


def test_someone_without_a_grid_cannot_make_a_grid_code(bank, login):
    assert login(bank.zhao).post("/api/staff/channel-codes", json={"channel": "x", "grid": True}).status_code == 403


def handover(c, **body):
    return c.post("/api/handover", json={"from_staff_no": "YQ0002", "to_staff_no": "YQ0001",
                                         "reason": "调往总行", **body})


def test_handover_moves_customers_bookings_and_codes_and_the_old_printed_code_reaches_the_successor(
        bank, login, book, client, db):
    data = book(bank.code(bank.li)).get_json()
    r = handover(login(bank.admin), leaving=True)
    assert r.status_code == 200
    assert {k: r.get_json()[k] for k in ("customers", "bookings", "links", "skipped")} == \
        {"customers": 1, "bookings": 1, "links": 1, "skipped": 0}
    db.rollback()
    assert db.exec(select(Customer.employee_id)).one() == bank.wang.id
    assert db.exec(select(ShopLink).where(ShopLink.code == bank.code(bank.li))).one().employee_id == bank.wang.id
    assert client.get(f"/api/shops/{bank.code(bank.li)}").get_json()["manager"]["name"] == "王丽"
    status = client.get("/api/status", headers={"X-Booking-Token": data["status_token"]}).get_json()
    assert status["manager"] == "王丽"  # the customer's status page shows the new manager
    assert login(bank.wang).get(f"/api/staff/bookings/{data['reference']}").status_code == 200
    [move] = db.exec(select(CustomerMove)).all()
    assert (move.from_id, move.to_id) == (bank.li.id, bank.wang.id)
    entries = login(bank.admin).get("/api/audit?action=handover").get_json()["items"]
    assert entries and "调往总行" in entries[0]["detail"]


def test_a_booking_on_a_slot_the_successor_already_has_becomes_a_call_back(bank, book, login, db):
    book(bank.code(bank.wang), phone="13900000009")
    ref = book(bank.code(bank.li)).get_json()["reference"]
    r = handover(login(bank.admin))
    assert r.get_json()["rescheduled"] == [ref]
    db.rollback()
    assert db.exec(select(Booking).where(Booking.reference == ref)).one().slot_start is None


def test_a_customer_is_not_moved_more_than_the_limit_in_90_days(bank, book, login, app):
    app.config["HANDOVER_MAX_MOVES"] = 1
    book(bank.code(bank.li))
    admin = login(bank.admin)
    assert handover(admin).get_json()["customers"] == 1  # li -> wang
    again = admin.post("/api/handover", json={"from_staff_no": "YQ0001", "to_staff_no": "YQ0002", "reason": "调回"})
    assert again.get_json()["customers"] == 0 and again.get_json()["skipped"] == 1


def test_only_admins_or_the_branch_manager_within_their_branch_hand_over(bank, login):
    assert handover(login(bank.wang)).status_code == 403
    assert handover(login(bank.city_boss)).status_code == 403
    assert handover(login(bank.boss)).status_code == 200


def test_handover_to_oneself_or_to_nobody_is_422(bank, login):
    admin = login(bank.admin)
    assert handover(admin, to_staff_no="YQ0002").status_code == 422
    assert handover(admin, to_staff_no="NOBODY").status_code == 422
    assert handover(admin, reason="").status_code == 422
