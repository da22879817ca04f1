"""The staff app (/staff) and the live wall (/wall) in headless Chromium: live updates without
reloading, markup shown as text, moving bookings through their states, accessibility (axe-core).

Bookings are posted the way a customer's phone posts them (JSON over HTTP); staff log in
through the form once, elsewhere through the API with the browser context's own cookies.
"""
import json
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, booking_body

LIVE = 10_000  # ms: a change arrives over the stream, or at worst after its reconnect (3 s)
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def post(url: str, body: dict, headers: dict | None = None) -> dict:
    request = Request(url, data=json.dumps(body).encode(), method="POST",
                      headers={"Content-Type": "application/json", **(headers or {})})
    with urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def book(base: str, code: str, **overrides) -> dict:
    """A customer's booking through a shop; returns the 201 body (reference, status_token...)."""
    return post(f"{base}/api/shops/{code}/bookings", booking_body(**overrides))


def log_in(context, base: str, employee) -> None:
    """Log a browser context in through the API (its cookies are the context's)."""
    r = context.request.post(f"{base}/api/staff/login",
                             data={"staff_no": employee.staff_no, "password": PASSWORD})
    assert r.ok, r.text()


def open_page(context, url: str):
    """A page that records reloads and dialogs: neither may happen in these tests."""
    page = context.new_page()
    page.loads, page.dialogs = [], []
    page.on("load", lambda: page.loads.append(1))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    return page


def wait_live(page) -> None:
    """The live stream is open: a change from now on is pushed, not missed."""
    expect(page.locator("body")).to_have_attribute("data-live", "live", timeout=LIVE)


