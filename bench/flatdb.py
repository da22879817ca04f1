"""bench/flat.py's databases: a fresh one per size (a SQLite file or a PostgreSQL schema, built
with the Alembic migrations), filled in bulk with bench/flatgen.py's rows (executemany / COPY,
one transaction per chunk of days), then checked: the rollups against the events, key by key
both ways, and every foreign key the bulk load did not check row by row.
"""
import logging
import math
import sqlite3
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from server import create_app, db as database
from server.boards.rollups import KEYS, ROLLUP_COUNTERS
from server.models import COUNTERS, FUNNEL_COUNTERS, DailyStat, FunnelStat
from bench.flatgen import DAYS, Chunk, Generator

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_CONNINFO = "postgresql://postgres@127.0.0.1:5432/test"


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


CUSTOMER_COLS = ("id", "phone", "name", "marketing_consent_at", "employee_id", "bound_at", "created_at")
BOOKING_COLS = ("id", "reference", "customer_id", "employee_id", "branch_id", "shop_link_id", "product_id",
                "channel", "source", "name", "slot_start", "status", "note", "route_reason",
                "consent_version", "consented_at", "token_hash", "flag", "device", "idempotency_key",
                "request_hash", "created_at", "updated_at", "flag_review", "contacted_at", "verified_at",
                "verified_by", "checkin_failures", "proven")
EVENT_COLS = ("kind", "at", "day", "employee_id", "branch_id", "shop_link_id", "booking_id", "product_id",
              "channel", "status", "flagged", "unverified")
NOTIFICATION_COLS = ("booking_id", "employee_id", "channel", "status", "attempts", "next_at", "created_at",
                     "sent_at")
DAILY_COLS = ("day", "employee_id", "branch_id", *COUNTERS, "flagged", "unverified")
FUNNEL_COLS = ("day", "employee_id", "branch_id", "product_id", "channel", *FUNNEL_COUNTERS)


