"""The head-office screens of the staff app (#admin/…) in headless Chromium on a desktop-sized
window: roster import (dry run, errors, apply), handover, the audit log, and that plain staff
never see them. Logins go through the API with the browser context's own cookies.
"""
import json
import os
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, booking_body

HEADER = "工号,姓名,手机,支行,网格,团队,等级,条线,角色,在岗"
GOOD = "YQ0101,孙悦,13903530101,平定支行,冠山网格,,见习,微贷类,员工,是"
BAD = "YQ0102,周杰,13903530102,平定支行,冠山网格,,特级,微贷类,员工,是"  # no such level


@pytest.fixture
def desk(browser):
    """A desktop browser context (1280×800, Chinese)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context
    context.close()


def log_in(context, base: str, employee) -> None:
    """Log a browser context in through the API (its cookies are the context's)."""
    r = context.request.post(f"{base}/api/staff/login",
                             data={"staff_no": employee.staff_no, "password": PASSWORD})
    assert r.ok, r.text()


def open_page(context, url: str):
    """A page that records dialogs: none may appear (confirmations are in the page)."""
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    return page


def roster_file(tmp_path, name: str, *rows: str):
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def test_an_admin_sees_a_bad_roster_row_by_line_then_imports_a_clean_roster(desk, live_server, bank, tmp_path):
    log_in(desk, live_server, bank.admin)
    page = open_page(desk, f"{live_server}/staff#admin/roster")
    expect(page.get_by_test_id("adm-roster")).to_be_visible()

    page.get_by_test_id("roster-file").set_input_files(roster_file(tmp_path, "bad.csv", GOOD, BAD))
    page.get_by_test_id("roster-check").click()
    errors = page.get_by_test_id("roster-errors")
    expect(errors).to_contain_text("第 3 行")
    expect(errors).to_contain_text("等级")
    expect(page.get_by_test_id("roster-apply")).to_be_disabled()
    expect(page.get_by_test_id("roster-blocked")).to_contain_text("重新上传")

    page.get_by_test_id("roster-file").set_input_files(roster_file(tmp_path, "good.csv", GOOD))
    page.get_by_test_id("roster-check").click()
    expect(page.get_by_test_id("roster-changes")).to_contain_text("YQ0101")
    expect(page.get_by_test_id("roster-errors")).to_have_count(0)
    if os.environ.get("ADMIN_SCREENSHOT"):
        page.screenshot(path=os.environ["ADMIN_SCREENSHOT"], full_page=True)
    page.get_by_test_id("roster-apply").click()
    expect(page.get_by_test_id("roster-applied")).to_contain_text("1 名员工")
    assert page.dialogs == []


def test_an_admin_hands_an_employees_customers_over_and_sees_the_counts(desk, live_server, bank):
    body = json.dumps(booking_body()).encode()
    request = Request(f"{live_server}/api/shops/{bank.code(bank.li)}/bookings", data=body, method="POST",
                      headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=10) as response:
        assert response.status == 201
    log_in(desk, live_server, bank.admin)
    page = open_page(desk, f"{live_server}/staff#admin/handover")

    page.get_by_test_id("ho-from").fill(bank.li.staff_no)
    page.get_by_test_id("ho-to").fill("YQ9999")
    page.get_by_test_id("ho-reason").fill("岗位调整")
    page.get_by_test_id("ho-submit").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("err-to_staff_no")).not_to_be_empty()  # unknown staff number, by its field

    page.get_by_test_id("ho-to").fill(bank.wang.staff_no)
    page.get_by_test_id("ho-submit").click()
    expect(page.get_by_test_id("confirm")).to_contain_text(bank.wang.staff_no)
    page.get_by_test_id("confirm-yes").click()
    result = page.get_by_test_id("handover-result")
    expect(result).to_contain_text(bank.wang.name)
    expect(page.get_by_test_id("ho-customers")).to_have_text("1")
    expect(page.get_by_test_id("ho-bookings")).to_have_text("1")
    expect(page.get_by_test_id("ho-links")).to_have_text("1")
    expect(page.get_by_test_id("err-to_staff_no")).to_be_empty()


