"""Fixtures: an app on a fresh database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
a client, a small hand-built bank, and helpers to log in and book."""
import os
import shutil
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, event, text
from sqlmodel import Session
from werkzeug.security import generate_password_hash

from server import create_app, db as database
from server.clock import TZ
from server.models import Branch, Employee, Grid, Product, ShopLink, Team

PASSWORD = "correct-horse-42"
CONSENT = "2026-12-v2"  # the privacy notice version in force (CONSENT_VERSION's default)
# Hashing at OWASP cost (hash_password) takes ~100 ms of CPU per login; the test staff's hash
# uses cheap scrypt parameters so hundreds of logins stay fast. test_staff checks the real cost.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


# Every test runs on SQLite; on PostgreSQL too when TEST_DATABASE_URL is set (CI sets it).
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, tables):
    """This test's own database. Empty (no tables) for tests that build the schema themselves
    (migrations, gunicorn servers, the CLI's init); with the models' tables and no rows for tests
    that use `app` without `empty_app`, from a copy (SQLite) or a cleaned schema (PostgreSQL):
    creating 21 tables for each of a thousand tests took minutes on PostgreSQL."""
    ready = "app" in request.fixturenames and "empty_app" not in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        if ready:
            shutil.copyfile(tables.sqlite_file(), path)
        yield f"sqlite:///{path}"
    elif ready:
        yield tables.clean_postgresql_schema()
    else:
        with tables.new_postgresql_schema() as url:
            yield url


class Tables:
    """Databases that already hold the models' tables: an SQLite file to copy, and one
    PostgreSQL schema emptied between tests (rebuilt if a test changed its shape)."""

    def __init__(self, folder):
        self.folder = folder
        self._sqlite = None
        self._schema = None  # (url, engine, shape, cleaning statement)

    def sqlite_file(self):
        if self._sqlite is None:
            self._sqlite = self.folder / "tables.db"
            engine = database.make_engine(f"sqlite:///{self._sqlite}")
            database.create_all(engine)
            engine.dispose()
        return self._sqlite

    @contextmanager
    def new_postgresql_schema(self):
        pg = os.environ["TEST_DATABASE_URL"]
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(pg)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in pg else "?"
        try:
            yield f"{pg}{sep}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()

    SHAPE = text("""SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = to_regnamespace(current_schema())),
        (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          WHERE c.relnamespace = to_regnamespace(current_schema())),
        (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relnamespace = to_regnamespace(current_schema()) AND a.attnum > 0)""")

    def clean_postgresql_schema(self) -> str:
        if self._schema is not None:
            url, engine, shape, clean = self._schema
            try:
                with engine.begin() as conn:
                    if tuple(conn.execute(self.SHAPE).one()) == shape:
                        conn.execute(text(clean))
                        return url
            except Exception:  # noqa: BLE001 (a test broke the schema: build it again)
                pass
            self.close()
        self._cm = self.new_postgresql_schema()
        url = self._cm.__enter__()
        engine = database.make_engine(url)
        database.create_all(engine)
        from sqlmodel import SQLModel
        with engine.begin() as conn:
            shape = tuple(conn.execute(self.SHAPE).one())
            sequences = conn.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")).scalars().all()
        # Triggers off (session_replication_role) so the append-only audit log can be emptied.
        clean = "SET LOCAL session_replication_role = replica; " + "".join(
            f'DELETE FROM "{t.name}"; ' for t in reversed(SQLModel.metadata.sorted_tables)) + "".join(
            f"SELECT setval('{s}', 1, false); " for s in sequences)
        self._schema = (url, engine, shape, clean)
        return url

    def close(self):
        if self._schema is not None:
            self._schema[1].dispose()
            self._schema = None
            self._cm.__exit__(None, None, None)


@pytest.fixture(scope="session")
def tables(tmp_path_factory):
    made = Tables(tmp_path_factory.mktemp("tables"))
    yield made
    made.close()


