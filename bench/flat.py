"""Do boards, targets, trends, booking creation and check-in stay flat from 10,000 to 1,000,000 bookings?

    .venv/bin/python bench/flat.py [--db sqlite|postgresql|both] [--rounds 3] [--quick] [--commit REV]

With 1,000 employees (the demo's 6 branches, one shop link each) and the demo's products, two
databases per backend are built with the Alembic migrations and filled in bulk by the same
generator (bench/flatgen.py, bench/flatdb.py): "small" stops at 10,000 bookings, "large" goes on
to 1,000,000 (`--quick`: 100,000; `--large N`). Then, in-process and without HTTP unless said,
each call on one size is paired with the same call on the other in alternating order, so that
load from other processes on this shared machine falls on both sizes alike:
- boards: `server.boards.service.by_employee` and `by_group(by="branches")`, today / week / month;
- booking creation: `server.bookings.service.book()` by new customers through 300 shops;
- bench/flat_more.py: targets progress (month, week), a cohort board, the per-capita branch
  board, trends (everyone, a branch, an employee), and the check-in request against a status
  change request (Flask's test client, logged in as the bookings' manager).
The timed block runs `--rounds` times (default 3) on the same databases; every ratio reported is
the median of its rounds' ratios (each a ratio of medians). Then one untimed pass counts the SQL
statements of each call and EXPLAINs the rollup reads. The tables go to bench/FLAT.md between its
`<!-- flat:begin -->` / `<!-- flat:end -->` markers; the findings around them are written by hand.

`--commit REV` imports `server` from a clean `git archive` of REV (others may be half-way through a
change in server/). SQLite: temp files. PostgreSQL (postgresql+psycopg://postgres@127.0.0.1:5432/test):
schemas `flat_<random>_<size>`, dropped at the end whatever happens.
"""
import argparse
import gc
import os
import pickle
import atexit
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import machine  # noqa: E402


def _code(argv: list[str]) -> str:
    """Put the code to measure first on sys.path (with --commit: a clean checkout of it)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--commit")
    commit = pre.parse_known_args(argv)[0].commit
    temp = Path(tempfile.mkdtemp(prefix="flat_code_"))
    atexit.register(shutil.rmtree, temp, True)
    checkout = temp / "src"
    described = machine.source(commit, checkout)
    sys.path.insert(0, str(checkout if commit else ROOT))
    return described


CODE = _code(sys.argv[1:])

from sqlalchemy import event  # noqa: E402
from sqlmodel import Session  # noqa: E402

from server.boards import service as boards  # noqa: E402
from server.bookings import service as bookings  # noqa: E402
from server.clock import local_day, period_range  # noqa: E402
from server.models import BookingCreate, ShopLink  # noqa: E402

from bench import flat_more, flatreport  # noqa: E402
from bench.flatdb import BenchDb, check_columns, check_rollups, fill, outbox_channel, say  # noqa: E402
from bench.flatgen import Generator, seed_bank  # noqa: E402

PERIODS = ("today", "week", "month")
BOARDS = tuple(f"{fn} {period}" for fn in ("by_employee", "by_group") for period in PERIODS)


class Measure:
    """The timed calls on one database: boards and booking creation."""

    def __init__(self, db: BenchDb, people: list, today):
        self.db, self.people, self.today = db, people, today
        self.weights = boards.Weights.parse(db.app.config["QUALITY_WEIGHTS"])
        self.consent = db.app.config["CONSENT_VERSION"]
        step = len(people) / 300
        self.bookers = [people[int(k * step)] for k in range(300)]  # 300 employees, all branches
        self.phones = 0

    def board(self, key: str) -> float:
        fn, period = key.split()
        start, end = period_range(period, self.today)
        t0 = time.perf_counter()
        with Session(self.db.engine, expire_on_commit=False) as s:
            if fn == "by_employee":
                rows = boards.by_employee(s, start=start, end=end, weights=self.weights)
            else:
                rows = boards.by_group(s, by="branches", start=start, end=end, weights=self.weights)
        elapsed = time.perf_counter() - t0
        assert rows, "empty board"
        return elapsed

    def book(self, pass_no: int) -> float:
        """One booking by a new customer (call back), through the next of the 300 employees; the
        time is the book() call, commit included."""
        p = self.bookers[self.phones % len(self.bookers)]
        phone = f"18{pass_no}{self.phones:08d}"
        self.phones += 1
        data = BookingCreate(name="测试客户", phone=phone, product=p.offers[self.phones % len(p.offers)][1],
                             callback=True, consent=True, consent_version=self.consent)
        with self.db.app.app_context(), Session(self.db.engine, expire_on_commit=False) as s:
            link = s.get(ShopLink, p.link_id)
            t0 = time.perf_counter()
            booked = bookings.book(s, link=link, data=data, now=datetime.now(timezone.utc))
            elapsed = time.perf_counter() - t0
        assert not booked.replayed and booked.booking.employee_id == p.id
        return elapsed

    def call(self, key: str, pass_no: int = 1) -> float:
        return self.book(pass_no) if key == "book" else self.board(key)


class Statements:
    """The statements an engine runs while enabled: text, parameters and time."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["flat_t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append((" ".join(statement.split()), parameters, time.perf_counter() - conn.info["flat_t0"]))


