"""Lists that scale: the staff and branch booking lists and the audit log are read a page at a
time by an opaque keyset cursor and searched by reference or phone tail, within the viewer's
scope only; a reveal asks for a reason and is audited; a booking says which shop it came through."""
from datetime import timedelta

import pytest
from sqlmodel import select

from server.models import AuditEntry, Booking, ShopLink

PAGE = 4


def booked(book, code, n, start=0, **overrides):
    """`n` call-back bookings through a shop, each from its own number (13900000<start+i>)."""
    refs = []
    for i in range(start, start + n):
        r = book(code, phone=f"139000{i:05d}", slot=None, callback=True, **overrides)
        assert r.status_code == 201, r.get_json()
        refs.append(r.get_json()["reference"])
    return refs


def walk(client, url, on_page=lambda: None):
    """Every page of a list, following next_cursor; `on_page` runs between pages."""
    seen, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in url else "?"
        r = client.get(f"{url}{sep}limit={PAGE}" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status_code == 200, r.get_json()
        answer = r.get_json()
        assert len(answer["items"]) <= PAGE
        seen += answer["items"]
        pages += 1
        cursor = answer["next_cursor"]
        if cursor is None:
            return seen, pages
        on_page()


def test_paging_the_branch_list_walks_every_booking_once_while_new_bookings_arrive(bank, book, login, db):
    refs = booked(book, bank.code(bank.li), 7) + booked(book, bank.code(bank.wang), 4, start=7)
    booked(book, bank.code(bank.zhao), 2, start=20, product="tax-loan")  # another branch: never listed
    # Four made in the same microsecond: the id breaks the tie, so none is skipped or repeated.
    same = db.exec(select(Booking).where(Booking.reference.in_(refs[3:7]))).all()
    for b in same:
        b.created_at = same[0].created_at
        db.add(b)
    db.commit()
    arrivals = iter(range(30, 60))

    def someone_books():
        booked(book, bank.code(bank.li), 1, start=next(arrivals))

    items, pages = walk(login(bank.boss), "/api/staff/bookings?scope=branch", someone_books)
    listed = [b["reference"] for b in items]
    assert sorted(listed) == sorted(refs) and pages == 3  # each once; the newcomers sort before the cursor
    assert all(b["phone"].startswith("139****") for b in items)  # masked for the branch head
    times = [(b["created_at"]) for b in items]
    assert times == sorted(times, reverse=True)


def test_my_list_pages_too_and_the_default_page_keeps_its_old_shape(bank, book, login):
    refs = booked(book, bank.code(bank.wang), 5)
    c = login(bank.wang)
    items, pages = walk(c, "/api/staff/bookings")
    assert [b["reference"] for b in items] == refs[::-1] and pages == 2
    whole = c.get("/api/staff/bookings").get_json()
    assert len(whole["items"]) == 5 and whole["next_cursor"] is None


@pytest.mark.parametrize("query, field", [
    ("cursor=not-a-cursor!", "cursor"), ("cursor=%E4%BD%A0%E5%A5%BD", "cursor"), ("cursor=AAAA", "cursor"),
    ("cursor=" + "A" * 500, "cursor"), ("cursor=MTIzLjA", "cursor"), ("cursor=LTEuNQ", "cursor"),
    ("q=13900000001", "q"), ("q=123", "q"), ("q=%3Cscript%3E", "q"), ("q=YQ", "q"), ("q=" + "Y" * 300, "q"),
    ("limit=abc", "limit"), ("limit=99999999999999", "limit")])
def test_a_bad_cursor_search_or_limit_is_a_422_naming_its_field_in_chinese(bank, login, query, field):
    c = login(bank.admin)
    for url in (f"/api/staff/bookings?scope=all&{query}", f"/api/audit?{query}"):
        r = c.get(url)
        assert r.status_code == 422, (url, r.get_data(as_text=True)[:200])
        assert set(r.get_json()["fields"]) == {field}


def test_a_whole_number_is_refused_so_a_search_never_unmasks_the_hidden_digits(bank, book, login):
    booked(book, bank.code(bank.li), 1)
    r = login(bank.boss).get("/api/staff/bookings?scope=branch&q=139 0000 0000")
    assert r.status_code == 422 and r.get_json()["fields"]["q"] == "按手机号查找只能输入后 4 位。"
    english = login(bank.boss).get("/api/staff/bookings?scope=branch&q=1390000", headers={"Accept-Language": "en"})
    assert english.get_json()["fields"]["q"] == "Search by phone with its last 4 digits only."


def test_search_by_reference_and_phone_tail_finds_only_what_the_viewers_scope_holds(bank, book, login, app):
    li = booked(book, bank.code(bank.li), 2)  # 13900000000, 13900000001
    wang = booked(book, bank.code(bank.wang), 1, start=10001)  # ends 0001 too
    city = booked(book, bank.code(bank.zhao), 1, start=20001, product="tax-loan")  # and again 0001
    boss, city_boss, admin = login(bank.boss), login(bank.city_boss), login(bank.admin)

    def found(c, query, scope="branch"):
        r = c.get(f"/api/staff/bookings?scope={scope}&q={query}")
        assert r.status_code == 200, r.get_json()
        return {b["reference"] for b in r.get_json()["items"]}

    assert found(boss, li[0]) == {li[0]} and found(boss, li[0].lower()) == {li[0]}
    assert found(boss, li[0][:5]) >= {li[0]}  # the start of a reference
    assert found(boss, "0001") == {li[1], wang[0]}
    assert found(admin, "0001", "all") == {li[1], wang[0], city[0]}
    # A branch head cannot find another branch's booking, by reference or by number.
    assert found(city_boss, li[0]) == set() and found(city_boss, "0001") == {city[0]}
    assert found(boss, city[0]) == set()
    # Staff search their own bookings only: a colleague's customer's tail finds nothing.
    assert found(login(bank.wang), "0001", "mine") == {wang[0]}
    assert found(login(bank.wang), li[1], "mine") == set()
    # And nobody searches without logging in.
    assert app.test_client().get("/api/staff/bookings?q=0001").status_code == 401


def test_the_audit_log_pages_by_cursor_and_is_searched_by_reference_and_phone_tail(bank, book, login, db):
    li = booked(book, bank.code(bank.li), 2)
    city = booked(book, bank.code(bank.zhao), 1, start=20001, product="tax-loan")
    owner, zhao = login(bank.li), login(bank.zhao)
    for ref in li:
        assert owner.post(f"/api/staff/bookings/{ref}/status", json={"status": "contacted"}).status_code == 200
    zhao.post(f"/api/staff/bookings/{city[0]}/status", json={"status": "contacted"})
    admin = login(bank.admin)
    every = db.exec(select(AuditEntry.id)).all()
    items, pages = walk(admin, "/api/audit", lambda: owner.post("/api/staff/logout"))
    assert len(items) == len(every) and pages == -(-len(every) // PAGE)  # all, once: the logouts came later
    times = [e["at"] for e in items]
    assert times == sorted(times, reverse=True)

    def found(c, query):
        r = c.get(f"/api/audit?q={query}")
        assert r.status_code == 200, r.get_json()
        return [(e["action"], e["target"].split("（")[0]) for e in r.get_json()["items"]]

    assert found(admin, li[1]) == [("status_changed", f"预约 {li[1]}")]
    assert found(admin, "0001") == [("status_changed", f"预约 {city[0]}"), ("status_changed", f"预约 {li[1]}")]
    assert found(login(bank.boss), "0001") == [("status_changed", f"预约 {li[1]}")]  # their branch only
    assert found(login(bank.city_boss), li[1]) == []


def test_revealing_a_number_needs_a_reason_which_the_audit_log_shows_with_digits_masked(bank, book, login):
    deputy = bank.employee("YQ0011", "副支行长", bank.rural, role="branch_manager")
    ref = booked(book, bank.code(bank.li), 1, start=5678)[0]
    boss = login(bank.boss)
    listed = boss.get("/api/staff/bookings?scope=branch").get_json()["items"][0]
    assert (listed["phone"], listed["phone_masked"], listed["can_reveal"]) == ("139****5678", True, True)
    for body in ({}, {"reason": "  "}, {"reason": "\u0000"}, {"reason": "因" * 201}):
        r = boss.post(f"/api/staff/bookings/{ref}/reveal", json=body)
        assert r.status_code == 422 and list(r.get_json()["fields"]) == ["reason"], (body, r.get_json())
    admin = login(bank.admin)
    assert admin.get("/api/audit?action=phone_revealed").get_json()["items"] == []
    r = boss.post(f"/api/staff/bookings/{ref}/reveal", json={"reason": "李强休假，代为回访 13912345678"})
    assert r.get_json() == {"reference": ref, "phone": "13900005678"}
    [entry] = admin.get("/api/audit?action=phone_revealed").get_json()["items"]
    assert entry["detail"] == "原因：李强休假，代为回访 139****5678" and entry["actor"] == "张支行长（YQ0009）"
    assert entry["target"] == f"预约 {ref}（刘** 139****5678）"
    # Its own manager sees the number (nothing to reveal); a peer's customer stays masked, unrevealable.
    assert login(bank.li).get("/api/staff/bookings").get_json()["items"][0]["can_reveal"] is False
    peer = booked(book, bank.code(deputy), 1, start=7000)[0]
    mine = {b["reference"]: b for b in boss.get("/api/staff/bookings?scope=branch").get_json()["items"]}
    assert mine[peer]["can_reveal"] is False
    assert boss.post(f"/api/staff/bookings/{peer}/reveal", json={"reason": "查看"}).status_code == 403


def test_each_booking_says_which_shop_or_channel_code_it_came_through(bank, book, login, prove, db):
    first = booked(book, bank.code(bank.li), 1, start=8888)[0]  # binds 13900008888 to 李强
    wang = login(bank.wang)
    market = wang.post("/api/staff/channel-codes", json={"channel": "冠山集市"}).get_json()["code"]
    grid = wang.post("/api/staff/channel-codes", json={"channel": "村委会", "grid": True}).get_json()["code"]
    # The customer comes back through 王丽's market poster, proves the number: 李强 serves them.
    again = book(market, phone="13900008888", slot=None, callback=True, headers=prove("13900008888")).get_json()
    stranger = booked(book, grid, 1, start=9999)[0]
    items = {b["reference"]: b for b in login(bank.boss).get("/api/staff/bookings?scope=branch").get_json()["items"]}
    assert {k: items[first][k] for k in ("shop_code", "shop_owner", "channel", "shop_grid", "route_reason")} == {
        "shop_code": bank.code(bank.li), "shop_owner": "李强", "channel": "", "shop_grid": "",
        "route_reason": "new_customer"}
    came = items[again["reference"]]
    assert (came["employee"], came["shop_owner"], came["shop_code"], came["channel"], came["route_reason"]) == (
        "李强", "王丽", market, "冠山集市", "dedicated")
    assert (items[stranger]["shop_grid"], items[stranger]["channel"], items[stranger]["shop_owner"]) == (
        "冠山网格", "村委会", "王丽")
    link = db.exec(select(ShopLink).where(ShopLink.code == market)).one()
    assert items[again["reference"]]["shop_owner_id"] == link.employee_id == bank.wang.id
    # A booking made at the counter names who made it.
    made = wang.post("/api/staff/bookings", json={"name": "代客", "phone": "13900007777", "product": "consumer-credit",
                                                  "callback": True, "consent": True, "consent_version": "2026-12-v2",
                                                  "channel": "phone"}).get_json()
    assert (made["source"], made["channel"], made["shop_owner"]) == ("staff", "phone", "王丽")


def test_the_cursor_is_a_position_only_a_forged_one_shows_nothing_outside_the_scope(bank, book, login):
    from server import listing
    from server.models import utcnow

    booked(book, bank.code(bank.zhao), 2, product="tax-loan")
    mine = booked(book, bank.code(bank.li), 1, start=100)
    forged = listing.encode(utcnow() + timedelta(days=1), 2**31 - 1)
    r = login(bank.boss).get(f"/api/staff/bookings?scope=branch&cursor={forged}")
    assert [b["reference"] for b in r.get_json()["items"]] == mine
