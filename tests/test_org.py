"""Organisation admin: head office keeps branches, grids, teams and products, through /api/org."""
import pytest
from sqlmodel import select

from server.models import AuditEntry, Branch, Grid, Product, Team


@pytest.fixture
def admin(bank, login):
    return login(bank.admin)


def fresh(db, row):
    """The row as the server left it (ending this session's read snapshot first)."""
    db.commit()
    db.refresh(row)
    return row


def product_body(**overrides) -> dict:
    body = {"code": "farm-mortgage", "name": "农房抵押贷", "line": "agri", "method": "mortgage",
            "kind": "matrix", "summary": "以农房作抵押", "audience": "农户", "amount": "最高 30 万",
            "term": "最长 3 年", "documents": ["身份证", "房产证明"], "tracks": ["microloan"],
            "sort": 5, "active": True}
    body.update(overrides)
    return body


def test_the_overview_lists_every_branch_grid_team_and_product(admin, bank):
    data = admin.get("/api/org").get_json()
    assert [b["name"] for b in data["branches"]] == ["城区支行", "平定支行"]
    assert data["grids"] == [{"id": bank.grid.id, "branch_id": bank.rural.id, "name": "冠山网格",
                              "areas": ["冠山村", "西关村"], "name_en": "", "areas_en": []}]
    assert data["teams"][0]["name"] == "平定尖刀一队"
    tax = next(p for p in data["products"] if p["code"] == "tax-loan")
    assert tax["tracks"] == ["corporate"] and tax["active"] is True


def test_an_admin_opens_and_renames_a_branch_and_each_change_is_audited(admin, bank, db):
    r = admin.post("/api/org/branches", json={"name": " 娘子关支行 ", "kind": "rural", "address": "娘子关镇"})
    assert r.status_code == 201, r.get_json()
    branch_id = r.get_json()["id"]
    assert r.get_json()["name"] == "娘子关支行"
    r = admin.put(f"/api/org/branches/{branch_id}", json={"name": "娘子关分理处", "kind": "rural"})
    assert r.status_code == 200 and r.get_json()["name"] == "娘子关分理处"
    assert db.get(Branch, branch_id).name == "娘子关分理处"
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "org_changed")).all()
    assert [(e.target, e.detail, e.actor_id) for e in entries] == [
        (f"branch:{branch_id}", "created", bank.admin.id), (f"branch:{branch_id}", "updated", bank.admin.id)]


def test_a_grid_keeps_the_villages_it_covers(admin, bank, db):
    r = admin.post("/api/org/grids", json={"branch_id": bank.rural.id, "name": "东关网格",
                                          "areas": ["东关村", " 南关社区 ", "", "东关村"]})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["areas"] == ["东关村", "南关社区"]
    grid_id = r.get_json()["id"]
    r = admin.put(f"/api/org/grids/{grid_id}", json={"branch_id": bank.city.id, "name": "东关网格",
                                                     "areas": ["北关村"]})
    assert r.status_code == 200
    grid = fresh(db, db.get(Grid, grid_id))
    assert (grid.branch_id, grid.areas) == (bank.city.id, "北关村")


def test_a_team_is_created_and_moved_to_another_branch(admin, bank, db):
    r = admin.post("/api/org/teams", json={"branch_id": bank.rural.id, "name": "平定尖刀二队"})
    assert r.status_code == 201
    r = admin.put(f"/api/org/teams/{bank.team.id}", json={"branch_id": bank.city.id, "name": "城区一队"})
    assert r.status_code == 200
    fresh(db, bank.team)
    assert (bank.team.name, bank.team.branch_id) == ("城区一队", bank.city.id)


def test_a_product_is_created_with_its_checklist_and_tracks_then_updated(admin, db):
    r = admin.post("/api/org/products", json=product_body())
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["documents"] == ["身份证", "房产证明"]
    product = db.exec(select(Product).where(Product.code == "farm-mortgage")).one()
    assert (product.documents, product.tracks) == ("身份证、房产证明", "microloan")
    r = admin.put(f"/api/org/products/{product.id}", json=product_body(tracks=["corporate", "microloan"],
                                                                     amount="最高 50 万"))
    assert r.status_code == 200
    fresh(db, product)
    assert (product.tracks, product.amount) == ("corporate,microloan", "最高 50 万")


