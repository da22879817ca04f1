"""A customer's number in a real browser: a shared phone forgets with one tap, a returning
customer proves their number and sees who will serve them before booking, and erasing
everything held for a number needs its one-time code."""
import json

import pytest
from sqlmodel import select

from server.models import Booking, Customer
from tests.conftest import next_slot
from tests.test_browser_shop import bookings, fill_booking

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

PHONE = "13812345678"


def code_sent(app, phone=PHONE) -> str:
    return app.extensions["customer_sender"].last(phone)["params"]["code"]


def test_a_shared_phone_forgets_its_bookings_with_one_tap(live_server, phone, db, bank):
    page = phone.new_page()
    page.goto(f"{live_server}/s/SHOP0001")
    fill_booking(page)
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    page.goto(f"{live_server}/s/SHOP0001")
    expect(page.get_by_test_id("my-bookings")).to_be_visible()
    kept = page.evaluate("localStorage.getItem('yryd.bookings')")
    assert "想问问贷款" not in kept and PHONE not in kept and "刘大爷" not in kept  # no note, number or name
    page.get_by_test_id("clear-device").click()
    expect(page.get_by_test_id("device-cleared")).to_be_visible()
    expect(page.get_by_test_id("my-bookings")).to_have_count(0)
    page.screenshot(path="/tmp/main-cleared.png")
    assert json.loads(page.evaluate("localStorage.getItem('yryd.bookings') || '[]'")) == []
    page.reload()
    expect(page.get_by_test_id("shop-card")).to_be_visible()
    expect(page.get_by_test_id("my-bookings")).to_have_count(0)
    expect(page.get_by_test_id("clear-device")).to_have_count(0)  # nothing left to clear
    assert len(bookings(db)) == 1  # the booking itself stands: only the phone forgot it


def test_a_returning_customer_sees_their_dedicated_manager_before_booking_elsewhere(live_server, app, phone, db,
                                                                                    bank, book):
    assert book(bank.code(bank.li), slot=next_slot(days_ahead=3).isoformat()).status_code == 201
    page = phone.new_page()
    page.goto(f"{live_server}/s/SHOP0001")  # 王丽's shop
    page.get_by_test_id("book-button").click()
    expect(page.get_by_test_id("book-with")).to_contain_text("王丽")
    page.get_by_test_id("field-phone").fill(PHONE)
    page.get_by_test_id("dedicated-ask").click()
    expect(page.get_by_test_id("prove-phone")).to_have_value(PHONE)
    page.get_by_test_id("prove-send").click()
    expect(page.get_by_test_id("prove-info")).to_contain_text("138****5678")
    page.get_by_test_id("prove-code").fill(code_sent(app))
    page.get_by_test_id("prove-check").click()
    expect(page.get_by_test_id("serving")).to_contain_text("李强")
    expect(page.get_by_test_id("serving")).to_contain_text("专属客户经理")
    expect(page.get_by_test_id("book-with")).to_contain_text("李强")
    page.screenshot(path="/tmp/main-dedicated.png", full_page=True)
    fill_booking_after_proof(page)
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    expect(page.get_by_test_id("confirmation")).to_contain_text("李强")
    made = [b for b in bookings(db) if b.proven]
    assert len(made) == 1 and made[0].employee_id == bank.li.id and made[0].route_reason == "dedicated"


def fill_booking_after_proof(page):
    page.get_by_test_id("field-product").select_option("consumer-credit")
    page.get_by_test_id(f"day-{next_slot().date().isoformat()}").click()
    page.get_by_test_id("slot-10:00").click()
    page.get_by_test_id("field-name").fill("刘大爷")
    page.get_by_test_id("consent").check()
    page.get_by_test_id("submit").click()


def test_erasing_everything_for_a_number_needs_its_code(live_server, app, phone, db, bank, book):
    first = book(bank.code(bank.li)).get_json()
    second = book(bank.code(bank.li), slot=next_slot(days_ahead=2).isoformat()).get_json()
    page = phone.new_page()
    page.goto(f"{live_server}/b/#{second['status_token']}")
    expect(page.get_by_test_id("status-badge")).to_be_visible()
    page.get_by_test_id("erase-all-button").click()
    expect(page.get_by_test_id("prove")).to_be_visible()
    page.get_by_test_id("prove-phone").fill(PHONE)
    page.get_by_test_id("prove-send").click()
    expect(page.get_by_test_id("prove-info")).to_contain_text("138****5678")
    page.get_by_test_id("prove-code").fill(code_sent(app))
    page.get_by_test_id("prove-check").click()
    page.screenshot(path="/tmp/main-erase-all.png", full_page=True)
    page.get_by_test_id("erase-all-confirm").click()
    expect(page.get_by_test_id("status-error")).to_contain_text("共 2 笔预约")
    db.rollback()
    assert db.exec(select(Customer)).one().phone != PHONE
    assert {b.status for b in db.exec(select(Booking))} == {"cancelled"}
    assert first["reference"]  # both bookings went, though the page knew only one link
