"""The measurements of one database: the bare baseline, the app's endpoints, the SSE fan-out."""
import json
import secrets
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from bench import cpu, load, profile, queries, sse
from bench.bare import prepare as prepare_bare_write
from bench.dbsetup import BenchDatabase, open_slots
from bench.servers import Gunicorn, call, free_port

REDIS_URL = "redis://127.0.0.1:6379/0"
# Rate limits raised out of the way (the benchmark posts thousands of bookings from one IP).
# An unusual number, so the limiter's keys this run leaves in Redis can be found and deleted.
LIMIT = "987654321"
LIMITS = {name: f"{LIMIT}/{per}" for name, per in (
    ("BOOKING_LIMIT_IP", "minute"), ("PUBLIC_LIMIT_IP", "minute"),
    ("LOGIN_LIMIT_IP", "minute"), ("LOGIN_LIMIT_ACCOUNT", "minute"))}
SSE_SETTINGS = {"SSE_MAX_SECONDS": "900", "SSE_HEARTBEAT_SECONDS": "15"}
BOARD = "/api/boards/employees?period=month"
CONSENT = "2026-12-v2"
TARGETS = {"shop": 0.5, "board": 0.5, "booking": 0.3, "page": 0.5}
ENDPOINTS = ("shop", "page", "board", "booking")
# The shop page as phones ask for it: they all accept compressed text (the server keeps the
# compressed copy, so this measures serving it, not compressing it every time).
PHONE = {"Accept-Encoding": "gzip, deflate, br"}


def app_env(url: str, port: int, channel: str) -> dict:
    return {"DATABASE_URL": url, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "REDIS_URL": REDIS_URL,
            "REDIS_CHANNEL": channel, **LIMITS, **SSE_SETTINGS}


def measure(g: Gunicorn, plan, script: str, warm: Path, data: Path, headers: dict | None = None,
            count=None) -> dict:
    """A short warm-up, then the measured wrk run with its statuses and CPU shares.

    `count()`, if given, is read just before and after the measured run (rows created).
    """
    load.run(g.base, script, warm, seconds=plan.warmup, headers=headers)
    time.sleep(0.5)  # the warm-up's last requests finish
    quiet = cpu.wait_for_quiet(max_wait=plan.quiet_wait)
    before = count() if count else 0
    offset = g.log_offset()
    with cpu.Meter([g.proc.pid, *g.worker_pids()]) as meter:
        result = load.run(g.base, script, data, seconds=plan.seconds, headers=headers)
    time.sleep(1)  # requests still in flight when wrk stopped finish and reach the access log
    extra = {"created": count() - before} if count else {}
    cpu_ms = 1000 * meter.result["server"] * result["seconds"] / max(result["requests"], 1)
    return {**result, **extra, "statuses": g.statuses_since(offset), "cpu": meter.result,
            "cpu_ms_per_request": cpu_ms, "busy_before": quiet}


def bare_server(work: Path, url: str) -> Gunicorn:
    """The bare Flask app on the same gunicorn configuration (idle while the app is measured);
    its POST /write and POST /probe insert into the benchmark's database at `url`, and the probe
    counts its rate limit in the benchmark's Redis."""
    prepare_bare_write(url)
    return Gunicorn("bench.bare:create_app()", {"BARE_DATABASE_URL": url, "BARE_REDIS_URL": REDIS_URL,
                                                "BARE_LIMIT": f"{LIMIT}/minute"},
                    work / "bare.log", health="/ping")


def baseline(g: Gunicorn, plan, work: Path) -> dict:
    """GET /ping, POST /echo, POST /write and POST /probe on the bare app."""
    ping = load.lua_data(work / "ping.lua", paths=["/ping"])
    posts = {}
    for path in ("echo", "write", "probe"):
        body = dict(paths=[f"/{path}"], slots=[], slot_every=0, consent=CONSENT, threads=load.THREADS)
        posts[path] = measure(g, plan, "post.lua", load.lua_data(work / f"{path}-warm.lua", prefix="18", **body),
                              load.lua_data(work / f"{path}.lua", prefix="17", **body))
    return {"argv": g.argv, "workers": len(g.worker_pids()),
            "get": measure(g, plan, "get.lua", ping, ping), "post": posts["echo"], "write": posts["write"],
            "probe": posts["probe"]}


def login(base: str, account: dict) -> str:
    status, data, headers = call(base, "POST", "/api/staff/login", account)
    if status != 200:
        raise RuntimeError(f"login failed: {status} {data}")
    return headers["Set-Cookie"].split(";", 1)[0]


