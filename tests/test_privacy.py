"""Personal information: audited reveals, erasure on request, retention, exports, logs."""
import logging
from datetime import timedelta

import pytest

from sqlmodel import select

from server.logs import OneLineFormatter
from server.models import AuditEntry, Booking, Customer, DailyStat, utcnow
from tests.conftest import CONSENT


def actions(db):
    db.rollback()
    return [e.action for e in db.exec(select(AuditEntry).order_by(AuditEntry.id))]


def test_a_branch_manager_sees_a_masked_number_and_revealing_it_is_audited(bank, book, login, db):
    ref = book(bank.code(bank.li)).get_json()["reference"]
    c = login(bank.boss)
    assert c.get(f"/api/staff/bookings/{ref}").get_json()["phone"] == "138****5678"
    r = c.post(f"/api/staff/bookings/{ref}/reveal", json={"reason": "代班回访"})
    assert r.status_code == 200 and r.get_json()["phone"] == "13812345678"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "phone_revealed")).one()
    assert (entry.actor_id, entry.target) == (bank.boss.id, f"booking:{ref}")
    assert login(bank.wang).post(f"/api/staff/bookings/{ref}/reveal", json={"reason": "代班回访"}).status_code == 404


def test_logins_failures_and_status_changes_are_audited_in_words_with_names(bank, book, login, client, db):
    client.post("/api/staff/login", json={"staff_no": "YQ0001", "password": "wrong-password"})
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    login(bank.wang).post(f"/api/staff/bookings/{ref}/status", json={"status": "contacted"})
    assert {"login_failed", "login", "status_changed"} <= set(actions(db))
    admin = login(bank.admin)
    [item] = admin.get("/api/audit?action=status_changed").get_json()["items"]
    assert (item["action_label"], item["actor"]) == ("预约状态变更", "王丽（YQ0001）")
    assert item["target"] == f"预约 {ref}（刘** 138****5678）" and item["detail"] == "改为「已联系」（员工操作）"
    assert item["at"].endswith("+08:00")
    [failed] = admin.get("/api/audit?action=login_failed").get_json()["items"]
    assert failed["target"] == "工号 YQ****01" and failed["actor"] == "系统"  # what was typed, masked
    [english] = admin.get("/api/audit?action=status_changed", headers={"Accept-Language": "en"}).get_json()["items"]
    assert english["action_label"] == "Booking status" and english["detail"] == "set to contacted (by staff)"
    assert english["target"] == f"booking {ref}（刘** 138****5678）"


def test_a_branch_head_reads_only_their_branchs_audit_entries(bank, book, login, client):
    client.post("/api/staff/login", json={"staff_no": "YQ0003", "password": "wrong-password"})  # 城区支行
    ref = book(bank.code(bank.li)).get_json()["reference"]  # 平定支行
    login(bank.li).post(f"/api/staff/bookings/{ref}/status", json={"status": "contacted"})
    login(bank.zhao)  # a login in 城区支行
    rural = login(bank.boss).get("/api/audit").get_json()["items"]
    city = login(bank.city_boss).get("/api/audit").get_json()["items"]
    assert {i["action"] for i in rural} == {"login", "status_changed"}
    assert {i["actor"] for i in rural} == {"李强（YQ0002）", "张支行长（YQ0009）"}
    assert {i["action"] for i in city} == {"login", "login_failed"}
    assert not {i["actor"] for i in city} & {"李强（YQ0002）", "张支行长（YQ0009）"}
    assert login(bank.wang).get("/api/audit").status_code == 403


def test_the_audit_log_exports_as_csv_in_shanghai_time(bank, client, login):
    client.post("/api/staff/login", json={"staff_no": "=1+2", "password": "wrong-password"})
    lines = login(bank.admin).get("/api/audit?format=csv").data.decode("utf-8-sig").splitlines()
    assert lines[0] == "时间（北京时间）,操作,操作人,对象,说明,来源"
    failed = next(line for line in lines if "登录失败" in line)
    assert "工号 =***" in failed  # what was typed is kept masked and failed.split(",")[0].endswith("+08:00")
    english = login(bank.admin).get("/api/audit?format=csv", headers={"Accept-Language": "en"})
    assert english.data.decode("utf-8-sig").startswith("Time (Asia/Shanghai),Action,By,Target")


