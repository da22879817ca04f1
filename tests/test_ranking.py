"""Boards a reader can check: the printed formula recomputes every score, equal scores share a
rank, medals need a point, and the past stays as it was through handovers, transfers, departures."""
import io
import re
from datetime import datetime, timedelta, timezone

import pytest

from server.boards import rollups
from server.clock import TZ
from tests.conftest import check_in, come_due

LABELS = {"预约": "bookings", "到店": "arrived", "办结": "completed", "爽约": "no_show", "访问": "visits"}


def parse_formula(text: str) -> dict[str, float]:
    """'质量分 = 预约×1 + 到店×3 + 办结×5 − 爽约×2' → {"bookings": 1, ..., "no_show": -2}."""
    head, _, terms = text.partition(" = ")
    assert head == "质量分"
    weights = {}
    for sign, label, weight in re.findall(r"(^|[+−])\s*(\S+?)×([\d.]+)", terms):
        weights[LABELS[label]] = float(weight) * (-1 if sign == "−" else 1)
    return weights


def test_the_formula_has_signs_and_leaves_visits_out(bank, login):
    board = login(bank.wang).get("/api/boards/employees").get_json()
    assert board["formula"] == "质量分 = 预约×1 + 到店×3 + 办结×5 − 爽约×2"
    assert parse_formula(board["formula"]) == {"bookings": 1, "arrived": 3, "completed": 5, "no_show": -2}
    assert board["tie_break"].startswith("同分同名次")


@pytest.fixture
def results(bank, book, client, login, db):
    """Wang and Li: one verified arrival each (a tie); Zhao: a no-show; 5 visits to Li's shop."""
    for person, phone in ((bank.wang, "13900000001"), (bank.li, "13900000002")):
        created = book(bank.code(person), phone=phone).get_json()
        come_due(db, created["reference"])
        check_in(client, login(person), created)
    ref = book(bank.code(bank.zhao), phone="13900000003", product="tax-loan").get_json()["reference"]
    come_due(db, ref)
    assert login(bank.zhao).post(f"/api/staff/bookings/{ref}/status", json={"status": "no_show"}).status_code == 200
    for i in range(5):
        client.post(f"/api/shops/{bank.code(bank.li)}/visits", json={}, headers={"X-Device-Id": str(i)})


@pytest.mark.parametrize("by, params", [("employees", ""), ("branches", ""), ("branches", "&per_capita=1"),
                                        ("grids", ""), ("teams", "")])
def test_every_score_on_a_board_recomputes_from_its_columns_and_the_printed_formula(
        results, bank, login, by, params):
    board = login(bank.admin).get(f"/api/boards/{by}?period=today{params}").get_json()
    weights = parse_formula(board["formula"])
    assert weights == board["weights"]
    rows = board["rows"] + ([board["mine"]] if board.get("mine") else [])
    assert rows
    for row in rows:
        assert row["score"] == pytest.approx(sum(row[c] * w for c, w in weights.items()))
        if "members" in row:
            assert row["score_per_capita"] == pytest.approx(row["score"] / row["members"] if row["members"] else 0,
                                                            abs=0.01)
    key = "score_per_capita" if params else "score"
    for i, row in enumerate(board["rows"]):  # competition ranking: 1 + how many scored more
        assert row["rank"] == 1 + sum(other[key] > row[key] for other in board["rows"])
        assert row.get("medal") == (row["rank"] if row["rank"] <= 3 and row[key] >= 1 else None)


def test_equal_scores_share_a_rank_and_nobody_below_one_point_wears_a_medal(results, bank, login):
    rows = {r["name"]: r for r in login(bank.admin).get("/api/boards/employees?period=today").get_json()["rows"]}
    assert rows["王丽"]["score"] == rows["李强"]["score"] == 4
    assert rows["王丽"]["rank"] == rows["李强"]["rank"] == 1
    assert rows["王丽"]["medal"] == rows["李强"]["medal"] == 1
    zeros = [r for r in rows.values() if r["score"] == 0]
    assert {r["rank"] for r in zeros} == {3} and all("medal" not in r for r in zeros)
    assert rows["赵敏"]["rank"] == 6 and "medal" not in rows["赵敏"]
    assert rows["李强"]["visits"] == 5  # reach, shown, not scored


# --- the past stays true --------------------------------------------------------------------------

def last_month():
    first = datetime.now(TZ).date().replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


@pytest.fixture
def history(bank, db):
    """Last month: Li (平定) 3 bookings, 2 arrivals, 1 completion; Zhao (城区) 2 bookings, 1 no-show;
    recorded as the events the app writes, at noon on the 10th."""
    start, _ = last_month()
    at = datetime.combine(start + timedelta(days=9), datetime.min.time(), TZ).replace(hour=12).astimezone(timezone.utc)
    events = []
    for person, counts in ((bank.li, {"booking": 3, "arrived": 2, "completed": 1}),
                           (bank.zhao, {"booking": 2, "no_show": 1})):
        for what, n in counts.items():
            kind, status = ("booking", "") if what == "booking" else ("status", what)
            events += [rollups.now_event(kind, at, employee_id=person.id, branch_id=person.branch_id,
                                         product_id=bank.products[0].id, status=status) for _ in range(n)]
    rollups.record_many(db, events)
    db.commit()


