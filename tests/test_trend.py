"""The daily trend behind the boards: per-day counts and score from the rollups, scoped like the
funnels, with the change against the period before."""
from datetime import datetime, time, timedelta, timezone

from server.boards import rollups
from server.boards.trend import previous_range
from server.clock import TZ, period_range


def happened(db, bank, employee, day, kind="booking", status="", branch=None, n=1):
    """`n` events of `kind` for `employee` at noon on `day` (Asia/Shanghai), counted in the rollups."""
    at = datetime.combine(day, time(12), TZ).astimezone(timezone.utc)
    for _ in range(n):
        rollups.record(db, rollups.now_event(kind, at, employee_id=employee.id,
                                             branch_id=(branch or bank.rural).id, status=status))
    db.commit()


def today():
    return datetime.now(TZ).date()


def week():
    return period_range("week", today())


def test_the_weekly_trend_has_one_point_a_day_with_the_score_of_that_day(bank, db, login):
    start, end = week()
    happened(db, bank, bank.wang, start, n=2)
    happened(db, bank, bank.wang, end, kind="status", status="completed")
    happened(db, bank, bank.wang, end, kind="status", status="no_show")
    body = login(bank.wang).get("/api/boards/trend?period=week").get_json()
    assert [p["day"] for p in body["series"]] == [str(start + timedelta(days=n)) for n in range((end - start).days + 1)]
    first, last = body["series"][0], body["series"][-1]
    if start != end:
        assert (first["bookings"], first["score"]) == (2, 2.0)
        assert (last["completed"], last["no_show"], last["score"]) == (1, 1, 3.0)  # 5 − 2
    assert body["totals"]["score"] == 5.0 and body["by"] == "employee" and body["id"] == bank.wang.id
    assert "质量分" in body["formula"] and body["weights"]["completed"] == 5


def test_this_week_is_compared_with_the_same_days_of_last_week(bank, db, login):
    start, end = week()
    happened(db, bank, bank.wang, start - timedelta(days=7), n=3)  # last week's same weekday
    happened(db, bank, bank.wang, start - timedelta(days=8), n=9)  # before last week's window
    happened(db, bank, bank.wang, end, n=1)
    body = login(bank.wang).get("/api/boards/trend?period=week").get_json()
    assert body["previous"]["start"] == str(start - timedelta(days=7))
    assert body["previous"]["totals"]["bookings"] == 3
    assert body["totals"]["bookings"] == 1 and body["change"]["bookings"] == -2
    assert body["change"]["score"] == -2.0


