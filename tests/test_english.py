"""English content: products, titles, bios, branches and grids carry English text beside the
Chinese, served in one shop payload with a Chinese fallback per field, edited by head office
and imported with the roster."""
import io

import pytest
from sqlmodel import Session, select

from server.models import Employee, Product
from tests.conftest import booking_body


@pytest.fixture
def admin(bank, login):
    return login(bank.admin)


def english_bank(bank, db):
    """Some English written, some not: the consumer loan's name and bring-list, the rural
    branch's name, Li's bio."""
    credit = bank.products[0]
    credit.name_en, credit.documents_en = "Consumer credit loan", "ID card、proof of income"
    bank.rural.name_en = "Pingding Branch"
    bank.li.intro_en, bank.li.title = "Ten years with the village's farmers.", "微贷客户经理"
    bank.li.intro = "扎根平定十年。"
    db.add_all([credit, bank.rural, bank.li])
    db.commit()


def test_the_shop_serves_english_beside_chinese_falling_back_per_field(bank, client, db):
    english_bank(bank, db)
    shop = client.get(f"/api/shops/{bank.code(bank.li)}").get_json()
    m = shop["manager"]
    assert (m["intro"], m["intro_en"]) == ("扎根平定十年。", "Ten years with the village's farmers.")
    assert m["title_en"] == "微贷客户经理"  # no English title yet: the Chinese, never nothing
    assert (m["branch"], m["branch_en"]) == ("平定支行", "Pingding Branch")
    assert m["branch_address_en"] == "平定县冠山镇" and m["grid_en"] == "冠山网格"
    assert m["grid_areas_en"] == "冠山村、西关村"
    credit = next(p for p in shop["products"] if p["code"] == "consumer-credit")
    assert (credit["name"], credit["name_en"]) == ("消费信用贷", "Consumer credit loan")
    assert credit["documents_en"] == ["ID card", "proof of income"]
    nuanshang = next(p for p in shop["products"] if p["code"] == "nuanshang")
    assert nuanshang["name_en"] == "暖商贷" and nuanshang["documents_en"] == nuanshang["documents"]
    for field in ("summary", "audience", "amount", "term"):
        assert credit[field + "_en"] == credit[field]


def test_the_booking_answer_names_product_and_branch_in_english_too(bank, book, db):
    english_bank(bank, db)
    answer = book(bank.code(bank.li)).get_json()
    assert (answer["product_name"], answer["product_name_en"]) == ("消费信用贷", "Consumer credit loan")
    assert (answer["branch_en"], answer["branch_address_en"]) == ("Pingding Branch", "平定县冠山镇")