class BenchDb:
    """One fresh database (SQLite file or PostgreSQL schema), its app and engine."""

    def __init__(self, kind: str, label: str, workdir: Path, tag: str):
        self.kind, self.label = kind, label
        if kind == "sqlite":
            self.path = workdir / f"flat_{label}.db"
            self.url = f"sqlite:///{self.path}"
        else:
            self.schema = f"flat_{tag}_{label}"
            admin = create_engine(PG_ADMIN)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {self.schema}"))
            admin.dispose()
            self.url = f"{PG_ADMIN}?options=-csearch_path%3D{self.schema}"
        # No Redis: the in-process event bus. Notifications as configured by default: book() writes
        # its outbox row; the delivery thread (started by book() after its commit, outside its
        # latency) is not, so it cannot compete for the database while we time.
        self.app = create_app({"DATABASE_URL": self.url, "SECRET_KEY": "bench", "REDIS_URL": ""})
        self.app.extensions.pop("notify", None)
        logging.getLogger().setLevel(logging.WARNING)  # create_app turns INFO on
        self.engine = self.app.extensions["engine"]
        database.upgrade(self.engine)
        logging.getLogger().setLevel(logging.WARNING)  # so does Alembic's fileConfig
        from sqlalchemy import inspect

        self.outbox = inspect(self.engine).has_table("notification")  # migration 0006 and later

    def raw(self):
        """A DB-API connection for bulk loading (autocommit; we BEGIN / COMMIT per chunk)."""
        if self.kind == "sqlite":
            con = sqlite3.connect(self.path, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA cache_size=-1048576")  # 1 GiB page cache for the load only
            con.execute("PRAGMA temp_store=MEMORY")
            return con
        import psycopg

        con = psycopg.connect(PG_CONNINFO, options=f"-csearch_path={self.schema}", autocommit=True)
        # Bulk load only: no per-row foreign-key triggers (the generator's ids are consistent by
        # construction, and check_integrity() verifies them with SQL afterwards).
        con.execute("SET session_replication_role = replica")
        return con

    def scalar(self, sql: str):
        with self.engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    def analyze(self) -> float:
        """ANALYZE (PostgreSQL: VACUUM ANALYZE + CHECKPOINT; SQLite: ANALYZE, PRAGMA optimize,
        WAL checkpoint), so both sizes are measured with fresh statistics and no pending I/O."""
        t0 = time.perf_counter()
        con = self.raw()
        try:
            if self.kind == "sqlite":
                con.execute("ANALYZE")
                con.execute("PRAGMA optimize")
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                con.execute("VACUUM (ANALYZE)")
                con.execute("CHECKPOINT")
        finally:
            con.close()
        self.engine.dispose()  # fresh connections see the new statistics
        return time.perf_counter() - t0

    def size_mb(self) -> float:
        if self.kind == "sqlite":
            return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*")) / 2**20
        return self.scalar("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                           f"ON n.oid = c.relnamespace WHERE n.nspname = '{self.schema}' AND c.relkind = 'r'") / 2**20

    def drop(self) -> None:
        self.engine.dispose()
        if self.kind == "postgresql":
            admin = create_engine(PG_ADMIN)
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
            admin.dispose()


# --- bulk loading ------------------------------------------------------------------------------


def daily_rows(chunk: Chunk) -> list[tuple]:
    return [(day.isoformat(), emp, row[0], *row[1:]) for (day, emp), row in chunk.daily.items()]


def funnel_rows(chunk: Chunk) -> list[tuple]:
    return [(day.isoformat(), emp, row[0], product, channel, *row[1:])
            for (day, emp, product, channel), row in chunk.funnel.items()]


def outbox_channel(db: BenchDb) -> str:
    """The channel book() queues a notification on with this app's config ("" = none): the
    first of server.notify.service.enqueue's channels that is configured."""
    if not db.outbox:
        return ""
    cfg = db.app.config
    return next((c for c, on in (("webhook", cfg.get("NOTIFY_WEBHOOK_URL")), ("message", cfg.get("MESSAGE_SENDER")))
                 if on), "")


def check_columns(db: BenchDb) -> None:
    """Fail loudly if the migrations have columns the bulk loader does not fill."""
    from sqlalchemy import inspect

    insp = inspect(db.engine)
    for table, cols in (("customer", CUSTOMER_COLS), ("booking", BOOKING_COLS), ("event", EVENT_COLS),
                        ("dailystat", DAILY_COLS), ("funnelstat", FUNNEL_COLS),
                        *((("notification", NOTIFICATION_COLS),) if db.outbox else ())):
        have = {c["name"] for c in insp.get_columns(table)}
        missing, unknown = have - set(cols) - {"id"}, set(cols) - have
        if missing or unknown:
            raise SystemExit(f"bench/flat.py is out of date with the schema of {table}: "
                             f"not filled {sorted(missing)}, unknown {sorted(unknown)}")


def upsert_sql(table: str, cols: tuple, keys: tuple, counters: tuple, placeholders: str) -> str:
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    return (f"INSERT INTO {table} ({', '.join(cols)}) {placeholders} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}")


DAILY_KEYS, FUNNEL_KEYS = KEYS[DailyStat], KEYS[FunnelStat]
DAILY_COUNTERS, FUNNEL_COUNTER_COLS = ROLLUP_COUNTERS[DailyStat], FUNNEL_COUNTERS
assert DAILY_COUNTERS == DAILY_COLS[3:]


def load_sqlite(con, chunk: Chunk) -> None:
    def ins(table, cols):
        return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"

    con.execute("BEGIN IMMEDIATE")
    con.executemany(ins("customer", CUSTOMER_COLS), chunk.customers)
    con.executemany(ins("booking", BOOKING_COLS), chunk.bookings)
    con.executemany(ins("event", EVENT_COLS), chunk.events)
    if chunk.notifications:
        con.executemany(ins("notification", NOTIFICATION_COLS), chunk.notifications)
    values = "VALUES ({})"
    con.executemany(upsert_sql("dailystat", DAILY_COLS, DAILY_KEYS, DAILY_COUNTERS,
                               values.format(", ".join("?" * len(DAILY_COLS)))), daily_rows(chunk))
    con.executemany(upsert_sql("funnelstat", FUNNEL_COLS, FUNNEL_KEYS, FUNNEL_COUNTER_COLS,
                               values.format(", ".join("?" * len(FUNNEL_COLS)))), funnel_rows(chunk))
    con.execute("COMMIT")


def load_postgresql(con, chunk: Chunk) -> None:
    with con.transaction(), con.cursor() as cur:
        for table, cols, rows in (("customer", CUSTOMER_COLS, chunk.customers),
                                  ("booking", BOOKING_COLS, chunk.bookings),
                                  ("event", EVENT_COLS, chunk.events),
                                  ("notification", NOTIFICATION_COLS, chunk.notifications)):
            if not rows:
                continue
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        for table, cols, keys, counters, rows in (
                ("dailystat", DAILY_COLS, DAILY_KEYS, DAILY_COUNTERS, daily_rows(chunk)),
                ("funnelstat", FUNNEL_COLS, FUNNEL_KEYS, FUNNEL_COUNTER_COLS, funnel_rows(chunk))):
            cur.execute(f"CREATE TEMP TABLE delta_{table} ON COMMIT DROP AS "
                        f"SELECT {', '.join(cols)} FROM {table} WITH NO DATA")
            with cur.copy(f"COPY delta_{table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(upsert_sql(table, cols, keys, counters, f"SELECT {', '.join(cols)} FROM delta_{table}"))


def fill(db: BenchDb, gen: Generator, target: int) -> dict:
    """Add bookings until `db` holds `target` of them; return the timings."""
    have = db.scalar("SELECT count(*) FROM booking")
    n = target - have
    next_booking = (db.scalar("SELECT max(id) FROM booking") or 0) + 1
    next_customer = (db.scalar("SELECT max(id) FROM customer") or 0) + 1
    days_per_chunk = max(1, min(DAYS, math.ceil(DAYS * 100_000 / max(n, 1))))
    con = db.raw()
    load = load_sqlite if db.kind == "sqlite" else load_postgresql
    t_gen = t_load = 0.0
    rows = {"bookings": 0, "customers": 0, "events": 0}
    t0 = time.perf_counter()
    try:
        chunks = gen.phase(n, next_booking, next_customer, days_per_chunk)
        while True:
            a = time.perf_counter()
            chunk = next(chunks, None)
            b = time.perf_counter()
            t_gen += b - a
            if chunk is None:
                break
            load(con, chunk)
            t_load += time.perf_counter() - b
            rows["bookings"] += len(chunk.bookings)
            rows["customers"] += len(chunk.customers)
            rows["events"] += len(chunk.events)
            say(f"  {db.kind}/{db.label}: {have + rows['bookings']:,} bookings "
                f"({rows['events']:,} events) {time.perf_counter() - t0:.0f} s")
        if db.kind == "postgresql":  # ids were given explicitly: move the sequences past them
            for table in ("customer", "booking"):
                con.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    finally:
        con.close()
    return {"n": n, "seconds": time.perf_counter() - t0, "generate": t_gen, "load": t_load, **rows}


def check_rollups(db: BenchDb) -> dict:
    """The rollups equal what the events imply (rollups._increments): DailyStat key by key, both ways,
    against the events; FunnelStat summed per (day, employee) against DailyStat's visits, bookings,
    arrived and completed (the funnel counts the same unflagged events, split by product and channel)."""
    pg = db.kind == "postgresql"
    flag, unv = ("flagged", "unverified") if pg else ("flagged = 1", "unverified = 1")
    ok = f"NOT ({flag})"

    def counted(c: str) -> str:  # the event's own counter, credits and debits of it (evidence.adjust)
        own = {"visits": "kind = 'visit'", "bookings": "kind = 'booking'"}.get(c, f"kind = 'status' AND status = '{c}'")
        gated = f" AND NOT ({unv})" if c in ("bookings", "arrived", "completed", "no_show") else ""
        return (f"SUM(CASE WHEN {ok} AND (({own}{gated}) OR (kind = 'credit' AND status = '{c}')) THEN 1 "
                f"WHEN {ok} AND kind = 'debit' AND status = '{c}' THEN -1 ELSE 0 END) AS {c}")
    unverified = (f"{ok} AND {unv} AND (kind = 'booking' OR (kind = 'status' AND status IN ('arrived', 'completed')))")
    sums = ", ".join([*map(counted, COUNTERS),
                      f"SUM(CASE WHEN {flag} AND kind = 'booking' THEN 1 ELSE 0 END) AS flagged",
                      f"SUM(CASE WHEN {unverified} THEN 1 ELSE 0 END) AS unverified"])
    counts = f"({ok} AND NOT ({unv} AND kind = 'status' AND status = 'no_show')) OR kind = 'booking'"
    daily = (f"SELECT day, employee_id, branch_id, {sums} FROM event GROUP BY day, employee_id, branch_id "
             f"HAVING SUM(CASE WHEN {counts} THEN 1 ELSE 0 END) > 0")
    stored = f"SELECT {', '.join(DAILY_COLS)} FROM dailystat"
    funnel = ("SELECT day, employee_id, branch_id, SUM(visits), SUM(bookings), SUM(arrived), SUM(completed) "
              "FROM funnelstat GROUP BY day, employee_id, branch_id")
    funnel_daily = ("SELECT day, employee_id, branch_id, visits, bookings, arrived, completed FROM dailystat "
                    "WHERE visits + bookings + arrived + completed > 0")
    t0 = time.perf_counter()
    out = {}
    with db.engine.begin() as conn:
        conn.execute(text(f"CREATE TEMP TABLE flat_derived AS {daily}"))
        for name, derived, have in (("dailystat", "SELECT * FROM flat_derived", stored),
                                    ("funnelstat", funnel, funnel_daily)):
            bad = conn.execute(text(f"SELECT (SELECT count(*) FROM ({derived} EXCEPT {have}) a) + "
                                    f"(SELECT count(*) FROM ({have} EXCEPT {derived}) b)")).scalar()
            out[name] = {"rows": conn.execute(text(f"SELECT count(*) FROM {name}")).scalar(), "mismatched": bad}
        conn.execute(text("DROP TABLE flat_derived"))
        out["events"] = conn.execute(text("SELECT count(*) FROM event")).scalar()
        out["customers"] = conn.execute(text("SELECT count(*) FROM customer")).scalar()
        out["bookings"] = conn.execute(text("SELECT count(*) FROM booking")).scalar()
        out["statuses"] = dict(conn.execute(text("SELECT status, count(*) FROM booking GROUP BY status")).all())
        out["slots"] = conn.execute(text("SELECT count(*) FROM booking WHERE slot_start IS NOT NULL")).scalar()
        # check_integrity: the foreign keys the bulk load did not have checked row by row
        out["orphans"] = sum(conn.execute(text(sql)).scalar() for sql in (
            "SELECT count(*) FROM booking b WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = b.customer_id)",
            "SELECT count(*) FROM event e WHERE e.booking_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.id = e.booking_id)",
            "SELECT count(*) FROM booking WHERE employee_id NOT IN (SELECT id FROM employee) "
            "OR shop_link_id NOT IN (SELECT id FROM shoplink) OR product_id NOT IN (SELECT id FROM product)",
            "SELECT count(*) FROM customer WHERE employee_id NOT IN (SELECT id FROM employee)",
            *(("SELECT count(*) FROM notification n WHERE NOT EXISTS "
               "(SELECT 1 FROM booking b WHERE b.id = n.booking_id)",) if db.outbox else ()),
            "SELECT count(*) FROM event WHERE employee_id NOT IN (SELECT id FROM employee) "
            "OR shop_link_id NOT IN (SELECT id FROM shoplink) OR product_id NOT IN (SELECT id FROM product)"))
    out["seconds"] = time.perf_counter() - t0
    if out["dailystat"]["mismatched"] or out["funnelstat"]["mismatched"] or out["orphans"]:
        raise SystemExit(f"{db.kind}/{db.label}: rollups do not match the events: {out}")
    return out