def test_the_database_refuses_to_change_or_delete_an_audit_entry(bank, login, db):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    login(bank.wang)
    assert db.exec(select(AuditEntry)).all()
    for statement in ("UPDATE auditentry SET detail = 'edited'", "DELETE FROM auditentry"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(text(statement))
        db.rollback()
    assert [e.detail for e in db.exec(select(AuditEntry))] == [""]


def test_a_customer_can_withdraw_and_erase_their_data_from_the_status_link(bank, book, client, db, login):
    data = book(bank.code(bank.wang), marketing=True).get_json()
    token = {"X-Booking-Token": data["status_token"]}
    r = client.post("/api/status/erase", headers=token)
    assert r.status_code == 200 and r.get_json()["bookings"] == 1
    db.rollback()
    booking = db.exec(select(Booking)).one()
    customer = db.exec(select(Customer)).one()
    assert booking.status == "cancelled" and booking.name == "（已删除）" and booking.note == ""
    assert customer.phone != "13812345678" and customer.marketing_consent_at is None
    assert client.get("/api/status", headers=token).status_code == 404  # the link is dead
    assert db.exec(select(DailyStat.bookings)).one() == 1  # the counts stay
    assert book(bank.code(bank.wang), phone="13900001111").status_code == 201  # the slot is free


def test_marketing_consent_is_separate_and_optional(bank, book, db):
    book(bank.code(bank.wang))
    assert db.exec(select(Customer.marketing_consent_at)).one() is None
    book(bank.code(bank.li), phone="13900002222", marketing=True)
    db.rollback()
    assert db.exec(select(Customer).where(Customer.phone == "13900002222")).one().marketing_consent_at


def test_an_admin_exports_and_erases_one_customers_data_by_phone_in_the_body(bank, book, login, db):
    book(bank.code(bank.wang), note="想贷二十万")
    c = login(bank.admin)
    exported = c.post("/api/admin/customers/export", json={"phone": "138 1234 5678"}).get_json()
    assert exported["name"] == "刘大爷" and exported["bookings"][0]["note"] == "想贷二十万"
    assert c.post("/api/admin/customers/erase", json={"phone": "13812345678"}).get_json() == {"bookings": 1}
    assert c.post("/api/admin/customers/export", json={"phone": "13812345678"}).status_code == 404
    assert login(bank.boss).post("/api/admin/customers/export", json={"phone": "13812345678"}).status_code == 403
    assert {"customer_exported", "customer_erased"} <= set(actions(db))


def test_retention_anonymises_only_customers_whose_last_appointment_is_old(bank, book, app, db):
    book(bank.code(bank.wang))
    book(bank.code(bank.li), phone="13900003333", slot=None, callback=True)
    old = db.exec(select(Booking).where(Booking.slot_start == None)).one()  # noqa: E711
    old.created_at = utcnow() - timedelta(days=400)
    db.add(old)
    db.commit()
    r = app.test_cli_runner().invoke(args=["anonymise-expired"])
    assert r.exit_code == 0 and "1" in r.output
    db.rollback()
    names = {c.phone[:3]: c.name for c in db.exec(select(Customer))}
    assert names["138"] == "刘大爷" and "（已删除）" in names.values()
    assert db.exec(select(DailyStat)).all()  # rollups keep their counts


def test_an_online_sqlite_backup_can_be_opened(bank, book, app, tmp_path, database_url):
    import sqlite3

    book(bank.code(bank.wang))
    target = tmp_path / "backup.db"
    r = app.test_cli_runner().invoke(args=["backup", str(target)])
    if not database_url.startswith("sqlite"):
        assert r.exit_code != 0 and "pg_dump" in r.output
        return
    assert r.exit_code == 0, r.output
    with sqlite3.connect(target) as conn:
        assert conn.execute("select count(*) from booking").fetchone() == (1,)


def test_user_input_cannot_forge_a_log_line():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "login failed for %s", ("bob\nINFO admin ok",), None)
    line = OneLineFormatter("%(message)s").format(record)
    assert "\n" not in line and line == "login failed for bob\\nINFO admin ok"


def test_authorisation_failures_are_logged_with_actor_source_and_path(bank, login, caplog):
    with caplog.at_level("WARNING", logger="server.errors"):
        assert login(bank.wang).get("/api/audit?action=login").status_code == 403
    assert "denied code=forbidden actor=YQ0001 source=127.0.0.1 GET /api/audit" in caplog.text
    assert "action=login" not in caplog.text  # no query strings in logs


# --- the privacy notice: words and version served together -----------------------------------

def notice_text(n: dict) -> str:
    return " ".join([n["title"]] + [s["heading"] + " " + s["text"] for s in n["sections"]])


