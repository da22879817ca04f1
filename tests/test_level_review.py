"""The level review (职级考评) workbook: every employee's indicators for a quarter or a year,
leavers marked 已离职, weights of its own, a branch head gets their branch, staff get nothing."""
import io
from datetime import date

from openpyxl import load_workbook

from server.models import DailyStat, Employee


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:200]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["考评"]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]], dict(book["说明"].iter_rows(values_only=True))


def activity(bank, db):
    for employee, day, counts in ((bank.li, date(2026, 10, 5), {"bookings": 5, "arrived": 3, "completed": 2, "no_show": 1}),
                                  (bank.li, date(2026, 12, 1), {"bookings": 2}),
                                  (bank.zhao, date(2026, 11, 9), {"bookings": 4, "arrived": 4, "completed": 1}),
                                  (bank.wang, date(2026, 3, 9), {"bookings": 7})):
        bank.add(DailyStat(day=day, employee_id=employee.id, branch_id=employee.branch_id, **counts))
    leaver = bank.employee("YQ0007", "=离职员工", bank.rural, level="trainee")
    bank.add(DailyStat(day=date(2026, 10, 20), employee_id=leaver.id, branch_id=bank.rural.id, bookings=3))
    leaver = db.get(Employee, leaver.id)
    leaver.disabled = True
    db.add(leaver)
    db.commit()


def test_head_office_gets_every_employees_quarter_with_leavers_marked(app, bank, db, login):
    activity(bank, db)
    headers, rows, about = workbook(login(bank.admin).get("/api/boards/level-review.xlsx?period=2026-Q4"))
    for column in ("工号", "姓名", "支行", "等级", "条线", "状态", "预约", "核实到店", "办结", "爽约", "考评得分"):
        assert column in headers
    li = next(r for r in rows if r["工号"] == "YQ0002")
    assert (li["预约"], li["核实到店"], li["办结"], li["爽约"]) == (7, 3, 2, 1)
    assert (li["等级"], li["条线"], li["支行"], li["状态"]) == ("初级", "微贷类", "平定支行", "在岗")
    leaver = next(r for r in rows if r["工号"] == "YQ0007")
    assert leaver["状态"] == "已离职" and leaver["预约"] == 3
    assert leaver["姓名"] == "'=离职员工"  # formula-safe
    assert next(r for r in rows if r["工号"] == "YQ0001")["预约"] == 0  # March is not in Q4
    assert about["考核期"] == "2026-Q4" and about["范围"] == "全行" and "考评得分 =" in about["计分规则"]
    _, year, _ = workbook(login(bank.admin).get("/api/boards/level-review.xlsx?period=2026"))
    assert next(r for r in year if r["工号"] == "YQ0001")["预约"] == 7


def test_the_review_weights_are_a_setting_of_their_own(app, bank, db, login):
    activity(bank, db)
    app.config["LEVEL_REVIEW_WEIGHTS"] = "bookings:2,arrived:0,completed:10,no_show:-5"
    _, rows, about = workbook(login(bank.admin).get("/api/boards/level-review.xlsx?period=2026-Q4"))
    assert next(r for r in rows if r["工号"] == "YQ0002")["考评得分"] == 7 * 2 + 2 * 10 - 5
    assert "办结×10" in about["计分规则"]


def test_a_branch_head_gets_their_branch_and_staff_get_a_403(app, bank, db, login):
    activity(bank, db)
    _, rows, about = workbook(login(bank.boss).get("/api/boards/level-review.xlsx?period=2026-Q4"))
    assert {r["支行"] for r in rows} == {"平定支行"} and about["范围"] == "平定支行"
    assert login(bank.boss).get(f"/api/boards/level-review.xlsx?period=2026-Q4&branch_id={bank.city.id}").status_code == 403
    assert login(bank.li).get("/api/boards/level-review.xlsx?period=2026-Q4").status_code == 403
    bad = login(bank.admin).get("/api/boards/level-review.xlsx?period=2026-Q5")
    assert bad.status_code == 422 and "2026-Q4" in bad.get_json()["fields"]["period"]
    entries = login(bank.admin).get("/api/audit?action=level_review_exported").get_json()["items"]
    assert entries and entries[0]["detail"].startswith("2026-Q4")