def app_endpoints(g: Gunicorn, db: BenchDatabase, seed: dict, plan, work: Path) -> dict:
    codes = [s["code"] for s in seed["shops"]]
    shops = load.lua_data(work / "shops.lua", paths=[f"/api/shops/{c}" for c in codes])
    board = load.lua_data(work / "board.lua", paths=[BOARD])
    paths = [f"/api/shops/{c}/bookings" for c in codes]
    slots = open_slots(call, g.base, codes, not_before=datetime.now(timezone.utc), limit=plan.slots)
    common = dict(paths=paths, consent=CONSENT, threads=load.THREADS)
    warm = load.lua_data(work / "book-warm.lua", prefix="18", slots=[], slot_every=0, **common)
    book = load.lua_data(work / "book.lua", prefix="17", slots=slots, slot_every=plan.slot_every, **common)
    results = {"shop": measure(g, plan, "get.lua", shops, shops)}
    pages = load.lua_data(work / "pages.lua", paths=[f"/s/{c}" for c in codes])
    results["page"] = measure(g, plan, "get.lua", pages, pages, headers=PHONE)
    results["booking"] = measure(g, plan, "post.lua", warm, book, count=db.count_bookings)
    results["booking"].update(slots_offered=len(slots), slot_every=plan.slot_every,
                              outbox_drained_seconds=drain(db))
    results["board"] = measure(g, plan, "get.lua", board, board, headers=fresh_session(g, seed))
    return results


def fresh_session(g: Gunicorn, seed: dict) -> dict:
    """The Cookie header of a new login. The server re-stamps a session once a minute
    (session_limits) and a phone keeps the cookie it is sent, but wrk resends the first: past
    that minute every request of a run would be re-signed, which no phone causes. A board
    run (warm-up included) takes well under a minute."""
    return {"Cookie": login(g.base, seed["login"])}


def profiles(g: Gunicorn, seed: dict, names: list[str], plan, work: Path) -> dict:
    """py-spy over the workers while wrk loads each endpoint in `names` (bookings: call backs only)."""
    codes = [s["code"] for s in seed["shops"]]
    runs = {"shop": ("get.lua", load.lua_data(work / "p-shops.lua", paths=[f"/api/shops/{c}" for c in codes]), None),
            "board": ("get.lua", load.lua_data(work / "p-board.lua", paths=[BOARD]), None),
            "page": ("get.lua", load.lua_data(work / "p-pages.lua", paths=[f"/s/{c}" for c in codes]), PHONE),
            "booking": ("post.lua", load.lua_data(work / "p-book.lua", prefix="19", slots=[], slot_every=0,
                                                  paths=[f"/api/shops/{c}/bookings" for c in codes],
                                                  consent=CONSENT, threads=load.THREADS), None)}
    out = {}
    for name in names:
        script, data, headers = runs[name]
        if name == "board":
            headers = fresh_session(g, seed)
        target = work / f"profile-{name}.txt"
        spy = profile.start(g.proc.pid, target, plan.profile_seconds)
        time.sleep(1)  # py-spy attaches to every worker before the load starts
        rps = load.run(g.base, script, data, seconds=plan.profile_seconds, headers=headers)["rps"]
        out[name] = {**profile.finish(spy, target), "rps_while_profiled": rps}
    return out


def drain(db: BenchDatabase, limit: float = 120) -> float | None:
    """Wait until the workers have sent every new-booking notification (seconds it took; None
    if not within `limit`): their delivery belongs to the bookings, not to what is measured next."""
    started = time.monotonic()
    while db.pending_notifications():
        if time.monotonic() - started > limit:
            return None
        time.sleep(0.2)
    return time.monotonic() - started


class Clock:
    """Seconds spent in each phase, for the report (and for keeping --quick quick)."""

    def __init__(self):
        self.spent, self._last = {}, time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.spent[name] = round(now - self._last, 1)
        self._last = now


def run_database(kind: str, plan, work: Path) -> dict:
    """Everything measured on one database kind, each server started and stopped here."""
    section, clock = {"db": kind}, Clock()
    section["phase_seconds"] = clock.spent
    with BenchDatabase(kind, work) as db:
        seed = db.seed()
        clock.lap("seed")
        section.update(seed_seconds=clock.spent["seed"], counts=seed["counts"])
        port = free_port()
        env = app_env(db.url, port, f"bench:{uuid.uuid4().hex}")
        section["round_trips"] = queries.per_request(env, seed, BOARD, CONSENT)
        clock.lap("round trips")
        with bare_server(work, db.url) as bare, Gunicorn("server:create_app()", env, work / f"app-{kind}.log",
                                                  port=port) as g:
            section["bare"] = baseline(bare, plan, work)
            clock.lap("bare app")
            section.update(app_argv=g.argv, workers=len(g.worker_pids()),
                           app_env={k: v for k, v in env.items() if k not in ("SECRET_KEY", "DATABASE_URL")})
            section["endpoints"] = app_endpoints(g, db, seed, plan, work)
            clock.lap("app endpoints")
            if plan.bare_twice:
                ping = load.lua_data(work / "ping.lua", paths=["/ping"])
                section["bare"]["get_after"] = measure(bare, plan, "get.lua", ping, ping)
                clock.lap("bare app again")
            bare.stop()
            section["ratios"] = ratios(section)
            section.update(app_rest(g, db, seed, section["ratios"], plan, work))
            clock.lap("profiles, SSE fan-out")
        section["errors_in_log"], section["first_errors"] = g.errors()
    return section


