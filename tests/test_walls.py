"""A wall for a TV: head office or a branch head makes a read-only, revocable wall link that
shows the live wall without anyone's login, for the whole bank or one branch. The token reaches
the wall's data for its scope and nothing else, is stored only as a hash, survives a restart,
and every making and withdrawing is audited."""
import base64
import json
import re
import threading
import time
from datetime import datetime, time as clock, timezone

import pytest
from sqlmodel import Session, select

from server import create_app
from server.boards import rollups
from server.clock import TZ
from server.models import AuditEntry, Target, WallLink
from server.walls import service as walls
from tests.test_shop import decode

WALL_DATA = ["/api/wall", "/api/wall/employees?period=today", "/api/wall/employees?period=week&level=senior&top=3",
             "/api/wall/funnel/branch?period=today", "/api/wall/funnel/employee?period=today",
             "/api/wall/trend?period=week&by=all", "/api/wall/targets?period=month"]
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def did(db, bank, employee, branch, bookings):
    """`bookings` bookings for `employee` today, credited at `branch`, in the rollups."""
    at = datetime.combine(datetime.now(TZ).date(), clock(12), TZ).astimezone(timezone.utc)
    for _ in range(bookings):
        rollups.record(db, rollups.now_event("booking", at, employee_id=employee.id, branch_id=branch.id))
    db.commit()


@pytest.fixture
def busy(bank, db):
    did(db, bank, bank.wang, bank.rural, 3)
    did(db, bank, bank.zhao, bank.city, 2)
    month = datetime.now(TZ).strftime("%Y-%m")
    for branch in (bank.rural, bank.city):
        bank.add(Target(period=month, scope="branch", subject_id=branch.id, bookings=10))
    bank.add(Target(period=month, scope="employee", subject_id=bank.zhao.id, bookings=4))
    return bank


def make(c, label="大厅电视", branch_id=None):
    return c.post("/api/walls", json={"label": label, "branch_id": branch_id})


def screen(token):
    return {"X-Wall-Token": token}


def token_of(created: dict) -> str:
    return created["url"].split("#", 1)[1]


def stream_url(client, token: str) -> str:
    """The live stream's URL as the wall page gets it: with a ticket, never the token."""
    url = client.get("/api/wall", headers=screen(token)).get_json()["stream"]
    assert url.startswith("/api/wall/stream?ticket=") and token not in url
    return url


def test_head_office_makes_a_bank_wide_link_that_shows_the_wall_without_a_login(app, busy, login, client, db):
    r = make(login(busy.admin), "总行大屏")
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["url"].startswith("http://shop.test/wall/t#") and made["qr"].startswith("data:image/png;base64,")
    assert (made["scope"], made["branch"], made["created_by"], made["active"]) == ("bank", "", "总行管理员", True)
    token = token_of(made)
    assert len(token) >= 43
    assert decode(base64.b64decode(made["qr"].split(",", 1)[1])) == made["url"]  # the QR code is the link
    stored = db.exec(select(WallLink)).one()
    assert stored.token_hash == walls.hash_token(token) and token not in stored.token_hash  # only the hash is kept

    shows = client.get("/api/wall", headers=screen(token)).get_json()
    assert shows.pop("stream").startswith("/api/wall/stream?ticket=")
    assert shows == {"label": "总行大屏", "scope": "bank", "branch_id": None, "branch": "", "bank": app.config["BANK_NAME"]}
    board = client.get("/api/wall/employees?period=today", headers=screen(token)).get_json()
    assert {r["name"]: r["bookings"] for r in board["rows"] if r["bookings"]} == {"王丽": 3, "赵敏": 2}
    assert board["mine"] is None and "质量分" in board["formula"]
    pk = client.get("/api/wall/branches?period=today&per_capita=1", headers=screen(token)).get_json()
    assert {r["name"] for r in pk["rows"]} == {"城区支行", "平定支行"}
    funnel = client.get("/api/wall/funnel/branch?period=today", headers=screen(token)).get_json()
    assert {r["name"] for r in funnel["rows"]} == {"城区支行", "平定支行"}
    trend = client.get("/api/wall/trend?period=week", headers=screen(token)).get_json()
    assert (trend["by"], trend["id"], trend["totals"]["bookings"]) == ("all", None, 5)
    goals = client.get("/api/wall/targets?period=month", headers=screen(token)).get_json()["items"]
    assert len(goals) == 3 and all(g["staff_no"] == "" for g in goals)


