"""The channel-code screen (渠道码, /staff#channels) in headless Chromium, on a phone (390×844) and a
desktop (1920×1080): the empty state says what to do first; make, rename, retire; numbers drawn
as bars and updated live; the poster downloads and scans; a retired code's link says so and offers
the owner's shop. Screenshots go to /tmp/shots/channels/.
"""
import json
import os
import shutil
import subprocess
from urllib.request import Request, urlopen

from playwright.sync_api import expect

from tests.conftest import booking_body
from tests.test_browser_staff import LIVE, log_in, open_page, serious, wait_live

SHOTS = "/tmp/shots/channels"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1920, "height": 1080}}


def post(url: str, body: dict, headers: dict | None = None) -> None:
    request = Request(url, data=json.dumps(body).encode(), method="POST",
                      headers={"Content-Type": "application/json", **(headers or {})})
    urlopen(request, timeout=10).close()


def shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_on_a_phone_i_make_rename_print_and_retire_a_channel_code(browser, live_server, bank, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(locale="zh-CN", bypass_csp=True, **PHONE)  # bypass_csp: for axe-core
    try:
        log_in(context, live_server, bank.li)
        page = open_page(context, f"{live_server}/staff#shop")
        page.get_by_test_id("channels-link").click()
        expect(page.get_by_test_id("ch-empty")).to_contain_text("先在上面填写名称")
        wait_live(page)
        shot(page, "channels-phone-empty")

        page.get_by_test_id("ch-create").click()  # nothing typed: said under the field
        expect(page.get_by_test_id("err-channel")).to_have_text("请填写渠道名称。")
        page.get_by_test_id("ch-name-input").fill("村口海报")
        page.get_by_test_id("ch-create").click()
        expect(page.get_by_test_id("ch-made")).to_contain_text("村口海报")
        page.get_by_test_id("ch-name-input").fill("村口海报")
        page.get_by_test_id("ch-create").click()  # the same name again: the server's words, by the field
        expect(page.get_by_test_id("err-channel")).to_have_text("你已有一个同名的渠道码，请换一个名称。")
        page.get_by_test_id("ch-name-input").fill("赶集宣传")
        page.get_by_test_id("ch-create").click()
        expect(page.locator(".ch")).to_have_count(2)

        poster = page.locator(".ch", has_text="村口海报")
        code = poster.locator(".ch-code").inner_text()
        for device in ("p1", "p2", "p3"):  # three phones scan the poster, one books: pushed live
            post(f"{live_server}/api/shops/{code}/visits", {}, {"X-Device-Id": device})
        post(f"{live_server}/api/shops/{code}/bookings", booking_body(), {"X-Device-Id": "p1"})
        expect(poster.get_by_test_id("visits")).to_have_text("3", timeout=LIVE)
        expect(poster.get_by_test_id("bookings")).to_have_text("1")
        expect(poster.locator(".f-visits .f-fill")).to_have_count(1)  # drawn, not only listed
        expect(page.locator(".ch", has_text="赶集宣传").locator(".f-fill")).to_have_count(0)

        poster.get_by_test_id("ch-rename").click()
        page.get_by_test_id("ch-rename-input").fill("东村口海报")
        page.get_by_test_id("ch-rename-save").click()
        renamed = page.get_by_test_id(f"ch-{code}")
        expect(renamed.get_by_test_id("ch-name")).to_have_text("东村口海报")
        expect(renamed.get_by_test_id("visits")).to_have_text("3")  # its past goes with it

        with page.expect_download() as got:
            renamed.get_by_test_id("ch-png").click()
        path = tmp_path / "poster.png"
        got.value.save_as(path)
        if shutil.which("zbarimg"):
            done = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, timeout=30)
            assert done.stdout.decode().strip() == f"{live_server}/s/{code}"
        expect(renamed.get_by_test_id("ch-file")).to_be_visible()
        assert serious(Axe().run(page)) == []
        shot(page, "channels-phone")

        renamed.get_by_test_id("ch-retire").click()
        expect(renamed.get_by_test_id("confirm")).to_contain_text("东村口海报")
        renamed.get_by_test_id("confirm-yes").click()
        old = page.get_by_test_id("ch-old")
        expect(old).to_contain_text("已停用的渠道码（1）")
        old.locator("summary").click()
        expect(old.get_by_test_id(f"ch-{code}").get_by_test_id("ch-retired")).to_be_visible()
        expect(old.get_by_test_id(f"ch-{code}").get_by_test_id("visits")).to_have_text("3")
        shot(page, "channels-phone-retired")

        shop = open_page(context, f"{live_server}/s/{code}")  # the customer who scans it now
        expect(shop.get_by_test_id("shop-error")).to_contain_text("这个二维码已停用")
        expect(shop.get_by_test_id("successor-link")).to_have_attribute("href", f"{live_server}/s/{bank.code(bank.li)}")
        shot(shop, "channels-phone-retired-scan")
        assert page.dialogs == [] and len(page.loads) == 1
    finally:
        context.close()


def test_on_a_desktop_a_branch_head_sees_their_peoples_codes_in_both_languages(browser, live_server, bank):
    for who, name, visits in ((bank.li, "村口海报", 2), (bank.wang, "冠山庙会", 1), (bank.zhao, "城区商户走访", 0)):
        context = browser.new_context()
        log_in(context, live_server, who)
        token = context.request.get(f"{live_server}/api/staff/me").json()["csrf_token"]
        r = context.request.post(f"{live_server}/api/staff/channel-codes", data={"channel": name},
                                 headers={"X-CSRFToken": token})
        assert r.ok, r.text()
        code = r.json()["code"]
        context.close()
        for device in range(visits):
            post(f"{live_server}/api/shops/{code}/visits", {}, {"X-Device-Id": f"p{device}"})
    context = browser.new_context(locale="zh-CN", **DESKTOP)
    try:
        log_in(context, live_server, bank.boss)
        page = open_page(context, f"{live_server}/staff#channels")
        expect(page.get_by_test_id("ch-empty")).to_be_visible()  # the boss has none of their own
        page.get_by_test_id("ch-scope-team").click()
        cards = page.locator(".ch")
        expect(cards).to_have_count(2)  # 李强's and 王丽's; 赵敏 works at another branch
        expect(page.locator(".ch", has_text="村口海报").get_by_test_id("ch-owner")).to_have_text("李强")
        expect(page.locator(".ch", has_text="村口海报").get_by_test_id("visits")).to_have_text("2")
        shot(page, "channels-desktop-team")
        page.get_by_test_id("lang-switch").click()
        expect(page.locator("h1")).to_have_text("Channel codes")
        expect(page.get_by_test_id("ch-scope-team")).to_have_attribute("aria-pressed", "true")
        expect(page.locator(".ch", has_text="冠山庙会").get_by_test_id("ch-retire")).to_have_text("Retire")
        shot(page, "channels-desktop-en")
    finally:
        context.close()
