"""Long lists on a phone (390×844, headless Chromium): the inbox and the audit log load a page at
a time (加载更多) and are searched by reference or phone tail; a branch head reveals a number with
a reason, which the audit log then shows; each booking says which shop or channel code it came
through. Screenshots go to /tmp/shots/lists/."""
import os

import pytest
from playwright.sync_api import expect

from tests.test_browser_staff import book, log_in, open_page, wait_live, LIVE

SHOTS = "/tmp/shots/lists"
INBOX_PAGE, AUDIT_PAGE = 30, 50


@pytest.fixture
def handset(browser):
    """A 390×844 phone (touch, Chinese)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    yield context
    context.close()


def shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=False)


def a_busy_branch(live_server, bank, login):
    """33 call backs for 李强 (numbers 13900000000…32), one for him ending 5678, one through
    王丽's market poster, one for the deputy branch head; returns their references."""
    refs = [book(live_server, bank.code(bank.li), callback=True, slot=None, phone=f"139000000{i:02d}")["reference"]
            for i in range(33)]
    market = login(bank.wang).post("/api/staff/channel-codes", json={"channel": "冠山集市"}).get_json()["code"]
    deputy = bank.employee("YQ0011", "副支行长", bank.rural, role="branch_manager")
    return {"li": refs,
            "tail": book(live_server, bank.code(bank.li), callback=True, slot=None, name="孙阿姨",
                         phone="13912345678")["reference"],
            "market": book(live_server, market, callback=True, slot=None, name="周大伯", phone="13900000099")["reference"],
            "market_code": market,
            "deputy": book(live_server, bank.code(deputy), callback=True, slot=None, name="吴先生",
                           phone="13900000098")["reference"]}


def test_a_branch_head_pages_searches_and_reveals_in_the_inbox_on_a_phone(handset, live_server, bank, login):
    made = a_busy_branch(live_server, bank, login)
    log_in(handset, live_server, bank.boss)
    page = open_page(handset, f"{live_server}/staff#inbox")
    cards = page.get_by_test_id("bookings").locator("li.bk")
    expect(cards).to_have_count(INBOX_PAGE)
    expect(page.get_by_test_id("inbox-count")).to_have_text(f"已显示 {INBOX_PAGE} 条，还有更多")

    # Which shop each came through: 王丽's market poster (a colleague's channel code), 李强's own shop.
    market = page.get_by_test_id(f"booking-{made['market']}")
    expect(market.get_by_test_id("came-through")).to_have_text(f"王丽的渠道码「冠山集市」 {made['market_code']}")
    expect(market.get_by_test_id("booking-source")).to_have_text("客户扫码 · 新客户")
    expect(page.get_by_test_id(f"booking-{made['tail']}").get_by_test_id("came-through")).to_contain_text("李强的微店")
    market.scroll_into_view_if_needed()
    shot(page, "inbox-came-through")

    more = page.get_by_test_id("load-more")
    more.scroll_into_view_if_needed()
    shot(page, "inbox-load-more")
    more.click()
    expect(cards).to_have_count(36)
    expect(page.get_by_test_id("inbox-count")).to_have_text("共 36 条")
    expect(more).to_have_count(0)
    listed = cards.evaluate_all("els => els.map(e => e.dataset.testid)")
    assert len(set(listed)) == 36 and f"booking-{made['li'][0]}" in listed  # the oldest, once

    # Search: a whole number is refused in words; the last 4 digits or a reference find the booking.
    search = page.get_by_test_id("search")
    search.fill("139 1234 5678")
    page.get_by_test_id("search-go").click()
    expect(page.get_by_test_id("search-error")).to_have_text("按手机号查找只能输入后 4 位。")
    expect(search).to_have_attribute("aria-invalid", "true")
    search.fill("5678")
    search.press("Enter")
    expect(cards).to_have_count(1)
    card = page.get_by_test_id(f"booking-{made['tail']}")
    expect(card.get_by_test_id("phone-masked")).to_have_text("139****5678")
    expect(page.get_by_test_id("search-error")).to_be_empty()

    # 查看完整号码: a reason is required (the server says so by the field), then the number shows.
    card.get_by_test_id("reveal-open").click()
    expect(card.get_by_test_id("reveal-reason")).to_be_focused()
    card.get_by_test_id("reveal-submit").click()
    expect(card.get_by_test_id("reveal-error")).to_have_text("请填写此项。")
    shot(page, "inbox-reveal-reason-required")
    card.get_by_test_id("reveal-reason").fill("李强休假，代为回访")
    # A booking arriving meanwhile (it ends in 5678 too) refreshes the list, not what is being typed.
    wait_live(page)
    book(live_server, bank.code(bank.wang), callback=True, slot=None, phone="13800005678")
    expect(cards).to_have_count(2, timeout=LIVE)
    expect(card.get_by_test_id("reveal-reason")).to_have_value("李强休假，代为回访")
    card.get_by_test_id("reveal-submit").click()
    expect(card.get_by_test_id("call")).to_have_attribute("href", "tel:13912345678")
    expect(card.get_by_test_id("reveal-audited")).to_have_text("本次查看已记入审计日志。")
    shot(page, "inbox-revealed")

    # A peer branch head's customer stays masked, with no button; a reference finds only that booking.
    search.fill(made["deputy"].lower())
    page.get_by_test_id("search-go").click()
    peer = page.get_by_test_id(f"booking-{made['deputy']}")
    expect(cards).to_have_count(1)
    expect(peer.get_by_test_id("phone-masked")).to_have_text("139****0098")
    expect(peer.get_by_test_id("reveal-open")).to_have_count(0)
    page.get_by_test_id("search-clear").click()
    expect(cards).to_have_count(INBOX_PAGE)
    assert page.loads == [1] and page.dialogs == []


