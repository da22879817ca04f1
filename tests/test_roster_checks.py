"""Imports that refuse typos: unknown branches, grids and teams are errors with the nearest names
unless a row asks to create them (counted apart in the dry run); a phone or staff number belongs
to one person; the template re-imports cleanly; imports, kits and reports run from the command
line are audited under the --operator who ran them."""
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from server.models import Branch, Employee, Grid, Team

HEADER = "工号,姓名,手机,支行,网格,团队,等级,条线,角色,在岗,新建"


def csv_file(*rows: str) -> bytes:
    return ("\ufeff" + "\n".join((HEADER, *rows)) + "\n").encode()


def upload(c, *rows, apply=False, data=None, name="花名册.csv"):
    return c.post("/api/admin/roster" + ("?apply=1" if apply else ""), content_type="multipart/form-data",
                  data={"file": (io.BytesIO(data if data is not None else csv_file(*rows)), name)})


def errors(body) -> dict:
    return {(e["line"], e["column"]): e["reason"] for e in body["errors"]}


def fresh(db) -> None:
    """Read what the app committed in its own session: a new transaction, no cached rows."""
    db.rollback()
    db.expire_all()


def snapshot(db) -> tuple:
    """What an import could change: the organisation and every employee's row."""
    fresh(db)
    return (sorted(b.name for b in db.exec(select(Branch))), sorted(g.name for g in db.exec(select(Grid))),
            sorted(t.name for t in db.exec(select(Team))),
            sorted((e.staff_no, e.name, e.phone, e.branch_id, e.grid_id) for e in db.exec(select(Employee))))


@pytest.fixture
def admin(bank, login):
    return login(bank.admin)


def test_a_mistyped_branch_grid_or_team_is_refused_with_the_nearest_names_and_nothing_changes(bank, admin, db):
    bank.add(Grid(name="新庄网格", branch_id=bank.rural.id))
    before = snapshot(db)
    rows = ["YQ0101,孙悦,,矿区支行,,,见习,,,是,",
            "YQ0102,钱坤,,平定支行,新村网格,,见习,,,是,",
            "YQ0103,周强,,平定支行,冠山网格,平定尖刀二队,见习,,,是,",
            "YQ0104,吴刚,,城区支行,冠山网格,,见习,,,是,是"]  # 新建 cannot move a grid to another branch
    for apply in (False, True):
        body = upload(admin, *rows, apply=apply).get_json()
        assert errors(body) == {
            (2, "支行"): "没有这个支行：矿区支行。您是不是要找：城区支行？若要新建，请在“新建”列填“是”。",
            (3, "网格"): "没有这个网格：新村网格。您是不是要找：新庄网格？若要新建，请在“新建”列填“是”。",
            (4, "团队"): "没有这个团队：平定尖刀二队。您是不是要找：平定尖刀一队？若要新建，请在“新建”列填“是”。",
            (5, "网格"): "冠山网格属于平定支行，不属于城区支行"}
        assert (body["new_org"], body["changes"], body["applied"]) == ([], [], 0)
    assert snapshot(db) == before


def test_new_branches_grids_and_teams_are_created_only_where_a_row_asks_and_counted_apart(bank, admin, db):
    rows = ["YQ0101,孙悦,,娘子关支行,娘子关网格,娘子关一队,见习,微贷类,员工,是,是",
            "YQ0102,钱坤,,娘子关支行,娘子关网格,,初级,公司类,员工,是,"]  # uses what row 2 creates
    before = snapshot(db)
    dry = upload(admin, *rows).get_json()
    assert dry["errors"] == []
    assert dry["new_org"] == ["支行：娘子关支行", "网格：娘子关网格", "团队：娘子关一队"]
    assert dry["new_org_counts"] == {"branch": 1, "grid": 1, "team": 1}
    assert [(c["staff_no"], c["action"]) for c in dry["changes"]] == [("YQ0101", "create"), ("YQ0102", "create")]
    assert snapshot(db) == before

    assert upload(admin, *rows, apply=True).get_json()["applied"] == 2
    fresh(db)
    branch = db.exec(select(Branch).where(Branch.name == "娘子关支行")).one()
    assert db.exec(select(Grid).where(Grid.name == "娘子关网格")).one().branch_id == branch.id
    again = upload(admin, *rows).get_json()
    assert (again["new_org_counts"], again["changes"]) == ({"branch": 0, "grid": 0, "team": 0}, [])


def test_a_phone_or_staff_number_used_twice_in_the_file_or_by_another_employee_is_refused(bank, admin, db):
    before = snapshot(db)
    rows = ["YQ0101,孙悦,13903530101,平定支行,,,见习,,,是,",
            "YQ0102,钱坤,13903530101,平定支行,,,见习,,,是,",  # the phone of line 2
            "ＹＱ0101,孙悦,13903530111,平定支行,,,见习,,,是,",  # line 2's staff number, full-width
            "YQ0103,周强,13903530002,平定支行,,,见习,,,是,",  # 李强's phone
            "YQ0003,钱多多,13900000003,城区支行,,,见习,,,是,"]  # 赵敏's staff number
    for apply in (False, True):
        body = upload(admin, *rows, apply=apply).get_json()
        assert errors(body) == {
            (3, "手机"): "与第 2 行的手机号重复",
            (4, "工号"): "与第 2 行重复",
            (5, "手机"): "已是李强（YQ0002）的手机号",
            (6, "工号"): "YQ0003 已是赵敏的工号，姓名和手机号都对不上：请核对工号（同一人改名时，手机号请与系统中一致）"}
        assert body["applied"] == 0
    assert snapshot(db) == before