def test_a_branch_heads_link_shows_their_branch_and_never_another(busy, login, client):
    boss = login(busy.boss)
    r = make(boss, "平定支行大厅", busy.rural.id)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["scope"], r.get_json()["branch"]) == ("branch", "平定支行")
    token = token_of(r.get_json())
    get = lambda url: client.get(url, headers=screen(token))  # noqa: E731
    assert get("/api/wall").get_json()["branch"] == "平定支行"
    people = {r["name"] for r in get("/api/wall/employees?period=today").get_json()["rows"]}
    assert "王丽" in people and "赵敏" not in people and "陈行长" not in people
    assert get(f"/api/wall/employees?period=today&branch_id={busy.city.id}").status_code == 403
    assert get(f"/api/wall/employees?period=today&branch_id={busy.rural.id}").status_code == 200
    assert get("/api/wall/branches?period=today").status_code == 403  # the PK is every branch's
    by_branch = get("/api/wall/funnel/branch?period=today").get_json()["rows"]
    assert [r["name"] for r in by_branch] == ["平定支行"]
    by_person = get("/api/wall/funnel/employee?period=today").get_json()["rows"]
    assert [r["name"] for r in by_person] == ["王丽"]
    trend = get("/api/wall/trend?period=week&by=all").get_json()
    assert (trend["by"], trend["id"], trend["totals"]["bookings"]) == ("branch", busy.rural.id, 3)
    goals = get("/api/wall/targets?period=month").get_json()["items"]
    assert [(g["scope"], g["name"]) for g in goals] == [("branch", "平定支行")]
    assert get(f"/api/wall/targets?period=month&branch_id={busy.city.id}").status_code == 403


def test_a_branch_head_cannot_make_one_for_another_branch_or_the_whole_bank(busy, login, db):
    boss = login(busy.boss)
    assert make(boss, "城区大厅", busy.city.id).status_code == 403
    assert make(boss, "全行", None).status_code == 403
    assert db.exec(select(WallLink)).all() == []
    assert db.exec(select(AuditEntry).where(AuditEntry.action.startswith("wall_"))).all() == []


@pytest.mark.parametrize("who", ["li", "grid_leader"])
def test_an_employee_can_neither_make_list_nor_withdraw_a_wall_link(bank, login, who):
    person = bank.li if who == "li" else bank.employee("YQ0005", "网格长", bank.rural, role="grid_leader")
    link, _ = _made(bank, bank.boss, bank.rural.id)
    c = login(person)
    assert make(c, "我的屏", bank.rural.id).status_code == 403
    assert make(c, "我的屏", None).status_code == 403
    assert c.get("/api/walls").status_code == 403
    assert c.post(f"/api/walls/{link.id}/revoke").status_code == 403


def _made(bank, actor, branch_id, label="大厅"):
    return walls.create(bank.db, actor=actor, label=label, branch_id=branch_id)


