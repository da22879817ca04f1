"""The shop in English on a phone: products, bio, level, branch and address in English, falling
back to the Chinese where no English was written."""
import pytest

from tests.conftest import next_slot

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402


@pytest.fixture
def english_phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="en")
    yield context
    context.close()


def test_a_customer_reads_the_shop_and_the_confirmation_in_english(live_server, english_phone, db, bank):
    credit = bank.products[0]
    credit.name_en, credit.summary_en = "Consumer credit loan", "On your personal credit alone."
    credit.audience, credit.audience_en, credit.amount = "城乡居民", "Town and village residents", "最高30万元"
    credit.documents, credit.documents_en = "身份证、收入证明", "ID card、proof of income"
    bank.rural.name_en, bank.rural.address_en = "Pingding Branch", "Guanshan Town, Pingding County"
    bank.wang.title_en, bank.wang.intro_en = "Micro-loan account manager", "Ten years with Pingding's farmers."
    bank.wang.level = "mid"
    db.add_all([credit, bank.rural, bank.wang])
    db.commit()

    page = english_phone.new_page()
    page.goto(f"{live_server}/s/SHOP0001")
    expect(page.get_by_test_id("book-button")).to_be_visible()
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html[lang=en]")).to_have_count(1)
    card = page.get_by_test_id("shop-card")
    expect(page.get_by_test_id("manager-level")).to_contain_text("Mid-level account manager · Micro-loans")
    expect(page.get_by_test_id("manager-level")).to_contain_text("Micro-loan account manager")
    expect(page.get_by_test_id("manager-intro")).to_have_text("Ten years with Pingding's farmers.")
    expect(page.get_by_test_id("manager-branch")).to_contain_text("Pingding Branch")
    expect(page.get_by_test_id("manager-branch")).to_contain_text("Guanshan Town, Pingding County")
    expect(card).to_contain_text("冠山网格")  # no English written for the grid: the Chinese, not nothing
    expect(page.get_by_test_id("product-consumer-credit")).to_have_text("Consumer credit loan")
    expect(page.get_by_test_id("product-nuanshang")).to_contain_text("暖商贷")
    page.screenshot(path="/tmp/english-shop.png", full_page=True)

    page.get_by_test_id("product-consumer-credit").click()
    detail = page.get_by_test_id("product-detail")
    expect(detail.locator("h1")).to_have_text("Consumer credit loan")
    expect(detail).to_contain_text("Town and village residents")
    expect(detail).to_contain_text("最高30万元")  # the amount has no English: shown in Chinese
    expect(page.get_by_test_id("documents")).to_contain_text("proof of income")
    page.screenshot(path="/tmp/english-product.png", full_page=True)

    page.get_by_test_id("back-button").click()
    page.get_by_test_id("book-button").click()
    page.get_by_test_id("field-product").select_option("consumer-credit")
    page.get_by_test_id(f"day-{next_slot().date().isoformat()}").click()
    page.get_by_test_id("slot-10:00").click()
    page.get_by_test_id("field-name").fill("Liu")
    page.get_by_test_id("field-phone").fill("13812345678")
    expect(page.get_by_test_id("privacy")).to_contain_text("365 days after your last appointment")
    page.get_by_test_id("consent").check()
    page.get_by_test_id("submit").click()
    confirmation = page.get_by_test_id("confirmation")
    expect(confirmation).to_contain_text("Consumer credit loan")
    expect(confirmation).to_contain_text("Pingding Branch")
    expect(confirmation).to_contain_text("Guanshan Town, Pingding County")
    page.screenshot(path="/tmp/english-done.png", full_page=True)

    page.get_by_test_id("lang-switch").click()  # back to Chinese, from the same payload
    expect(page.locator("html[lang=zh-CN]")).to_have_count(1)
    page.goto(f"{live_server}/s/SHOP0001")
    expect(page.get_by_test_id("manager-level")).to_contain_text("中级客户经理")
    expect(page.get_by_test_id("product-consumer-credit")).to_have_text("消费信用贷")