@pytest.fixture
def wall(browser):
    """A TV-sized context for the wall (1280×720)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    yield context
    context.close()


def test_a_new_booking_appears_in_the_managers_inbox_and_on_the_wall_without_reload(
        phone, wall, live_server, bank):
    inbox = open_page(phone, f"{live_server}/staff#inbox")
    inbox.get_by_test_id("staff-no").fill(bank.boss.staff_no)
    inbox.get_by_test_id("password").fill(PASSWORD)
    inbox.get_by_test_id("login-submit").click()
    expect(inbox.get_by_test_id("scope")).to_have_value("branch")  # a branch head sees the branch
    expect(inbox.get_by_test_id("inbox-empty")).to_be_visible()
    wait_live(inbox)

    log_in(wall, live_server, bank.li)
    board = open_page(wall, f"{live_server}/wall")
    wang = board.get_by_test_id(f"wall-emp-{bank.wang.id}")
    expect(wang.get_by_test_id("bookings")).to_have_text("0")
    wait_live(board)

    booking = book(live_server, bank.code(bank.wang), name="孙阿姨", phone="13900000001")

    card = inbox.get_by_test_id(f"booking-{booking['reference']}")
    expect(card.get_by_test_id("booking-name")).to_have_text("孙阿姨", timeout=LIVE)
    expect(card.get_by_test_id("status-badge")).to_have_text("待联系")
    expect(card.get_by_test_id("booking-employee")).to_contain_text("王丽")
    expect(wang.get_by_test_id("bookings")).to_have_text("1", timeout=LIVE)
    expect(wang.get_by_test_id("name")).to_have_text("王丽")
    assert inbox.loads == [1] and board.loads == [1]


def test_markup_in_names_and_notes_is_shown_as_text_in_the_inbox_and_on_the_wall(
        phone, wall, live_server, bank, db):
    # Customers' names and notes are not on the wall (a TV other people can see); employee
    # names are, so an employee's name carries the markup there.
    bank.li.name = IMG
    db.add(bank.li)
    db.commit()
    name, note = "<img src=x>刘", SCRIPT + IMG  # a customer's name is at most 20 characters
    booking = book(live_server, bank.code(bank.li), name=name, note=note, phone="13900000002")

    log_in(phone, live_server, bank.boss)
    inbox = open_page(phone, f"{live_server}/staff#inbox")
    card = inbox.get_by_test_id(f"booking-{booking['reference']}")
    expect(card.get_by_test_id("booking-name")).to_have_text(name)
    expect(card.get_by_test_id("booking-note")).to_have_text(note)
    expect(card.get_by_test_id("booking-employee")).to_contain_text(IMG)
    expect(card.get_by_test_id("booking-note")).to_be_visible()

    log_in(wall, live_server, bank.boss)
    board = open_page(wall, f"{live_server}/wall")
    expect(board.get_by_test_id(f"wall-emp-{bank.li.id}").get_by_test_id("name")).to_have_text(IMG)
    expect(board.get_by_test_id(f"wall-emp-{bank.li.id}").get_by_test_id("name")).to_be_visible()

    for page in (inbox, board):
        expect(page.locator('img[src="x"]')).to_have_count(0)
        expect(page.locator("main script")).to_have_count(0)
        assert page.dialogs == []


def test_the_inbox_buttons_move_a_booking_through_contacted_arrived_and_completed(
        phone, live_server, bank):
    booking = book(live_server, bank.code(bank.wang), callback=True, phone="13900000003")
    log_in(phone, live_server, bank.wang)
    inbox = open_page(phone, f"{live_server}/staff#inbox")
    card = inbox.get_by_test_id(f"booking-{booking['reference']}")
    badge = card.get_by_test_id("status-badge")
    expect(badge).to_have_text("待联系")
    # the booking is routed to 王丽: she sees the full number, to call it
    expect(card.get_by_test_id("call")).to_have_attribute("href", "tel:13900000003")

    for button, label in (("to-contacted", "已联系"), ("to-arrived", "已到店"), ("to-completed", "已办结")):
        card.get_by_test_id(button).click()
        expect(badge).to_have_text(label)

    expect(card.locator(".bk-acts button")).to_have_count(0)  # completed is final
    r = phone.request.get(f"{live_server}/api/staff/bookings/{booking['reference']}")
    assert r.json()["status"] == "completed"
    assert inbox.loads == [1]


def test_a_customer_cancellation_shows_in_the_inbox_without_reload(phone, live_server, bank):
    booking = book(live_server, bank.code(bank.wang), callback=True, phone="13900000004")
    log_in(phone, live_server, bank.wang)
    inbox = open_page(phone, f"{live_server}/staff#inbox")
    badge = inbox.get_by_test_id(f"booking-{booking['reference']}").get_by_test_id("status-badge")
    expect(badge).to_have_text("待联系")
    wait_live(inbox)

    post(f"{live_server}/api/status/cancel", {}, {"X-Booking-Token": booking["status_token"]})

    expect(badge).to_have_text("已取消", timeout=LIVE)
    assert inbox.loads == [1]


def test_booking_on_behalf_reads_the_servers_notice_and_stores_its_version(phone, live_server, bank, db):
    from sqlmodel import select

    from server.models import Booking
    from tests.conftest import next_slot

    log_in(phone, live_server, bank.wang)
    page = open_page(phone, f"{live_server}/staff#book")
    expect(page.get_by_test_id("privacy")).to_contain_text("请向客户宣读")
    expect(page.get_by_test_id("privacy")).to_contain_text("自您最后一次预约结束起保存 365 天")
    page.get_by_test_id("field-product").select_option("consumer-credit")
    page.get_by_test_id(f"day-{next_slot().date().isoformat()}").click()
    page.get_by_test_id("slot-10:00").click()
    page.get_by_test_id("field-name").fill("赵大娘")
    page.get_by_test_id("field-phone").fill("13900000005")
    expect(page.get_by_test_id("consent")).not_to_be_checked()
    page.get_by_test_id("consent").check()
    page.get_by_test_id("submit").click()
    reference = page.get_by_test_id("reference").inner_text()
    booking = db.exec(select(Booking).where(Booking.reference == reference)).one()
    assert booking.source == "staff" and booking.consent_version == "2026-12-v2"


def serious(results) -> list[str]:
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_the_inbox_and_the_wall_have_no_serious_accessibility_violations(browser, live_server, bank):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    book(live_server, bank.code(bank.wang), phone="13900000005", note="下午三点后方便接电话")
    # bypass_csp: axe-core is injected as a script; the pages' CSP (script-src 'self') would
    # refuse it. Only these two contexts bypass the CSP, and only to run the checker.
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                has_touch=True, locale="zh-CN", bypass_csp=True)
    tv = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                             bypass_csp=True)
    try:
        log_in(phone, live_server, bank.boss)
        inbox = open_page(phone, f"{live_server}/staff#inbox")
        expect(inbox.get_by_test_id("bookings").locator("li")).to_have_count(1)
        assert serious(axe.run(inbox)) == []

        log_in(tv, live_server, bank.boss)
        wall = open_page(tv, f"{live_server}/wall")
        expect(wall.get_by_test_id(f"wall-emp-{bank.wang.id}").get_by_test_id("bookings")).to_have_text("1")
        assert serious(axe.run(wall)) == []
    finally:
        phone.close()
        tv.close()
