"""Monthly targets: set by head office (audited), imported from a spreadsheet (dry run, row
errors in Chinese with the nearest names), and progress shown to each viewer in their scope."""
import io
import re
from datetime import date

from openpyxl import Workbook

from server.boards import targets
from server.clock import local_day
from server.models import utcnow
from tests.conftest import next_slot


def month() -> str:
    return targets.month_of(local_day(utcnow()))


def csv_file(lines: list[str], name: str = "targets.csv"):
    return {"file": (io.BytesIO(("\ufeff" + "\n".join(lines) + "\n").encode()), name)}


def test_head_office_sets_a_target_and_the_change_is_audited(bank, login):
    admin = login(bank.admin)
    r = admin.put("/api/admin/targets", json={"period": month(), "scope": "employee", "staff_no": "yq0002",
                                              "bookings": 10, "arrived": 4, "completed": 2})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["name"], r.get_json()["bookings"]) == ("李强", 10)
    again = admin.put("/api/admin/targets", json={"period": month(), "scope": "employee", "staff_no": "YQ0002",
                                                  "bookings": 12})
    assert again.get_json()["id"] == r.get_json()["id"] and again.get_json()["arrived"] == 0
    listed = admin.get(f"/api/admin/targets?month={month()}").get_json()["items"]
    assert [(t["name"], t["bookings"]) for t in listed] == [("李强", 12)]
    entries = admin.get("/api/audit?action=target_set").get_json()["items"]
    assert len(entries) == 2 and entries[0]["target"] == "李强（YQ0002）" and entries[0]["action_label"] == "设定目标"
    assert entries[0]["detail"].startswith(f"{month()} bookings=12")
    assert admin.delete(f"/api/admin/targets/{r.get_json()['id']}").status_code == 204
    assert admin.get("/api/audit?action=target_deleted").get_json()["items"]


def test_a_bad_target_is_a_422_per_field_in_chinese_and_staff_may_not_set_targets(bank, login):
    admin = login(bank.admin)
    r = admin.put("/api/admin/targets", json={"period": "2026-13", "scope": "branch", "subject_id": bank.rural.id,
                                              "bookings": 5})
    assert r.status_code == 422 and "2026-12" in r.get_json()["fields"]["period"]
    r = admin.put("/api/admin/targets", json={"period": month(), "scope": "employee", "staff_no": "NOPE",
                                              "bookings": 5})
    assert r.status_code == 422 and r.get_json()["fields"]["staff_no"] == "没有这个工号。"
    r = admin.put("/api/admin/targets", json={"period": month(), "scope": "branch", "subject_id": bank.rural.id})
    assert r.status_code == 422 and "bookings" in r.get_json()["fields"]
    r = login(bank.boss).put("/api/admin/targets", json={"period": month(), "scope": "branch",
                                                         "subject_id": bank.rural.id, "bookings": 5})
    assert r.status_code == 403


def test_a_spreadsheet_is_checked_first_and_unknown_names_get_the_nearest_suggested(bank, login):
    admin = login(bank.admin)
    lines = ["月份,支行,工号,预约,到店,办结",
             f"{month()},平定支行,,40,15,8",
             f"{month()},,YQ0001,20,6,3",
             f"{month()},,YQ0O01,20,6,3",  # a letter O for a zero
             f"{month()},平定之行,,10,0,0",  # a typo in the branch
             "2026/12,,YQ0002,x,0,0"]
    r = admin.post("/api/admin/targets/import", data=csv_file(lines), content_type="multipart/form-data")
    answer = r.get_json()
    assert r.status_code == 200 and answer["applied"] == 0
    errors = {(e["line"], e["column"]): e["reason"] for e in answer["errors"]}
    assert "YQ0001 王丽" in errors[(4, "工号")] and errors[(4, "工号")].startswith("没有这个工号：YQ0O01")
    assert "平定支行" in errors[(5, "支行")]
    assert (6, "月份") in errors and (6, "预约") in errors
    refused = admin.post("/api/admin/targets/import?apply=1", data=csv_file(lines),
                         content_type="multipart/form-data").get_json()
    assert refused["applied"] == 0 and admin.get("/api/admin/targets").get_json()["items"] == []
    good = admin.post("/api/admin/targets/import?apply=1", data=csv_file(lines[:3]),
                      content_type="multipart/form-data").get_json()
    assert good["errors"] == [] and good["applied"] == 2
    names = sorted(t["name"] for t in admin.get("/api/admin/targets").get_json()["items"])
    assert names == ["平定支行", "王丽"]
    assert admin.get("/api/audit?action=targets_imported").get_json()["items"][0]["detail"] == "2 targets"