def test_phones_may_be_swapped_or_freed_in_the_file_and_a_renamed_employee_keeps_theirs(bank, admin, db):
    body = upload(admin, "YQ0001,王丽,13903530002,平定支行,冠山网格,,高级,微贷类,员工,是,",
                  "YQ0002,李强,13903530001,平定支行,冠山网格,,初级,微贷类,员工,是,",
                  "YQ0003,赵小敏,13903530003,城区支行,,,中级,公司类,员工,是,", apply=True).get_json()
    assert body["errors"] == [] and body["applied"] == 3
    fresh(db)
    assert db.get(Employee, bank.wang.id).phone == "13903530002"
    assert db.get(Employee, bank.zhao.id).name == "赵小敏"
    bank.employee("YQ0050", "离职员工", bank.rural, disabled=True)  # phone 13903530050
    new_hire = "YQ0120,新同事,13903530050,平定支行,,,见习,,,是,"
    assert errors(upload(admin, new_hire).get_json()) == {
        (2, "手机"): "已是离职员工（YQ0050）的手机号；其已离职，可在本文件中加入其一行并清空手机"}
    assert upload(admin, new_hire, "YQ0050,离职员工,,平定支行,冠山网格,,见习,,,否,").get_json()["errors"] == []


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_the_imports_columns_and_an_example_that_passes_a_dry_run(bank, admin, db, fmt):
    r = admin.get(f"/api/admin/roster/template.{fmt}")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="roster-template.{fmt}"'
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(r.data))
        assert book.sheetnames == ["花名册", "填写说明"]
        header, example = [[c or "" for c in row] for row in book["花名册"].iter_rows(values_only=True)]
    else:
        text = r.data.decode("utf-8-sig").splitlines()
        header, example = text[0].split(","), text[1].split(",")
    assert header == HEADER.split(",")
    assert example[3] == bank.city.name and example[-1] == "否"
    before = snapshot(db)
    dry = upload(admin, data=r.data, name=f"template.{fmt}").get_json()
    assert dry["errors"] == [] and dry["new_org"] == []
    assert [(c["staff_no"], c["action"]) for c in dry["changes"]] == [(example[0], "create")]
    assert snapshot(db) == before


# --- the command line: --operator names who ran it, in the audit log -------------------------


def audit_rows(login, bank, action, lang="zh-CN"):
    r = login(bank.admin).get(f"/api/audit?action={action}", headers={"Accept-Language": lang})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_a_cli_import_needs_a_known_head_office_operator_and_is_audited_under_them(app, bank, login, db, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_file("YQ0101,孙悦,,平定支行,冠山网格,,见习,微贷类,员工,是,"))
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["import-roster", str(path), "--apply"])
    assert missing.exit_code != 0 and "--operator" in missing.output
    for who, says in (("YQ0O99", "没有这个在岗工号：YQ0O99"), ("YQ0002", "YQ0002 无权执行此操作")):
        refused = runner.invoke(args=["import-roster", str(path), "--apply", "--operator", who])
        assert refused.exit_code != 0 and says in refused.output
    assert db.exec(select(Employee).where(Employee.staff_no == "YQ0101")).first() is None

    done = runner.invoke(args=["import-roster", str(path), "--apply", "--operator", "yq0099"])
    assert done.exit_code == 0, done.output
    [entry] = audit_rows(login, bank, "roster_imported")
    assert (entry["actor"], entry["detail"], entry["source"]) == ("总行管理员（YQ0099）", "1 名员工", "命令行")
    assert audit_rows(login, bank, "roster_imported", "en")[0]["source"] == "command line"


def test_a_cli_dry_run_counts_new_units_apart_and_names_the_nearest_ones(app, bank, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_file("YQ0101,孙悦,,矿区支行,,,见习,,,是,", "YQ0102,钱坤,,娘子关支行,,,见习,,,是,是"))
    r = app.test_cli_runner().invoke(args=["import-roster", str(path), "--operator", "YQ0099"])
    assert r.exit_code != 0
    assert "第 2 行 [支行]：没有这个支行：矿区支行。您是不是要找：城区支行？" in r.output
    assert "将新建 1 个支行（“新建”列填“是”的行）" in r.output


def test_cli_print_kits_and_reports_are_audited_under_their_operator(app, bank, login, tmp_path):
    runner = app.test_cli_runner()
    kit = ["print-kit", "--grid", bank.grid.name, "--format", "zip", str(tmp_path / "kit.zip")]
    assert runner.invoke(args=kit).exit_code != 0  # no --operator
    refused = runner.invoke(args=[*kit, "--operator", bank.city_boss.staff_no])  # another branch's head
    assert refused.exit_code != 0 and not (tmp_path / "kit.zip").exists()
    done = runner.invoke(args=[*kit, "--operator", bank.boss.staff_no])
    assert done.exit_code == 0, done.output
    report = runner.invoke(args=["report", "--period", "week", "--day", "2026-12-06", "--out", str(tmp_path),
                                 "--operator", bank.admin.staff_no])
    assert report.exit_code == 0, report.output

    [printed] = audit_rows(login, bank, "kit_printed")
    assert (printed["actor"], printed["target"], printed["source"]) == (
        "张支行长（YQ0009）", "网格 冠山网格", "命令行")
    assert printed["detail"] == "3 人，ZIP"
    [made] = audit_rows(login, bank, "report_made")
    assert (made["actor"], made["detail"]) == ("总行管理员（YQ0099）", "截至 2026-12-06 的周通报")
    assert audit_rows(login, bank, "report_made", "en")[0]["detail"] == "weekly report to 2026-12-06"