def test_an_admin_writes_english_for_a_product_branch_and_grid_and_the_shop_shows_it(admin, bank, client, db):
    product = bank.products[1]
    r = admin.put(f"/api/org/products/{product.id}", json={
        "code": product.code, "name": product.name, "line": "agri", "method": "guarantee", "kind": "matrix",
        "documents": ["身份证"], "tracks": ["microloan", "none"], "sort": 2, "active": True,
        "name_en": " Farm guaranteed loan ", "summary_en": "For growers and breeders.", "amount_en": "Up to ¥500,000",
        "documents_en": ["ID card, both sides", "proof of farm size"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["name_en"] == "Farm guaranteed loan"
    assert r.get_json()["documents_en"] == ["ID card, both sides", "proof of farm size"]
    r = admin.put(f"/api/org/branches/{bank.rural.id}", json={
        "name": "平定支行", "kind": "rural", "address": "平定县冠山镇", "name_en": "Pingding Branch",
        "address_en": "Guanshan Town, Pingding County"})
    assert r.status_code == 200 and r.get_json()["address_en"] == "Guanshan Town, Pingding County"
    r = admin.put(f"/api/org/grids/{bank.grid.id}", json={
        "branch_id": bank.rural.id, "name": "冠山网格", "areas": ["冠山村"], "name_en": "Guanshan grid",
        "areas_en": ["Guanshan village"]})
    assert r.status_code == 200 and r.get_json()["areas_en"] == ["Guanshan village"]
    org = admin.get("/api/org").get_json()
    assert next(p for p in org["products"] if p["id"] == product.id)["summary_en"] == "For growers and breeders."
    shop = client.get(f"/api/shops/{bank.code(bank.wang)}").get_json()
    farm = next(p for p in shop["products"] if p["code"] == product.code)
    assert (farm["name_en"], farm["term_en"]) == ("Farm guaranteed loan", "")  # no Chinese term either
    assert farm["documents_en"] == ["ID card, both sides", "proof of farm size"]
    assert (shop["manager"]["branch_address_en"], shop["manager"]["grid_en"]) == (
        "Guanshan Town, Pingding County", "Guanshan grid")


def test_english_text_too_long_or_with_the_list_separator_is_refused_in_the_callers_language(admin, bank, db):
    r = admin.put(f"/api/org/branches/{bank.rural.id}", headers={"Accept-Language": "en"},
                  json={"name": "平定支行", "kind": "rural", "name_en": "x" * 81})
    assert r.status_code == 422 and r.get_json()["fields"]["name_en"].startswith("At most")
    r = admin.put(f"/api/org/grids/{bank.grid.id}", json={"branch_id": bank.rural.id, "name": "冠山网格",
                                                          "areas_en": ["Guanshan、Xiguan"]})
    assert r.status_code == 422 and "areas_en" in r.get_json()["fields"]
    db.commit()
    assert db.get(type(bank.rural), bank.rural.id).name_en == ""


def test_an_admin_finds_a_person_and_writes_their_title_and_bio_in_both_languages(admin, bank, client, db):
    found = admin.get("/api/org/employees?q=YQ0002").get_json()["items"]
    assert [e["name"] for e in found] == ["李强"]
    assert [e["staff_no"] for e in admin.get("/api/org/employees?q=王").get_json()["items"]] == ["YQ0001"]
    r = admin.put(f"/api/org/employees/{bank.li.id}/profile", json={
        "title": "微贷客户经理", "intro": "农户贷款找我。", "title_en": "Micro-loan account manager",
        "intro_en": "Farm loans: ask me."})
    assert r.status_code == 200, r.get_json()
    card = client.get(f"/api/shops/{bank.code(bank.li)}").get_json()["manager"]
    assert (card["title_en"], card["intro_en"], card["intro"]) == (
        "Micro-loan account manager", "Farm loans: ask me.", "农户贷款找我。")
    r = admin.put(f"/api/org/employees/{bank.li.id}/profile", json={"intro_en": "x" * 401})
    assert r.status_code == 422 and r.get_json()["fields"] == {"intro_en": "最多 400 个字。"}  # as /openapi.json says


def test_only_admins_read_or_write_profiles(bank, login):
    staff = login(bank.li)
    assert staff.get("/api/org/employees?q=YQ").status_code == 403
    assert staff.put(f"/api/org/employees/{bank.li.id}/profile", json={"intro": "我最好"}).status_code == 403


HEADER = "工号,姓名,手机,支行,网格,团队,等级,条线,角色,在岗"


def upload(c, lines, apply=False):
    data = ("\ufeff" + "\n".join(lines) + "\n").encode()
    return c.post("/api/admin/roster" + ("?apply=1" if apply else ""), data={"file": (io.BytesIO(data), "staff.csv")},
                  content_type="multipart/form-data").get_json()


def test_the_roster_imports_titles_and_bios_in_both_languages_and_a_file_without_them_keeps_them(admin, bank, db):
    lines = [HEADER + ",职务,简介,title_en,intro_en",
             'YQ0002,李强,13903530002,平定支行,冠山网格,,初级,微贷类,员工,是,微贷客户经理,农户贷款找我。,'
             'Micro-loan account manager,"Farm loans, any season."']
    dry = upload(admin, lines)
    assert dry["errors"] == [] and dry["changes"][0]["fields"]["intro_en"] == "Farm loans, any season."
    assert upload(admin, lines, apply=True)["applied"] == 1
    with Session(db.get_bind()) as fresh:
        li = fresh.exec(select(Employee).where(Employee.staff_no == "YQ0002")).one()
        assert (li.title, li.intro, li.title_en, li.intro_en) == (
            "微贷客户经理", "农户贷款找我。", "Micro-loan account manager", "Farm loans, any season.")
    assert upload(admin, lines)["changes"] == []  # the same file again changes nothing
    plain = [HEADER, "YQ0002,李强,13903530002,平定支行,冠山网格,,中级,微贷类,员工,是"]
    assert upload(admin, plain, apply=True)["applied"] == 1
    with Session(db.get_bind()) as fresh:
        li = fresh.exec(select(Employee).where(Employee.staff_no == "YQ0002")).one()
        assert (li.level, li.intro_en) == ("mid", "Farm loans, any season.")


def test_a_roster_bio_too_long_is_a_row_error(admin, bank):
    lines = [HEADER + ",intro_en", "YQ0002,李强,13903530002,平定支行,冠山网格,,初级,微贷类,员工,是," + "x" * 401]
    assert upload(admin, lines)["errors"] == [{"line": 2, "column": "intro_en", "reason": "最多 400 个字"}]

