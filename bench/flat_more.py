"""bench/flat.py's further calls (issue 15): targets progress, cohort and per-capita boards,
trends, and the check-in request against a status change request, on one database.

- Targets: every branch and 300 employees get this month's targets (bookings, verified arrivals,
  completions), written with SQL; `server.boards.targets.progress` as an admin sees it
  (GET /api/boards/targets), for `window("month")` and `window("week")`.
- Boards: `by_employee` of one cohort (`Cohort(level="trainee", track="microloan")`), the
  per-capita branch board (`by_group(by="branches", per_capita=True)`), and
  `server.boards.trend.trend` over this month for everyone, one branch and one employee (with
  `now` fixed at the start of the run, so that the days it counts as closed stay the same).
- Check-in against a status change: shop bookings of one manager that are due now (a slot that
  started 5 minutes ago, status new) are inserted for the purpose; that manager, logged in with
  Flask's test client, either checks one in with its code (POST /api/staff/bookings/<ref>/checkin:
  verification, counted arrival) or moves it (POST …/status) to "arrived" (no evidence: counted
  as unverified) or to "contacted". Time: the request, from the client's call to its answer.
"""
import hashlib
import time
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import text
from sqlmodel import Session
from werkzeug.security import generate_password_hash

from server.boards import service as boards
from server.boards import targets as targets_service
from server.boards.trend import trend
from server.checkin.service import day_code
from server.clock import period_range
from server.models import Employee

COHORT = boards.Cohort(level="trainee", track="microloan")
BOARDS = ("targets month", "targets week", "cohort month", "per-capita month", "trend all month",
          "trend branch month", "trend employee month")
WRITES = ("checkin", "arrived", "contacted")
PASSWORD = "flat-bench-password"


