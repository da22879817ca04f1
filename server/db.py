"""Engine and session set-up: one session per request, SQLite in WAL with IMMEDIATE writes."""
import sqlite3
import time
from pathlib import Path

from flask import current_app, g
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and explicit BEGINs."""
    if not url.startswith("sqlite"):
        # A request waits at most 10 s for a connection, then gets a 503 with Retry-After.
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=10,
                               hide_parameters=True)  # no customer's phone in an error's text
        # A batch's rows go in one multi-row INSERT, not psycopg's executemany, which handles
        # each row's result in Python (booking CPU on PostgreSQL, quick bench: 2.64-2.73 ms ->
        # 2.52-2.60 ms; SQLite's executemany is a loop in C, left as it is).
        engine.dialect.use_insertmanyvalues_wo_returning = True
        return engine
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A deferred transaction that reads then writes fails under concurrent writers
        # ("database is locked" despite busy_timeout); writers take the lock up front.
        if conn.get_execution_options().get("immediate"):
            _begin_immediate(conn.connection.dbapi_connection)
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


BUSY_SECONDS = 30


def _begin_immediate(raw) -> None:
    """BEGIN IMMEDIATE. While another process holds the write lock, wait by sleeping between
    tries, not in SQLite's busy handler: in a gevent worker time.sleep lets the worker's other
    requests and streams go on, where the busy handler would hold all of them up."""
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline, pause = time.monotonic() + BUSY_SECONDS, 0.001
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise OperationalError("BEGIN IMMEDIATE", None, e) from e  # busy: a 503
            time.sleep(pause)
            pause = min(2 * pause, 0.02)
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")


def create_all(engine: Engine) -> None:
    """Create the tables straight from the models (tests); deployments use upgrade()."""
    from server import models  # noqa: F401  (registers the tables)

    SQLModel.metadata.create_all(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` with the Alembic migrations in server/migrations."""
    from alembic import command
    from alembic.config import Config

    from config.settings import ROOT

    cfg = Config(str(ROOT / "alembic.ini"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def drop_everything(engine: Engine) -> None:
    from server import models  # noqa: F401

    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def get_db() -> Session:
    """The request's session, opened on first use and closed in teardown."""
    if "db" not in g:
        g.db = Session(current_app.extensions["engine"], expire_on_commit=False)
    return g.db


def close_db(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def begin_write(db: Session) -> None:
    """Start a write transaction (BEGIN IMMEDIATE on SQLite) before the first read of it."""
    if db.in_transaction():
        db.commit()
    db.connection(execution_options={"immediate": True})
