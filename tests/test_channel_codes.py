"""Channel codes (渠道码) through the HTTP API: make, list, rename, retire, print; what each one
brought; who may touch whose; names checked field by field. Results belong to the code: a
renamed code's past shows under its new name, a retired code keeps its past and counts nothing new.
"""
import io
import shutil
import subprocess
import zipfile

import pytest
from sqlmodel import func, select

from server.models import ShopLink
from tests.conftest import check_in, come_due

CODES = "/api/staff/channel-codes"


def make(c, name, **extra):
    r = c.post(CODES, json={"channel": name, **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def listed(c, **params):
    r = c.get(CODES, query_string=params)
    assert r.status_code == 200, r.get_json()
    return {i["channel"]: i for i in r.get_json()["items"]}


def visit(client, code, device):
    return client.post(f"/api/shops/{code}/visits", json={}, headers={"X-Device-Id": device})


def funnel_by_channel(c):
    return {r["name"]: r for r in c.get("/api/boards/funnel/channel").get_json()["rows"]}


def zbar(path) -> str:
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (zbar-tools) not installed")
    done = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, timeout=30, check=False)
    return done.stdout.decode().strip()


def test_i_make_list_rename_and_retire_my_channel_codes(bank, login):
    li = login(bank.li)
    assert listed(li) == {}
    made = make(li, "  村口   海报 ")
    assert made["channel"] == "村口 海报" and made["url"] == f"http://shop.test/s/{made['code']}"
    assert made["poster_png"] == f"/api/kits/channel/{made['code']}.png" and made["owner"] == "李强"
    item = listed(li)["村口 海报"]
    assert item["numbers"] == {"visits": 0, "bookings": 0, "arrived": 0, "completed": 0}
    assert item["can_manage"] and item["retired_at"] is None and item["grid"] is None

    r = li.patch(f"{CODES}/{made['code']}", json={"channel": "东村口海报"})
    assert r.status_code == 200 and r.get_json()["channel"] == "东村口海报"
    assert set(listed(li)) == {"东村口海报"}

    r = li.post(f"{CODES}/{made['code'].lower()}/retire")
    assert r.status_code == 200 and r.get_json()["retired_at"]
    assert li.post(f"{CODES}/{made['code']}/retire").get_json()["retired_at"] == r.get_json()["retired_at"]
    assert listed(li)["东村口海报"]["retired_at"] == r.get_json()["retired_at"]
    r = li.patch(f"{CODES}/{made['code']}", json={"channel": "又一个"})
    assert r.status_code == 409 and r.get_json()["error"] == "channel_retired"
    # a retired name may be used again: only codes in use must differ
    assert make(li, "东村口海报")["code"] != made["code"]


def test_each_code_counts_its_own_visits_bookings_arrivals_and_completions(bank, login, client, book, db):
    li = login(bank.li)
    poster, market = make(li, "村口海报")["code"], make(li, "赶集宣传")["code"]
    for device in ("a", "b", "a"):  # once a day per phone
        visit(client, poster, device)
    visit(client, market, "c")
    visit(client, bank.code(bank.li), "d")  # the own shop: no code's number
    first = book(poster, phone="13900000001").get_json()
    assert book(market, phone="13900000002", callback=True, slot=None).status_code == 201
    assert book(bank.code(bank.li), phone="13900000003", callback=True, slot=None).status_code == 201
    come_due(db, first["reference"])
    check_in(client, li, first)
    assert li.post(f"/api/staff/bookings/{first['reference']}/status", json={"status": "completed"}).status_code == 200

    mine = listed(li)
    assert mine["村口海报"]["numbers"] == {"visits": 2, "bookings": 1, "arrived": 1, "completed": 1}
    assert mine["赶集宣传"]["numbers"] == {"visits": 1, "bookings": 1, "arrived": 0, "completed": 0}
    assert listed(li, period="today")["村口海报"]["numbers"]["visits"] == 2
    rows = funnel_by_channel(login(bank.admin))
    assert (rows["村口海报"]["visits"], rows["村口海报"]["bookings"], rows["村口海报"]["completed"]) == (2, 1, 1)
    assert rows["赶集宣传"]["bookings"] == 1
    assert li.get(CODES, query_string={"period": "year"}).status_code == 422
    assert li.get(CODES, query_string={"scope": "everyone"}).status_code == 422


def test_a_renamed_code_keeps_its_past_under_its_new_name(bank, login, book):
    li, admin = login(bank.li), login(bank.admin)
    code = make(li, "村口海报")["code"]
    assert book(code, phone="13900000001").status_code == 201
    li.patch(f"{CODES}/{code}", json={"channel": "东村口海报"})
    assert book(code, phone="13900000002", callback=True, slot=None).status_code == 201
    assert listed(li)["东村口海报"]["numbers"]["bookings"] == 2
    rows = funnel_by_channel(admin)
    assert rows["东村口海报"]["bookings"] == 2 and "村口海报" not in rows
    # a new code under the old name starts from nothing: the past stays with the code it happened on
    make(li, "村口海报")
    assert listed(li)["村口海报"]["numbers"]["bookings"] == 0
    assert "村口海报" not in funnel_by_channel(admin)


def test_a_retired_code_counts_nothing_new_and_leads_to_its_owners_shop(bank, login, client, book):
    li = login(bank.li)
    code = make(li, "村口海报")["code"]
    visit(client, code, "a")
    assert book(code, phone="13900000001").status_code == 201
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    assert client.get(f"/api/shops/{typo}").get_json()["suggestion"]["code"] == code
    li.post(f"{CODES}/{code}/retire")
    assert client.get(f"/api/shops/{typo}").get_json()["suggestion"] is None  # nor is it suggested

    assert visit(client, code, "b").status_code == 404
    assert book(code, phone="13900000002").status_code == 404
    assert client.get(f"/api/shops/{code}/slots").status_code == 404
    r = client.get(f"/api/shops/{code}")
    dead = r.get_json()
    assert r.status_code == 404 and dead["retired"] is True and dead["suggestion"] is None
    assert dead["successor"] == {"name": "李强", "code": bank.code(bank.li), "url": f"http://shop.test/s/{bank.code(bank.li)}"}
    assert client.get(f"/s/{code}").status_code == 404  # the page still opens, and says where to go
    assert listed(li)["村口海报"]["numbers"] == {"visits": 1, "bookings": 1, "arrived": 0, "completed": 0}
    assert li.get(f"/api/kits/channel/{code}.png").status_code == 409
    assert client.get(f"/api/shops/{bank.code(bank.li)}").status_code == 200  # the own shop goes on


def test_a_stranger_or_another_employee_cannot_rename_retire_or_print_my_code(bank, login, app, db):
    code = make(login(bank.li), "村口海报")["code"]
    anon = app.test_client()
    for who, status in ((anon, 401), (login(bank.wang), 403), (login(bank.city_boss), 403)):
        assert who.patch(f"{CODES}/{code}", json={"channel": "他的"}).status_code == status
        assert who.post(f"{CODES}/{code}/retire").status_code == status
        assert who.get(f"/api/kits/channel/{code}.pdf").status_code == status
    assert "村口海报" not in listed(login(bank.wang), scope="team")  # a colleague does not even see it
    link = db.exec(select(ShopLink).where(ShopLink.code == code)).one()
    db.refresh(link)
    assert (link.channel, link.retired_at) == ("村口海报", None)
    # their branch head may (and sees it among their people's); an own shop link is no channel code
    boss = login(bank.boss)
    assert listed(boss, scope="team")["村口海报"]["can_manage"] is True
    assert boss.patch(f"{CODES}/{code}", json={"channel": "平定集市"}).status_code == 200
    assert login(bank.li).patch(f"{CODES}/{bank.code(bank.li)}", json={"channel": "x"}).status_code == 404
    assert login(bank.li).post(f"{CODES}/NOSUCHCD/retire").status_code == 404


@pytest.mark.parametrize("name, field_message", [
    ("", "请填写此项。"), ("   \t ", "请填写此项。"), ("长" * 41, "最多 40 个字。"),
    ("Walk-In", "这个名称留给员工代约使用，请换一个。"), (7, "格式不正确，请检查。"),
])
def test_bad_names_are_refused_with_a_message_for_the_field(bank, login, db, name, field_message):
    r = login(bank.li).post(CODES, json={"channel": name})
    assert r.status_code == 422 and r.get_json()["fields"] == {"channel": field_message}
    assert db.exec(select(func.count()).select_from(ShopLink).where(ShopLink.channel != "")).one() == 0


def test_names_are_unique_among_my_codes_in_use_in_the_readers_language(bank, login):
    li = login(bank.li)
    make(li, "Village Poster")
    first = make(li, "赶集宣传")["code"]
    r = li.post(CODES, json={"channel": "village poster"})
    assert r.status_code == 422 and r.get_json()["fields"]["channel"] == "你已有一个同名的渠道码，请换一个名称。"
    r = li.patch(f"{CODES}/{first}", json={"channel": "VILLAGE POSTER"}, headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert r.get_json()["fields"]["channel"] == "You already have a channel code by this name; choose another."
    assert li.patch(f"{CODES}/{first}", json={"channel": ""}).get_json()["fields"] == {"channel": "请填写此项。"}
    assert make(login(bank.wang), "Village Poster")  # another person's codes are theirs
    assert set(listed(li)) == {"Village Poster", "赶集宣传"}


def test_a_handover_keeps_both_codes_of_the_same_name_apart(bank, login):
    make(login(bank.li), "村口海报")
    make(login(bank.wang), "村口海报")
    r = login(bank.boss).post("/api/handover", json={"from_staff_no": "YQ0002", "to_staff_no": "YQ0001",
                                                     "reason": "调岗"})
    assert r.status_code == 200, r.get_json()
    assert set(listed(login(bank.wang))) == {"村口海报", "村口海报（李强）"}


def test_a_codes_poster_names_its_channel_and_scans_to_the_code(bank, login, tmp_path):
    li = login(bank.li)
    code = make(li, "村口海报")["code"]
    r = li.get(f"/api/kits/channel/{code}.png")
    assert r.status_code == 200 and r.mimetype == "image/png"
    (tmp_path / "poster.png").write_bytes(r.data)
    assert zbar(tmp_path / "poster.png") == f"http://shop.test/s/{code}"
    r = li.get(f"/api/kits/channel/{code}.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert li.get(f"/api/kits/channel/{code}.zip").status_code == 404


def test_the_kit_holds_each_persons_channel_posters_and_their_codes_scan(bank, login, tmp_path):
    li = login(bank.li)
    poster = make(li, "村口海报")["code"]
    li.post(f"{CODES}/{make(li, '旧海报')['code']}/retire")
    archive = zipfile.ZipFile(io.BytesIO(li.get(f"/api/kits/employee/{bank.li.id}.zip").data))
    names = archive.namelist()
    # the retired code is not printed; the grid's board shows each person once, with their own code
    assert names == ["001-李强.png", "002-李强-村口海报.png", "公示牌-冠山网格.png"]
    (tmp_path / "channel.png").write_bytes(archive.read(names[1]))
    assert zbar(tmp_path / "channel.png") == f"http://shop.test/s/{poster}"
    (tmp_path / "own.png").write_bytes(archive.read(names[0]))
    assert zbar(tmp_path / "own.png") == f"http://shop.test/s/{bank.code(bank.li)}"


def test_upgrading_recounts_past_results_per_code(empty_app):
    """Migration 0015 keys the funnel by code: results counted before it (status events that did
    not name their code) are counted again from the raw events, per code."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text
    from sqlmodel import Session

    from config.settings import ROOT
    from server import db as database
    from tests.conftest import PASSWORD, Bank, booking_body

    engine = empty_app.extensions["engine"]
    database.upgrade(engine)
    with Session(engine, expire_on_commit=False) as db:
        bank = Bank(db)
        li = empty_app.test_client()
        li.environ_base["HTTP_X_CSRFTOKEN"] = li.post("/api/staff/login", json={
            "staff_no": bank.li.staff_no, "password": PASSWORD}).get_json()["csrf_token"]
        code = make(li, "村口海报")["code"]
        visit(li, code, "a")
        booked = li.post(f"/api/shops/{code}/bookings", json=booking_body()).get_json()
        come_due(db, booked["reference"])
        check_in(li, li, booked)
        li.post(f"/api/staff/bookings/{booked['reference']}/status", json={"status": "completed"})
    before = listed(li)["村口海报"]["numbers"]
    assert before == {"visits": 1, "bookings": 1, "arrived": 1, "completed": 1}

    cfg = Config(str(ROOT / "alembic.ini"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0013")
        connection.execute(text("UPDATE event SET shop_link_id = NULL WHERE kind NOT IN ('visit', 'booking')"))
    database.upgrade(engine)
    assert listed(li)["村口海报"]["numbers"] == before