BOARDS = ["/api/boards/employees", "/api/boards/branches", "/api/boards/branches?per_capita=1",
          "/api/boards/funnel/employee", "/api/boards/funnel/branch"]


def snapshot(c) -> dict[str, bytes]:
    start, end = last_month()
    out = {}
    for path in BOARDS:
        sep = "&" if "?" in path else "?"
        r = c.get(f"{path}{sep}period=range&start={start}&end={end}")
        assert r.status_code == 200
        out[path] = r.get_data()
    return out


def transfer(c, staff_no: str, name: str, phone: str, branch: str, grid: str = "") -> None:
    """Move an employee to another branch the way HR does: a roster row, applied."""
    csv = ("\ufeff工号,姓名,手机,支行,网格,团队,等级,条线,角色,在岗\n"
           f"{staff_no},{name},{phone},{branch},{grid},,中级,公司类,员工,是\n").encode()
    r = c.post("/api/admin/roster?apply=1", data={"file": (io.BytesIO(csv), "花名册.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 200 and r.get_json()["applied"] == 1, r.get_json()


def test_a_handover_and_a_branch_transfer_leave_last_months_boards_byte_identical(history, bank, login, db):
    admin = login(bank.admin)
    before = snapshot(admin)
    r = admin.post("/api/handover", json={"from_staff_no": bank.li.staff_no, "to_staff_no": bank.wang.staff_no,
                                          "reason": "调整分工"})
    assert r.status_code == 200, r.get_json()
    transfer(admin, bank.zhao.staff_no, "赵敏", bank.zhao.phone, "平定支行", "冠山网格")
    db.refresh(bank.zhao)
    assert bank.zhao.branch_id == bank.rural.id
    assert snapshot(admin) == before
    branches = {r["name"]: r for r in admin.get("/api/boards/branches?period=range&start={}&end={}".format(
        *last_month())).get_json()["rows"]}
    assert branches["城区支行"]["bookings"] == 2 and branches["平定支行"]["bookings"] == 3


def test_a_leaver_stays_on_past_boards_marked_left_and_the_branch_keeps_its_total(history, bank, login):
    admin = login(bank.admin)
    start, end = last_month()
    path = f"period=range&start={start}&end={end}"
    before = admin.get(f"/api/boards/branches?{path}").get_data()
    r = admin.post("/api/handover", json={"from_staff_no": bank.li.staff_no, "to_staff_no": bank.wang.staff_no,
                                          "reason": "离职", "leaving": True})
    assert r.status_code == 200
    rows = {r["name"]: r for r in admin.get(f"/api/boards/employees?{path}").get_json()["rows"]}
    assert rows["李强"]["left"] is True and rows["李强"]["bookings"] == 3 and rows["李强"]["score"] == 14
    assert admin.get(f"/api/boards/branches?{path}").get_data() == before
    today = {r["name"] for r in admin.get("/api/boards/employees?period=today").get_json()["rows"]}
    assert "李强" not in today  # no results today: a leaver is not listed


def test_rebuilding_the_rollups_after_handovers_and_transfers_gives_the_same_boards(
        history, bank, book, client, login, db, app):
    admin = login(bank.admin)
    first = book(bank.code(bank.zhao), phone="13900000011", product="tax-loan").get_json()  # at 城区
    come_due(db, first["reference"])
    check_in(client, login(bank.zhao), first)
    transfer(admin, bank.zhao.staff_no, "赵敏", bank.zhao.phone, "平定支行", "冠山网格")
    second = book(bank.code(bank.zhao), phone="13900000012", product="tax-loan").get_json()  # at 平定 now
    come_due(db, second["reference"])
    check_in(client, login(bank.zhao), second)
    moved = book(bank.code(bank.li), phone="13900000013").get_json()
    assert admin.post("/api/handover", json={"from_staff_no": bank.li.staff_no, "to_staff_no": bank.wang.staff_no,
                                             "reason": "离职", "leaving": True}).status_code == 200
    come_due(db, moved["reference"])
    check_in(client, login(bank.wang), moved)  # the booking is Wang's now: credited to Wang

    today = {r["name"]: r for r in admin.get("/api/boards/branches?period=today").get_json()["rows"]}
    assert (today["城区支行"]["arrived"], today["平定支行"]["arrived"]) == (1, 2)
    paths = [f"{p}{'&' if '?' in p else '?'}period={period}" for p in BOARDS for period in ("today", "month")]
    paths += [f"{p}{'&' if '?' in p else '?'}period=range&start={last_month()[0]}&end={last_month()[1]}"
              for p in BOARDS]
    before = {p: admin.get(p).get_json() for p in paths}
    result = app.test_cli_runner().invoke(args=["rebuild-rollups"])
    assert result.exit_code == 0, result.output
    app.extensions["caches"].boards.clear()
    assert {p: admin.get(p).get_json() for p in paths} == before
