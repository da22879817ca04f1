"""My availability: weekly hours and days off decide which slots customers can book."""
from datetime import timedelta

import pytest

from tests.conftest import next_slot


def open_starts(client, code):
    return [s["start"] for d in client.get(f"/api/shops/{code}/slots").get_json()["days"] for s in d["slots"]]


def test_by_default_my_hours_are_the_branch_hours(bank, login):
    weekly = login(bank.wang).get("/api/staff/availability").get_json()["weekly"]
    assert weekly["0"] == [["09:00", "12:00"], ["13:30", "17:00"]] and weekly["6"] == []


def test_mornings_only_removes_afternoon_slots(bank, login, client, book):
    c = login(bank.wang)
    weekly = {str(d): [["09:00", "12:00"]] for d in range(5)}
    r = c.put("/api/staff/availability", json={"weekly": weekly, "days_off": []})
    assert r.status_code == 200
    starts = open_starts(client, bank.code(bank.wang))
    assert next_slot(hour=9).isoformat() in starts and next_slot(hour=14).isoformat() not in starts
    r = book(bank.code(bank.wang), slot=next_slot(hour=14).isoformat())
    assert r.status_code == 422 and "slot" in r.get_json()["fields"]


def test_a_day_off_has_no_slots(bank, login, client):
    day = next_slot().date()
    c = login(bank.wang)
    weekly = c.get("/api/staff/availability").get_json()["weekly"]
    assert c.put("/api/staff/availability", json={"weekly": weekly, "days_off": [day.isoformat()]}).status_code == 200
    starts = open_starts(client, bank.code(bank.wang))
    assert not [s for s in starts if s.startswith(day.isoformat())]
    assert [s for s in starts if s.startswith((day + timedelta(days=1)).isoformat())] or day.weekday() >= 4
    # other employees are unaffected
    assert [s for s in open_starts(client, bank.code(bank.li)) if s.startswith(day.isoformat())]


@pytest.mark.parametrize("weekly, days_off, field", [
    ({"0": [["12:00", "09:00"]]}, [], "weekly"),
    ({"0": [["09:00", "12:00"], ["11:00", "13:00"]]}, [], "weekly"),
    ({"0": [["9am", "12:00"]]}, [], "weekly"),
    ({"9": [["09:00", "12:00"]]}, [], "weekly"),
    ({"0": [["09:00", "12:00"]]}, ["next tuesday"], "days_off"),
])
def test_bad_hours_are_a_422_naming_the_field_and_change_nothing(bank, login, weekly, days_off, field):
    c = login(bank.wang)
    before = c.get("/api/staff/availability").get_json()
    r = c.put("/api/staff/availability", json={"weekly": weekly, "days_off": days_off})
    assert r.status_code == 422 and field in r.get_json()["fields"]
    assert c.get("/api/staff/availability").get_json() == before
