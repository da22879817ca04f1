"""Targets in headless Chromium at a phone's size: head office sets and imports targets in
管理 → 月度目标, the progress panel draws them as bars for a staff member, and the downloads
screen exports bookings with a progress bar."""
import os

from playwright.sync_api import expect

from server.boards import targets
from server.clock import local_day
from server.models import utcnow
from tests.conftest import PASSWORD, next_slot

SHOTS = os.environ.get("TARGETS_SCREENSHOTS", "")


def phone_context(browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               locale="zh-CN")


def log_in(context, base, employee):
    r = context.request.post(f"{base}/api/staff/login", data={"staff_no": employee.staff_no, "password": PASSWORD})
    assert r.ok, r.text()


def test_head_office_sets_and_imports_targets_and_staff_see_their_progress_as_bars(browser, live_server, bank,
                                                                                   tmp_path, book):
    month = targets.month_of(local_day(utcnow()))
    for i in range(3):
        assert book(bank.code(bank.li), phone=f"1381234567{i}", slot=next_slot(hour=9 + i).isoformat()).status_code == 201
    admin = phone_context(browser)
    log_in(admin, live_server, bank.admin)
    page = admin.new_page()
    page.goto(f"{live_server}/staff#admin/targets")
    expect(page.get_by_test_id("adm-targets")).to_be_visible()
    expect(page.get_by_test_id("tg-none")).to_be_visible()
    page.get_by_test_id("tg-branch").select_option(str(bank.rural.id))
    page.get_by_test_id("tg-bookings").fill("10")
    page.get_by_test_id("tg-arrived").fill("4")
    page.get_by_test_id("tg-save").click()
    expect(page.get_by_test_id("tg-table")).to_contain_text("平定支行")
    sheet = tmp_path / "targets.csv"
    sheet.write_text("月份,支行,工号,预约,到店,办结\n"
                     f"{month},,YQ0002,4,2,1\n{month},,YQ0O03,5,0,0\n", encoding="utf-8")
    page.get_by_test_id("tg-file").set_input_files(sheet)
    page.get_by_test_id("tg-import-check").click()
    expect(page.get_by_test_id("tg-import-errors")).to_contain_text("YQ0003 赵敏")
    expect(page.get_by_test_id("tg-import-apply")).to_be_disabled()
    sheet.write_text(f"月份,支行,工号,预约,到店,办结\n{month},,YQ0002,4,2,1\n", encoding="utf-8")
    page.get_by_test_id("tg-file").set_input_files(sheet)
    page.get_by_test_id("tg-import-check").click()
    page.get_by_test_id("tg-import-apply").click()
    expect(page.get_by_test_id("tg-table")).to_contain_text("李强")
    expect(page.get_by_test_id(f"tg-employee-{bank.li.id}-bookings").get_by_test_id("percent")).to_have_text("75%")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/targets-admin.png", full_page=True)

    staff = phone_context(browser)
    log_in(staff, live_server, bank.li)
    mine = staff.new_page()
    mine.goto(f"{live_server}/staff")
    expect(mine.locator("main")).to_be_visible()
    mine.evaluate("""async () => {
        const panel = await import('/static/js/staff/targets-panel.js');
        // A box of its own: the app may still be drawing its first view into <main>.
        const box = document.createElement('div');
        document.body.append(box);
        await panel.load(box, { period: 'month' });
    }""")
    metric = mine.get_by_test_id(f"tg-employee-{bank.li.id}-bookings")
    expect(metric.get_by_test_id("actual")).to_have_text("3")
    expect(metric.get_by_test_id("target")).to_have_text("4")
    expect(metric.get_by_test_id("change")).to_have_text("+3")
    expect(metric.locator("svg.tg-bar rect.tg-fill")).to_have_count(1)
    expect(mine.get_by_test_id(f"tg-item-branch-{bank.rural.id}")).to_contain_text("平定支行")
    expect(mine.get_by_test_id(f"tg-item-branch-{bank.city.id}")).to_have_count(0)
    if SHOTS:
        mine.screenshot(path=f"{SHOTS}/targets-panel.png", full_page=True)

    page.goto(f"{live_server}/staff#admin/reports")
    expect(page.get_by_test_id("downloads")).to_be_visible()
    expect(page.get_by_test_id("report-week-png")).to_have_attribute("href", "/api/boards/reports/week.png")
    page.get_by_test_id("export-scope").select_option("all")
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    assert download.value.suggested_filename.startswith("bookings-all-")
    expect(page.get_by_test_id("export-progress")).to_contain_text("导出完成：3 行")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/targets-downloads.png", full_page=True)
    admin.close()
    staff.close()
