"""A check-in costs no more than a status change (issue 15), counted in SQL statements per
request: the measure that does not depend on the machine (bench/flat_more.py times both)."""
from tests.conftest import come_due, statements


def test_a_check_in_costs_no_more_sql_than_a_status_change(bank, book, client, login, db, app):
    made = []
    for i in range(3):  # each takes the next slot once the one before has come due
        made.append(book(bank.code(bank.wang), phone=f"1381234567{i}").get_json())
        come_due(db, made[-1]["reference"], minutes_ago=5 + i)
    c = login(bank.wang)
    c.get("/api/staff/bookings")  # from here on the session's employee row is cached, for all three
    code = client.get("/api/status", headers={"X-Booking-Token": made[0]["status_token"]}).get_json()["checkin_code"]
    with statements(app) as checkin:
        r = c.post(f"/api/staff/bookings/{made[0]['reference']}/checkin", json={"code": code})
    assert r.status_code == 200 and r.get_json()["status"] == "arrived" and r.get_json()["verified"]
    with statements(app) as arrival:
        assert c.post(f"/api/staff/bookings/{made[1]['reference']}/status", json={"status": "arrived"}).status_code == 200
    with statements(app) as contact:
        assert c.post(f"/api/staff/bookings/{made[2]['reference']}/status", json={"status": "contacted"}).status_code == 200
    # the booking read once and written once, its event, the two rollups an arrival counts in, one audit entry
    writes = [s.split(" (")[0].split(" SET")[0] for s in checkin if not s.startswith(("SELECT", "BEGIN"))]
    assert writes == ["UPDATE booking", "INSERT INTO event", "INSERT INTO dailystat", "INSERT INTO funnelstat",
                      "INSERT INTO auditentry"]
    assert len(checkin) <= min(len(arrival), len(contact)), (checkin, arrival)
