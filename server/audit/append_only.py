"""The audit log is append-only, and the database itself says so: triggers on PostgreSQL and
SQLite refuse every UPDATE and DELETE of an audit row (and TRUNCATE on PostgreSQL).

Created by the migration (0010) and, for `create_all` (tests, the demo), by a DDL event on the
table; both use the statements below. Nothing in the application rewrites an audit row: entries
hold ids and references, never personal data, so erasing a customer never needs to touch them.
"""
from sqlalchemy import DDL, Table, event

MESSAGE = "the audit log is append-only"

POSTGRESQL = (
    f"""CREATE OR REPLACE FUNCTION auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$""",
    """CREATE TRIGGER auditentry_no_change BEFORE UPDATE OR DELETE ON auditentry
FOR EACH ROW EXECUTE FUNCTION auditentry_append_only()""",
    """CREATE TRIGGER auditentry_no_truncate BEFORE TRUNCATE ON auditentry
FOR EACH STATEMENT EXECUTE FUNCTION auditentry_append_only()""",
)
SQLITE = (
    f"""CREATE TRIGGER auditentry_no_update BEFORE UPDATE ON auditentry
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER auditentry_no_delete BEFORE DELETE ON auditentry
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
)
DROP = {
    "postgresql": ("DROP TRIGGER IF EXISTS auditentry_no_change ON auditentry",
                   "DROP TRIGGER IF EXISTS auditentry_no_truncate ON auditentry",
                   "DROP FUNCTION IF EXISTS auditentry_append_only()"),
    "sqlite": ("DROP TRIGGER IF EXISTS auditentry_no_update", "DROP TRIGGER IF EXISTS auditentry_no_delete"),
}


def statements(dialect: str) -> tuple[str, ...]:
    """The CREATE statements for `dialect` ("postgresql" or "sqlite"; none for others)."""
    return {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(dialect, ())


def guard(table: Table) -> None:
    """Have `create_all` add the triggers right after it creates `table`."""
    for dialect in ("postgresql", "sqlite"):
        for sql in statements(dialect):
            event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))