def test_the_token_reaches_the_wall_data_and_nothing_else(app, busy, login, client, book):
    book(busy.code(busy.wang))  # a customer's phone number in the database
    token = token_of(make(login(busy.admin)).get_json())
    # Whatever way it is sent, the token is no login: every other API answers as to a stranger.
    ways = [{"headers": screen(token)}, {"headers": {"Authorization": f"Bearer {token}"}},
            {"query_string": {"t": token, "token": token}}]
    ids = {"code": busy.code(busy.wang), "by": "employees", "reference": "YQAAAAAA", "period": "week",
           "fmt": "csv", "scope": "branch"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule.startswith("/api/wall/") or rule.rule == "/api/wall":
            continue
        if "GET" not in rule.methods:
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m[1], 1)), rule.rule)
        stranger = client.get(url)
        for way in ways:
            r = client.get(url, **way)
            assert r.status_code == stranger.status_code, (url, way, r.status_code)
            assert r.data == stranger.data or r.status_code == 200, url
        checked += 1
    assert checked > 20
    for staff_only in ("/api/staff/me", "/api/staff/bookings", "/api/boards/employees", "/api/audit", "/api/walls",
                       "/api/org/employees", "/api/stream"):
        assert client.get(staff_only, headers=screen(token)).status_code == 401, staff_only
    # What the wall itself answers holds no phone number, no staff number, no customer.
    for url in WALL_DATA:
        r = client.get(url, headers=screen(token))
        assert r.status_code == 200, (url, r.get_json())
        text = r.get_data(as_text=True)
        assert not PHONE.search(text) and "YQ00" not in text and "刘大爷" not in text, url
    # And a staff session without the token gets nothing from the wall's endpoints.
    admin = login(busy.admin)
    assert all(admin.get(url).status_code == 404 for url in WALL_DATA)


def test_unknown_or_malformed_tokens_are_refused_and_change_nothing(busy, client, db):
    for token in ("", "x", "A" * 43, "A" * 101, "é" * 10):
        for url in ("/api/wall", "/api/wall/employees", "/api/wall/trend"):
            r = client.get(url, headers={"X-Wall-Token": token.encode("utf-8").decode("latin-1")})
            assert r.status_code == 404 and r.get_json()["error"] == "wall_not_found", (token, url)
    assert client.get("/api/wall/stream?ticket=nope").status_code == 404
    assert db.exec(select(WallLink)).all() == []


def test_bad_inputs_are_422_with_a_message_per_field_and_make_nothing(busy, login, db):
    admin = login(busy.admin)
    for body, field in (({"label": "  "}, "label"), ({"label": "长" * 41}, "label"), ({}, "label"),
                        ({"label": "大厅", "branch_id": 999999}, "branch_id"),
                        ({"label": "大厅", "branch_id": 2 ** 40}, "branch_id"),
                        ({"label": "大厅", "branch_id": "x"}, "branch_id"), ({"label": 5}, "label")):
        r = admin.post("/api/walls", json=body)
        assert r.status_code == 422 and field in r.get_json()["fields"], (body, r.get_json())
    r = admin.post("/api/walls", json={"label": ""}, headers={"Accept-Language": "en"})
    assert r.get_json()["fields"]["label"] == "This field is required."
    assert admin.post("/api/walls/999999/revoke").status_code == 404
    assert db.exec(select(WallLink)).all() == []


def test_a_withdrawn_link_is_refused_with_who_withdrew_it_and_when(app, busy, login, client, db):
    admin, boss = login(busy.admin), login(busy.boss)
    made = make(admin, "总行大屏").get_json()
    token = token_of(made)
    ticketed = stream_url(client, token)
    assert boss.post(f"/api/walls/{made['id']}/revoke").status_code == 404  # a bank-wide link is head office's
    r = admin.post(f"/api/walls/{made['id']}/revoke")
    assert r.status_code == 200 and r.get_json()["active"] is False and r.get_json()["revoked_by"] == "总行管理员"
    for url in WALL_DATA + ["/api/wall/branches"]:
        gone = client.get(url, headers=screen(token))
        assert gone.status_code == 410, url
    body = client.get("/api/wall", headers=screen(token)).get_json()
    assert (body["error"], body["label"], body["revoked_by"], body["revoked_by_branch"]) == (
        "wall_revoked", "总行大屏", "总行管理员", "城区支行")
    assert body["message"] == "这个大屏链接已停用。" and body["revoked_at"]
    assert client.get(ticketed).status_code == 410  # a ticket handed out before: the stream is refused too
    assert admin.post(f"/api/walls/{made['id']}/revoke").status_code == 200  # again: nothing changes
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "wall_link_revoked")).all()
    assert len(entries) == 1
    listed = admin.get("/api/walls").get_json()["items"]
    assert [(w["label"], w["active"], w["revoked_by"]) for w in listed] == [("总行大屏", False, "总行管理员")]
    assert "url" not in listed[0] and all(token not in json.dumps(w) for w in listed)