def app_rest(g: Gunicorn, db: BenchDatabase, seed: dict, ratios: dict, plan, work: Path) -> dict:
    """Profiles of the endpoints that missed their target (or all, with --profile); SSE."""
    out = {}
    missed = [n for n, r in ratios.items() if r["strict"] < TARGETS[n]]
    to_profile = list(TARGETS) if plan.profile_all else missed
    if plan.profile_seconds and to_profile and profile.available() is None:
        out["profiles"] = profiles(g, seed, to_profile, plan, work)
        drain(db)  # the profiled bookings' notifications, before the fan-out is timed
    out["sse"] = fanout(g, seed, fresh_session(g, seed)["Cookie"], plan)
    return out


def ratios(section: dict) -> dict:
    bare, ep = section["bare"], section["endpoints"]
    # The bare GET is measured before and after the app; the better of the two is the baseline
    # (the conservative choice when other sessions load the machine during one of them).
    runs = [bare["get"], *([bare["get_after"]] if "get_after" in bare else [])]
    get, post = max(r["rps"] for r in runs), bare["post"]["rps"]
    cost = min(r["cpu_ms_per_request"] for r in runs)
    out = {name: {"strict": ep[name]["rps"] / get, "by_cpu": cost / ep[name]["cpu_ms_per_request"]}
           for name in ENDPOINTS}
    out["booking"]["vs_post"] = ep["booking"]["rps"] / post
    if "write" in bare:
        out["booking"]["vs_write"] = ep["booking"]["rps"] / bare["write"]["rps"]
        out["booking"]["write_floor"] = bare["write"]["rps"] / get  # the floor of any write path
    if "probe" in bare:
        out["booking"]["vs_probe"] = ep["booking"]["rps"] / bare["probe"]["rps"]
        out["booking"]["probe_floor"] = bare["probe"]["rps"] / get  # a minimal booking write path
    return out


def fanout(g: Gunicorn, seed: dict, cookie: str, plan) -> dict:
    """Latency with and without open streams, then deliveries of bookings to every stream."""
    codes = [s["code"] for s in seed["shops"]]
    shop_paths = [f"/api/shops/{c}" for c in codes]
    shops = load.lua_data(g.log_path.parent / "sse-shops.lua", paths=shop_paths)
    out = {"subscribers": plan.subscribers, "heartbeat": SSE_SETTINGS}
    out["probe_idle"] = sse.probe(g.port, shop_paths, plan.probe_n)
    out["wrk_idle"] = load.run(g.base, "get.lua", shops, seconds=plan.sse_wrk_seconds)
    hub, reader = sse.Hub(), sse.Reader()
    reader.start()
    try:
        reader.add(sse.Commits(hub, g.env["REDIS_CHANNEL"]))
        opened = sse.open_streams(reader, hub, g.port, cookie, plan.subscribers)
        out.update(opened=len(opened["streams"]), open_seconds=opened["seconds"], open_each=opened["each"],
                   open_failed=len(opened["errors"]), open_failures=opened["errors"][:5])
        time.sleep(1)
        out["per_worker"] = sse.streams_per_worker(g.port)
        out["probe_streams"] = sse.probe(g.port, shop_paths, plan.probe_n)
        out["wrk_streams"] = load.run(g.base, "get.lua", shops, seconds=plan.sse_wrk_seconds)
        bodies = [(f"/api/shops/{codes[k % len(codes)]}/bookings", json.dumps(
                   {"name": "推送测试", "phone": f"16{k:09d}", "product": "consumer-credit",
                    "callback": True, "consent": True, "consent_version": CONSENT}).encode())
                  for k in range(plan.sse_bookings)]
        with cpu.Meter([g.proc.pid, *g.worker_pids()]) as meter:
            out["delivery"] = sse.post_bookings(g.port, hub, bodies)
        out["delivery"]["cpu"] = meter.result
        out["still_open"] = sum(1 for s in opened["streams"] if not s.closed)
    finally:
        reader.stop()
    return out
