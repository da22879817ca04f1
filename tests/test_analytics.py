"""Boards a bank can rank on: quality score, cohorts, per capita, anti-gaming, funnels, scopes."""
import pytest
from sqlmodel import select

from server.models import Booking
from tests.conftest import check_in, come_due, next_slot


def move(c, ref, *statuses):
    for status in statuses:
        assert c.post(f"/api/staff/bookings/{ref}/status", json={"status": status}).status_code == 200


def board(c, by="employees", **params):
    query = "&".join(f"{k}={v}" for k, v in {"period": "today", **params}.items())
    r = c.get(f"/api/boards/{by}?{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def named(rows):
    return {r["name"]: r for r in rows}


@pytest.fixture
def activity(bank, book, login, client, db):
    """Li: 3 visits (3 phones), 2 bookings, 1 verified completion. Wang: 1 booking that arrived
    (checked in). Zhao: 1 no-show."""
    poster = login(bank.li).post("/api/staff/channel-codes", json={"channel": "村口海报"}).get_json()["code"]
    for i in range(3):
        client.post(f"/api/shops/{poster}/visits", json={}, headers={"X-Device-Id": f"phone-{i}"})
    a = book(poster, phone="13900000001").get_json()
    book(bank.code(bank.li), phone="13900000002", slot=next_slot(days_ahead=2).isoformat())
    come_due(db, a["reference"])
    check_in(client, login(bank.li), a)
    move(login(bank.li), a["reference"], "completed")
    w = book(bank.code(bank.wang), phone="13900000003").get_json()
    come_due(db, w["reference"])
    check_in(client, login(bank.wang), w)
    z = book(bank.code(bank.zhao), phone="13900000004", product="tax-loan").get_json()["reference"]
    come_due(db, z)
    move(login(bank.zhao), z, "no_show")


def test_the_quality_score_weighs_outcomes_over_raw_bookings_and_shows_its_formula(activity, bank, login):
    data = board(login(bank.wang))
    rows = named(data["rows"])
    # default weights: bookings 1, arrived 3, completed 5, no-show -2 (visits are reach only)
    assert rows["李强"]["score"] == 2 * 1 + 1 * 3 + 1 * 5 and rows["李强"]["visits"] == 3
    assert rows["王丽"]["score"] == 4 and rows["赵敏"]["score"] == -1
    assert [r["name"] for r in data["rows"][:2]] == ["李强", "王丽"]
    assert data["formula"] == "质量分 = 预约×1 + 到店×3 + 办结×5 − 爽约×2"
    assert data["formula_en"] == "Quality score = bookings×1 + arrivals×3 + completions×5 − no-shows×2"


def test_weights_are_configurable(activity, bank, login, app):
    app.config["QUALITY_WEIGHTS"] = "bookings:10"
    rows = named(board(login(bank.wang))["rows"])
    assert rows["李强"]["score"] == 20 and rows["王丽"]["score"] == 10


def test_a_trainee_is_ranked_among_trainees(activity, bank, login):
    rows = board(login(bank.wang), level="junior")["rows"]
    assert [r["name"] for r in rows] == ["李强"]
    assert [r["name"] for r in board(login(bank.wang), track="corporate")["rows"]] == ["赵敏"]


def test_per_capita_lets_a_small_branch_win(activity, bank, login):
    c = login(bank.wang)
    total = board(c, "branches")["rows"]
    assert [r["name"] for r in total] == ["平定支行", "城区支行"]
    per_capita = named(board(c, "branches", per_capita=1)["rows"])
    rural = per_capita["平定支行"]
    assert rural["members"] == 3  # wang, li, the branch manager
    assert rural["score_per_capita"] == pytest.approx(rural["score"] / 3, abs=0.01)


def test_grid_and_team_boards_sum_their_members(activity, bank, login):
    grids = named(board(login(bank.wang), "grids")["rows"])
    assert grids["冠山网格"]["bookings"] == 3


def test_top_and_bottom_n(activity, bank, login):
    data = board(login(bank.wang), top=1, bottom=1)
    assert [r["name"] for r in data["rows"]] == ["李强"]
    assert [r["name"] for r in data["bottom"]] == ["赵敏"]


def test_a_booking_with_a_staff_phone_is_kept_but_not_ranked(bank, book, login, db):
    r = book(bank.code(bank.wang), phone=bank.li.phone)  # a colleague's number
    assert r.status_code == 201
    assert db.exec(select(Booking.flag)).one() == "staff_phone"
    assert named(board(login(bank.wang))["rows"])["王丽"]["bookings"] == 0
    flagged = login(bank.admin).get("/api/boards/flagged").get_json()["items"]
    assert [(f["flag"], f["reason"]) for f in flagged] == [("staff_phone", "使用员工本人或同事的手机号预约")]
    assert "****" in flagged[0]["phone"]


def test_the_same_phone_booking_again_that_day_is_flagged(bank, book, login):
    book(bank.code(bank.wang), phone="13900000011")
    book(bank.code(bank.wang), phone="13900000011", slot=next_slot(days_ahead=2).isoformat())
    assert named(board(login(bank.wang))["rows"])["王丽"]["bookings"] == 1
    assert [f["flag"] for f in login(bank.admin).get("/api/boards/flagged").get_json()["items"]] == ["repeat_phone"]


def test_a_burst_from_one_device_is_flagged(bank, book, login):
    device = {"X-Device-Id": "phone-abc"}
    for i, (hour, minute) in enumerate([(9, 0), (9, 30), (10, 0), (10, 30)]):
        r = book(bank.code(bank.wang), phone=f"1390000002{i}", headers=device,
                 slot=next_slot(hour=hour, minute=minute).isoformat())
        assert r.status_code == 201
    assert named(board(login(bank.wang))["rows"])["王丽"]["bookings"] == 2
    assert len(login(bank.admin).get("/api/boards/flagged").get_json()["items"]) == 2


def test_status_changes_of_a_flagged_booking_do_not_count_either(bank, book, login, client, db):
    created = book(bank.code(bank.wang), phone=bank.wang.phone).get_json()
    ref = created["reference"]
    come_due(db, ref)
    check_in(client, login(bank.wang), created)
    move(login(bank.wang), ref, "completed")
    row = named(board(login(bank.wang))["rows"])["王丽"]
    assert (row["arrived"], row["completed"]) == (0, 0)


def test_flagged_bookings_are_for_branch_heads_of_their_branch_and_admins(bank, book, login):
    book(bank.code(bank.wang), phone=bank.li.phone)  # 平定支行
    book(bank.code(bank.zhao), phone=bank.wang.phone, product="tax-loan")  # 城区支行
    assert login(bank.li).get("/api/boards/flagged").status_code == 403
    mine = login(bank.boss).get("/api/boards/flagged").get_json()["items"]
    assert [f["branch"] for f in mine] == ["平定支行"]
    assert len(login(bank.admin).get("/api/boards/flagged").get_json()["items"]) == 2


def test_the_funnel_by_channel_has_conversion_rates(activity, bank, login):
    rows = {r["name"]: r for r in login(bank.admin).get("/api/boards/funnel/channel").get_json()["rows"]}
    poster = rows["村口海报"]
    assert (poster["visits"], poster["bookings"], poster["arrived"], poster["completed"]) == (3, 1, 1, 1)
    assert poster["booking_rate"] == pytest.approx(1 / 3, abs=1e-4) and poster["completion_rate"] == 1.0


def test_the_funnel_by_product(activity, bank, login):
    rows = {r["name"]: r for r in login(bank.admin).get("/api/boards/funnel/product").get_json()["rows"]}
    assert rows["消费信用贷"]["bookings"] == 3 and rows["税贷通"]["bookings"] == 1


def test_funnel_details_follow_the_viewers_scope(activity, bank, login):
    mine = login(bank.li).get("/api/boards/funnel/employee").get_json()["rows"]
    assert [r["name"] for r in mine] == ["李强"]
    branch = login(bank.boss).get("/api/boards/funnel/employee").get_json()["rows"]
    assert {r["name"] for r in branch} == {"李强", "王丽"}
    everyone = login(bank.admin).get("/api/boards/funnel/employee").get_json()["rows"]
    assert {r["name"] for r in everyone} == {"李强", "王丽", "赵敏"}


def test_an_unchanged_board_answers_304(activity, bank, login):
    c = login(bank.wang)
    first = c.get("/api/boards/employees?period=today")
    again = c.get("/api/boards/employees?period=today", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("query", ["period=range&start=2026-02-01&end=2026-01-01",
                                   "period=range&start=2025-01-01&end=2026-06-01",
                                   "period=range&start=yesterday", "level=general", "top=1000"])
def test_bad_board_parameters_are_422(bank, login, query):
    assert login(bank.wang).get(f"/api/boards/employees?{query}").status_code == 422


def test_a_date_range_board(activity, bank, login):
    from datetime import datetime
    from server.clock import TZ
    today = datetime.now(TZ).date().isoformat()
    rows = named(board(login(bank.wang), period="range", start="2026-01-01", end=today)["rows"])
    assert rows["李强"]["bookings"] == 2


def test_boards_never_show_phone_numbers(activity, bank, login):
    text = login(bank.admin).get("/api/boards/employees").get_data(as_text=True)
    assert "1390000000" not in text and bank.wang.phone not in text


def test_boards_export_to_csv_and_xlsx_with_formulas_neutralised(bank, login, db):
    import io

    import openpyxl

    bank.li.name = "=HYPERLINK(\"http://x\")"
    db.add(bank.li)
    db.commit()
    c = login(bank.admin)
    csv_text = c.get("/api/boards/employees?format=csv").data.decode("utf-8-sig")
    assert "名次,姓名,支行" in csv_text.splitlines()[0]
    assert "'=HYPERLINK" in csv_text
    r = c.get("/api/boards/employees?format=xlsx")
    assert r.headers["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://x\")" in names


def test_the_daily_report_is_a_png_poster_and_markdown_and_can_be_posted(bank, book, app, tmp_path):
    from PIL import Image

    from tests.servers import json_receiver

    book(bank.code(bank.li))
    with json_receiver() as (url, received):
        app.config["REPORT_WEBHOOK_URL"] = url
        result = app.test_cli_runner().invoke(args=["daily-report", "--out", str(tmp_path), "--post",
                                                    "--operator", bank.admin.staff_no])
    assert result.exit_code == 0, result.output
    [poster] = tmp_path.glob("*.png")
    with Image.open(poster) as image:
        assert image.size[0] == 1080
    assert "李强" in next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert received and received[0]["rows"][0]["name"] == "李强"


def test_my_own_row_comes_with_the_board_wherever_i_rank(activity, bank, login):
    data = board(login(bank.zhao), top=1)
    assert [r["name"] for r in data["rows"]] == ["李强"]
    assert data["mine"]["name"] == "赵敏" and data["mine"]["rank"] > 1
