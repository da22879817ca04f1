"""What a person sees of the caps and the delegate rule, on a phone (390×844): a roster over the
row cap, a name over its length, a delegate from another branch."""
import os
from datetime import datetime

import pytest
from playwright.sync_api import expect

from server.clock import TZ
from tests.test_browser_admin import HEADER, log_in, open_page

SHOTS = os.environ.get("SEC_SCREENSHOTS", "")  # a folder: save what the test saw


@pytest.fixture
def handset(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    yield context
    context.close()


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"sec-{name}.png"), full_page=False)


def test_an_admin_sees_why_a_roster_over_the_cap_or_with_a_huge_name_is_refused(handset, live_server, bank,
                                                                                 tmp_path):
    log_in(handset, live_server, bank.admin)
    page = open_page(handset, f"{live_server}/staff#admin/roster")
    long_file = tmp_path / "big.csv"
    long_file.write_text(HEADER + "\n" + "".join(f"YQ{5000 + i},员工{i},,平定支行,,,初级,微贷类,员工,是\n"
                                                 for i in range(5001)), encoding="utf-8")
    page.get_by_test_id("roster-file").set_input_files(long_file)
    page.get_by_test_id("roster-check").click()
    expect(page.get_by_text("花名册最多 5000 行，请分批导入。")).to_be_visible()
    shot(page, "roster-cap")

    named = tmp_path / "name.csv"
    named.write_text(HEADER + "\n" + f"YQ0101,{'长' * 15000},,平定支行,,,初级,微贷类,员工,是\n", encoding="utf-8")
    page.get_by_test_id("roster-file").set_input_files(named)
    page.get_by_test_id("roster-check").click()
    errors = page.get_by_test_id("roster-errors")
    expect(errors).to_contain_text("最多 40 个字")
    expect(page.get_by_test_id("roster-apply")).to_be_disabled()
    shot(page, "roster-name")
    assert page.dialogs == []


def test_a_branch_head_sees_that_a_delegate_comes_from_the_branch(handset, live_server, bank):
    log_in(handset, live_server, bank.boss)
    page = open_page(handset, f"{live_server}/staff#admin/away")
    today = datetime.now(TZ).date().isoformat()
    page.get_by_test_id("away-employee").fill("YQ0002")
    page.get_by_test_id("away-start").fill(today)
    page.get_by_test_id("away-end").fill(today)
    page.get_by_test_id("away-delegate").fill("YQ0003")  # 赵敏, 城区支行
    page.get_by_test_id("away-submit").click()
    expect(page.get_by_text("代班人须是本支行的另一位在岗员工。")).to_be_visible()
    shot(page, "away-delegate")
    page.get_by_test_id("away-employee").fill("YQ0099")  # head office: not the branch head's to set
    page.get_by_test_id("away-delegate").fill("YQ0001")
    page.get_by_test_id("away-submit").click()
    expect(page.get_by_text("没有权限。")).to_be_visible()
    shot(page, "away-forbidden")