def test_a_branch_head_lists_and_withdraws_only_their_branchs_links(busy, login):
    admin, boss, city_boss = login(busy.admin), login(busy.boss), login(busy.city_boss)
    bank_wide = make(admin, "总行").get_json()
    rural = make(boss, "平定大厅", busy.rural.id).get_json()
    city = make(admin, "城区大厅", busy.city.id).get_json()
    assert [w["label"] for w in boss.get("/api/walls").get_json()["items"]] == ["平定大厅"]
    assert [w["label"] for w in admin.get("/api/walls").get_json()["items"]] == ["城区大厅", "平定大厅", "总行"]
    assert city_boss.post(f"/api/walls/{rural['id']}/revoke").status_code == 404
    assert boss.post(f"/api/walls/{bank_wide['id']}/revoke").status_code == 404
    assert city_boss.post(f"/api/walls/{city['id']}/revoke").status_code == 200  # made by head office, their branch
    assert boss.post(f"/api/walls/{rural['id']}/revoke").status_code == 200
    assert [w["active"] for w in admin.get("/api/walls").get_json()["items"]] == [True, False, False]


def test_a_link_survives_a_restart_and_notes_when_it_was_last_used(app, busy, login, database_url):
    token = token_of(make(login(busy.admin), "总行大屏").get_json())
    again = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "another-secret",
                        "PUBLIC_BASE_URL": "http://shop.test", "MESSAGE_SENDER": "", "CUSTOMER_SENDER": "memory"})
    try:
        c = again.test_client()
        assert c.get("/api/wall", headers=screen(token)).get_json()["scope"] == "bank"
        assert c.get("/api/wall/employees", headers=screen(token)).status_code == 200
        with Session(again.extensions["engine"]) as db:
            assert db.exec(select(WallLink)).one().last_used_at is not None
        r = login(busy.admin).get("/api/walls").get_json()["items"][0]
        assert r["last_used_at"] and r["active"]
    finally:
        again.extensions["notify"].stop()
        again.extensions["engine"].dispose()


def test_making_and_withdrawing_are_audited_in_words(busy, login):
    admin, boss = login(busy.admin), login(busy.boss)
    made = make(boss, "平定大厅", busy.rural.id).get_json()
    assert admin.post(f"/api/walls/{made['id']}/revoke").status_code == 200
    make(admin, "总行大屏")
    rows = admin.get("/api/audit").get_json()["items"]
    said = [(r["action_label"], r["actor"], r["target"]) for r in rows if r["action"].startswith("wall_")]
    assert said == [("新建大屏链接", "总行管理员（YQ0099）", "大屏链接「总行大屏」（全行）"),
                    ("停用大屏链接", "总行管理员（YQ0099）", "大屏链接「平定大厅」（平定支行）"),
                    ("新建大屏链接", "张支行长（YQ0009）", "大屏链接「平定大厅」（平定支行）")]
    mine = [r["action"] for r in boss.get("/api/audit").get_json()["items"] if r["action"].startswith("wall_")]
    assert mine == ["wall_link_revoked", "wall_link_created"]  # their branch's link, not head office's own
    english = admin.get("/api/audit", headers={"Accept-Language": "en"}).get_json()["items"][0]
    assert (english["action_label"], english["target"]) == ("Wall link created", "wall link「总行大屏」（whole bank）")
    assert admin.get("/api/audit?action=wall_link_revoked").get_json()["items"][0]["action"] == "wall_link_revoked"


