"""Access control, table-driven: every staff endpoint × every role, checked on the server.

The object under test is a booking routed to 李强 (staff, 平定支行, 冠山网格). "colleague" is
another staff member of the same branch; "grid" the grid's leader; "boss" the branch manager;
"other_boss" the manager of another branch.
"""
import re
from datetime import date

import pytest

from server.models import OutOfOffice, ShopLink, Target, WallLink
from tests.conftest import PASSWORD

ROLES = ("anon", "owner", "colleague", "grid", "boss", "other_boss", "admin")
R = "{ref}"  # the booking's reference
TODAY = "{today}"
ADMIN_ONLY, ADMIN_CREATES = (401, 403, 403, 403, 403, 403, 200), (401, 403, 403, 403, 403, 403, 201)
CASES = [
    # method, path, body, expected status per role (in ROLES order)
    ("GET", "/api/staff/me", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/staff/bookings", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/staff/bookings?scope=grid", None, (401, 403, 403, 200, 403, 403, 403)),
    ("GET", "/api/staff/bookings?scope=branch", None, (401, 403, 403, 403, 200, 200, 200)),
    ("GET", "/api/staff/bookings?scope=all", None, (401, 403, 403, 403, 403, 403, 200)),
    ("GET", f"/api/staff/bookings/{R}", None, (401, 200, 404, 200, 200, 404, 200)),
    ("POST", f"/api/staff/bookings/{R}/status", {"status": "contacted"}, (401, 200, 404, 200, 200, 404, 200)),
    ("POST", f"/api/staff/bookings/{R}/reveal", {"reason": "代班回访"}, (401, 200, 404, 200, 200, 404, 200)),
    ("POST", "/api/staff/bookings", "on_behalf", (401, 201, 201, 201, 201, 201, 201)),
    ("GET", "/api/staff/availability", None, (401, 200, 200, 200, 200, 200, 200)),
    ("PUT", "/api/staff/availability", {"weekly": {"0": [["09:00", "12:00"]]}, "days_off": []},
     (401, 200, 200, 200, 200, 200, 200)),
    ("POST", "/api/staff/password", {"current_password": PASSWORD, "new_password": "river-stone-77"},
     (401, 200, 200, 200, 200, 200, 200)),
    ("POST", "/api/staff/logout", None, (204, 204, 204, 204, 204, 204, 204)),
    ("GET", "/api/staff/out-of-office", None, (401, 200, 200, 200, 200, 200, 200)),
    ("POST", "/api/staff/out-of-office", {"start": TODAY, "end": TODAY, "delegate_staff_no": "YQ0001",
                                          "employee_staff_no": "YQ0002"}, (401, 201, 403, 403, 201, 403, 201)),
    ("DELETE", "/api/staff/out-of-office/{away}", None, (401, 204, 404, 404, 204, 404, 204)),
    ("POST", "/api/staff/channel-codes", {"channel": "集市"}, (401, 201, 201, 201, 201, 201, 201)),
    ("GET", "/api/staff/channel-codes", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/staff/channel-codes?scope=team", None, (401, 200, 200, 200, 200, 200, 200)),
    # 李强's poster code: his, and his branch head's and head office's to manage (a grid leader sees it)
    ("PATCH", "/api/staff/channel-codes/{poster}", {"channel": "东村口海报"}, (401, 200, 403, 403, 200, 403, 200)),
    ("POST", "/api/staff/channel-codes/{poster}/retire", None, (401, 200, 403, 403, 200, 403, 200)),
    ("GET", "/api/kits/channel/{poster}.png", None, (401, 200, 403, 403, 200, 403, 200)),
    ("GET", "/api/stream", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/boards/employees", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/boards/funnel/employee", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/boards/trend", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/boards/trend?by=branch&id={rural}", None, (401, 403, 403, 403, 200, 403, 200)),
    ("GET", "/api/boards/trend?id={li}", None, (401, 200, 403, 200, 200, 403, 200)),
    ("GET", "/api/boards/flagged", None, (401, 403, 403, 403, 200, 200, 200)),  # boss: their branch's
    ("GET", "/api/boards/unverified", None, (401, 403, 403, 403, 200, 200, 200)),
    ("POST", f"/api/boards/flagged/{R}/review", {"action": "clear"}, (401, 403, 403, 403, 409, 404, 409)),
    ("POST", f"/api/staff/bookings/{R}/checkin", {"code": "123456"}, (401, 409, 404, 409, 409, 404, 409)),
    ("POST", f"/api/staff/bookings/{R}/checkin/send", None, (401, 409, 404, 409, 409, 404, 409)),
    ("GET", "/api/branches/{rural}/checkin", None, (401, 200, 200, 200, 200, 404, 200)),
    ("GET", "/api/audit", None, (401, 403, 403, 403, 200, 200, 200)),  # branch heads: their branch's
    ("POST", "/api/admin/customers/export", {"phone": "13812345678"}, (401, 403, 403, 403, 403, 403, 200)),
    ("POST", "/api/admin/customers/erase", {"phone": "13812345678"}, (401, 403, 403, 403, 403, 403, 200)),
    ("GET", "/api/kits/employee/{li}.zip", None, (401, 200, 403, 403, 200, 403, 200)),
    ("GET", "/api/kits/grid/{grid}.zip", None, (401, 403, 403, 200, 200, 403, 200)),
    ("GET", "/api/kits/branch/{rural}.zip", None, (401, 403, 403, 403, 200, 403, 200)),
    ("POST", "/api/admin/roster", None, (401, 403, 403, 403, 403, 403, 422)),
    ("GET", "/api/admin/roster/template.csv", None, ADMIN_ONLY),
    ("GET", "/api/staff/colleagues?q=王&for=manage", None, (401, 200, 200, 200, 200, 200, 200)),
    ("POST", "/api/handover", {"from_staff_no": "YQ0002", "to_staff_no": "YQ0001", "reason": "调岗"},
     (401, 403, 403, 403, 200, 403, 200)),
    ("GET", "/api/admin/messages", None, ADMIN_ONLY),
    ("GET", "/api/org", None, ADMIN_ONLY),
    ("POST", "/api/org/branches", {"name": "娘子关支行", "kind": "rural"}, ADMIN_CREATES),
    ("PUT", "/api/org/branches/{rural}", {"name": "平定支行", "kind": "rural", "address": "平定县冠山镇"},
     ADMIN_ONLY),
    ("POST", "/api/org/grids", {"branch_id": "{rural}", "name": "东关网格", "areas": ["东关村"]}, ADMIN_CREATES),
    ("PUT", "/api/org/grids/{grid}", {"branch_id": "{rural}", "name": "冠山网格", "areas": ["冠山村"]},
     ADMIN_ONLY),
    ("POST", "/api/org/teams", {"branch_id": "{rural}", "name": "平定尖刀二队"}, ADMIN_CREATES),
    ("PUT", "/api/org/teams/{team}", {"branch_id": "{rural}", "name": "平定尖刀一队"}, ADMIN_ONLY),
    ("POST", "/api/org/products", {"code": "farm-mortgage", "name": "农房抵押贷", "line": "agri",
                                   "method": "mortgage"}, ADMIN_CREATES),
    ("GET", "/api/boards/targets", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/admin/targets", None, ADMIN_ONLY),
    ("PUT", "/api/admin/targets", {"period": "2026-12", "scope": "employee", "staff_no": "YQ0002", "bookings": 5},
     ADMIN_ONLY),
    ("DELETE", "/api/admin/targets/{target}", None, (401, 403, 403, 403, 403, 403, 204)),
    ("POST", "/api/admin/targets/import", None, (401, 403, 403, 403, 403, 403, 422)),
    ("GET", "/api/boards/reports/week.md", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/boards/reports/week.md?branch_id={rural}", None, (401, 200, 200, 200, 200, 403, 200)),
    ("GET", "/api/boards/level-review.xlsx?period=2026-Q4", None, (401, 403, 403, 403, 200, 200, 200)),
    ("GET", "/api/staff/bookings/export.csv", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/staff/bookings/export.csv?scope=branch", None, (401, 403, 403, 403, 200, 200, 200)),
    ("GET", "/api/staff/bookings/export.xlsx?scope=all", None, (401, 403, 403, 403, 403, 403, 200)),
    ("PUT", "/api/org/products/{product}", {"code": "consumer-credit", "name": "消费信用贷",
                                            "line": "consumer", "method": "credit", "active": False},
     ADMIN_ONLY),
    ("GET", "/api/org/employees?q=YQ", None, ADMIN_ONLY),
    ("PUT", "/api/org/employees/{li}/profile", {"intro_en": "Farm loans."}, ADMIN_ONLY),
    # TV wall links: head office any, a branch head their branch's (tests/test_walls.py). What a
    # link shows (/api/wall...) answers its token only: a session, whoever's, gets a 404.
    ("GET", "/api/walls", None, (401, 403, 403, 403, 200, 200, 200)),
    ("POST", "/api/walls", {"label": "平定大厅", "branch_id": "{rural}"}, (401, 403, 403, 403, 201, 403, 201)),
    ("POST", "/api/walls/{wall}/revoke", None, (401, 403, 403, 403, 200, 404, 200)),
    *[("GET", path, None, (404,) * 7) for path in ("/api/wall", "/api/wall/employees", "/api/wall/branches",
                                                   "/api/wall/funnel/employee", "/api/wall/trend", "/api/wall/targets",
                                                   "/api/wall/stream")],
]
PUBLIC = {"/api/shops/<code>", "/api/shops/<code>/slots", "/api/shops/<code>/visits", "/api/privacy-notice",
          "/api/shops/<code>/bookings", "/api/status", "/api/status/cancel", "/api/status/slots",
          "/api/status/reschedule", "/api/status/erase", "/api/staff/login", "/api/checkin/<code>",
          # A customer's own number, proven by a one-time code (tests/test_phone_proof.py).
          "/api/phone/code", "/api/phone/verify", "/api/phone/bookings", "/api/phone/erase",
          "/api/phone/serving/<code>",
          # Reminders on/off and the calendar file, behind the status token (tests/test_reminders.py).
          "/api/status/reminders", "/api/status/calendar.ics"}


@pytest.fixture
def actors(bank, login, app):
    app.config["SSE_MAX_SECONDS"] = 0  # streams end at once: only the status matters here
    grid_leader = bank.employee("YQ0005", "网格长", bank.rural, role="grid_leader")
    people = {"owner": bank.li, "colleague": bank.wang, "grid": grid_leader, "boss": bank.boss,
              "other_boss": bank.city_boss, "admin": bank.admin}
    # Log in only the role a case needs: logins hash passwords at full cost.
    return lambda role: app.test_client() if role == "anon" else login(people[role])


@pytest.mark.parametrize("method, path, body, expected", CASES, ids=[f"{m} {p}" for m, p, *_ in CASES])
@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_role_as_its_scope_says(actors, bank, book, login, role, method, path,
                                                           body, expected):
    from datetime import datetime

    from server.clock import TZ

    ref = book(bank.code(bank.li)).get_json()["reference"]
    today = datetime.now(TZ).date().isoformat()
    away = bank.add(OutOfOffice(employee_id=bank.li.id, start=date.fromisoformat(today), end=date.fromisoformat(today),
                                delegate_id=bank.wang.id, created_by=bank.li.id)).id
    if body == "on_behalf":
        body = {"name": "代客", "phone": "13900007777", "product": "consumer-credit", "callback": True,
                "consent": True, "consent_version": "2026-12-v2"}
    target = bank.add(Target(period="2026-12", scope="branch", subject_id=bank.rural.id, bookings=1)).id
    poster = bank.add(ShopLink(code="POSTER02", employee_id=bank.li.id, channel="村口海报")).code
    wall = bank.add(WallLink(token_hash="0" * 64, label="平定大厅", branch_id=bank.rural.id, created_by=bank.boss.id)).id
    ids = {"ref": ref, "away": away, "target": target, "poster": poster, "wall": wall, "li": bank.li.id, "grid": bank.grid.id, "rural": bank.rural.id,
           "team": bank.team.id, "product": bank.products[0].id}
    if isinstance(body, dict):
        body = {k: v.replace(TODAY, today) if isinstance(v, str) else v for k, v in body.items()}
        if body.get("branch_id") == "{rural}":
            body["branch_id"] = bank.rural.id
    url = path.format(**ids)
    r = actors(role).open(url, method=method, json=body)
    assert r.status_code == expected[ROLES.index(role)], r.get_data(as_text=True)[:200]


def test_the_table_covers_every_api_endpoint(app):
    covered = {path.split("?")[0] for _, path, _, _ in CASES}
    rules = {re.sub(r"<any\([^)]*\):(\w+)>", r"<\1>", r.rule)  # <any(a, b):by> as <by>
             .replace("<reference>", R).replace("<int:away_id>", "{away}").replace("<by>", "employees")
             for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    if "/api/kits/<scope>/<int:target_id>.<fmt>" in rules:
        rules.remove("/api/kits/<scope>/<int:target_id>.<fmt>")
        rules.add("/api/kits/employee/{li}.zip")
    for converter, placeholder in (("<int:branch_id>", "{rural}"), ("<int:grid_id>", "{grid}"),
                                   ("<int:team_id>", "{team}"), ("<int:product_id>", "{product}"),
                                   ("<int:target_id>", "{target}"), ("<int:employee_id>", "{li}"),
                                   ("<int:link_id>", "{wall}")):
        rules = {r.replace(converter, placeholder) for r in rules}
    rules = {r.replace("/funnel/employees", "/funnel/employee") for r in rules}
    rules = {r.replace("channel-codes/<code>", "channel-codes/{poster}")
             .replace("/kits/channel/<code>.<fmt>", "/kits/channel/{poster}.png") for r in rules}
    rules = {r.replace("/reports/<period>.<fmt>", "/reports/week.md").replace("/export.<fmt>", "/export.csv")
             .replace("/template.<fmt>", "/template.csv") for r in rules}
    missing = rules - covered - PUBLIC
    assert not missing, f"add these endpoints to the access table: {sorted(missing)}"


# --- role × target role: no role reaches above itself ------------------------------------------
#
# Viewers act on a target of each role, all in 平定支行: a staff member, a grid leader, another
# branch head (a deputy) and a head-office admin. Every target has a call-back booking routed to
# them. A branch head manages staff and grid leaders of their own branch, never a peer or head office.

VIEWERS = ("staff", "grid", "boss", "admin")
TARGETS = ("staff", "grid_leader", "branch_manager", "admin")
TARGET_CASES = [
    # action, {viewer: expected status per target (in TARGETS order)}
    ("out_of_office", {"staff": (403, 403, 403, 403), "grid": (403, 403, 403, 403),
                       "boss": (201, 201, 403, 403), "admin": (201, 201, 201, 201)}),
    ("handover", {"staff": (403, 403, 403, 403), "grid": (403, 403, 403, 403),
                  "boss": (200, 200, 403, 403), "admin": (200, 200, 200, 200)}),
    ("handover_to", {"staff": (403, 403, 403, 403), "grid": (403, 403, 403, 403),
                     "boss": (200, 200, 403, 403), "admin": (200, 200, 200, 200)}),
    ("reveal", {"staff": (404, 404, 404, 404), "grid": (200, 403, 403, 403),
                "boss": (200, 200, 403, 403), "admin": (200, 200, 200, 200)}),
    ("kit", {"staff": (403, 403, 403, 403), "grid": (403, 403, 403, 403),
             "boss": (200, 200, 403, 403), "admin": (200, 200, 200, 200)}),
]


@pytest.fixture
def ranks(bank, login, book):
    """Targets of every role in the rural branch, each with a booking; viewers to log in."""
    targets = {"staff": bank.li,
               "grid_leader": bank.employee("YQ0007", "网格长乙", bank.rural, role="grid_leader"),
               "branch_manager": bank.employee("YQ0011", "副支行长", bank.rural, role="branch_manager"),
               "admin": bank.employee("YQ0098", "总行驻点管理员", bank.rural, role="admin")}
    bank.employee("YQ0006", "周敏", bank.rural)  # delegate and successor for every case
    viewers = {"staff": bank.wang, "grid": bank.employee("YQ0005", "网格长", bank.rural, role="grid_leader"),
               "boss": bank.boss, "admin": bank.admin}
    refs = {}
    for i, (role, person) in enumerate(targets.items()):
        r = book(bank.code(person), phone=f"1391111000{i}", slot=None, callback=True)
        assert r.status_code == 201, r.get_json()
        refs[role] = r.get_json()["reference"]
    return targets, viewers, refs


def _act(c, action, target, ref, today):
    if action == "out_of_office":
        return c.post("/api/staff/out-of-office", json={"start": today, "end": today, "delegate_staff_no": "YQ0006",
                                                       "employee_staff_no": target.staff_no})
    if action == "handover":
        return c.post("/api/handover", json={"from_staff_no": target.staff_no, "to_staff_no": "YQ0006",
                                             "reason": "调岗", "leaving": True})
    if action == "handover_to":  # the target as the successor, of a staff member's book
        return c.post("/api/handover", json={"from_staff_no": "YQ0006", "to_staff_no": target.staff_no,
                                             "reason": "调岗"})
    if action == "reveal":
        return c.post(f"/api/staff/bookings/{ref}/reveal", json={"reason": "代班回访"})
    return c.get(f"/api/kits/employee/{target.id}.zip")


@pytest.mark.parametrize("action, expected", TARGET_CASES, ids=[a for a, _ in TARGET_CASES])
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("target", TARGETS)
def test_every_staff_action_answers_each_role_as_the_target_role_allows(ranks, login, viewer, target, action,
                                                                        expected):
    from datetime import datetime

    from server.clock import TZ

    targets, viewers, refs = ranks
    today = datetime.now(TZ).date().isoformat()
    r = _act(login(viewers[viewer]), action, targets[target], refs[target], today)
    assert r.status_code == expected[viewer][TARGETS.index(target)], r.get_data(as_text=True)[:200]


def test_a_branch_heads_handover_or_absence_of_the_admin_is_403_and_the_admin_still_logs_in(bank, login):
    from datetime import datetime

    from server.clock import TZ

    hq = bank.employee("YQ0098", "总行驻点管理员", bank.rural, role="admin")
    boss = login(bank.boss)
    today = datetime.now(TZ).date().isoformat()
    handover = boss.post("/api/handover", json={"from_staff_no": "YQ0098", "to_staff_no": "YQ0009",
                                                "reason": "接管", "leaving": True})
    absence = boss.post("/api/staff/out-of-office", json={"start": today, "end": today, "employee_staff_no": "YQ0098",
                                                           "delegate_staff_no": "YQ0009"})
    assert (handover.status_code, absence.status_code) == (403, 403)
    admin = login(hq)  # asserts the login succeeds
    assert admin.get("/api/staff/me").get_json()["role"] == "admin"
    assert admin.get("/api/staff/out-of-office").get_json()["items"] == []
    assert login(bank.boss).get(f"/api/kits/employee/{hq.id}.zip").status_code == 403


def test_a_grid_leaders_list_holds_only_their_grid(bank, db, login, book):
    from server.models import Grid

    east = bank.add(Grid(name="东关网格", branch_id=bank.rural.id, areas="东关村"))
    leader = bank.employee("YQ0005", "网格长", bank.rural, role="grid_leader")
    outsider = bank.employee("YQ0008", "东关经理", bank.rural)
    outsider.grid_id = east.id
    bank.add(outsider)
    mine = book(bank.code(bank.li), phone="13911110001", slot=None, callback=True).get_json()["reference"]
    theirs = book(bank.code(outsider), phone="13911110002", slot=None, callback=True).get_json()["reference"]
    c = login(leader)
    listed = {b["reference"] for b in c.get("/api/staff/bookings?scope=grid").get_json()["items"]}
    assert listed == {mine}
    assert c.get(f"/api/staff/bookings/{theirs}").status_code == 404
    funnel = {row["name"] for row in c.get("/api/boards/funnel/employee").get_json()["rows"]}
    assert "东关经理" not in funnel and "李强" in funnel
    # the branch head sees both grids
    both = {b["reference"] for b in login(bank.boss).get("/api/staff/bookings?scope=branch").get_json()["items"]}
    assert {mine, theirs} <= both


def test_a_delegate_disabled_after_the_absence_was_set_up_receives_no_bookings(bank, login, book):
    from datetime import datetime

    from server.clock import TZ

    today = datetime.now(TZ).date().isoformat()
    bank.employee("YQ0006", "周敏", bank.rural)
    r = login(bank.li).post("/api/staff/out-of-office", json={"start": today, "end": today,
                                                             "delegate_staff_no": "YQ0001"})
    assert r.status_code == 201
    admin = login(bank.admin)

    def routed_to(phone):
        r = book(bank.code(bank.li), phone=phone, slot=None, callback=True)
        assert r.status_code == 201, r.get_json()
        return admin.get(f"/api/staff/bookings/{r.get_json()['reference']}").get_json()["employee"]

    assert routed_to("13911110001") == "王丽"
    left = admin.post("/api/handover", json={"from_staff_no": "YQ0001", "to_staff_no": "YQ0006",
                                             "reason": "离职", "leaving": True})
    assert left.status_code == 200
    assert routed_to("13911110002") == "李强"


def test_a_delegate_comes_from_the_same_branch_unless_head_office_lists_them(app, bank, login):
    from datetime import datetime

    from server.clock import TZ

    today = datetime.now(TZ).date().isoformat()
    body = {"start": today, "end": today, "delegate_staff_no": "YQ0003"}  # 赵敏, 城区支行
    r = login(bank.li).post("/api/staff/out-of-office", json=body)
    assert r.status_code == 422 and "delegate_staff_no" in r.get_json()["fields"]
    app.config["CROSS_BRANCH_DELEGATES"] = "yq0003, YQ0050"
    assert login(bank.li).post("/api/staff/out-of-office", json=body).status_code == 201
