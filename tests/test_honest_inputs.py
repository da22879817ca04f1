"""Honest inputs: a booking's or visit's channel comes from its shop code only, and a shop
books only the products it offers."""
from datetime import timedelta

from sqlmodel import func, select

from server.clock import local_day
from server.models import Booking, Event, FunnelStat, OutOfOffice, Product, ShopLink, utcnow


def poster_code(bank, db, employee, channel="村口海报", code="POSTER01"):
    db.add(ShopLink(code=code, employee_id=employee.id, channel=channel))
    db.commit()
    return code


def channels(db):
    db.commit()
    return {c for c in db.exec(select(FunnelStat.channel))}


def test_a_booking_cannot_invent_a_channel(bank, book, db):
    r = book(bank.code(bank.li), channel="made-up poster")
    assert r.status_code == 201, r.get_json()
    db.commit()
    assert db.exec(select(Booking.channel)).one() == ""
    assert channels(db) == {""}


def test_a_booking_through_a_channel_code_counts_for_that_channel_whatever_the_page_says(bank, book, db):
    code = poster_code(bank, db, bank.li)
    assert book(code, channel="").status_code == 201
    assert book(code, phone="13900000001", channel="朋友圈", callback=True).status_code == 201
    db.commit()
    assert db.exec(select(Booking.channel)).all() == ["村口海报", "村口海报"]
    assert channels(db) == {"村口海报"}


def test_a_visit_cannot_invent_a_channel_and_a_query_tag_makes_no_funnel_row(bank, client, db):
    assert client.post(f"/api/shops/{bank.code(bank.li)}/visits", json={"channel": "c=anything"}).status_code == 204
    code = poster_code(bank, db, bank.li)
    assert client.post(f"/api/shops/{code}/visits", json={"channel": "朋友圈", "visitor": "v1"}).status_code == 204
    db.commit()
    assert sorted(db.exec(select(Event.channel))) == ["", "村口海报"]
    assert channels(db) == {"", "村口海报"}


def test_an_agricultural_mortgage_cannot_be_booked_through_a_corporate_track_shop(bank, book, client, db):
    db.add(Product(code="agri-mortgage", name="三农抵押贷", line="agri", method="mortgage", sort=5))
    db.commit()
    corporate = bank.code(bank.zhao)
    assert "agri-mortgage" not in [p["code"] for p in client.get(f"/api/shops/{corporate}").get_json()["products"]]
    r = book(corporate, product="agri-mortgage")
    assert r.status_code == 422
    assert r.get_json()["fields"] == {"product": "这家店不办理这项业务，请从本店列出的业务中选择。"}
    r = book(corporate, product="agri-mortgage", headers={"Accept-Language": "en"})
    assert r.get_json()["fields"]["product"].startswith("This shop does not offer that product")
    db.commit()
    assert db.exec(select(func.count()).select_from(Booking)).one() == 0
    assert book(bank.code(bank.li), product="agri-mortgage").status_code == 201  # a micro-loan shop does
    assert book(corporate, product="tax-loan", phone="13900000002").status_code == 201


def test_an_inactive_product_cannot_be_booked(bank, book, db):
    credit = bank.products[0]
    credit.active = False
    db.add(credit)
    db.commit()
    assert book(bank.code(bank.li)).get_json()["fields"] == {"product": "请选择要办理的业务。"}


def test_a_shop_whose_owner_is_away_offers_what_the_delegate_offers(bank, book, client, db):
    today = local_day(utcnow())
    db.add(OutOfOffice(employee_id=bank.zhao.id, start=today, end=today + timedelta(days=30),
                       delegate_id=bank.li.id, created_by=bank.admin.id))
    db.commit()
    shop = client.get(f"/api/shops/{bank.code(bank.zhao)}").get_json()
    assert "consumer-credit" in [p["code"] for p in shop["products"]]
    assert book(bank.code(bank.zhao), product="consumer-credit").status_code == 201
    assert book(bank.code(bank.zhao), product="tax-loan", phone="13900000002").status_code == 422


def test_staff_book_as_walk_in_or_phone_and_nothing_else(bank, login, db):
    from tests.conftest import booking_body

    c = login(bank.li)
    r = c.post("/api/staff/bookings", json=booking_body(channel="phone"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["channel"] == "phone"
    r = c.post("/api/staff/bookings", json=booking_body(channel="朋友圈", phone="13900000003"))
    assert r.status_code == 422 and "channel" in r.get_json()["fields"]
    r = c.post("/api/staff/bookings", json=booking_body(phone="13900000004", product="tax-loan", channel="walk-in"))
    assert r.status_code == 422 and "product" in r.get_json()["fields"]
