"""A wall for a TV, in headless Chromium: the wall link opens the live wall on a 1920×1080
screen with nobody logged in, follows a new booking live, and once withdrawn says so and whom
to ask; a branch's link shows that branch; the admin screen (phone, 390×844) makes a link,
shows it once with its QR code, lists it and withdraws it. Screenshots go to /tmp/shots/wall/."""
from datetime import datetime, time, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from server.boards import rollups
from server.clock import TZ
from tests.conftest import next_slot
from tests.test_browser_staff import log_in, open_page

SHOTS = Path("/tmp/shots/wall")
TV = {"viewport": {"width": 1920, "height": 1080}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


@pytest.fixture
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def busy(app, bank, db):
    """Results today at both branches, so the wall has something to rank."""
    at = datetime.combine(datetime.now(TZ).date(), time(12), TZ).astimezone(timezone.utc)
    for person, branch, n in ((bank.wang, bank.rural, 3), (bank.li, bank.rural, 1), (bank.zhao, bank.city, 2)):
        for _ in range(n):
            rollups.record(db, rollups.now_event("booking", at, employee_id=person.id, branch_id=branch.id))
    db.commit()
    return bank


def made(app, employee, label, branch_id=None) -> dict:
    """A wall link made through the API by `employee`."""
    from tests.conftest import PASSWORD

    c = app.test_client()
    r = c.post("/api/staff/login", json={"staff_no": employee.staff_no, "password": PASSWORD})
    c.environ_base["HTTP_X_CSRFTOKEN"] = r.get_json()["csrf_token"]
    r = c.post("/api/walls", json={"label": label, "branch_id": branch_id})
    assert r.status_code == 201, r.get_json()
    return {**r.get_json(), "client": c}


def test_a_wall_link_shows_the_live_wall_on_a_tv_without_a_login_until_it_is_withdrawn(
        browser, app, live_server, busy, book, shots):
    link = made(app, busy.admin, "总行大厅电视")
    assert link["url"].startswith(live_server + "/wall/t#")
    tv = browser.new_context(**TV)
    try:
        page = open_page(tv, link["url"])
        expect(page.get_by_test_id("wall")).to_be_visible()
        expect(page.get_by_test_id("login")).to_have_count(0)
        expect(page.get_by_test_id("formula").first).to_be_visible()
        row = page.get_by_test_id(f"wall-emp-{busy.wang.id}")
        expect(row.get_by_test_id("bookings")).to_have_text("3")
        expect(page.get_by_test_id(f"wall-emp-{busy.zhao.id}")).to_be_visible()  # the whole bank
        expect(page.get_by_test_id(f"pk-{busy.rural.id}")).to_be_visible()
        expect(page.locator("body")).to_have_attribute("data-live", "live", timeout=5000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1920
        page.screenshot(path=str(shots / "wall-link-tv.png"))

        # Live through the link: a booking made now shows without anyone touching the TV.
        assert book(busy.code(busy.wang), slot=next_slot().isoformat()).status_code == 201
        expect(row.get_by_test_id("bookings")).to_have_text("4", timeout=5000)

        # Withdrawn: the open screen notices (its stream ends, the link is refused) and says so.
        assert link["client"].post(f"/api/walls/{link['id']}/revoke").status_code == 200
        ended = page.get_by_test_id("wall-ended")
        expect(ended).to_be_visible(timeout=10000)
        expect(ended).to_have_attribute("data-state", "withdrawn")
        expect(ended.get_by_role("heading")).to_have_text("这个大屏链接已停用")
        expect(page.get_by_test_id("wall-ended-who")).to_contain_text("总行管理员（城区支行）")
        expect(page.get_by_test_id("wall-ended-who")).to_contain_text("总行大厅电视")
        expect(page.get_by_test_id("wall-ended-ask")).to_contain_text("请向 总行管理员（城区支行） 索取")
        expect(page.get_by_test_id("wall")).to_have_count(0)
        page.screenshot(path=str(shots / "wall-link-withdrawn-tv.png"))

        page.goto(f"{live_server}/wall/t#not-a-token")
        expect(page.get_by_test_id("wall-ended")).to_have_attribute("data-state", "unknown")
    finally:
        tv.close()


def test_a_branch_wall_link_shows_that_branch_only(browser, app, live_server, busy, shots):
    link = made(app, busy.boss, "平定支行大厅", busy.rural.id)
    tv = browser.new_context(**TV)
    try:
        page = open_page(tv, link["url"])
        expect(page.get_by_test_id("wall-branch")).to_have_text("平定支行")
        expect(page.get_by_test_id(f"wall-emp-{busy.wang.id}")).to_be_visible()
        expect(page.get_by_test_id(f"wall-emp-{busy.zhao.id}")).to_have_count(0)
        expect(page.locator("[data-dot]")).to_have_count(6)  # no branch PK among the panels
        expect(page.locator('[data-dot="pk"]')).to_have_count(0)
        page.screenshot(path=str(shots / "wall-link-branch-tv.png"))
    finally:
        tv.close()


def test_the_admin_screen_makes_shows_once_lists_and_withdraws_a_wall_link_on_a_phone(
        browser, app, live_server, bank, shots):
    phone = browser.new_context(**PHONE)
    try:
        log_in(phone, live_server, bank.admin)
        page = open_page(phone, f"{live_server}/staff#admin/walls")
        expect(page.get_by_test_id("adm-walls")).to_be_visible()
        expect(page.get_by_test_id("walls-none")).to_contain_text("先在上面填写")
        page.screenshot(path=str(shots / "admin-walls-empty-phone.png"), full_page=True)

        page.get_by_test_id("wall-submit").click()
        expect(page.get_by_test_id("err-label")).to_have_text("必填。")
        page.get_by_test_id("wall-label").fill("平定支行大厅电视")
        expect(page.get_by_test_id("wall-scope").locator("option")).to_have_count(3)  # the bank, two branches
        page.get_by_test_id("wall-scope").select_option(label="平定支行")
        page.get_by_test_id("wall-submit").click()
        fresh = page.get_by_test_id("wall-made")
        expect(fresh).to_contain_text("只显示这一次")
        url = page.get_by_test_id("wall-url").input_value()
        assert url.startswith(f"{live_server}/wall/t#") and len(url.split("#")[1]) >= 43
        expect(page.get_by_test_id("wall-qr")).to_be_visible()
        assert page.get_by_test_id("wall-qr").evaluate("img => img.naturalWidth") > 100
        card = page.locator("[data-testid^=wall-link-]")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("平定支行")
        expect(card).to_contain_text("尚未使用")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_test_id("wall-qr").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "admin-walls-made-phone.png"), full_page=True)

        phone.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
        page.get_by_test_id("wall-copy").click()
        expect(page.get_by_test_id("wall-copy")).to_have_text("已复制")
        assert page.evaluate("navigator.clipboard.readText()") == url

        page.locator("[data-testid^=wall-revoke-]").click()
        page.get_by_test_id("confirm-yes").click()
        expect(card).to_contain_text("已停用")
        expect(card).to_contain_text("总行管理员 停用于")
        expect(page.locator("[data-testid^=wall-revoke-]")).to_have_count(0)
        expect(page.get_by_test_id("wall-made")).to_have_count(0)  # the withdrawn link is not offered any more
        page.screenshot(path=str(shots / "admin-walls-withdrawn-phone.png"), full_page=True)
        assert page.dialogs == []
    finally:
        phone.close()


def test_a_branch_head_makes_a_link_for_their_own_branch_only(browser, live_server, bank, shots):
    phone = browser.new_context(**PHONE)
    try:
        log_in(phone, live_server, bank.boss)
        page = open_page(phone, f"{live_server}/staff#admin/walls")
        expect(page.get_by_test_id("wall-scope-fixed")).to_have_text("平定支行")
        expect(page.get_by_test_id("wall-scope")).to_have_count(0)
        page.get_by_test_id("wall-label").fill("平定支行办公室")
        page.get_by_test_id("wall-submit").click()
        expect(page.get_by_test_id("wall-made")).to_be_visible()
        expect(page.locator("[data-testid^=wall-link-]")).to_contain_text("平定支行")
        page.screenshot(path=str(shots / "admin-walls-branch-head-phone.png"), full_page=True)
    finally:
        phone.close()
