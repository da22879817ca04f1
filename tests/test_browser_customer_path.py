"""The customer's path on a phone: a taken time keeps the customer's place, the status page
confirms every change and never ends in a dead end, read-aloud and large text (适老化)."""
import pytest

from tests.conftest import next_slot
from tests.test_browser_shop import NOTICE_PHRASE

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402


def open_form(page, base):
    page.goto(f"{base}/s/SHOP0001")
    page.get_by_test_id("book-button").click()
    page.get_by_test_id("field-product").select_option("consumer-credit")


def test_a_taken_time_keeps_the_day_what_was_typed_and_offers_the_nearest_times(live_server, phone, bank, book):
    page = phone.new_page()
    day = next_slot(days_ahead=2)
    open_form(page, live_server)
    page.get_by_test_id(f"day-{day.date().isoformat()}").click()
    page.get_by_test_id("slot-10:00").click()
    page.get_by_test_id("field-name").fill("刘大爷")
    page.get_by_test_id("field-phone").fill("13812345678")
    page.get_by_test_id("field-note").fill("带上身份证")
    page.get_by_test_id("consent").check()
    # Someone else takes 10:00 meanwhile.
    assert book(bank.code(bank.wang), phone="13900006666", slot=day.replace(hour=10).isoformat()).status_code == 201
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error-slot")).to_contain_text("刚刚被约走了")
    expect(page.get_by_test_id("error-slot")).to_be_in_viewport()
    expect(page.get_by_test_id("near-slots")).to_be_visible()
    expect(page.get_by_test_id("near-09:30")).to_be_visible()
    expect(page.get_by_test_id("near-10:30")).to_be_visible()
    expect(page.get_by_test_id(f"day-{day.date().isoformat()}")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("field-name")).to_have_value("刘大爷")
    expect(page.get_by_test_id("field-note")).to_have_value("带上身份证")
    expect(page.get_by_test_id("live")).to_contain_text("刚刚被约走了")
    page.screenshot(path="/tmp/main-taken.png")
    page.get_by_test_id("near-10:30").click()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    expect(page.get_by_test_id("appointment")).to_contain_text("10:30")


def test_the_status_page_confirms_a_move_and_a_cancel_and_offers_a_way_on(live_server, phone, bank, book):
    made = book(bank.code(bank.wang), slot=next_slot(days_ahead=2).isoformat()).get_json()
    page = phone.new_page()
    page.goto(f"{live_server}/b/#{made['status_token']}")
    expect(page.locator("#brand")).to_have_text(made["bank"])
    expect(page.locator("#foot")).to_contain_text(made["hotline"])
    expect(page.get_by_test_id("why")).to_contain_text("王丽")
    page.get_by_test_id("reschedule-button").click()
    later = next_slot(days_ahead=3)
    page.get_by_test_id(f"day-{later.date().isoformat()}").click()
    page.get_by_test_id("slot-11:00").click()
    page.get_by_test_id("reschedule-submit").click()
    expect(page.get_by_test_id("status-confirmed")).to_contain_text("11:00")
    page.get_by_test_id("cancel-button").click()
    page.get_by_test_id("cancel-confirm").click()
    expect(page.get_by_test_id("status-confirmed")).to_contain_text("预约已取消")
    expect(page.get_by_test_id("book-again")).to_have_attribute("href", f"{live_server}/s/SHOP0001#book")
    expect(page.get_by_test_id("call-hotline")).to_have_attribute("href", f"tel:{made['hotline']}")
    page.screenshot(path="/tmp/main-cancelled.png", full_page=True)
    page.get_by_test_id("book-again").click()
    expect(page.get_by_test_id("booking-form")).to_be_visible()


def test_my_bookings_on_the_shop_follow_a_cancel_made_elsewhere(live_server, phone, bank, client):
    page = phone.new_page()
    page.goto(f"{live_server}/s/SHOP0001")
    from tests.test_browser_shop import fill_booking
    fill_booking(page)
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    token = page.get_by_test_id("status-link").get_attribute("href").split("#")[1]
    assert client.post("/api/status/cancel", headers={"X-Booking-Token": token}).status_code == 200
    page.goto(f"{live_server}/s/SHOP0001")
    expect(page.get_by_test_id("shop-card")).to_be_visible()
    expect(page.get_by_test_id("my-bookings")).to_have_count(0)  # refreshed from the server


def test_the_confirmation_says_who_calls_from_which_number_and_hides_the_raw_link(live_server, phone, bank):
    from tests.test_browser_shop import fill_booking
    page = phone.new_page()
    page.goto(f"{live_server}/s/SHOP0001")
    fill_booking(page)
    steps = page.get_by_test_id("next-steps")
    expect(steps).to_contain_text("王丽")
    expect(steps).to_contain_text("13903530001")
    expect(steps).to_contain_text("2 小时内")
    expect(page.get_by_test_id("confirmation")).not_to_contain_text("/b/#")
    page.screenshot(path="/tmp/main-done.png", full_page=True)