def test_a_duplicate_name_is_refused_and_nothing_changes(admin, bank, db):
    r = admin.put(f"/api/org/branches/{bank.rural.id}", json={"name": "城区支行", "kind": "rural"})
    assert r.status_code == 422
    assert r.get_json()["fields"] == {"name": "名称已存在。"}
    r = admin.post("/api/org/grids", json={"branch_id": bank.rural.id, "name": "冠山网格"})
    assert r.status_code == 422 and r.get_json()["fields"]["name"] == "名称已存在。"
    r = admin.post("/api/org/teams", json={"branch_id": bank.rural.id, "name": "平定尖刀一队"})
    assert r.status_code == 422 and r.get_json()["fields"]["name"] == "名称已存在。"
    r = admin.post("/api/org/products", json=product_body(code="consumer-credit"))
    assert r.status_code == 422 and r.get_json()["fields"]["code"] == "代码已存在。"
    fresh(db, bank.rural)
    assert bank.rural.name == "平定支行"
    assert len(db.exec(select(Grid)).all()) == 1 and len(db.exec(select(Team)).all()) == 1
    assert not db.exec(select(AuditEntry).where(AuditEntry.action == "org_changed")).all()


def test_a_name_lost_to_a_concurrent_save_is_a_422_not_a_500(admin, bank, monkeypatch):
    from server.org import service

    monkeypatch.setattr(service, "_taken", lambda *a, **k: False)  # the check saw nothing...
    r = admin.post("/api/org/branches", json={"name": "平定支行"})  # ...the unique index decides
    assert r.status_code == 422
    assert r.get_json()["fields"] == {"name": "名称已存在。"}


def test_a_bad_branch_or_product_field_gets_a_message_next_to_it(admin, bank):
    r = admin.post("/api/org/teams", json={"branch_id": 9999, "name": " "})
    assert r.status_code == 422
    assert r.get_json()["fields"] == {"name": "名称须为 1–60 个字。", "branch_id": "没有这个支行。"}
    r = admin.post("/api/org/products", json=product_body(code="Farm Loan", line="housing", tracks=["retail"],
                                                         method="pawn"))
    assert r.status_code == 422
    fields = r.get_json()["fields"]
    assert set(fields) == {"code", "line", "tracks", "method"}
    assert fields["line"] == "请从列表中选择。"
    r = admin.post("/api/org/grids", json={"branch_id": bank.rural.id, "name": "南山网格", "areas": ["甲、乙"]})
    assert r.status_code == 422 and set(r.get_json()["fields"]) == {"areas"}
    r = admin.post("/api/org/branches", json={"kind": "city"})
    assert r.status_code == 422 and r.get_json()["fields"] == {"name": "请填写此项。"}
    assert admin.put("/api/org/teams/9999", json={"branch_id": bank.rural.id, "name": "无"}).status_code == 404


def test_a_deactivated_product_disappears_from_the_shops(admin, bank, client):
    shop = f"/api/shops/{bank.code(bank.wang)}"
    assert "consumer-credit" in [p["code"] for p in client.get(shop).get_json()["products"]]
    product = bank.products[0]
    r = admin.put(f"/api/org/products/{product.id}", json=product_body(
        code="consumer-credit", name="消费信用贷", line="consumer", method="credit", active=False))
    assert r.status_code == 200
    assert "consumer-credit" not in [p["code"] for p in client.get(shop).get_json()["products"]]
    listed = {p["code"]: p["active"] for p in admin.get("/api/org").get_json()["products"]}
    assert listed["consumer-credit"] is False  # still listed for admins, to switch back on


@pytest.mark.parametrize("who", ["li", "boss", "city_boss"])
def test_nobody_but_an_admin_may_change_the_organisation(bank, login, db, who):
    c = login(getattr(bank, who))
    assert c.get("/api/org").status_code == 403
    assert c.post("/api/org/branches", json={"name": "新支行"}).status_code == 403
    assert c.put(f"/api/org/branches/{bank.rural.id}", json={"name": "改名"}).status_code == 403
    fresh(db, bank.rural)
    assert bank.rural.name == "平定支行"
