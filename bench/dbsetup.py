"""A fresh database for one run: a SQLite file in a temp dir, or a new PostgreSQL schema.

The schema is built with the Alembic migrations (as a deployment does) and filled with the
demo bank (6 branches, ~60 staff, products, a few days of activity).
"""
import logging
import uuid
from datetime import datetime, timedelta
from itertools import zip_longest
from pathlib import Path

from sqlalchemy import create_engine, func, text
from sqlmodel import Session, select

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class BenchDatabase:
    def __init__(self, kind: str, workdir: Path):
        self.kind, self.workdir = kind, workdir
        self.schema = f"bench_{uuid.uuid4().hex[:10]}"
        self.url = ""

    def __enter__(self):
        if self.kind == "sqlite":
            self.url = f"sqlite:///{self.workdir / 'bench.db'}"
        else:
            admin = create_engine(PG_ADMIN)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {self.schema}"))
            admin.dispose()
            self.url = f"{PG_ADMIN}?options=-csearch_path%3D{self.schema}"
        return self

    def __exit__(self, *exc):
        if self.kind == "postgresql":
            admin = create_engine(PG_ADMIN)
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
            admin.dispose()

    def seed(self) -> dict:
        """Migrate and seed the demo bank; return its shop links and counts."""
        from server import create_app, db as database
        from server.demo import DEMO_ADMIN_NO, DEMO_PASSWORD, seed_demo
        from server.models import Employee, ShopLink

        app = create_app({"DATABASE_URL": self.url, "REDIS_URL": "", "APP_ENV": "development"})
        logging.getLogger().setLevel(logging.WARNING)  # create_app turns INFO on; keep the run quiet
        engine = app.extensions["engine"]
        try:
            database.upgrade(engine)
            with app.app_context(), Session(engine, expire_on_commit=False) as db:
                result = seed_demo(db)
                links = db.exec(select(ShopLink.code, ShopLink.employee_id, Employee.branch_id)
                                .join(Employee, Employee.id == ShopLink.employee_id)
                                # The benches book consumer credit, which corporate-track shops do
                                # not offer (a 422 there would be measured as a booking).
                                .where(ShopLink.channel == "", Employee.disabled == False,  # noqa: E712
                                       Employee.track != "corporate")
                                .order_by(ShopLink.employee_id)).all()
        finally:
            stop_background(app)
            engine.dispose()
        return {"counts": result["counts"], "login": {"staff_no": DEMO_ADMIN_NO, "password": DEMO_PASSWORD},
                "shops": [{"code": c, "employee_id": e, "branch_id": b} for c, e, b in links]}

    def count_bookings(self) -> int:
        from server.models import Booking

        return self._count(select(func.count()).select_from(Booking))

    def pending_notifications(self) -> int:
        from server.models import Notification

        return self._count(select(func.count()).select_from(Notification).where(Notification.status == "pending"))

    def _count(self, query) -> int:
        engine = create_engine(self.url)
        try:
            with Session(engine) as db:
                return db.exec(query).one()
        finally:
            engine.dispose()


def stop_background(app) -> None:
    """End threads an in-process app may have started (the notification sender, once it exists)."""
    runner = app.extensions.get("notify")
    if runner is not None and hasattr(runner, "stop"):
        runner.stop()


def open_slots(call, base: str, codes: list[str], *, not_before, limit: int) -> list[list[str]]:
    """[booking path, slot start] pairs of open slots, interleaved across shops, from the API.

    Only slots at least two hours ahead: the server refuses slots closer than its lead time,
    and the list must stay valid for the whole run.
    """
    per_shop = []
    for code in codes:
        status, data, _ = call(base, "GET", f"/api/shops/{code}/slots")
        if status != 200:
            raise RuntimeError(f"slots of {code}: {status} {data}")
        starts = [s["start"] for d in data["days"] for s in d["slots"]]
        per_shop.append([[f"/api/shops/{code}/bookings", s] for s in starts
                         if _parse(s) >= not_before + timedelta(hours=2)])
    out = []
    for row in zip_longest(*per_shop):  # round robin: consecutive bookings go to different managers
        out.extend(pair for pair in row if pair is not None)
    return out[:limit]


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso)