def _make_app(database_url):
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                       "PUBLIC_BASE_URL": "http://shop.test", "SSE_HEARTBEAT_SECONDS": 1,
                       "SSE_MAX_SECONDS": 5, "MESSAGE_SENDER": "", "CUSTOMER_SENDER": "memory",
                       "PRINT_DPI": 100})  # full 300 dpi is tested once, in test_print_kit.py


def _stop(app):
    if "notify" in app.extensions:
        app.extensions["notify"].stop()
    app.extensions["engine"].dispose()


@pytest.fixture
def empty_app(database_url):
    """The app on an empty database (no tables yet)."""
    app = _make_app(database_url)
    yield app
    _stop(app)


@pytest.fixture
def app(database_url):
    """The app with its tables created (and no rows)."""
    app = _make_app(database_url)
    yield app
    _stop(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    with Session(app.extensions["engine"], expire_on_commit=False) as session:
        yield session


class Bank:
    """A small bank built by hand: two branches, a few staff, a few products."""

    def __init__(self, db):
        self.db = db
        self.city = self.add(Branch(name="城区支行", kind="city", address="阳泉市城区桃北中街1号"))
        self.rural = self.add(Branch(name="平定支行", kind="rural", address="平定县冠山镇"))
        self.grid = self.add(Grid(name="冠山网格", branch_id=self.rural.id, areas="冠山村、西关村"))
        self.team = self.add(Team(name="平定尖刀一队", branch_id=self.rural.id))
        self.products = [self.add(p) for p in (
            Product(code="consumer-credit", name="消费信用贷", line="consumer", method="credit", sort=1),
            Product(code="agri-guarantee", name="三农保证贷", line="agri", method="guarantee", sort=2),
            Product(code="nuanshang", name="暖商贷", line="business", kind="special", sort=3),
            Product(code="tax-loan", name="税贷通", line="corporate", kind="smallbiz",
                    tracks="corporate", sort=4))]
        self.wang = self.employee("YQ0001", "王丽", self.rural, level="senior", track="microloan")
        self.li = self.employee("YQ0002", "李强", self.rural, level="junior", track="microloan")
        self.zhao = self.employee("YQ0003", "赵敏", self.city, level="mid", track="corporate")
        self.boss = self.employee("YQ0009", "张支行长", self.rural, role="branch_manager")
        self.city_boss = self.employee("YQ0010", "陈行长", self.city, role="branch_manager")
        self.admin = self.employee("YQ0099", "总行管理员", self.city, role="admin")

    def add(self, obj):
        self.db.add(obj)
        self.db.commit()
        return obj

    def employee(self, staff_no, name, branch, **fields) -> Employee:
        fields.setdefault("title", "客户经理")
        e = self.add(Employee(staff_no=staff_no, name=name, branch_id=branch.id,
                              phone="1390353" + staff_no[-4:], password_hash=PASSWORD_HASH,
                              grid_id=self.grid.id if branch is self.rural else None, **fields))
        self.add(ShopLink(code=self.code(e), employee_id=e.id))
        return e

    @staticmethod
    def code(employee) -> str:
        """The employee's shop code in this bank."""
        return f"SHOP{employee.staff_no[-4:]}"


@pytest.fixture
def bank(db):
    return Bank(db)


def next_slot(days_ahead: int = 1, hour: int = 9, minute: int = 0) -> datetime:
    """An opening-hours slot on the next weekday at least `days_ahead` days away (Asia/Shanghai)."""
    day = datetime.now(TZ).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def booking_body(**overrides) -> dict:
    body = {"name": "刘大爷", "phone": "13812345678", "product": "consumer-credit",
            "slot": next_slot().isoformat(), "callback": False, "note": "想了解一下",
            "consent": True, "consent_version": CONSENT, "channel": ""}
    body.update(overrides)
    return body


_due = iter(range(40, 10_000))  # distinct minutes: one slot, one booking holds in the past too


def come_due(db, reference: str, minutes_ago: int | None = None) -> None:
    """Let time pass for a booking: its slot started `minutes_ago` minutes ago (by default past
    its end, each booking at its own minute) and it was made a day before."""
    from sqlmodel import select

    from server.models import Booking, utcnow

    booking = db.exec(select(Booking).where(Booking.reference == reference)).one()
    db.refresh(booking)
    booking.slot_start = utcnow() - timedelta(minutes=minutes_ago if minutes_ago is not None else next(_due))
    booking.created_at = min(booking.created_at, booking.slot_start - timedelta(days=1))
    db.add(booking)
    db.commit()


def check_in(client, staff, created: dict) -> dict:
    """The customer shows the code on their status page and staff type it: a verified arrival."""
    status = client.get("/api/status", headers={"X-Booking-Token": created["status_token"]}).get_json()
    r = staff.post(f"/api/staff/bookings/{created['reference']}/checkin", json={"code": status["checkin_code"]})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@contextmanager
def statements(app):
    """The SQL statements the app's engine runs meanwhile (whitespace folded), in order."""
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def book(client):
    """Post a booking to a shop code; returns the response."""
    def _book(code, headers=None, **overrides):
        return client.post(f"/api/shops/{code}/bookings", json=booking_body(**overrides),
                           headers=headers or {})
    return _book


@pytest.fixture
def prove(app, client):
    """Prove a number as its holder would (a one-time code by text): the X-Phone-Proof header."""
    def _prove(phone="13812345678"):
        assert client.post("/api/phone/code", json={"phone": phone}).status_code == 202
        code = app.extensions["customer_sender"].last(phone)["params"]["code"]
        r = client.post("/api/phone/verify", json={"phone": phone, "code": code})
        assert r.status_code == 200, r.get_json()
        return {"X-Phone-Proof": r.get_json()["proof"]}
    return _prove


@pytest.fixture
def login(app):
    """A logged-in test client for an employee, with its CSRF header set."""
    def _login(employee):
        c = app.test_client()
        r = c.post("/api/staff/login", json={"staff_no": employee.staff_no, "password": PASSWORD})
        assert r.status_code == 200, r.get_json()
        c.environ_base["HTTP_X_CSRFTOKEN"] = r.get_json()["csrf_token"]
        return c
    return _login


# --- browser tests ----------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture
def live_server(app, bank):
    """The app served over real HTTP on a loopback port (threaded, so SSE streams work)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped where it is missing, except in CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"browser tests are mandatory here but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    """A phone-sized browser context (360×740, touch, Chinese)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    yield context
    context.close()


# --- the log scan: nothing personal may reach a log during the whole run ----------------------

import logging as _logging  # noqa: E402
import re as _re  # noqa: E402

_LEAKS = _re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|刘大爷|" + _re.escape(PASSWORD))


class _LogScan(_logging.Handler):
    def __init__(self):
        super().__init__(level=_logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record):
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001
            return
        if _LEAKS.search(line):
            self.leaks.append(line[:300])


_SCAN = _LogScan()


def pytest_configure(config):
    _logging.getLogger().addHandler(_SCAN)


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs():
    """Fail the test during which a log line held a phone number, a test customer's name or a
    password: the leak shows up by name in the summary, not only in the exit code."""
    before = len(_SCAN.leaks)
    yield
    leaked = _SCAN.leaks[before:]
    if leaked:
        pytest.fail("personal data reached the logs:\n  " + "\n  ".join(leaked[:5]), pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any log line held a phone number, a test customer's name or a password."""
    if _SCAN.leaks:
        print("\nPersonal data reached the logs:\n  " + "\n  ".join(_SCAN.leaks[:10]))
        session.exitstatus = 1


def pytest_collection_modifyitems(config, items):
    """Browser tests exercise the front end: run them once, on SQLite, not again per backend."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        uses_browser = "live_server" in getattr(item, "fixturenames", ())
        (drop if uses_browser and params.get("database_url") == "postgresql" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
