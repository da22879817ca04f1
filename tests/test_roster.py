"""Roster import from HR's CSV / XLSX: dry run, row errors in Chinese, all-or-nothing, idempotent."""
import io

from openpyxl import Workbook
from sqlmodel import Session, select

from server.admin import roster
from server.models import Employee, ShopLink

HEADER = "工号,姓名,手机,支行,网格,团队,等级,条线,角色,在岗,新建"
GOOD = [HEADER,
        "YQ0101,孙悦,13903530101,平定支行,冠山网格,平定尖刀一队,见习,微贷类,员工,是,",
        "YQ0001,王丽,13903530001,平定支行,冠山网格,,中级,微贷类,员工,是,",  # level changes
        "YQ0102,钱坤,13903530102,娘子关支行,,,初级,公司类,员工,是,是"]  # a new branch, asked for


def csv_bytes(lines):
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def test_a_dry_run_reports_changes_and_new_branches_and_changes_nothing(bank, db):
    result = roster.plan(db, roster.read("staff.csv", csv_bytes(GOOD)))
    assert result.errors == []
    assert [(c["staff_no"], c["action"]) for c in result.changes] == [
        ("YQ0101", "create"), ("YQ0001", "update"), ("YQ0102", "create")]
    assert result.changes[1]["fields"] == {"level": "mid"}
    assert result.new_org == ["支行：娘子关支行"]
    assert db.exec(select(Employee).where(Employee.staff_no == "YQ0101")).first() is None


def test_applying_creates_and_updates_with_shop_links_and_a_second_import_changes_nothing(bank, db):
    rows = roster.read("staff.csv", csv_bytes(GOOD))
    assert roster.apply(db, roster.plan(db, rows), actor=bank.admin) == 3
    with Session(db.get_bind()) as fresh:
        sun = fresh.exec(select(Employee).where(Employee.staff_no == "YQ0101")).one()
        assert (sun.level, sun.track, sun.grid_id is not None) == ("trainee", "microloan", True)
        assert fresh.exec(select(ShopLink).where(ShopLink.employee_id == sun.id)).one().code
        assert fresh.exec(select(Employee).where(Employee.staff_no == "YQ0001")).one().level == "mid"
        again = roster.plan(fresh, rows)
    assert again.changes == [] and again.new_org == []


def test_one_bad_row_is_reported_with_line_and_column_and_nothing_is_applied(bank, app, tmp_path, db):
    bad = GOOD + ["YQ0103,周强,1390353,平定支行,,,特级,微贷类,员工,是", ",无工号,,平定支行,,,见习,,,"]
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(bad))
    r = app.test_cli_runner().invoke(args=["import-roster", str(path), "--apply", "--operator", "YQ0099"])
    assert r.exit_code != 0
    assert "第 5 行 [等级]：应为 见习/初级/中级/高级 之一" in r.output
    assert "第 5 行 [手机]：应为 11 位手机号码" in r.output
    assert "第 6 行 [工号]：不能为空" in r.output
    db.rollback()
    assert db.exec(select(Employee).where(Employee.staff_no == "YQ0101")).first() is None


def test_xlsx_rosters_are_read_too(bank, db):
    book = Workbook()
    for line in GOOD:
        book.active.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    result = roster.plan(db, roster.read("花名册.xlsx", data.getvalue()))
    assert result.errors == [] and len(result.changes) == 3


def test_a_staff_number_twice_in_one_file_is_an_error(bank, db):
    result = roster.plan(db, roster.read("s.csv", csv_bytes(GOOD + [GOOD[1]])))
    assert result.errors == [{"line": 5, "column": "工号", "reason": "与第 2 行重复"}]


def test_an_admin_uploads_the_roster_dry_run_first_then_applies(bank, login, db):
    c = login(bank.admin)
    upload = lambda: {"file": (io.BytesIO(csv_bytes(GOOD)), "花名册.csv")}
    dry = c.post("/api/admin/roster", data=upload(), content_type="multipart/form-data").get_json()
    assert dry["applied"] == 0 and len(dry["changes"]) == 3
    db.rollback()
    assert db.exec(select(Employee).where(Employee.staff_no == "YQ0101")).first() is None
    done = c.post("/api/admin/roster?apply=1", data=upload(), content_type="multipart/form-data").get_json()
    assert done["applied"] == 3
    r = c.post("/api/admin/roster", data={"file": (io.BytesIO(b"x"), "staff.txt")}, content_type="multipart/form-data")
    assert r.status_code == 422 and r.get_json()["fields"]["file"] == "请上传 CSV 或 XLSX 格式的花名册。"
