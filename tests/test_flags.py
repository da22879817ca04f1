"""Anti-gaming flags that fire in real use, and their review by branch heads and head office."""
from sqlmodel import select

from server.boards import rollups
from server.models import AuditEntry, Booking, DailyStat
from tests.conftest import check_in, next_slot


def mine(c, name="王丽"):
    return {r["name"]: r for r in c.get("/api/boards/employees?period=today").get_json()["rows"]}[name]


def review(c, ref, action):
    return c.post(f"/api/boards/flagged/{ref}/review", json={"action": action})


def test_a_branch_head_clears_a_flag_and_the_booking_counts_from_then_on(bank, book, login, db):
    ref = book(bank.code(bank.wang), phone=bank.li.phone).get_json()["reference"]  # a colleague's number
    boss = login(bank.boss)
    assert mine(boss)["bookings"] == 0
    r = review(boss, ref, "clear")
    assert r.status_code == 200 and r.get_json()["review"] == "cleared"
    assert mine(boss)["bookings"] == 1
    assert db.exec(select(AuditEntry.action).where(AuditEntry.target == f"booking:{ref}")).all() == ["flag_cleared"]
    before = sorted((s.employee_id, s.bookings, s.flagged) for s in db.exec(select(DailyStat)))
    rollups.rebuild(db)
    db.expire_all()
    assert sorted((s.employee_id, s.bookings, s.flagged) for s in db.exec(select(DailyStat))) == before


def test_a_confirmed_flag_keeps_the_booking_out_and_reviews_stay_within_the_branch(bank, book, login):
    ref = book(bank.code(bank.wang), phone=bank.li.phone).get_json()["reference"]
    assert review(login(bank.city_boss), ref, "clear").status_code == 404  # another branch's
    assert review(login(bank.li), ref, "clear").status_code == 403
    r = review(login(bank.admin), ref, "confirm")
    assert r.status_code == 200 and r.get_json()["review"] == "confirmed"
    assert mine(login(bank.boss))["bookings"] == 0
    assert review(login(bank.boss), ref, "maybe").status_code == 422
    plain = book(bank.code(bank.wang), phone="13900000077", callback=True).get_json()["reference"]
    assert review(login(bank.boss), plain, "clear").status_code == 409


def test_many_bookings_from_one_device_in_a_day_are_flagged(bank, book, login, app):
    app.config.update(FLAG_BURST_COUNT=100, FLAG_DEVICE_DAY=3)
    device = {"X-Device-Id": "one-phone"}
    for i, hour in enumerate((9, 10, 14, 15)):
        slot = next_slot(hour=hour).isoformat()
        assert book(bank.code(bank.wang), phone=f"1390000030{i}", headers=device, slot=slot).status_code == 201
    flagged = login(bank.admin).get("/api/boards/flagged").get_json()["items"]
    assert [(f["flag"], f["reason"]) for f in flagged] == [("device_many", "同一设备当天预约次数过多")]
    assert mine(login(bank.boss))["bookings"] == 3


def test_a_booking_completed_minutes_after_it_was_made_is_flagged_and_counts_nothing(bank, book, client, login, db):
    created = book(bank.code(bank.wang), callback=True).get_json()
    c = login(bank.wang)
    assert c.post(f"/api/staff/bookings/{created['reference']}/status", json={"status": "contacted"}).status_code == 200
    check_in(client, c, created)  # the customer's code: a verified arrival
    assert mine(c)["score"] == 4
    r = c.post(f"/api/staff/bookings/{created['reference']}/status", json={"status": "completed"})
    assert r.status_code == 200 and r.get_json()["flag"] == "fast_complete"
    row = mine(c)
    assert (row["bookings"], row["arrived"], row["completed"], row["score"]) == (0, 0, 0, 0)
    assert db.exec(select(Booking.flag)).one() == "fast_complete"
    assert review(login(bank.boss), created["reference"], "clear").status_code == 200
    row = mine(c)
    assert (row["bookings"], row["arrived"], row["completed"], row["score"]) == (1, 1, 1, 9)
