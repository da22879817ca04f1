"""The demo bank: what someone trying the demo sees, and rollups that agree with the raw rows."""
import re
from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.security import check_password_hash

from server import create_app, db as database, demo
from server.clock import local_day
from server.models import (LEVELS, Booking, Branch, Customer, DailyStat, Employee, Event, Grid,
                           Product, ShopLink, Team)

NOW = datetime(2026, 11, 19, 3, 0, tzinfo=timezone.utc)  # a Thursday, 11:00 in Yangquan
MONDAY_JUST_AFTER_MIDNIGHT = datetime(2026, 11, 22, 16, 10, tzinfo=timezone.utc)  # Mon 00:10
SPECIALS = {"暖商贷", "抗疫助商贷", "车位贷", "亲情贷", "烟商贷"}
SMALL_BUSINESS = {"税贷通", "科创贷", "信保贷", "助保贷", "直保贷", "创业担保贷", "政采智贷", "应收账款质押"}


def seeded_app(tmp_dir, now):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_dir / 'demo.db'}",
                      "SECRET_KEY": "test-secret", "PUBLIC_BASE_URL": "http://shop.test"})
    database.create_all(app.extensions["engine"])
    messages = []
    with app.app_context(), Session(app.extensions["engine"], expire_on_commit=False) as db:
        assert demo.is_empty(db)
        app.config["demo_result"] = demo.seed_demo(db, now=now, progress=messages.append)
    app.config["demo_messages"] = messages
    return app


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """One demo bank for the whole module: seeding plays a few hundred bookings."""
    app = seeded_app(tmp_path_factory.mktemp("demo"), NOW)
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def ddb(demo_app):
    with Session(demo_app.extensions["engine"], expire_on_commit=False) as session:
        yield session


def test_seeding_reports_each_stage(demo_app):
    messages = demo_app.config["demo_messages"]
    assert [m.split(":")[0] for m in messages] == ["org", "employees", "products", "activity"]
    counts = demo_app.config["demo_result"]["counts"]
    assert counts["grids"] == 21 and counts["employees"] == len(demo.EMPLOYEES)
    assert counts["visits"] > 2 * counts["bookings"] > 100


def test_the_bank_has_the_articles_21_grids_in_city_and_rural_branches(ddb):
    branches = ddb.exec(select(Branch)).all()
    grids = ddb.exec(select(Grid)).all()
    assert {b.kind for b in branches} == {"city", "rural"}
    assert all(re.fullmatch(r"0353-\d{7}", b.phone) and b.address for b in branches)
    assert len(grids) == 21
    assert {g.branch_id for g in grids} == {b.id for b in branches}
    assert all(len(g.areas.split("、")) >= 3 for g in grids)
    teams = ddb.exec(select(Team)).all()
    assert len(teams) >= 2 * len(branches) and all("尖刀" in t.name for t in teams)


def test_the_roster_has_every_level_both_tracks_and_a_manager_per_branch(ddb):
    staff = ddb.exec(select(Employee)).all()
    assert 55 <= len(staff) <= 65
    assert {e.level for e in staff} == set(LEVELS)
    assert {"corporate", "microloan", "none"} <= {e.track for e in staff}
    managers = Counter(e.branch_id for e in staff if e.role == "branch_manager")
    assert managers == Counter(b.id for b in ddb.exec(select(Branch)).all())
    assert [e.role for e in staff].count("admin") == 1
    assert any(e.role == "grid_leader" for e in staff)
    assert all(re.fullmatch(r"YQ\d{4}", e.staff_no) for e in staff)
    assert all(re.fullmatch(r"1[3-9]\d{9}", e.phone) and e.intro and e.title and e.grid_id
               for e in staff)
    team_members = Counter(e.team_id for e in staff if e.team_id)
    assert all(n >= 2 for n in team_members.values())  # "1+N": a manager plus helpers


def test_every_employee_has_one_random_shop_code(ddb):
    staff = ddb.exec(select(Employee)).all()
    links = ddb.exec(select(ShopLink).where(ShopLink.channel == "")).all()
    assert sorted(link.employee_id for link in links) == sorted(e.id for e in staff)
    by_employee = {e.id: e for e in staff}
    for link in links:
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", link.code)
        assert by_employee[link.employee_id].staff_no[-4:] not in link.code