def test_the_previous_month_is_the_same_days_of_last_month():
    from datetime import date
    assert previous_range("month", date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert previous_range("month", date(2026, 1, 1), date(2026, 1, 6)) == (date(2025, 12, 1), date(2025, 12, 6))
    assert previous_range("range", date(2026, 3, 10), date(2026, 3, 12)) == (date(2026, 3, 7), date(2026, 3, 9))


def test_staff_see_only_their_own_trend_and_a_branch_head_sees_the_branch(bank, db, login):
    happened(db, bank, bank.wang, today(), n=2)
    happened(db, bank, bank.li, today(), n=1)
    happened(db, bank, bank.zhao, today(), n=5, branch=bank.city)
    li = login(bank.li)
    assert li.get("/api/boards/trend?period=week").get_json()["totals"]["bookings"] == 1
    assert li.get(f"/api/boards/trend?period=week&id={bank.wang.id}").status_code == 403
    assert li.get(f"/api/boards/trend?period=week&by=branch&id={bank.rural.id}").status_code == 403
    assert li.get("/api/boards/trend?period=week&by=all").get_json()["totals"]["bookings"] == 1
    boss = login(bank.boss)
    assert boss.get("/api/boards/trend?period=week&by=branch").get_json()["totals"]["bookings"] == 3
    assert boss.get(f"/api/boards/trend?period=week&id={bank.wang.id}").get_json()["totals"]["bookings"] == 2
    assert boss.get(f"/api/boards/trend?period=week&id={bank.zhao.id}").status_code == 403
    assert boss.get(f"/api/boards/trend?period=week&by=branch&id={bank.city.id}").status_code == 403
    admin = login(bank.admin)
    assert admin.get("/api/boards/trend?period=week&by=all").get_json()["totals"]["bookings"] == 8
    assert admin.get(f"/api/boards/trend?period=week&by=branch&id={bank.city.id}").get_json()["totals"]["bookings"] == 5


def test_a_branch_trend_keeps_results_where_they_happened(bank, db, login):
    # 赵敏 worked for 平定支行 earlier this week: that day stays the rural branch's
    happened(db, bank, bank.zhao, today(), n=4, branch=bank.rural)
    admin = login(bank.admin)
    assert admin.get(f"/api/boards/trend?period=week&by=branch&id={bank.rural.id}").get_json()["totals"]["bookings"] == 4
    assert admin.get(f"/api/boards/trend?period=week&by=branch&id={bank.city.id}").get_json()["totals"]["bookings"] == 0


def test_a_trend_counts_a_booking_made_through_a_shop(bank, book, login):
    assert book(bank.code(bank.li)).status_code == 201
    point = login(bank.li).get("/api/boards/trend?period=month").get_json()["series"][-1]
    assert point["day"] == str(today()) and point["bookings"] == 1


def test_bad_trend_requests_are_refused_with_a_reason(bank, client, login):
    assert client.get("/api/boards/trend").status_code == 401
    c = login(bank.wang)
    assert c.get("/api/boards/trend?by=planet").status_code == 422
    assert c.get("/api/boards/trend?period=decade").status_code == 422
    assert c.get("/api/boards/trend?id=x").status_code == 422
    assert c.get("/api/boards/trend?period=range&start=2026-01-05&end=2026-01-01").status_code == 422
    assert c.get("/api/boards/trend?id=999999").status_code == 404
    assert login(bank.admin).get("/api/boards/trend?by=branch&id=999999").status_code == 404
    r = c.get("/api/boards/trend?by=planet", headers={"Accept-Language": "en"})
    assert r.get_json()["fields"]["by"]


def test_a_range_trend_covers_every_day_of_the_range(bank, db, login):
    happened(db, bank, bank.wang, today() - timedelta(days=3), n=2)
    start, end = today() - timedelta(days=5), today() - timedelta(days=1)
    body = login(bank.wang).get(f"/api/boards/trend?period=range&start={start}&end={end}").get_json()
    assert len(body["series"]) == 5 and body["totals"]["bookings"] == 2
    assert body["previous"] == {"start": str(start - timedelta(days=5)), "end": str(start - timedelta(days=1)),
                                "totals": {"visits": 0, "bookings": 0, "arrived": 0, "completed": 0,
                                           "no_show": 0, "score": 0.0}}


def test_closed_days_are_summed_per_branch_once_and_then_read_from_those_totals(bank, db, login, app):
    import re

    from server.boards.rollups import rebuild
    from tests.conftest import statements

    start, end = today() - timedelta(days=6), today() - timedelta(days=2)  # closed days only
    happened(db, bank, bank.wang, start, n=2)
    happened(db, bank, bank.zhao, end, n=3, branch=bank.city)
    happened(db, bank, bank.zhao, end, n=1)  # 赵敏 at 平定支行 that day: credited there
    admin = login(bank.admin)
    url = f"/api/boards/trend?period=range&start={start}&end={end}"
    with statements(app) as first:
        everyone = admin.get(url + "&by=all").get_json()
    assert everyone["totals"]["bookings"] == 6 and any(s.startswith("INSERT INTO daytotal") for s in first)
    with statements(app) as again:
        assert admin.get(url + "&by=all").get_json() == everyone
        rural = admin.get(url + f"&by=branch&id={bank.rural.id}").get_json()
    # a bank-wide or branch trend of closed days reads one row per branch and day: no one's own
    # rows, no bookings, no events, however busy the bank was
    assert not [s for s in again if re.search(r"\b(dailystat|booking|event)\b", s)]
    assert [p["bookings"] for p in rural["series"]] == [2, 0, 0, 0, 1]
    assert login(bank.boss).get(url + "&by=branch").get_json()["totals"] == rural["totals"]
    rebuild(db)  # recounted from the events: the kept totals go, and come back the same
    assert admin.get(url + "&by=all").get_json() == everyone
