"""In Chromium at phone size: the walk-in's receipt scanned from the staff screen opens the
customer's status page, where reminders can be turned off and the calendar file downloaded."""
import io

import cv2
import numpy as np
from icalendar import Calendar
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import next_slot
from tests.test_browser_staff import log_in, open_page


def _scan(png: bytes) -> str:
    image = Image.open(io.BytesIO(png)).convert("L")
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(np.array(image))
    return text


def test_a_walk_in_scans_the_receipt_and_manages_reminders_and_calendar(browser, live_server, bank, app, tmp_path):
    staff = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    customer = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                   locale="zh-CN", accept_downloads=True)
    try:
        log_in(staff, live_server, bank.wang)
        page = open_page(staff, f"{live_server}/staff#book")
        expect(page.get_by_test_id("submit")).to_have_text("为客户预约")
        expect(page.get_by_test_id("callback")).to_contain_text("客户要求回电")
        page.get_by_test_id("field-product").select_option("consumer-credit")
        slot = next_slot(days_ahead=2)
        page.get_by_test_id(f"day-{slot.date().isoformat()}").click()
        page.get_by_test_id("slot-10:00").click()
        page.get_by_test_id("field-name").fill("赵大娘")
        page.get_by_test_id("field-phone").fill("13900000005")
        page.get_by_test_id("consent").check()
        page.get_by_test_id("send-link").check()
        page.screenshot(path="/tmp/remind-staff-form.png", full_page=True)
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("receipt-qr")).to_be_visible()
        expect(page.get_by_test_id("receipt-sent")).to_contain_text("短信")
        page.screenshot(path="/tmp/remind-staff-receipt.png", full_page=True)

        url = _scan(page.get_by_test_id("receipt-qr").screenshot())
        assert url.startswith(f"{live_server}/b/#")
        sent = [m for m in app.extensions["customer_sender"].sent]
        assert sent == []  # queued; the reminder round sends it (tested apart)

        status = open_page(customer, url)
        expect(status.get_by_test_id("reference")).to_have_text(page.get_by_test_id("reference").inner_text())
        toggle = status.get_by_test_id("remind-toggle")
        expect(toggle).to_be_checked()
        toggle.uncheck()
        expect(status.get_by_test_id("remind-note")).to_have_text("已关闭短信提醒。")
        with status.expect_download() as download:
            status.get_by_test_id("calendar-add").click()
        path = tmp_path / "a.ics"
        download.value.save_as(path)
        event = Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
        assert event.decoded("DTSTART") == slot.replace(hour=10)
        assert url in str(event["DESCRIPTION"])
        status.screenshot(path="/tmp/remind-status.png", full_page=True)
        status.reload()
        expect(status.get_by_test_id("remind-toggle")).not_to_be_checked()
    finally:
        staff.close()
        customer.close()


def test_the_confirmation_offers_reminders_and_the_calendar(live_server, bank, browser):
    from tests.test_browser_shop import fill_booking

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/s/SHOP0001")
        fill_booking(page)
        expect(page.get_by_test_id("confirmation")).to_be_visible()
        expect(page.get_by_test_id("remind-toggle")).to_be_checked()
        expect(page.get_by_test_id("calendar-add")).to_have_text("添加到日历")
        with page.expect_download() as download:
            page.get_by_test_id("calendar-add").click()
        assert download.value.suggested_filename.endswith(".ics")
        page.get_by_test_id("remind").scroll_into_view_if_needed()
        page.screenshot(path="/tmp/remind-confirmation.png")
    finally:
        context.close()
