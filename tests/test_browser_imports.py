"""On a phone (390×844): the roster's dry run shows each typo on its line with the nearest names
and the units a row asks to create, counted apart; the colleague picker fills a 工号 from a name,
and the absence's reason shows in the list. Screenshots go to /tmp/shots/import/."""
from datetime import datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from server.clock import TZ
from tests.test_browser_admin import log_in, open_page

SHOTS = Path("/tmp/shots/import")
HEADER = "工号,姓名,手机,支行,网格,团队,等级,条线,角色,在岗,新建"
ROWS = ["YQ0101,孙悦,,矿区支行,,,见习,,,是,",  # 城区支行 mistyped
        "YQ0102,钱坤,13903530002,平定支行,新村网格,,见习,,,是,",  # 李强's phone; no such grid
        "YQ0103,周强,,娘子关支行,,,见习,,,是,是"]  # a new branch, asked for


def test_roster_typos_and_the_colleague_picker_on_a_phone(browser, live_server, bank, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                locale="zh-CN")
    failures = []
    log_in(phone, live_server, bank.admin)
    page = open_page(phone, f"{live_server}/staff#admin/roster")
    page.on("pageerror", lambda e: failures.append(str(e)))
    roster = tmp_path / "花名册.csv"
    roster.write_text("\n".join((HEADER, *ROWS)) + "\n", encoding="utf-8")
    page.get_by_test_id("roster-file").set_input_files(roster)
    page.get_by_test_id("roster-check").click()
    errors = page.get_by_test_id("roster-errors")
    expect(errors).to_contain_text("没有这个支行：矿区支行。您是不是要找：城区支行？")
    expect(errors).to_contain_text("已是李强（YQ0002）的手机号")
    expect(errors).to_contain_text("没有这个网格：新村网格")
    expect(page.get_by_test_id("roster-new-org")).to_have_text(
        "将新建 1 个支行（“新建”列填“是”的行）。")
    expect(page.get_by_test_id("roster-apply")).to_be_disabled()
    page.get_by_test_id("roster-summary").evaluate("e => e.scrollIntoView()")
    page.screenshot(path=SHOTS / "roster-dry-run-errors.png")
    with page.expect_download() as download:
        page.get_by_test_id("roster-template-xlsx").click()
    assert download.value.suggested_filename == "roster-template.xlsx"

    log_in(phone, live_server, bank.boss)
    page.goto(f"{live_server}/staff#admin/away")
    who = page.get_by_test_id("away-employee")
    who.fill("李")
    page.get_by_test_id("pick-YQ0002").click()
    expect(who).to_have_value("YQ0002")
    delegate = page.get_by_test_id("away-delegate")
    delegate.fill("王")
    picker = page.get_by_test_id("picker-delegate_staff_no")
    expect(picker).to_contain_text("王丽")
    expect(picker).to_contain_text("平定支行 · 冠山网格")
    page.screenshot(path=SHOTS / "picker-matches.png", full_page=True)
    delegate.press("Enter")  # the only match is highlighted: Enter picks it
    expect(delegate).to_have_value("YQ0001")
    expect(page.get_by_test_id("picked-delegate_staff_no")).to_have_text("已选：王丽（平定支行）")
    delegate.fill("赵")  # 赵敏 works in another branch: not offered
    expect(page.get_by_test_id("picked-delegate_staff_no")).to_have_text("没有找到可选的同事，请换个姓名或工号。")
    expect(picker).to_be_hidden()
    delegate.fill("YQ0001")
    today = datetime.now(TZ).date()
    page.get_by_test_id("away-start").fill(today.isoformat())
    page.get_by_test_id("away-end").fill((today + timedelta(days=2)).isoformat())
    page.get_by_test_id("away-reason").fill("年假")
    page.get_by_test_id("away-submit").click()
    listed = page.get_by_test_id("away-list")
    expect(listed).to_contain_text("年假")
    expect(listed).to_contain_text(f"至 {today + timedelta(days=2)}")
    cancel = page.get_by_test_id("away-cancel-1")
    assert cancel.bounding_box()["x"] + cancel.bounding_box()["width"] <= 390  # the row fits the phone
    listed.screenshot(path=SHOTS / "away-list-with-reason.png")
    assert failures == [] and page.dialogs == []
    phone.close()
