"""What one request of each endpoint costs in round trips: SQL statements and Redis commands.

Counted in-process (Flask's test client on the benchmark's database and Redis), so nothing
in server/ changes: an SQLAlchemy event listener counts statements, and redis-py's
`execute_command` is wrapped for the duration.
"""
import logging
import re
import secrets
import threading
from collections import Counter
from contextlib import contextmanager

from sqlalchemy import event

from bench.dbsetup import stop_background

PATTERN = re.compile(r"^\s*(SELECT .*? FROM \S+|INSERT INTO \S+|UPDATE \S+|DELETE FROM \S+|\w+)", re.S)


@contextmanager
def _counting(engine):
    import redis

    sql, commands = [], Counter()
    me = threading.get_ident()  # the request's thread: background threads of the app don't count
    original = redis.Redis.execute_command

    def listener(conn, cursor, statement, *rest):
        if threading.get_ident() == me:
            sql.append(statement)

    def counted(self, *args, **kwargs):
        if threading.get_ident() == me:
            commands[str(args[0]).upper()] += 1
        return original(self, *args, **kwargs)

    event.listen(engine, "before_cursor_execute", listener)
    redis.Redis.execute_command = counted
    try:
        yield sql, commands
    finally:
        redis.Redis.execute_command = original
        event.remove(engine, "before_cursor_execute", listener)


def _shape(statement: str) -> str:
    m = PATTERN.match(" ".join(statement.split()))
    text = m.group(1) if m else statement[:40]
    return re.sub(r"SELECT .*? FROM", "SELECT … FROM", text)[:70]


def per_request(env: dict, seed: dict, board: str, consent: str) -> dict:
    """For each endpoint: status, SQL statements (and their shapes), Redis commands, of one request."""
    from server import create_app

    app = create_app({**env, "TESTING": False})
    logging.getLogger().setLevel(logging.WARNING)
    engine = app.extensions["engine"]
    client = app.test_client()
    code = seed["shops"][0]["code"]
    client.post("/api/staff/login", json=seed["login"])

    def book():
        phone = "15" + "".join(secrets.choice("0123456789") for _ in range(9))
        return client.post(f"/api/shops/{code}/bookings", json={
            "name": "计数", "phone": phone, "product": "consumer-credit", "callback": True,
            "consent": True, "consent_version": consent})

    calls = {"shop": lambda: client.get(f"/api/shops/{code}"), "board": lambda: client.get(board),
             "booking": book}
    out = {}
    try:
        for name, call in calls.items():
            call()  # the first request warms caches (compiled statements, pools)
            with _counting(engine) as (sql, commands):
                status = call().status_code
            out[name] = {"status": status, "sql": len(sql), "redis": sum(commands.values()),
                         "redis_commands": dict(commands),
                         "shapes": Counter(_shape(s) for s in sql).most_common()}
    finally:
        stop_background(app)
        engine.dispose()
    return out