class More:
    def __init__(self, m, today, now: datetime, n_due: int):
        """Seed the targets and `n_due` due bookings per write kind on `m`'s database; log in."""
        self.m, self.today, self.now = m, today, now
        people = m.people
        self.branch = people[0].branch_id
        self.employee = max(people, key=lambda p: p.weight).id  # the busiest person
        with Session(m.db.engine) as s:
            self.admin = s.execute(text("SELECT id FROM employee WHERE role = 'admin' ORDER BY id")).first()[0]
        self.targets = self._seed_targets()
        self.due = {kind: [] for kind in WRITES}  # kind -> [(reference, check-in code)]
        self._make_due(n_due)
        self.client = self._login(self.employee)

    def call(self, key: str, pass_no: int = 1) -> float:
        return self.write(key) if key in WRITES else self.board(key)

    def board(self, key: str) -> float:
        m = self.m
        call, period = key.rsplit(" ", 1)
        start, end = period_range(period, self.today)
        t0 = time.perf_counter()
        with Session(m.db.engine, expire_on_commit=False) as s:
            if call == "targets":
                rows = targets_service.progress(s, viewer=s.get(Employee, self.admin),
                                                win=targets_service.window(period, self.today), now=self.now)
            elif call == "cohort":
                rows = boards.by_employee(s, start=start, end=end, weights=m.weights, cohort=COHORT)
            elif call == "per-capita":
                rows = boards.by_group(s, by="branches", start=start, end=end, weights=m.weights, per_capita=True)
            else:
                scope = call.split()[1]
                rows = trend(s, period=period, start=start, end=end, weights=m.weights, now=self.now,
                             employee_ids=[self.employee] if scope == "employee" else None,
                             branch_id=self.branch if scope == "branch" else None)["series"]
        elapsed = time.perf_counter() - t0
        assert rows, f"empty {key}"
        return elapsed

    def first_trend(self) -> dict:
        """The first bank-wide month trend: it sums the closed days per branch and keeps them."""
        t0 = time.perf_counter()
        self.board("trend all month")
        elapsed = time.perf_counter() - t0
        with Session(self.m.db.engine) as s:
            kept = s.execute(text("SELECT count(*), count(DISTINCT day) FROM daytotal")).one()
        return {"seconds": elapsed, "rows": kept[0], "days": kept[1]}

    def write(self, kind: str) -> float:
        reference, code = self.due[kind].pop()
        t0 = time.perf_counter()
        if kind == "checkin":
            r = self.client.post(f"/api/staff/bookings/{reference}/checkin", json={"code": code})
        else:
            r = self.client.post(f"/api/staff/bookings/{reference}/status", json={"status": kind})
        elapsed = time.perf_counter() - t0
        answer = r.get_json()
        assert r.status_code == 200, answer
        assert answer["status"] == ("arrived" if kind == "checkin" else kind) and answer["verified"] == (
            kind == "checkin"), answer
        return elapsed

    def _seed_targets(self) -> int:
        """This month's targets: every branch, and every 1,000 / 300th employee (300)."""
        month = targets_service.month_of(self.today)
        people = self.m.people
        step = len(people) / 300
        rows = [{"scope": "branch", "subject_id": b, "bookings": 3000, "arrived": 1500, "completed": 1200}
                for b in sorted({p.branch_id for p in people})]
        rows += [{"scope": "employee", "subject_id": people[int(k * step)].id, "bookings": 40, "arrived": 20,
                  "completed": 15} for k in range(300)]
        with self.m.db.engine.begin() as conn:
            conn.execute(text("INSERT INTO target (period, scope, subject_id, bookings, arrived, completed, "
                              "updated_at) VALUES (:period, :scope, :subject_id, :bookings, :arrived, :completed, "
                              ":at)"), [{**r, "period": month, "at": self._stamp()} for r in rows])
        return len(rows)

    def _stamp(self, moment: datetime | None = None):
        """A time as a bound parameter: aware for PostgreSQL's timestamptz, naive UTC for SQLite."""
        moment = moment or datetime.now(self.now.tzinfo)
        return moment if self.m.db.kind == "postgresql" else moment.replace(tzinfo=None)

    def _make_due(self, n: int) -> None:
        """`n` shop bookings per write kind for the busiest person, each with a slot that started
        5 minutes ago (a microsecond apart: one slot, one booking), status new."""
        m, now = self.m, datetime.now(self.now.tzinfo)
        p = next(p for p in m.people if p.id == self.employee)
        rows = []
        with m.db.engine.begin() as conn, m.db.app.app_context():
            first = conn.execute(text("SELECT max(id) FROM booking")).scalar() + 1
            customer = conn.execute(text("SELECT min(id) FROM customer")).scalar()
            for k in range(n * len(WRITES)):
                bid = first + k
                rows.append({"id": bid, "reference": f"D{bid}", "customer_id": customer, "employee_id": p.id,
                             "branch_id": p.branch_id, "shop_link_id": p.link_id, "product_id": p.offers[0][0],
                             "channel": p.channels[0], "source": "shop", "name": "测试客户",
                             "slot_start": self._stamp(now - timedelta(minutes=5, microseconds=k)), "status": "new",
                             "note": "", "route_reason": "new_customer", "consent_version": m.consent,
                             "consented_at": self._stamp(now), "created_at": self._stamp(now - timedelta(days=1)),
                             "token_hash": hashlib.sha256(f"due-{bid}".encode()).hexdigest(),
                             "updated_at": self._stamp(now)})
                self.due[WRITES[k % len(WRITES)]].append((f"D{bid}", day_code(SimpleNamespace(id=bid), now)))
            cols = list(rows[0])
            conn.execute(text(f"INSERT INTO booking ({', '.join(cols)}, flag, device, flag_review, request_hash, "
                              f"checkin_failures, proven) VALUES ({', '.join(':' + c for c in cols)}, '', '', '', "
                              f"'', 0, false)"), rows)
            if m.db.kind == "postgresql":
                conn.execute(text("SELECT setval(pg_get_serial_sequence('booking', 'id'), (SELECT max(id) FROM booking))"))

    def _login(self, employee_id: int):
        """Flask's test client, logged in as `employee_id` (cheap scrypt: the login is not measured)."""
        with self.m.db.engine.begin() as conn:
            staff_no = conn.execute(text("UPDATE employee SET password_hash = :h WHERE id = :i RETURNING staff_no"),
                                    {"h": generate_password_hash(PASSWORD, method="scrypt:1024:8:1"),
                                     "i": employee_id}).scalar()
        client = self.m.db.app.test_client()
        r = client.post("/api/staff/login", json={"staff_no": staff_no, "password": PASSWORD})
        assert r.status_code == 200, r.get_json()
        client.environ_base["HTTP_X_CSRFTOKEN"] = r.get_json()["csrf_token"]
        return client


def rows_read(x: More) -> dict:
    """DailyStat rows of today, this week and this month: what the boards aggregate."""
    out = {}
    with x.m.db.engine.connect() as conn:
        for period in ("today", "week", "month"):
            start, end = period_range(period, x.today)
            out[period] = conn.execute(text("SELECT count(*) FROM dailystat WHERE day >= :a AND day <= :b"),
                                       {"a": start, "b": end}).scalar()
    return out
