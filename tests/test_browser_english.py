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


def test_an_admin_writes_english_for_a_product_and_a_bio_on_the_organisation_screen(browser, live_server, bank, client):
    from tests.test_browser_admin import log_in, open_page

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    log_in(desk, live_server, bank.admin)
    page = open_page(desk, f"{live_server}/staff#admin/org")
    credit = bank.products[0]
    page.get_by_test_id(f"org-edit-products-{credit.id}").click()
    page.get_by_test_id("org-name_en").fill("Consumer credit loan")
    page.get_by_test_id("org-documents_en").fill("ID card, both sides\nproof of income")
    page.get_by_test_id("org-save").click()
    expect(page.get_by_test_id("org-table-products")).to_contain_text("Consumer credit loan")

    page.get_by_test_id("org-people-q").fill("李强")
    page.get_by_test_id("org-people-find").click()
    page.get_by_test_id(f"org-edit-employees-{bank.li.id}").click()
    page.get_by_test_id("org-title_en").fill("Micro-loan account manager")
    page.get_by_test_id("org-intro_en").fill("Farm loans, any season.")
    page.screenshot(path="/tmp/english-admin.png", full_page=True)
    page.get_by_test_id("org-save").click()
    expect(page.get_by_test_id("org-table-employees")).to_contain_text("Micro-loan account manager")
    desk.close()

    shop = client.get(f"/api/shops/{bank.code(bank.li)}").get_json()
    assert shop["manager"]["intro_en"] == "Farm loans, any season."
    product = next(p for p in shop["products"] if p["code"] == credit.code)
    assert (product["name_en"], product["documents_en"]) == ("Consumer credit loan", ["ID card, both sides", "proof of income"])