def explain(db: BenchDb, statement: str, params) -> str:
    """The plan of a captured read (PostgreSQL: EXPLAIN ANALYZE; costs left out)."""
    import re

    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        try:
            if db.kind == "sqlite":
                cur.execute("EXPLAIN QUERY PLAN " + statement, params)
                return "\n".join(r[3] for r in cur.fetchall())
            cur.execute("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY OFF) " + statement, params)
            return "\n".join(re.sub(r"\s*\(cost=[^)]*\)", "", r[0]) for r in cur.fetchall())
        finally:
            cur.close()
            if db.kind == "postgresql":
                raw.rollback()


def rounds_of(kind: str, measures: dict, more: dict, rounds: int, reps: int, n_bookings: int, n_writes: int) -> list:
    """`rounds` times: every call `reps` times per size (bookings and writes: `n_bookings`,
    `n_writes`), each paired with the same call on the other size in alternating order."""
    pairs = (("small", "large"), ("large", "small"))
    out = []
    for r in range(rounds):
        times = {label: defaultdict(list) for label in measures}
        load = [os.getloadavg()[0]]
        calls = [([k], reps, measures) for k in BOARDS] + [([k], reps, more) for k in flat_more.BOARDS]
        # the writes interleaved, in turn first: a check-in and the status changes it is compared
        # with are timed under the same load
        calls += [(["book"], n_bookings, measures), (list(flat_more.WRITES), n_writes, more)]
        for i, (keys, n, target) in enumerate(calls):
            for k in range(n):
                for j in range(len(keys)):
                    key = keys[(k + j) % len(keys)]
                    for label in pairs[(k + i + j) % 2]:
                        gc.collect()  # earlier calls' garbage is collected outside the timing
                        times[label][key].append(target[label].call(key))
            load.append(os.getloadavg()[0])
        out.append({"times": {label: dict(t) for label, t in times.items()}, "load": load})
        say(f"  {kind} round {r + 1}/{rounds}: " + ", ".join(
            f"{key} {flatreport.ratio(out[-1], key):.2f}" for key in (*BOARDS, *flat_more.BOARDS, "book")))
    return out


def counted(measures: dict, more: dict) -> dict:
    """Three more calls of each kind per size, untimed, after one to warm up (a write's session
    cache): the statements of the last, each with the median of its three times."""
    out = {}
    for label in measures:
        for key in (*BOARDS, *flat_more.BOARDS, "book", *flat_more.WRITES):
            target = more if key in flat_more.BOARDS or key in flat_more.WRITES else measures
            target[label].call(key, 2)
            runs = []
            for _ in range(3):
                with Statements(measures[label].db.engine) as st:
                    target[label].call(key, 2)
                runs.append(st.seen)
            last = runs[-1]
            if all(len(r) == len(last) for r in runs):
                last = [(s, p, statistics.median(r[i][2] for r in runs)) for i, (s, p, _) in enumerate(last)]
            out.setdefault(label, {})[key] = last
    return out


def plans(db: BenchDb, seen: dict) -> dict:
    """The plans of the rollup reads of the month board, the trends and the week's targets."""
    out = {}
    for key in ("by_employee month", "trend all month", "trend branch month", "targets week"):
        for statement, params, _ in seen[key]:
            low = statement.lower()
            if low.startswith("select") and ("from dailystat" in low or "from daytotal" in low):
                out.setdefault(key, []).append((statement, explain(db, statement, params)))
    return out


