"""Trust, in headless Chromium: what customers type stays text on every staff screen, the wall
and their own pages; logging out leaves no staff data on the device but keeps a customer's
unsent bookings.

Customers control two fields: their name (20 characters) and the note (200); the channel tag
(40 characters) is the name staff gave the channel code the customer came through, carried by
every booking and visit through it. Bookings are posted the way a phone posts them. The pages'
CSP (script-src 'self') would stop most inline payloads by itself and hide an escaping slip, so
these contexts bypass it: here the escaping alone must keep every payload inert.
"""
import json
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from server.models import Booking, ShopLink
from tests.conftest import PASSWORD, booking_body, next_slot

# One row a customer: whose shop, phone, name, note, channel. Every payload family reaches every
# field it fits in; the last row uses a colleague's phone, so it is also on the flagged list.
CUSTOMERS = [
    ("wang", "13900000011", "<svg onload=__xss=1>", '<img src=x onerror="window.__xss=1">',
     '"><img src=x onerror=window.__xss=1>'),
    ("wang", "13900000012", '"><img src onerror=1', "<script>window.__xss=1</script>",
     "javascript:window.__xss=1"),
    ("li", "13900000013", "javascript:__xss=1", '"><svg onload=window.__xss=1><svg/onload=alert(1)>',
     "<script>window.__xss=1</script>"),
    ("zhao", "13900000014", "<b>{constructor}</b>",
     "javascript:window.__xss=1 </dd></dl><iframe srcdoc=\"<script>parent.__xss=1</script>\">",
     "{constructor}<svg onload=__xss=1>"),
    # A tag a customer may type but staff bookings use: shown as typed, never as "到店".
    ("li", "13900000015", "张大爷", "想办社保卡", "walk-in"),
    ("wang", "13903530002", "<svg/onload=alert()>", "'><details open ontoggle=window.__xss=1>{name}${7*7}",
     "'><a href=javascript:__xss=1>x</a>"),
]
SHOP_CHANNEL = "<img src=x onerror=alert(1)>村口"  # a visit through a channel code of that name
LOGIN_PROBE = "<svg onload=__xss=1>"  # anyone can type a staff number: it lands in the audit log

# Anything that could run: an event-handler attribute, a javascript: URL, a script we did not
# ship, a frame. window.__xss is what the payloads set if one ever runs.
INERT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith("on")) bad.push(`<${el.localName} ${a.name}>`);
      if (/^(href|src|action|formaction|xlink:href|srcdoc|data)$/i.test(a.name) && /^\\s*javascript:/i.test(a.value))
        bad.push(`<${el.localName} ${a.name}=${a.value}>`);
    }
    // The shop page's own: its first module (allowed by hash in its CSP), its data and its words.
    const own = (el.id === "shop-main" && el.type === "module" && el.parentNode === document.head)
      || (["shop-data", "words"].includes(el.id) && el.type === "application/json" && el.parentNode === document.body);
    if (el.localName === "script" && !own && !(el.getAttribute("src") || "").startsWith("/static/")) bad.push("<script>");
    if (["iframe", "frame", "object", "embed", "base"].includes(el.localName)) bad.push(`<${el.localName}>`);
  }
  return { xss: window.__xss === undefined ? null : window.__xss, bad };
}"""


def post(url: str, body: dict) -> dict:
    request = Request(url, data=json.dumps(body).encode(), method="POST",
                      headers={"Content-Type": "application/json"})
    try:
        with urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")
    except HTTPError as error:
        raise AssertionError(f"{url}: {error.code} {error.read().decode()}") from None


@pytest.fixture
def payloads(live_server, bank):
    """The customers' bookings, a visit through a tagged shop link, and a failed login."""
    booked = []
    for i, (who, phone, name, note, channel) in enumerate(CUSTOMERS):
        slot = next_slot(hour=(9, 10, 11, 14, 15, 16)[i]).isoformat()
        code = bank.add(ShopLink(code=f"XSSCODE{i}", employee_id=getattr(bank, who).id, channel=channel)).code
        product = "tax-loan" if who == "zhao" else "consumer-credit"  # what each desk offers
        answer = post(f"{live_server}/api/shops/{code}/bookings",
                      booking_body(name=name, phone=phone, note=note, slot=slot, product=product))
        booked.append({"who": who, "phone": phone, "name": name, "note": note, "channel": channel,
                       "reference": answer["reference"], "token": answer["status_token"]})
    visited = bank.add(ShopLink(code="XSSVISIT", employee_id=bank.wang.id, channel=SHOP_CHANNEL)).code
    post(f"{live_server}/api/shops/{visited}/visits", {})
    with pytest.raises(AssertionError, match="401"):
        post(f"{live_server}/api/staff/login", {"staff_no": LOGIN_PROBE, "password": "wrong"})
    return booked


