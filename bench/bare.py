"""The baseline: a bare Flask app served by the same gunicorn configuration as the real one.

Every ratio in RESULTS.md divides an endpoint's requests/s by this app's, measured in the
same run, so the machine, the load tool and gunicorn cancel out and what is left is our code.

`POST /write` is the floor of any write path: the body parsed and one row inserted in its own
transaction, through our engine set-up (server.db.make_engine: SQLite's WAL and BEGIN
IMMEDIATE, PostgreSQL's pool) on the benchmark's database (BARE_DATABASE_URL). No validation,
no limits, no routing, no rollups: what a booking costs beyond it is what the booking does.
`POST /probe` (with BARE_REDIS_URL) adds the two things no public booking path goes without:
the per-address rate limit in Redis (Flask-Limiter) and the body validated as a booking.
"""
import os

from flask import Flask, request
from sqlalchemy import Column, Integer, MetaData, String, Table, insert


ROWS = Table("bare_write", MetaData(), Column("id", Integer, primary_key=True),
             Column("phone", String(11)), Column("name", String(40)))


def prepare(url: str) -> None:
    """Create POST /write's table before the workers start (two creating it would race)."""
    from server.db import make_engine

    engine = make_engine(url)
    ROWS.create(engine, checkfirst=True)
    engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/ping")
    def ping():
        return {"ok": True}

    @app.post("/echo")
    def echo():
        data = request.get_json()  # parse the body, as the booking endpoint must
        return {"ok": True, "fields": len(data)}, 201

    url = os.environ.get("BARE_DATABASE_URL")
    if url:
        from server.db import make_engine

        engine = make_engine(url)
        add = insert(ROWS)

        @app.post("/write")
        def write():
            data = request.get_json()
            with engine.connect() as conn:
                conn.execute(add, {"phone": data["phone"], "name": data["name"]})
                conn.commit()
            return {"ok": True}, 201

        redis_url = os.environ.get("BARE_REDIS_URL")
        if redis_url:
            from flask_limiter import Limiter
            from flask_limiter.util import get_remote_address

            from server.models import BookingCreate

            limiter = Limiter(get_remote_address, app=app, storage_uri=redis_url, headers_enabled=False,
                              swallow_errors=True)

            @app.post("/probe")
            @limiter.limit(os.environ["BARE_LIMIT"])
            def probe():
                """A minimal booking write path: the per-address limit counted in Redis by
                Flask-Limiter (as the booking's), the body validated as a booking, one INSERT in
                its own transaction. No routing, customer, rollups, outbox or live message."""
                data = BookingCreate.model_validate(request.get_json())
                with engine.connect() as conn:
                    conn.execute(add, {"phone": data.phone, "name": data.name})
                    conn.commit()
                return {"ok": True}, 201

    return app