def test_the_notice_names_the_bank_purpose_data_retention_and_how_to_withdraw_in_chinese(app, client):
    app.config.update(BANK_NAME="测试农商银行", BANK_HOTLINE="0353-12345", RETENTION_DAYS=180)
    r = client.get("/api/privacy-notice?lang=zh-CN")
    n = r.get_json()
    assert r.status_code == 200 and n["version"] == app.config["CONSENT_VERSION"] and n["lang"] == "zh-CN"
    text = notice_text(n)
    for phrase in ("测试农商银行", "专属客户经理", "姓名", "手机号码", "备注", "二维码", "138****1234",
                   "180 天", "预约状态链接", "撤回同意并删除这笔预约的个人信息", "短信验证码", "0353-12345"):
        assert phrase in text, phrase
    assert "不影响本次预约" in n["marketing"] and "0353-12345" in n["marketing"]


def test_the_notice_is_in_english_on_request(app, client):
    n = client.get("/api/privacy-notice?lang=en").get_json()
    text = notice_text(n)
    assert n["lang"] == "en" and n["version"] == app.config["CONSENT_VERSION"]
    for phrase in (app.config["BANK_NAME"], "dedicated account manager", "QR code", "365 days",
                   "booking status link", app.config["BANK_HOTLINE"]):
        assert phrase in text, phrase
    assert "separate, optional" in n["marketing"]


@pytest.mark.parametrize("query", ["", "?lang=fr", "?lang=", "?lang=zh"])
def test_an_unknown_or_missing_language_gets_the_chinese_notice(client, query):
    assert client.get(f"/api/privacy-notice{query}").get_json()["lang"] == "zh-CN"


def test_the_notice_is_public_revalidated_and_unchanged_answers_304(client):
    r = client.get("/api/privacy-notice?lang=zh-CN")
    assert r.headers["Cache-Control"] == "public, no-cache" and r.headers["ETag"]
    again = client.get("/api/privacy-notice?lang=zh-CN", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/api/privacy-notice?lang=en", headers={"If-None-Match": r.headers["ETag"]})
    assert other.status_code == 200  # each language has its own tag


def test_the_notice_is_documented_and_rate_limited_like_other_public_reads(app, client):
    op = client.get("/openapi.json").get_json()["paths"]["/api/privacy-notice"]["get"]
    assert "200" in op["responses"] and [p["name"] for p in op["parameters"]] == ["lang"]
    app.config["PUBLIC_LIMIT_IP"] = "2/minute"
    assert [client.get("/api/privacy-notice").status_code for _ in range(3)] == [200, 200, 429]


def test_a_booking_stores_exactly_the_notice_version_served(app, bank, book, client, db, monkeypatch):
    from server.bookings import notice

    # The compliance officer publishes new words under a new version, and puts it in force.
    new = {lang: {**words, "title": words["title"] + "（2027 年修订）"}
           for lang, words in notice.NOTICES[CONSENT].items()}
    monkeypatch.setitem(notice.NOTICES, "2027-01-v2", new)
    app.config["CONSENT_VERSION"] = "2027-01-v2"
    served = client.get("/api/privacy-notice").get_json()
    assert served["version"] == "2027-01-v2" and "2027 年修订" in served["title"]

    assert book(bank.code(bank.wang), consent_version=CONSENT).status_code == 422  # the old words
    assert book(bank.code(bank.wang), consent_version=served["version"]).status_code == 201
    db.rollback()
    assert db.exec(select(Booking.consent_version)).all() == ["2027-01-v2"]


def test_the_app_refuses_to_start_with_a_consent_version_that_has_no_notice(tmp_path):
    from server import create_app

    with pytest.raises(RuntimeError, match="2099-01-v9"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                    "CONSENT_VERSION": "2099-01-v9"})


# Fingerprints of published notices. Customers agreed to these exact words under these versions:
# change the words under a new version in server/bookings/notice.py, never in place.
PUBLISHED = {"2026-11-v1": "ccf3a4fd68c82a16", "2026-12-v2": "e79701c4cb74a5fd"}


@pytest.mark.parametrize("version", PUBLISHED)
def test_a_published_notice_is_never_edited_in_place(version):
    import hashlib
    import json

    from server.bookings.notice import NOTICES

    words = json.dumps(NOTICES[version], ensure_ascii=False, sort_keys=True)
    assert hashlib.sha256(words.encode()).hexdigest()[:16] == PUBLISHED[version]
