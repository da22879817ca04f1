"""Out-of-office keeps its reason (stored, listed, audited); the colleague picker finds people by
name or 工号 among those the viewer may pick, never with a phone number."""
from datetime import datetime

import pytest

from server.clock import TZ
from server.models import OutOfOffice


def away(c, **extra):
    today = datetime.now(TZ).date().isoformat()
    return c.post("/api/staff/out-of-office", json={"start": today, "end": today, "delegate_staff_no": "YQ0001",
                                                     **extra})


def find(c, q, purpose="delegate"):
    r = c.get("/api/staff/colleagues", query_string={"q": q, "for": purpose})
    assert r.status_code == 200, r.get_json()
    return [(p["staff_no"], p["name"], p["branch"]) for p in r.get_json()["items"]]


def test_the_reason_of_an_absence_is_stored_listed_for_the_branch_head_and_audited(bank, login, db):
    boss = login(bank.boss)
    r = away(boss, employee_staff_no="YQ0002", reason="  年假 ")
    assert r.status_code == 201 and r.get_json()["reason"] == "年假"
    db.expire_all()
    assert db.get(OutOfOffice, r.get_json()["id"]).reason == "年假"
    [listed] = boss.get("/api/staff/out-of-office").get_json()["items"]
    assert (listed["employee"], listed["delegate"], listed["reason"]) == ("李强", "王丽", "年假")
    [entry] = boss.get("/api/audit?action=out_of_office_set").get_json()["items"]
    assert entry["detail"].endswith("由 王丽（YQ0001） 代理；事由：年假")
    english = boss.get("/api/audit?action=out_of_office_set", headers={"Accept-Language": "en"}).get_json()
    assert english["items"][0]["detail"].endswith("covered by 王丽（YQ0001）; reason: 年假")
    assert away(login(bank.li)).get_json()["reason"] == ""  # the reason is optional


def test_a_reason_over_forty_characters_is_a_422_on_its_field_and_nothing_is_stored(bank, login, db):
    r = away(login(bank.li), reason="年" * 41)
    assert r.status_code == 422
    assert r.get_json()["fields"] == {"reason": "最多 40 个字。"}
    assert db.exec(OutOfOffice.__table__.select()).first() is None


def test_a_branch_head_finds_their_branchs_people_by_name_or_number_and_no_one_elses(bank, login):
    boss = login(bank.boss)
    assert find(boss, "王") == [("YQ0001", "王丽", "平定支行")]
    assert find(boss, "yq000") == [("YQ0001", "王丽", "平定支行"), ("YQ0002", "李强", "平定支行"),
                                   ("YQ0009", "张支行长", "平定支行")]
    assert find(boss, "赵") == [] and find(boss, "赵", "manage") == []  # 赵敏 is in 城区支行
    assert find(boss, "陈", "manage") == []  # another branch's head
    assert find(login(bank.admin), "赵") == [("YQ0003", "赵敏", "城区支行")]


def test_staff_pick_delegates_from_their_branch_and_manage_only_themselves(bank, login, app):
    li = login(bank.li)
    assert find(li, "王") == [("YQ0001", "王丽", "平定支行")]
    assert find(li, "王", "manage") == [] and find(li, "李", "manage") == [("YQ0002", "李强", "平定支行")]
    app.config["CROSS_BRANCH_DELEGATES"] = "YQ0003"  # head office lets 赵敏 cover any branch
    assert find(li, "赵") == [("YQ0003", "赵敏", "城区支行")]


def test_the_picker_lists_at_most_twenty_never_a_phone_and_leavers_only_to_manage(bank, login):
    for i in range(25):
        bank.employee(f"YQ05{i:02d}", f"同事{i}", bank.rural)
    bank.employee("YQ0600", "离职同事", bank.rural, disabled=True)
    boss = login(bank.boss)
    r = boss.get("/api/staff/colleagues?q=同事")
    assert len(r.get_json()["items"]) == 20
    assert "phone" not in r.get_data(as_text=True) and "1390353" not in r.get_data(as_text=True)
    assert find(boss, "离职") == []
    [leaver] = boss.get("/api/staff/colleagues?q=离职&for=manage").get_json()["items"]
    assert leaver["left"] is True and leaver["grid"] == "冠山网格"


@pytest.mark.parametrize("query, status", [("q=王", 401), ("q=王&for=everyone", 422)])
def test_strangers_get_401_and_an_unknown_purpose_is_422(bank, client, login, query, status):
    c = client if status == 401 else login(bank.li)
    r = c.get(f"/api/staff/colleagues?{query}")
    assert r.status_code == status
    if status == 422:
        assert r.get_json()["fields"] == {"for": "请从列表中选择。"}