def test_products_cover_the_3x3_matrix_and_every_named_product(ddb):
    products = ddb.exec(select(Product).order_by(Product.sort)).all()
    matrix = {(p.line, p.method) for p in products if p.kind == "matrix"}
    assert matrix == {(line, method) for line in ("consumer", "business", "agri")
                      for method in ("credit", "guarantee", "mortgage")}
    names = {p.name for p in products}
    assert SPECIALS | SMALL_BUSINESS <= names
    for p in products:
        assert p.summary and p.audience and p.amount and p.term and "、" in p.documents
        if p.kind == "smallbiz":
            assert p.line == "corporate" and p.tracks == "corporate,microloan"
        else:
            assert p.tracks == "microloan,none"
    assert len({p.code for p in products}) == len(products)
    assert all(re.fullmatch(r"[a-z-]+", p.code) for p in products)


def test_the_demo_logins_work(demo_app, ddb):
    rows = demo_app.config["demo_result"]["logins"]
    assert [(r["staff_no"], r["role"]) for r in rows] == [
        (demo.DEMO_STAFF_NO, "staff"), (demo.DEMO_MANAGER_NO, "branch_manager"),
        (demo.DEMO_ADMIN_NO, "admin")]
    client = demo_app.test_client()
    for row in rows:
        e = ddb.exec(select(Employee).where(Employee.staff_no == row["staff_no"])).one()
        assert check_password_hash(e.password_hash, demo.DEMO_PASSWORD)
        r = client.post("/api/staff/login", json={"staff_no": row["staff_no"],
                                                  "password": row["password"]})
        assert r.status_code == 200 and r.get_json()["shop_code"] == row["shop_code"]


def test_the_demo_staff_members_shop_and_inbox_are_not_empty(demo_app):
    client = demo_app.test_client()
    code = demo_app.config["demo_result"]["shop_code"]
    shop = client.get(f"/api/shops/{code}").get_json()
    assert shop["manager"]["name"] == "李娜" and len(shop["products"]) >= 14
    client.post("/api/staff/login", json={"staff_no": demo.DEMO_STAFF_NO,
                                          "password": demo.DEMO_PASSWORD})
    items = client.get("/api/staff/bookings").get_json()["items"]
    assert len(items) >= 3


def test_activity_looks_like_a_real_week(ddb):
    bookings = ddb.exec(select(Booking)).all()
    statuses = Counter(b.status for b in bookings)
    assert set(statuses) == {"new", "contacted", "arrived", "completed", "cancelled", "no_show"}
    past = Counter(b.status for b in bookings if b.slot_start and b.slot_start < NOW)
    assert past["completed"] == max(past.values())
    upcoming = Counter(b.status for b in bookings if b.slot_start and b.slot_start > NOW)
    assert upcoming["new"] and upcoming["contacted"]
    assert any(b.slot_start is None for b in bookings)  # "call me back"
    assert sum(b.slot_start is not None and b.slot_start > NOW for b in bookings) >= 20
    assert any(b.route_reason == "dedicated" for b in bookings)  # returning customers
    assert any(b.source == "staff" for b in bookings)
    phones = ddb.exec(select(Customer.phone)).all()
    assert all(re.fullmatch(r"13800000\d{3}|1380000\d{4}", p) for p in phones)
    assert len(phones) < len(bookings)
    visit_channels = {c for c in ddb.exec(select(Event.channel).where(Event.kind == "visit"))}
    assert {"村口海报", "网点柜台", "朋友圈"} <= visit_channels
    days = {local_day(b.created_at) for b in bookings}
    assert len(days) == demo.DAYS_BACK + 1


