"""A dead shop link in a real browser (390x844): the hotline, the branches, the shop meant; and a
live shop drawn from the data its page carries."""
import pytest
from sqlmodel import select

from server.models import Branch, ShopLink

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402


@pytest.fixture
def phone390(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    yield context
    context.close()


def mistyped_bank(db, bank):
    db.add(ShopLink(code="8KQ3MN7P", employee_id=bank.wang.id))
    city = db.exec(select(Branch).where(Branch.id == bank.city.id)).one()
    city.phone = "0353-2021234"
    db.add(city)
    db.commit()


def test_a_mistyped_code_shows_the_shop_meant_the_hotline_and_the_branches(live_server, phone390, db, bank):
    mistyped_bank(db, bank)
    page = phone390.new_page()
    page.goto(f"{live_server}/s/8KQ3MN1P")  # a 1 where the poster says 7: no code has a 1
    expect(page.get_by_test_id("shop-error")).to_contain_text("这个店铺链接打不开")
    expect(page.get_by_test_id("hotline-call")).to_have_attribute("href", "tel:0353-96511")
    expect(page.get_by_test_id("branch")).to_have_count(2)
    expect(page.get_by_test_id("branch").first).to_contain_text("阳泉市城区桃北中街1号")
    expect(page.get_by_test_id("branch-call")).to_have_attribute("href", "tel:0353-2021234")
    page.screenshot(path="/tmp/weaknet-deadend-zh.png", full_page=True)
    page.get_by_test_id("suggestion-link").click()
    expect(page.get_by_test_id("shop-card")).to_contain_text("王丽")


def test_an_unknown_code_in_english(live_server, phone390, db, bank):
    mistyped_bank(db, bank)
    phone390.add_init_script("localStorage.setItem('yryd.lang', 'en')")
    page = phone390.new_page()
    page.goto(f"{live_server}/s/ZZZZ2345")
    expect(page.get_by_test_id("shop-error")).to_contain_text("This shop link leads nowhere")
    expect(page.get_by_test_id("hotline-call")).to_contain_text("Call the hotline 0353-96511")
    expect(page.get_by_test_id("suggestion-link")).to_have_count(0)
    expect(page.get_by_test_id("branch")).to_have_count(2)
    page.screenshot(path="/tmp/weaknet-deadend-en.png", full_page=True)


def test_the_shop_is_drawn_from_its_page_without_asking_the_api(live_server, phone390, bank):
    page = phone390.new_page()
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/shops/SHOP0001" == r.url.split(live_server)[-1] else None)
    page.goto(f"{live_server}/s/SHOP0001")
    expect(page.get_by_test_id("book-button")).to_be_visible()
    expect(page.get_by_test_id("shop-card")).to_contain_text("王丽")
    assert asked == []
    page.screenshot(path="/tmp/weaknet-shop.png")
    page.get_by_test_id("book-button").click()  # the form's modules come after the card
    expect(page.get_by_test_id("booking-form")).to_be_visible()
