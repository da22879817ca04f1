"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from server import db as database


def test_migrations_create_the_schema_the_models_describe(database_url):
    engine = database.make_engine(database_url)
    database.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_the_one_slot_one_booking_index_is_created_by_migrations(database_url):
    engine = database.make_engine(database_url)
    database.upgrade(engine)
    indexes = {i["name"]: i for i in inspect(engine).get_indexes("booking")}
    engine.dispose()
    assert indexes["uq_booking_active_slot"]["unique"]


def test_the_migrations_make_the_audit_log_append_only(database_url):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    engine = database.make_engine(database_url)
    database.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO auditentry (at, action, target, detail, source) "
                          "VALUES (CURRENT_TIMESTAMP, 'login', '', '', '')"))
    for statement in ("UPDATE auditentry SET detail = 'edited'", "DELETE FROM auditentry"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT detail FROM auditentry")).scalars().all() == [""]
    engine.dispose()