def read_stream(response, into: list):
    for chunk in response.response:
        if b"event: change" in chunk:
            into.append(json.loads(chunk.decode().split("data: ")[1]))


def test_the_live_stream_goes_through_the_link_scoped_like_its_data(app, bank, login):
    app.config["SSE_MAX_SECONDS"] = 2
    rural = token_of(make(login(bank.boss), "平定", bank.rural.id).get_json())
    whole = token_of(make(login(bank.admin), "全行").get_json())
    heard = {"rural": [], "whole": []}
    readers = []
    for name, token in (("rural", rural), ("whole", whole)):
        response = app.test_client().get(stream_url(app.test_client(), token), buffered=False)
        assert response.status_code == 200 and response.mimetype == "text/event-stream"
        readers.append(threading.Thread(target=read_stream, args=(response, heard[name]), daemon=True))
    for reader in readers:
        reader.start()
    bus = app.extensions["bus"]
    bus.publish({"type": "booking", "employee_id": bank.zhao.id, "branch_id": bank.city.id})
    bus.publish({"type": "status", "employee_id": bank.wang.id, "branch_id": bank.rural.id})
    bus.publish({"type": "degraded"})
    for reader in readers:
        reader.join(timeout=5)
    assert heard["whole"] == [{"type": "booking"}, {"type": "status"}, {"type": "degraded"}]
    assert heard["rural"] == [{"type": "status"}, {"type": "degraded"}]  # no other branch's, no one's id


def test_a_withdrawn_links_open_stream_ends_at_its_next_heartbeat(app, bank, login):
    app.config["SSE_MAX_SECONDS"] = 60
    admin = login(bank.admin)
    made = make(admin, "全行").get_json()
    response = app.test_client().get(stream_url(app.test_client(), token_of(made)), buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b": ok")
    assert admin.post(f"/api/walls/{made['id']}/revoke").status_code == 200
    started = time.monotonic()
    rest = list(chunks)  # ends: the heartbeat (1 s here) finds the link withdrawn
    assert time.monotonic() - started < 10 and all(b"change" not in c for c in rest)


def test_the_demo_link_is_derived_from_the_secret_so_the_banner_prints_the_same_one(app, bank, client, db):
    with app.app_context():
        token, active = walls.demo_link(db, secret="demo-secret")
        assert active and walls.demo_link(db, secret="demo-secret") == (token, True)
        assert walls.demo_link(db, secret="other-secret")[0] != token
    assert client.get("/api/wall", headers=screen(token)).get_json()["scope"] == "bank"
    link = db.exec(select(WallLink).where(WallLink.token_hash == walls.hash_token(token))).one()
    link.revoked_at, link.revoked_by = link.created_at, bank.admin.id
    db.add(link)
    db.commit()
    with app.app_context():
        assert walls.demo_link(db, secret="demo-secret") == (token, False)  # withdrawn stays withdrawn


def test_the_stream_takes_an_expiring_ticket_never_the_token(app, bank, login, client, monkeypatch):
    app.config["SSE_MAX_SECONDS"] = 0
    token = token_of(make(login(bank.admin), "全行").get_json())
    url = stream_url(client, token)
    assert client.get(url).status_code == 200
    assert client.get(f"/api/wall/stream?t={token}").status_code == 404
    assert client.get(f"/api/wall/stream?ticket={token}").status_code == 404
    forged = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    assert client.get(forged).status_code == 404
    monkeypatch.setattr(walls, "TICKET_SECONDS", -1)  # every ticket is past its age
    assert client.get(url).status_code == 404
    monkeypatch.undo()
    assert client.get(stream_url(client, token)).status_code == 200  # the page asks again: a new ticket
