"""A shop code that leads nowhere still says where to go: the hotline, every branch, the code
probably meant (one character off), the successor's shop when the owner left."""
from sqlmodel import select

from server.models import Branch, Employee, ShopLink
from server.shops.deadend import dead_end, nearest_code


def add_link(db, employee, code):
    db.add(ShopLink(code=code, employee_id=employee.id))
    db.commit()


def test_an_unknown_code_answers_404_with_the_hotline_and_every_branch(bank, client, db):
    city = db.exec(select(Branch).where(Branch.id == bank.city.id)).one()
    city.phone = "0353-2021234"
    db.add(city)
    db.commit()
    r = client.get("/api/shops/ZZZZ2345")
    body = r.get_json()
    assert r.status_code == 404 and body["error"] == "shop_not_found"
    assert body["message"].startswith("这个店铺链接无效")
    assert body["hotline"] == "0353-96511" and body["bank"] == "阳泉农商银行"
    assert [(b["name"], b["address"], b["phone"]) for b in body["branches"]] == [
        ("城区支行", "阳泉市城区桃北中街1号", "0353-2021234"), ("平定支行", "平定县冠山镇", "")]
    assert body["suggestion"] is None and body["successor"] is None


def test_the_dead_end_speaks_english_when_asked(bank, client):
    body = client.get("/api/shops/ZZZZ2345", headers={"Accept-Language": "en"}).get_json()
    assert body["message"].startswith("This shop link is not valid") and len(body["branches"]) == 2


def test_a_code_one_character_off_suggests_the_shop_meant(bank, client, db):
    add_link(db, bank.wang, "8KQ3MN7P")
    for typed in ("8KQ3MN7R", "8kq3mn7r", "8KQ3MN1P", "8KQ3M0N7P", "8KQ3M7P", "8KQ3NM7P"):
        body = client.get(f"/api/shops/{typed}").get_json()
        assert body["suggestion"] == {"code": "8KQ3MN7P", "url": "http://shop.test/s/8KQ3MN7P"}, typed


def test_a_code_far_from_every_shop_or_near_two_suggests_nothing(bank, client, db):
    add_link(db, bank.wang, "8KQ3MN7P")
    add_link(db, bank.li, "8KQ3MN7Q")
    assert client.get("/api/shops/8KQ3MN7R").get_json()["suggestion"] is None  # two are one off
    assert client.get("/api/shops/4TTW9XYZ").get_json()["suggestion"] is None
    assert nearest_code("0O1IL0OI", {"8KQ3MN7P"}) is None  # look-alikes only: no guess


def test_a_retired_code_whose_owner_left_points_to_the_successor_s_own_shop(bank, db):
    link = db.exec(select(ShopLink).where(ShopLink.employee_id == bank.li.id)).one()
    li = db.exec(select(Employee).where(Employee.id == bank.li.id)).one()
    li.disabled, li.successor_id = True, bank.wang.id
    db.add(li)
    db.commit()
    found = dead_end(db, code=link.code, base_url="http://shop.test")
    assert found["successor"] == {"name": "王丽", "code": "SHOP0001", "url": "http://shop.test/s/SHOP0001"}
    assert found["suggestion"] is None


def test_a_code_whose_branch_has_nobody_left_is_a_dead_end_with_the_branches(bank, client, db):
    for e in db.exec(select(Employee).where(Employee.branch_id == bank.city.id)).all():
        e.disabled = True
        db.add(e)
    db.commit()
    r = client.get(f"/api/shops/{bank.code(bank.zhao)}")
    assert r.status_code == 404 and len(r.get_json()["branches"]) == 2
    assert client.get(f"/s/{bank.code(bank.zhao)}").status_code == 404


def test_the_dead_end_page_is_a_page_with_no_data_of_its_own(bank, client):
    r = client.get("/s/ZZZZ2345")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert '<script type="application/json" id="shop-data"></script>' in r.get_data(as_text=True)