@pytest.fixture
def desk(browser):
    """A desktop context that ignores the pages' CSP (see the module docstring)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  bypass_csp=True)
    yield context
    context.close()


def watched(context, url: str):
    """A page that records dialogs and script errors: neither may happen."""
    page = context.new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    return page


def assert_inert(page, where: str) -> None:
    state = page.evaluate(INERT)
    assert state == {"xss": None, "bad": []}, f"{where}: {state}"
    assert page.dialogs == [] and page.errors == [], f"{where}: {page.dialogs} {page.errors}"


def log_in(context, base: str, employee) -> None:
    r = context.request.post(f"{base}/api/staff/login",
                             data={"staff_no": employee.staff_no, "password": PASSWORD})
    assert r.ok, r.text()


# --- what customers typed, on every screen that may show it -----------------------------------

STAFF_VIEWS = ["inbox", "shop", "poster", "book", "time", "away"]
MANAGER_VIEWS = ["inbox", "board", "shop", "book", "time", "admin/handover", "admin/away", "admin/kits",
                 "admin/flagged"]
ADMIN_VIEWS = ["inbox", "board", "shop", "admin/roster", "admin/handover", "admin/away", "admin/audit",
               "admin/customer", "admin/kits", "admin/flagged", "admin/org"]
READY = {"inbox": "bookings", "board": "board-range", "shop": "shop-url", "poster": "poster-name",
         "book": "book-form", "time": "save-hours", "away": "away-none", "admin/roster": "adm-roster",
         "admin/handover": "adm-handover", "admin/away": "away-none", "admin/audit": "audit-table",
         "admin/customer": "adm-customer", "admin/kits": "kit-mine", "admin/flagged": "flagged-table",
         "admin/org": "org-branches"}
# Whose bookings each role's inbox shows by default: mine, my branch's, everyone's.
ROLES = {"manager": ("wang", STAFF_VIEWS, {"wang"}),
         "branch head": ("boss", MANAGER_VIEWS, {"wang", "li"}),
         "admin": ("admin", ADMIN_VIEWS, {"wang", "li", "zhao"})}


def check_inbox(page, booked, owners) -> None:
    shown = [b for b in booked if b["who"] in owners]
    expect(page.get_by_test_id("bookings").locator("li.bk")).to_have_count(len(shown))
    for b in shown:
        card = page.get_by_test_id(f"booking-{b['reference']}")
        expect(card.get_by_test_id("booking-name")).to_have_text(b["name"])
        expect(card.get_by_test_id("booking-note")).to_have_text(b["note"])
        expect(card).to_contain_text(b["channel"])


def check_customer_search(page, b) -> None:
    page.get_by_test_id("cust-phone-input").fill(b["phone"])
    page.get_by_test_id("cust-find").click()
    expect(page.get_by_test_id("cust-name")).to_have_text(b["name"])
    expect(page.get_by_test_id("cust-bookings")).to_contain_text(b["note"])


@pytest.mark.parametrize("role", ROLES)
def test_markup_typed_by_customers_stays_text_on_every_staff_screen_and_the_wall(
        role, desk, live_server, bank, payloads):
    who, views, owners = ROLES[role]
    log_in(desk, live_server, getattr(bank, who))
    page = watched(desk, f"{live_server}/staff#inbox")
    for view in views:
        page.goto(f"{live_server}/staff#{view}")
        expect(page.get_by_test_id(READY[view]).first).to_be_visible()
        if view == "inbox":
            check_inbox(page, payloads, owners)
        elif view == "admin/customer":
            for b in payloads:
                check_customer_search(page, b)
        elif view == "admin/audit":
            from server.audit.service import mask  # a typed staff number is kept masked: "<S****1>"

            expect(page.get_by_test_id("audit-table")).to_contain_text(f"工号 {mask(LOGIN_PROBE)}")
        elif view == "admin/flagged":
            expect(page.get_by_test_id("flagged-table").locator("li.bk")).to_have_count(1)
        assert_inert(page, f"{role} #{view}")

    wall = watched(desk, f"{live_server}/wall")
    # 王丽's third booking is flagged (a colleague's phone): left out of the rankings
    expect(wall.get_by_test_id(f"wall-emp-{bank.wang.id}").get_by_test_id("bookings")).to_have_text("2")
    assert_inert(wall, f"{role} /wall")


def test_the_channel_funnel_returns_tags_as_json_data_never_as_a_page(desk, live_server, bank, payloads):
    # No screen draws the funnel yet: it is JSON, and a browser sent to it must not render it.
    log_in(desk, live_server, bank.admin)
    r = desk.request.get(f"{live_server}/api/boards/funnel/channel?period=today")
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"
    keys = {row["key"] for row in r.json()["rows"]}
    counted = payloads[:-1]  # the flagged booking is left out of the funnel too
    assert {b["channel"] for b in counted} | {SHOP_CHANNEL} <= keys


def test_markup_stays_text_on_the_customers_own_pages(browser, live_server, bank, payloads):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN", bypass_csp=True)
    try:
        for b in payloads:
            page = watched(context, f"{live_server}/b/#{b['token']}")
            expect(page.get_by_test_id("status-view")).to_contain_text(b["note"])
            assert_inert(page, f"status page of {b['reference']}")
            page.close()
        shop = watched(context, f"{live_server}/s/{bank.code(bank.wang)}?c={quote(SHOP_CHANNEL)}")
        expect(shop.get_by_test_id("shop-card")).to_contain_text(bank.wang.name)
        assert_inert(shop, "shop with a tagged link")
    finally:
        context.close()


# --- logging out ------------------------------------------------------------------------------

# Everything a page of this origin keeps: Cache Storage (cache → paths), storage keys,
# IndexedDB databases and how many bookings wait in the customer outbox.
STORAGE = """async () => {
  const cached = {};
  for (const name of await caches.keys()) {
    cached[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
  }
  const dbs = (await indexedDB.databases()).map((d) => d.name).sort();
  const outbox = !dbs.includes("yryd") ? 0 : await new Promise((resolve, reject) => {
    const open = indexedDB.open("yryd");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const count = open.result.transaction("outbox").objectStore("outbox").count();
      count.onsuccess = () => { open.result.close(); resolve(count.result); };
    };
  });
  return { cached, local: Object.keys(localStorage).sort(), session: Object.keys(sessionStorage), dbs, outbox };
}"""

# What a staff app might leave behind besides the shop data it fetches: a cache of its own,
# an API answer in the service worker's runtime cache, a draft in sessionStorage, a database.
LEFTOVERS = """async () => {
  await (await caches.open("yryd-staff-test")).put("/api/staff/bookings", new Response('{"items": []}'));
  await (await caches.open("yryd-runtime-1")).put("/api/staff/me", new Response("{}"));
  sessionStorage.setItem("yryd.staff.draft", "draft");
  await new Promise((resolve) => {
    const open = indexedDB.open("yryd-staff-test", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("s");
    open.onsuccess = () => { open.result.close(); resolve(); };
  });
}"""


@pytest.fixture
def tablet(browser):
    """A branch's counter tablet: customers book on it, staff sign in on it."""
    context = browser.new_context(viewport={"width": 800, "height": 1000}, locale="zh-CN")
    yield context
    context.close()


def book_offline(tablet, shop_url: str) -> None:
    """A customer books in the shop while the network is down: the booking waits in the outbox."""
    shop = tablet.new_page()
    shop.goto(shop_url)
    shop.evaluate("navigator.serviceWorker.ready.then(() => true)")
    shop.reload()  # controlled by the service worker from now on
    shop.get_by_test_id("book-button").click()
    day = shop.get_by_test_id(f"day-{next_slot().date().isoformat()}")
    expect(day).to_be_visible()
    tablet.set_offline(True)
    shop.goto(shop_url)
    shop.get_by_test_id("book-button").click()
    shop.get_by_test_id("field-product").select_option("consumer-credit")
    day.click()
    shop.get_by_test_id("slot-10:00").click()
    shop.get_by_test_id("field-name").fill("孙阿姨")
    shop.get_by_test_id("field-phone").fill("13900000021")
    shop.get_by_test_id("consent").check()
    shop.get_by_test_id("submit").click()
    expect(shop.get_by_test_id("offline-notice")).to_be_visible()
    shop.close()  # closed before the network returns, so nothing sends it yet
    tablet.set_offline(False)


def test_logging_out_clears_staff_data_but_keeps_a_customers_unsent_booking(tablet, live_server, bank, db):
    shop_url = f"{live_server}/s/{bank.code(bank.wang)}"
    book_offline(tablet, shop_url)

    # An employee signs in, opens the booking form (their shop's data comes through the
    # service worker) and turns on new-booking alerts.
    staff = tablet.new_page()
    staff.goto(f"{live_server}/staff")
    staff.get_by_test_id("staff-no").fill(bank.li.staff_no)
    staff.get_by_test_id("password").fill(PASSWORD)
    staff.get_by_test_id("login-submit").click()
    staff.get_by_test_id("tab-book").click()
    expect(staff.get_by_test_id(f"day-{next_slot().date().isoformat()}")).to_be_visible()
    staff.get_by_test_id("tab-inbox").click()
    staff.get_by_test_id("alerts").click()
    staff.evaluate(LEFTOVERS)
    before = staff.evaluate(STORAGE)
    assert f"/api/shops/{bank.code(bank.li)}" in before["cached"]["yryd-runtime-1"]
    assert "yryd.staff.alert" in before["local"] and before["outbox"] == 1

    with staff.expect_response("**/api/staff/logout") as logout:
        staff.get_by_test_id("logout").click()
    expect(staff.get_by_test_id("login-notice")).to_be_visible()
    assert logout.value.all_headers()["clear-site-data"] == '"cache"'  # the HTTP cache, no storage

    after = staff.evaluate(STORAGE)
    [shell] = after["cached"]  # the service worker's static files, the same for everyone
    assert shell.startswith("yryd-shell-")
    assert all(p.startswith("/static/") or p == "/b/" for p in after["cached"][shell]), after["cached"]
    assert not [k for k in after["local"] if k.startswith("yryd.staff.")]
    assert after["session"] == [] and after["dbs"] == ["yryd"]
    assert after["outbox"] == 1 and "yryd.device" in after["local"]  # the customer's stays

    # The shop, opened again online, sends the waiting booking.
    shop = tablet.new_page()
    with shop.expect_response(lambda r: r.url.endswith("/bookings") and r.request.method == "POST") as sent:
        shop.goto(shop_url)
    assert sent.value.status == 201
    db.rollback()  # end the previous read: SQLite (WAL) would keep showing its snapshot
    [booking] = db.exec(select(Booking)).all()
    assert booking.name == "孙阿姨" and booking.employee_id == bank.wang.id