def test_the_audit_log_pages_fifty_at_a_time_and_finds_a_bookings_entries_on_a_phone(
        handset, live_server, bank, login):
    made = a_busy_branch(live_server, bank, login)
    li = login(bank.li)
    for ref in made["li"] + [made["tail"]]:
        assert li.post(f"/api/staff/bookings/{ref}/status", json={"status": "contacted"}).status_code == 200
    for _ in range(20):
        assert li.put("/api/staff/availability", json={"weekly": {"0": [["09:00", "12:00"]]}}).status_code == 200
    boss = login(bank.boss)
    boss.post(f"/api/staff/bookings/{made['tail']}/reveal", json={"reason": "李强休假，代为回访"})
    log_in(handset, live_server, bank.boss)
    page = open_page(handset, f"{live_server}/staff#admin/audit")
    rows = page.get_by_test_id("audit-table").locator("tbody tr")
    expect(rows).to_have_count(AUDIT_PAGE)
    expect(page.get_by_test_id("audit-scope")).to_be_visible()  # a branch head: their branch's entries
    more = page.get_by_test_id("audit-more")
    more.scroll_into_view_if_needed()
    shot(page, "audit-load-more")
    more.click()
    expect(rows).not_to_have_count(AUDIT_PAGE)
    expect(more).to_have_count(0)
    total = rows.count()
    assert total > AUDIT_PAGE
    expect(page.get_by_test_id("audit-count")).to_have_text(f"共 {total} 条")

    page.get_by_test_id("audit-q").fill("YQ")
    page.get_by_test_id("audit-search").click()
    expect(page.get_by_test_id("err-q")).to_contain_text("预约号")
    page.get_by_test_id("audit-q").fill("5678")
    page.get_by_test_id("audit-search").click()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("查看完整手机号")
    expect(rows.first).to_contain_text("原因：李强休假，代为回访")
    expect(rows.nth(1)).to_contain_text(f"预约 {made['tail']}（孙** 139****5678）")
    page.get_by_test_id("audit-search").scroll_into_view_if_needed()
    shot(page, "audit-search-tail")
    expect(page.get_by_test_id("audit-csv")).to_have_attribute("href", "/api/audit?q=5678&limit=1000&format=csv")
    assert page.dialogs == []