def assert_rollups_match_rows(db):
    """Rollups count what the rules say counts (server/bookings/evidence.py): every visit and
    contact on its day; flagged bookings apart; bookings, arrivals, completions and no-shows of
    bookings that count, arrivals and completions only with the customer's evidence."""
    from server.bookings import evidence

    stats = Counter()
    for s in db.exec(select(DailyStat)).all():
        for counter in ("visits", "contacted", "flagged", "bookings", "arrived", "completed", "no_show",
                        "cancelled", "unverified"):
            stats[(s.employee_id, s.day, counter)] += getattr(s, counter)
    all_bookings = db.exec(select(Booking)).all()
    flagged = Counter((b.employee_id, local_day(b.created_at)) for b in all_bookings if b.flag)
    events = Counter((e.employee_id, e.day, e.status or e.kind)  # contacts count, evidence or not
                     for e in db.exec(select(Event)).all() if not e.flagged)
    for (employee_id, day, counter), n in stats.items():
        if counter == "visits":
            assert n == events[(employee_id, day, "visit")]
        elif counter == "contacted":
            assert n == events[(employee_id, day, "contacted")]
        elif counter == "flagged":
            assert n == flagged[(employee_id, day)]
    counted = [b for b in all_bookings if not evidence.flag_active(b) and evidence.confirmed(b)]
    total = lambda c: sum(n for (_, _, counter), n in stats.items() if counter == c)  # noqa: E731
    assert total("bookings") == len(counted)
    assert total("completed") == sum(b.status == "completed" and b.verified_at is not None for b in counted)
    assert total("arrived") == sum(b.status in ("arrived", "completed") and b.verified_at is not None
                                   for b in counted)
    assert total("no_show") == sum(b.status == "no_show" for b in counted)
    assert total("cancelled") == sum(b.status == "cancelled" for b in all_bookings if not evidence.flag_active(b))
    unverified = [b for b in all_bookings if b.verified_at is None and b.status in ("arrived", "completed")]
    assert unverified and any(b.verified_at is not None for b in all_bookings)  # both kinds in the demo


def test_daily_rollups_equal_the_bookings_visits_and_status_changes(ddb):
    assert_rollups_match_rows(ddb)


def test_seeding_just_after_midnight_on_a_monday_works_too(tmp_path):
    app = seeded_app(tmp_path, MONDAY_JUST_AFTER_MIDNIGHT)
    with Session(app.extensions["engine"]) as db:
        assert_rollups_match_rows(db)
        assert not demo.is_empty(db)
        with app.app_context(), pytest.raises(RuntimeError):
            demo.seed_demo(db)
    app.extensions["engine"].dispose()


def test_the_demo_listens_on_PORT_and_the_banner_follows_it(demo_app):
    import run

    assert run.demo_address({}) == ("127.0.0.1:8000", "http://127.0.0.1:8000")
    bind, base = run.demo_address({"PORT": "8123"})
    assert (bind, base) == ("127.0.0.1:8123", "http://127.0.0.1:8123")
    assert run.demo_address({"PORT": "8123", "PUBLIC_BASE_URL": "https://bank.example"})[1] == "https://bank.example"
    for wrong in ("eighty", "0", "70000"):
        with pytest.raises(SystemExit):
            run.demo_address({"PORT": wrong})
    demo_app.config["PUBLIC_BASE_URL"] = base
    try:
        banner = demo_app.test_cli_runner().invoke(args=["demo-banner"]).output
    finally:
        demo_app.config["PUBLIC_BASE_URL"] = "http://shop.test"
    assert f"{base}/staff" in banner and f"{base}/wall" in banner and ":8000" not in banner


def test_the_banner_prints_a_wall_link_a_tv_opens_without_a_login(demo_app):
    banner = demo_app.test_cli_runner().invoke(args=["demo-banner"]).output
    assert "12 小时" in banner  # the logged-in wall ends with the session; the banner says so
    wall = re.search(r"(http://shop\.test/wall/t#(\S+))", banner)
    assert wall, banner
    info = demo_app.test_client().get("/api/wall", headers={"X-Wall-Token": wall[2]}).get_json()
    assert info["scope"] == "bank"
    assert wall[1] in demo_app.test_cli_runner().invoke(args=["demo-banner"]).output  # the same link every start


def test_the_demo_bank_has_english_products_branches_and_bios(ddb):
    assert all(p.name_en and p.summary_en and p.documents_en for p in ddb.exec(select(Product)))
    assert all(b.name_en and b.address_en for b in ddb.exec(select(Branch)))
    li = ddb.exec(select(Employee).where(Employee.name == "李娜")).one()
    assert li.intro_en and li.title_en == "Micro-loan account manager"


def test_demo_bookings_take_their_channel_from_the_code_they_came_through(ddb):
    rows = ddb.exec(select(Booking.channel, ShopLink.channel, Booking.source)
                    .join(ShopLink, ShopLink.id == Booking.shop_link_id)).all()
    assert all(b == link for b, link, source in rows if source == "shop")
    assert {b for b, _, source in rows if source == "staff"} == {"walk-in"}
    assert len({b for b, _, _ in rows}) > 3  # posters, boards, events: codes of their own
