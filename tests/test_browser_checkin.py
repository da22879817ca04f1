"""Check-in in headless Chromium at a phone's size: the customer's code on their booking page,
staff verifying it in the inbox, the customer's phone at the branch's check-in QR (the manager
sees 您的客户已到店 live), and the branch head's review screen."""
import json

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from server.models import Booking
from tests.conftest import come_due
from tests.test_browser_staff import book, log_in, open_page, wait_live

LIVE = 10_000
SHOTS = "/tmp/rules-{}.png"


@pytest.fixture
def phone390(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    yield context
    context.close()


@pytest.fixture
def manager_phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    yield context
    context.close()


def test_the_customer_shows_the_code_and_the_manager_verifies_it_in_the_inbox(
        phone390, manager_phone, live_server, bank, db):
    booking = book(live_server, bank.code(bank.wang), phone="13900000021")
    come_due(db, booking["reference"])

    status = open_page(phone390, f"{live_server}/b/#{booking['status_token']}")
    code = status.get_by_test_id("checkin-code")
    expect(code).to_have_text(status.get_by_test_id("checkin-code").inner_text())
    digits = code.inner_text()
    assert len(digits) == 6 and digits.isdigit()
    expect(status.get_by_test_id("checkin-qr")).to_be_visible()
    status.screenshot(path=SHOTS.format("status-code"), full_page=True)

    log_in(manager_phone, live_server, bank.wang)
    inbox = open_page(manager_phone, f"{live_server}/staff#inbox")
    card = inbox.get_by_test_id(f"booking-{booking['reference']}")
    card.get_by_test_id("checkin-open").click()
    card.get_by_test_id("checkin-code").fill("000000" if digits != "000000" else "111111")
    card.get_by_test_id("checkin-submit").click()
    expect(card.locator(".err")).to_contain_text("核验码不正确")
    card.get_by_test_id("checkin-code").fill(digits)
    inbox.screenshot(path=SHOTS.format("inbox-checkin"), full_page=True)
    card.get_by_test_id("checkin-submit").click()
    expect(card.get_by_test_id("verified")).to_be_visible()
    expect(card.get_by_test_id("status-badge")).to_have_text("已到店")
    inbox.screenshot(path=SHOTS.format("inbox-verified"), full_page=True)

    status.reload()
    expect(status.get_by_test_id("checkin-verified")).to_be_visible()
    assert inbox.dialogs == [] and status.dialogs == []


def test_the_customers_phone_checks_in_at_the_branch_qr_and_the_manager_is_told_live(
        phone390, manager_phone, live_server, bank, db):
    booking = book(live_server, bank.code(bank.wang), phone="13900000022")
    come_due(db, booking["reference"])
    log_in(manager_phone, live_server, bank.wang)
    kit = manager_phone.request.get(f"{live_server}/api/branches/{bank.rural.id}/checkin").json()
    inbox = open_page(manager_phone, f"{live_server}/staff#inbox")
    wait_live(inbox)

    # The phone that booked keeps the confirmation (bookings.js); here it is put there directly.
    kept = [{"code": bank.code(bank.wang), "reference": booking["reference"], "status_url": booking["status_url"]}]
    phone390.add_init_script(f"localStorage.setItem('yryd.bookings', {json.dumps(json.dumps(kept))});")
    page = open_page(phone390, kit["url"])
    expect(page.get_by_test_id("checkin-done")).to_contain_text("王丽")
    page.screenshot(path=SHOTS.format("checkin-done"), full_page=True)

    expect(inbox.get_by_test_id("checkin-alert")).to_have_text("您的客户已到店", timeout=LIVE)
    inbox.screenshot(path=SHOTS.format("manager-alert"), full_page=True)
    db.expire_all()
    assert db.exec(select(Booking.verified_by)).one() == "self"


def test_a_phone_without_a_booking_here_is_told_so_and_nothing_else(phone390, live_server, bank, login):
    other = book(live_server, bank.code(bank.zhao), phone="13900000023", product="tax-loan")  # 城区支行, tomorrow
    kit = login(bank.boss).get(f"/api/branches/{bank.rural.id}/checkin").get_json()
    kept = [{"code": bank.code(bank.zhao), "reference": other["reference"], "status_url": other["status_url"]}]
    phone390.add_init_script(f"localStorage.setItem('yryd.bookings', {json.dumps(json.dumps(kept))});")
    page = open_page(phone390, kit["url"])
    expect(page.get_by_test_id("checkin-refused")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(other["reference"])
    page.screenshot(path=SHOTS.format("checkin-refused"), full_page=True)


def test_a_branch_head_reviews_flags_and_sees_unverified_results(phone390, live_server, bank, db):
    flagged = book(live_server, bank.code(bank.wang), phone=bank.li.phone)  # a colleague's number
    plain = book(live_server, bank.code(bank.li), phone="13900000024")
    come_due(db, plain["reference"])
    log_in(phone390, live_server, bank.li)
    for status in ("arrived", "completed"):  # no customer evidence
        r = phone390.request.post(f"{live_server}/api/staff/bookings/{plain['reference']}/status",
                                  data={"status": status},
                                  headers={"X-CSRFToken": phone390.request.get(f"{live_server}/api/staff/me").json()["csrf_token"]})
        assert r.ok, r.text()
    phone390.clear_cookies()
    log_in(phone390, live_server, bank.boss)
    page = open_page(phone390, f"{live_server}/staff#admin/flagged")
    expect(page.get_by_test_id("unverified-table")).to_contain_text(plain["reference"])
    expect(page.get_by_test_id("flagged-table")).to_contain_text("使用员工本人或同事的手机号预约")
    page.screenshot(path=SHOTS.format("flagged-review"), full_page=True)
    page.get_by_test_id(f"clear-{flagged['reference']}").click()
    expect(page.get_by_test_id("review-done")).to_contain_text("已解除")
    expect(page.get_by_test_id(f"review-{flagged['reference']}")).to_have_text("已解除（计入排行）")


def test_without_signal_at_the_counter_the_phone_still_shows_todays_code(phone390, live_server, bank, db):
    booking = book(live_server, bank.code(bank.wang), phone="13900000025")
    come_due(db, booking["reference"])
    kept = [{"code": bank.code(bank.wang), "reference": booking["reference"], "status_url": booking["status_url"]}]
    phone390.add_init_script(f"if (!localStorage.getItem('yryd.bookings')) localStorage.setItem('yryd.bookings', "
                             f"{json.dumps(json.dumps(kept))});")
    page = open_page(phone390, f"{live_server}/b/#{booking['status_token']}")
    digits = page.get_by_test_id("checkin-code").inner_text()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which keeps the status page
    expect(page.get_by_test_id("checkin-code")).to_have_text(digits)
    phone390.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("network-banner")).to_be_visible()
    expect(page.get_by_test_id("status-view")).to_have_attribute("data-offline", "1")
    expect(page.get_by_test_id("checkin-code")).to_have_text(digits)
    page.screenshot(path=SHOTS.format("status-offline"), full_page=True)
    phone390.set_offline(False)