def test_the_audit_log_shows_a_login_and_exports_with_the_same_filters(desk, live_server, bank):
    log_in(desk, live_server, bank.admin)
    page = open_page(desk, f"{live_server}/staff#admin/audit")
    expect(page.get_by_test_id("audit-table")).to_contain_text("登录")
    expect(page.get_by_test_id("audit-table")).to_contain_text(f"{bank.admin.name}（{bank.admin.staff_no}）")
    expect(page.get_by_test_id("audit-table")).to_contain_text("+08:00")
    expect(page.get_by_test_id("audit-scope")).to_have_count(0)
    page.screenshot(path="/tmp/robust-audit-admin.png")

    page.get_by_test_id("audit-action").select_option("login")
    page.get_by_test_id("audit-start").fill("2020-01-01")
    page.get_by_test_id("audit-search").click()
    expect(page.get_by_test_id("audit-table")).to_contain_text("登录")
    csv = page.get_by_test_id("audit-csv")
    expect(csv).to_have_attribute("href", "/api/audit?action=login&start=2020-01-01&limit=1000&format=csv")
    r = desk.request.get(f"{live_server}{csv.get_attribute('href')}")
    assert r.ok and "登录" in r.text() and "+08:00" in r.text()


def test_a_branch_head_reads_their_branchs_audit_log_on_a_phone(browser, live_server, bank, book):
    ref = book(bank.code(bank.li)).get_json()["reference"]
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                locale="zh-CN")
    log_in(phone, live_server, bank.li)
    phone.request.post(f"{live_server}/api/staff/bookings/{ref}/status", data={"status": "contacted"},
                       headers={"X-CSRFToken": phone.request.get(f"{live_server}/api/staff/me").json()["csrf_token"]})
    log_in(phone, live_server, bank.boss)
    page = open_page(phone, f"{live_server}/staff#admin/audit")
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text(f"预约 {ref}（刘** 138****5678）")
    expect(table).to_contain_text("改为「已联系」（员工操作）")
    expect(table).to_contain_text("李强（YQ0002）")
    expect(page.get_by_test_id("audit-scope")).to_be_visible()
    page.screenshot(path="/tmp/robust-audit-branch.png", full_page=True)
    phone.close()


def test_plain_staff_see_none_of_the_admin_sections(desk, live_server, bank):
    log_in(desk, live_server, bank.li)
    page = open_page(desk, f"{live_server}/staff#admin/roster")
    expect(page.get_by_test_id("tab-shop")).to_have_attribute("aria-current", "page")  # sent home
    expect(page.get_by_test_id("tab-away")).to_be_visible()  # their own out-of-office only
    expect(page.get_by_test_id("tab-admin")).to_have_count(0)
    expect(page.get_by_test_id("admin")).to_have_count(0)
    for section in ("roster", "handover", "audit", "customer", "kits", "flagged"):
        page.goto(f"{live_server}/staff#admin/{section}")
        expect(page.get_by_test_id("tab-shop")).to_have_attribute("aria-current", "page")
        expect(page.get_by_test_id(f"adm-{section}")).to_have_count(0)


def test_every_section_opens_for_an_admin_and_a_branch_manager_gets_only_theirs(desk, live_server, bank):
    log_in(desk, live_server, bank.admin)
    page = open_page(desk, f"{live_server}/staff#admin")
    failures = []
    page.on("pageerror", lambda e: failures.append(str(e)))
    for section in ("roster", "handover", "away", "audit", "customer", "kits", "flagged", "targets"):
        page.get_by_test_id(f"adm-nav-{section}").click()
        expect(page.get_by_test_id(f"adm-{section}")).to_be_visible()
    page.get_by_test_id("adm-nav-reports").click()
    expect(page.get_by_test_id("downloads")).to_be_visible()
    page.get_by_test_id("adm-nav-flagged").click()
    expect(page.get_by_test_id("flagged-none")).to_be_visible()

    page.get_by_test_id("adm-nav-customer").click()
    page.get_by_test_id("cust-phone-input").fill("13800000000")
    page.get_by_test_id("cust-find").click()
    expect(page.get_by_test_id("err-form")).not_to_be_empty()  # nobody with that number

    page.get_by_test_id("adm-nav-away").click()
    page.get_by_test_id("away-employee").fill(bank.li.staff_no)
    page.get_by_test_id("away-submit").click()
    expect(page.get_by_test_id("err-start")).not_to_be_empty()  # dates are required

    page.get_by_test_id("adm-nav-kits").click()
    expect(page.get_by_test_id("kit-branch")).to_contain_text(bank.rural.name)
    with page.expect_download():
        page.get_by_test_id("kit-mine").click()
    expect(page.get_by_test_id("kit-file")).to_contain_text(".pdf")
    assert failures == []

    boss = desk.browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    log_in(boss, live_server, bank.boss)
    page = open_page(boss, f"{live_server}/staff#admin/roster")
    expect(page.get_by_test_id("adm-handover")).to_be_visible()  # roster is the admin's: first of theirs
    expect(page.locator(".adm-nav a")).to_have_text(["客户继承", "休假代理", "审计日志", "印刷物料", "异常预约", "报表下载", "大屏链接"])
    boss.close()