def run_backend(kind: str, sizes: tuple[int, int], quick: bool, workdir: Path, rounds: int) -> dict:
    tag = uuid.uuid4().hex[:8]
    started = datetime.now(timezone.utc)
    today = local_day(started)
    result = {"kind": kind, "sizes": sizes, "today": today.isoformat(), "fill": {}, "check": {}, "analyze": {},
              "db_mb": {}}
    dbs: dict[str, BenchDb] = {}
    try:
        for label in ("small", "large"):
            dbs[label] = BenchDb(kind, label, workdir, tag)
        check_columns(dbs["small"])
        gens, people = {}, {}
        for label, db in dbs.items():
            people[label] = seed_bank(db)
            gens[label] = Generator(people[label], today, kind, db.app.config["CONSENT_VERSION"], outbox_channel(db))
        # small: 10k; large: the same 10k (same seed), then on to 1M (or 100k with --quick)
        result["fill"]["small"] = fill(dbs["small"], gens["small"], sizes[0])
        result["fill"]["large_first"] = fill(dbs["large"], gens["large"], sizes[0])
        result["fill"]["large"] = fill(dbs["large"], gens["large"], sizes[1])
        for label, db in dbs.items():
            result["check"][label] = check_rollups(db)
            result["analyze"][label] = db.analyze()
            result["db_mb"][label] = db.size_mb()
            say(f"  {kind}/{label}: {result['check'][label]['bookings']:,} bookings, rollups match, "
                f"{result['db_mb'][label]:.0f} MB")
        measures = {label: Measure(db, people[label], today) for label, db in dbs.items()}
        reps, n_bookings, n_writes = (10, 60, 40) if quick else (30, 200, 100)
        more = {label: flat_more.More(m, today, started, n_writes * rounds + 6) for label, m in measures.items()}
        result["rows"] = {label: flat_more.rows_read(m) for label, m in more.items()}
        result["first_trend"] = {label: m.first_trend() for label, m in more.items()}  # sums closed days
        del gens, people
        gc.collect()
        gc.freeze()  # what is left (apps, engines, people) is not traced by each collection below
        for label in measures:  # warm-up: each call once, 20 bookings
            for key in (*BOARDS, *flat_more.BOARDS, *flat_more.WRITES):
                (more if key in flat_more.BOARDS or key in flat_more.WRITES else measures)[label].call(key)
            for _ in range(20):
                measures[label].book(0)
        result["rounds"] = rounds_of(kind, measures, more, rounds, reps, n_bookings, n_writes)
        result["reps"] = {"boards": reps, "bookings": n_bookings, "writes": n_writes}
        seen = counted(measures, more)
        result["statements"] = {label: {k: [(s, t) for s, _, t in v] for k, v in calls.items()}
                                for label, calls in seen.items()}
        result["plans"] = {label: plans(dbs[label], seen[label]) for label in dbs}
        result["targets"] = more["small"].targets
    finally:
        for db in dbs.values():
            db.drop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds on the same databases (default 3)")
    parser.add_argument("--quick", action="store_true", help="stop at 100,000 bookings, fewer calls")
    parser.add_argument("--large", type=int, help="size of the large database (default 1,000,000; --quick 100,000)")
    parser.add_argument("--commit", help="measure a clean `git archive` of this commit, not the working tree")
    parser.add_argument("--out", default=str(ROOT / "bench" / "FLAT.md"))
    parser.add_argument("--save", help="also pickle the figures to this file (outside the repo), for --render")
    parser.add_argument("--render", help="only rewrite the tables from figures saved with --save")
    args = parser.parse_args()
    out = Path(args.out)
    if args.render:
        flatreport.write(out, **pickle.loads(Path(args.render).read_bytes()))
        say(f"wrote {out} from {args.render}")
        return 0
    sizes = (10_000, args.large or (100_000 if args.quick else 1_000_000))
    info = {**machine.describe(), "sqlite": sqlite3.sqlite_version, "code": CODE}
    started = time.perf_counter()
    results = []
    workdir = Path(tempfile.mkdtemp(prefix="flat_"))
    try:
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            say(f"{kind}: building small ({sizes[0]:,}) and large ({sizes[1]:,})")
            results.append(run_backend(kind, sizes, args.quick, workdir, args.rounds))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    argv = sys.argv[1:]
    for option in ("--save", "--out"):  # where things were written is not part of the measurement
        if option in argv:
            i = argv.index(option)
            argv = argv[:i] + argv[i + 2:]
        argv = [a for a in argv if not a.startswith(option + "=")]
    saved = {"results": results, "info": info, "argv": argv, "quick": args.quick,
             "wall": time.perf_counter() - started}
    if args.save:
        Path(args.save).write_bytes(pickle.dumps(saved))
    flatreport.write(out, **saved)
    say(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