def test_the_privacy_notice_is_a_short_summary_with_the_full_text_one_tap_away(live_server, phone, bank):
    page = phone.new_page()
    open_form(page, live_server)
    expect(page.get_by_test_id("notice-summary")).to_be_visible()
    full = page.get_by_test_id("notice-full")
    expect(full.get_by_text(NOTICE_PHRASE)).to_be_hidden()
    full.locator("summary").click()
    expect(full.get_by_text(NOTICE_PHRASE)).to_be_visible()


def test_read_aloud_speaks_the_card_the_product_and_the_confirmation_in_chinese(live_server, browser, bank):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    context.add_init_script("""
      window.__spoken = [];
      if (window.speechSynthesis) {
        speechSynthesis.speak = (u) => window.__spoken.push([u.lang, u.text]);
        speechSynthesis.cancel = () => {};
      }""")
    page = context.new_page()
    page.goto(f"{live_server}/s/SHOP0001")
    page.get_by_test_id("speak-card").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[-1][0] == "zh-CN" and "王丽" in spoken[-1][1] and "平定支行" in spoken[-1][1]
    page.get_by_test_id("book-button").click()
    page.get_by_test_id("field-product").select_option("consumer-credit")
    page.get_by_test_id("speak-product").click()
    assert "消费信用贷" in page.evaluate("window.__spoken")[-1][1]
    context.close()


def test_without_speech_synthesis_there_is_no_read_aloud_button(live_server, browser, bank):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
    page = context.new_page()
    page.goto(f"{live_server}/s/SHOP0001")
    expect(page.get_by_test_id("shop-card")).to_be_visible()
    expect(page.get_by_test_id("speak-card")).to_have_count(0)
    context.close()


def test_large_text_is_offered_on_the_first_visit_and_meets_the_age_friendly_checklist(live_server, phone, bank):
    page = phone.new_page()
    page.goto(f"{live_server}/s/SHOP0001")
    offer = page.get_by_test_id("large-text-offer")
    expect(offer).to_be_visible()
    page.get_by_test_id("large-text-yes").click()
    expect(offer).to_have_count(0)
    expect(page.get_by_test_id("large-text-switch")).to_have_attribute("aria-pressed", "true")
    page.screenshot(path="/tmp/main-large.png")
    metrics = page.evaluate("""() => {
      const p = document.querySelector('[data-testid=shop-card] .facts dd') || document.querySelector('p');
      const body = getComputedStyle(document.body);
      const s = getComputedStyle(document.querySelector('main p, main dd'));
      return {font: parseFloat(body.fontSize), line: parseFloat(body.lineHeight),
              pLine: parseFloat(s.lineHeight), pGap: parseFloat(s.marginBottom), pFont: parseFloat(s.fontSize)};
    }""")
    assert metrics["font"] >= 20  # ~21 px body text in large mode
    assert metrics["line"] >= 1.3 * metrics["font"]  # line spacing ≥ 1.3
    assert metrics["pGap"] >= 1.3 * metrics["pLine"] - 0.5  # paragraph spacing ≥ 1.3 × line spacing
    page.reload()
    expect(page.get_by_test_id("shop-card")).to_be_visible()
    expect(page.get_by_test_id("large-text-offer")).to_have_count(0)  # asked once


def test_a_grid_codes_shop_shows_its_team_and_says_who_before_booking(live_server, phone, bank, db):
    from server.models import ShopLink
    bank.add(ShopLink(code="GRID0001", employee_id=bank.wang.id, channel="冠山村公示牌", grid_id=bank.grid.id))
    page = phone.new_page()
    page.goto(f"{live_server}/s/GRID0001")
    expect(page.get_by_test_id("grid-team")).to_contain_text("冠山网格")
    for name in ("王丽", "李强", "张支行长"):
        expect(page.get_by_test_id("shop-card")).to_contain_text(name)
    page.screenshot(path="/tmp/main-grid.png", full_page=True)
    page.get_by_test_id("book-button").click()
    expect(page.get_by_test_id("book-with")).to_contain_text("网格服务团队")
    shown = page.get_by_test_id("book-with").inner_text()
    page.get_by_test_id("field-product").select_option("consumer-credit")
    page.get_by_test_id(f"day-{next_slot().date().isoformat()}").click()
    page.get_by_test_id("slot-10:00").click()
    page.get_by_test_id("field-name").fill("刘大爷")
    page.get_by_test_id("field-phone").fill("13812345678")
    page.get_by_test_id("consent").check()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    manager = page.get_by_test_id("next-steps").inner_text()
    assert any(name in shown and name in manager for name in ("王丽", "李强", "张支行长"))


def test_the_large_text_offer_follows_a_language_switch(live_server, phone, bank):
    page = phone.new_page()
    page.goto(f"{live_server}/s/SHOP0001")
    expect(page.get_by_test_id("large-text-offer")).to_contain_text("大字")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("large-text-offer")).to_contain_text("large text")
    expect(page.get_by_test_id("large-text-yes")).to_have_text("Large text")