def test_an_xlsx_sheet_is_read_and_a_file_of_another_kind_is_refused(bank, login):
    admin = login(bank.admin)
    book = Workbook()
    book.active.append(["月份", "支行", "工号", "预约", "到店", "办结"])
    book.active.append([month(), "城区支行", None, 30, 10, 5])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    r = admin.post("/api/admin/targets/import", data={"file": (data, "t.xlsx")}, content_type="multipart/form-data")
    assert r.get_json()["rows"][0]["name"] == "城区支行" and r.get_json()["errors"] == []
    r = admin.post("/api/admin/targets/import", data={"file": (io.BytesIO(b"x"), "t.txt")},
                   content_type="multipart/form-data")
    assert r.status_code == 422 and "CSV" in r.get_json()["fields"]["file"]


def test_progress_shows_actual_percentage_and_change_to_each_viewer_in_scope(bank, login, book):
    admin = login(bank.admin)
    for body in ({"scope": "employee", "staff_no": "YQ0002", "bookings": 4},
                 {"scope": "employee", "staff_no": "YQ0003", "bookings": 4},
                 {"scope": "branch", "subject_id": bank.rural.id, "bookings": 10, "completed": 2}):
        assert admin.put("/api/admin/targets", json={"period": month(), **body}).status_code == 200
    book(bank.code(bank.li))
    assert book(bank.code(bank.li), phone="13812345679",
                slot=next_slot(hour=10).isoformat()).status_code == 201
    mine = login(bank.li).get("/api/boards/targets?period=month").get_json()
    assert [(i["scope"], i["name"]) for i in mine["items"]] == [("branch", "平定支行"), ("employee", "李强")]
    li = mine["items"][1]["metrics"][0]
    assert (li["metric"], li["target"], li["actual"], li["percent"], li["change"]) == ("bookings", 4, 2, 50.0, 2)
    branch = mine["items"][0]["metrics"]
    assert [(m["metric"], m["actual"], m["percent"]) for m in branch] == [("bookings", 2, 20.0), ("completed", 0, 0.0)]
    boss = login(bank.boss).get("/api/boards/targets").get_json()["items"]
    assert {i["name"] for i in boss} == {"平定支行", "李强"}  # not 赵敏 of the city branch
    everyone = admin.get("/api/boards/targets").get_json()["items"]
    assert {i["name"] for i in everyone} == {"平定支行", "李强", "赵敏"}
    city = admin.get(f"/api/boards/targets?branch_id={bank.city.id}").get_json()["items"]
    assert [i["name"] for i in city] == ["赵敏"]
    week = login(bank.li).get("/api/boards/targets?period=week").get_json()
    assert week["items"][1]["metrics"][0]["target"] < 4  # the month's target, pro-rated to a week
    assert login(bank.li).get("/api/boards/targets?period=year").status_code == 422


def test_the_change_compares_the_same_days_of_the_previous_month():
    win = targets.window("month", date(2026, 3, 31), "")
    assert (win.start, win.end, win.previous_start, win.previous_end) == (
        date(2026, 3, 1), date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28))
    past = targets.window("month", date(2026, 12, 6), "2026-11")
    assert (past.end, past.previous_start, past.previous_end) == (date(2026, 11, 30), date(2026, 10, 1),
                                                                 date(2026, 10, 30))


def test_progress_counts_what_the_boards_count_summed_from_the_rollups_alone(bank, login, db, app):
    from datetime import datetime, time, timezone

    from server.boards import rollups
    from server.clock import TZ
    from tests.conftest import statements

    noon = datetime.combine(local_day(utcnow()), time(12), TZ).astimezone(timezone.utc)
    for employee, branch, n in ((bank.zhao, bank.rural, 2), (bank.zhao, bank.city, 1), (bank.li, bank.rural, 3)):
        for _ in range(n):  # 赵敏 of the city branch booked twice while at 平定支行: credited there
            rollups.record(db, rollups.now_event("booking", noon, employee_id=employee.id, branch_id=branch.id))
    db.commit()
    admin = login(bank.admin)
    for body in ({"scope": "employee", "staff_no": bank.zhao.staff_no, "bookings": 10},
                 {"scope": "branch", "subject_id": bank.rural.id, "bookings": 10},
                 {"scope": "branch", "subject_id": bank.city.id, "bookings": 10}):
        assert admin.put("/api/admin/targets", json={"period": month(), **body}).status_code == 200
    with statements(app) as seen:
        items = admin.get("/api/boards/targets?period=month").get_json()["items"]
    actual = {i["name"]: i["metrics"][0]["actual"] for i in items}
    people = {r["name"]: r["bookings"] for r in admin.get("/api/boards/employees?period=month").get_json()["rows"]}
    branches = {r["name"]: r["bookings"] for r in admin.get("/api/boards/branches?period=month").get_json()["rows"]}
    assert actual == {"赵敏": people["赵敏"], "平定支行": branches["平定支行"], "城区支行": branches["城区支行"]} == {
        "赵敏": 3, "平定支行": 5, "城区支行": 1}
    # read from the rollups alone (people's DailyStat rows, branches' day totals): no bookings, no events
    read = {t for s in seen for t in re.findall(r"\b(?:FROM|JOIN) (\w+)", s)}
    assert read <= {"target", "employee", "branch", "dailystat", "daytotal"}, read
