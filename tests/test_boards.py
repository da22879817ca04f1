"""Leaderboards from per-day rollups, and the live stream that tells boards to refresh."""
import json
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from server.boards import rollups
from server.clock import TZ
from server.models import DailyStat
from tests.conftest import check_in, come_due, next_slot


def move(c, ref, *statuses):
    for status in statuses:
        assert c.post(f"/api/staff/bookings/{ref}/status", json={"status": status}).status_code == 200


def rows(c, by, period="today"):
    r = c.get(f"/api/boards/{by}?period={period}")
    assert r.status_code == 200
    return {row["name"]: row for row in r.get_json()["rows"]}


def test_employee_board_counts_visits_bookings_arrivals_completions_today(bank, book, login, client, db):
    client.post(f"/api/shops/{bank.code(bank.li)}/visits", json={"channel": "村口海报"}, headers={"X-Device-Id": "a"})
    client.post(f"/api/shops/{bank.code(bank.li)}/visits", json={}, headers={"X-Device-Id": "b"})
    created = book(bank.code(bank.li)).get_json()
    book(bank.code(bank.li), phone="13900001234", slot=next_slot(days_ahead=2).isoformat())
    come_due(db, created["reference"])
    check_in(client, login(bank.li), created)
    move(login(bank.li), created["reference"], "completed")
    board = rows(login(bank.wang), "employees")
    assert {k: board["李强"][k] for k in ("visits", "bookings", "arrived", "completed", "rank")} == \
        {"visits": 2, "bookings": 2, "arrived": 1, "completed": 1, "rank": 1}
    assert board["王丽"]["bookings"] == 0


def test_ties_are_broken_the_same_way_every_time(bank, login):
    names = [r["name"] for r in login(bank.wang).get("/api/boards/employees").get_json()["rows"]]
    assert names == sorted(names)  # all zero: by name


def test_branch_board_sums_each_branchs_people(bank, book, login):
    book(bank.code(bank.li))
    book(bank.code(bank.wang), phone="13900001234")
    book(bank.code(bank.zhao), phone="13900005678", product="tax-loan")
    board = rows(login(bank.wang), "branches", "week")
    assert board["平定支行"]["bookings"] == 2 and board["城区支行"]["bookings"] == 1
    assert board["平定支行"]["rank"] == 1


def test_periods_read_the_right_asia_shanghai_days(bank, db, login):
    today = datetime.now(TZ).date()
    yesterday = today - timedelta(days=1)
    # 23:59 yesterday and 00:00 today in Shanghai are 16:xx UTC on the same UTC date
    for at in (datetime.combine(yesterday, datetime.max.time(), TZ), datetime.combine(today, datetime.min.time(), TZ)):
        rollups.record(db, rollups.now_event("booking", at.astimezone(timezone.utc),
                                             employee_id=bank.wang.id, branch_id=bank.rural.id))
    db.commit()
    c = login(bank.wang)
    assert rows(c, "employees", "today")["王丽"]["bookings"] == 1
    assert rows(c, "employees", "yesterday")["王丽"]["bookings"] == 1
    expected_month = 2 if yesterday.month == today.month else 1
    assert rows(c, "employees", "month")["王丽"]["bookings"] == expected_month


def test_boards_need_a_login_and_a_known_period(bank, client, login):
    assert client.get("/api/boards/employees").status_code == 401
    assert login(bank.wang).get("/api/boards/employees?period=decade").status_code == 422
    assert login(bank.wang).get("/api/boards/planets").status_code == 404


def test_rebuilding_rollups_from_events_gives_the_same_numbers(bank, book, login, db, client):
    created = book(bank.code(bank.li)).get_json()
    ref = created["reference"]
    book(bank.code(bank.wang), phone="13900001234")
    come_due(db, ref)
    move(login(bank.li), ref, "contacted", "arrived", "completed")
    check_in(client, login(bank.li), created)  # verified after the fact: credited now
    snapshot = lambda: sorted(tuple(getattr(s, c) for c in ("day", "employee_id", "branch_id", *rollups.COUNTERS,
                                                            "flagged", "unverified"))
                              for s in db.exec(select(DailyStat)))
    before = snapshot()
    rollups.rebuild(db)
    db.expire_all()
    assert snapshot() == before and before


def test_a_booking_reaches_an_open_stream_within_a_second(bank, book, login):
    c = login(bank.wang)
    response = c.get("/api/stream", buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b": ok")
    received = []

    def read():
        for chunk in chunks:
            if b"event: change" in chunk:
                received.append((time.monotonic(), chunk))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    posted = time.monotonic()
    assert book(bank.code(bank.wang)).status_code == 201
    reader.join(timeout=1.0)
    response.close()
    assert received, "no change event within a second"
    data = json.loads(received[0][1].decode().split("data: ")[1])
    assert data == {"type": "booking", "employee_id": bank.wang.id, "branch_id": bank.rural.id}
    assert received[0][0] - posted < 1.0


def test_the_stream_needs_a_login(client):
    assert client.get("/api/stream").status_code == 401
