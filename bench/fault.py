"""Load and faults: clients book for a minute while a gunicorn worker and Redis are killed, then
the database is read directly: every acknowledged booking is there exactly once, nothing else is.

    .venv/bin/python bench/fault.py [--seconds 60] [--clients 200]

The real app (APP_ENV=production, config/gunicorn.conf.py, 2 gevent workers) on a fresh
PostgreSQL schema with the demo bank, and on a redis-server of its own on a free loopback port
(the machine's shared Redis is never touched). At 20/60 of the run one worker gets `kill -9`
(the arbiter respawns it); at 35/60 the Redis server gets SIGKILL and comes back on the same
port 5/60 later. Writes bench/FAULT.json and the fault block of bench/RESULTS.md; exits 1 if an
invariant fails. Loopback only; bounded in time; servers and the schema are removed on exit.
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cpu, faultcheck, faultreport, machine, servers  # noqa: E402
from bench.dbsetup import PG_ADMIN, open_slots  # noqa: E402
from bench.faultload import Client, Jobs  # noqa: E402
from bench.faultservers import App, CpuSampler, RedisServer, Schema  # noqa: E402
from bench.phases import LIMITS  # noqa: E402
from bench.servers import call, free_port  # noqa: E402

# When the faults happen, in seconds of a 60 s run; scaled to --seconds.
WORKER_KILL_AT, REDIS_KILL_AT, REDIS_DOWN = 20, 35, 5


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60, help="how long clients start new bookings")
    p.add_argument("--clients", type=int, default=200, help="concurrent clients (at most 999)")
    p.add_argument("--timeout", type=float, default=15, help="a client's wait for one response (s)")
    p.add_argument("--database", default=PG_ADMIN, help="PostgreSQL URL; a fresh schema is made in it")
    p.add_argument("--json", type=Path, default=ROOT / "bench" / "FAULT.json")
    p.add_argument("--md", type=Path, default=ROOT / "bench" / "RESULTS.md", help="its fault block is rewritten")
    p.add_argument("--commit", metavar="REV", help="run a clean checkout of REV instead of the working tree")
    p.add_argument("--quiet-wait", type=float, default=10, metavar="S",
                   help="wait at most S s for other sessions' load to drop before the clients start")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (server and Redis logs)")
    args = p.parse_args(argv)
    if not 1 <= args.clients <= 999:
        p.error("--clients: 1 to 999 (phone numbers are 19<client><counter>)")
    return args


def _exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)  # the finally blocks stop the servers and drop the schema


class Timeline:
    def __init__(self, t0: float):
        self.t0, self.events = t0, []

    def now(self) -> float:
        return time.monotonic() - self.t0

    def log(self, event: str) -> float:
        t = self.now()
        self.events.append({"t": round(t, 2), "event": event})
        print(f"[fault] t={t:6.2f}s {event}", flush=True)
        return t

    def wait_until(self, t: float) -> None:
        time.sleep(max(0.0, t - self.now()))


def kill_a_worker(g: App, tl: Timeline) -> dict:
    """kill -9 one worker; wait (at most 20 s) until the arbiter has booted another."""
    before = g.worker_pids()
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    out = {"victim": victim, "workers_before": before, "killed_at": tl.log(f"kill -9 worker {victim} "
                                                                            f"(workers {before})")}
    ends = time.monotonic() + 20
    while time.monotonic() < ends:
        now = g.worker_pids()
        new = [p for p in now if p not in before]
        booted = new and f"Booting worker with pid: {new[0]}".encode() in g.log_path.read_bytes()
        if booted and len(now) == len(before):
            out.update(new_pid=new[0], respawned_at=tl.log(f"arbiter booted worker {new[0]} (workers {now})"))
            return out
        time.sleep(0.02)
    tl.log("the arbiter did not respawn the worker within 20 s")
    return out


def restart_redis(redis: RedisServer, tl: Timeline, down: float) -> dict:
    keys = redis.keys()
    redis.kill()
    out = {"killed_at": tl.log(f"SIGKILL redis-server :{redis.port} ({keys} keys)"), "keys_before": keys}
    tl.wait_until(out["killed_at"] + down)
    redis.start()
    out["restarted_at"] = tl.log(f"redis-server :{redis.port} started again, empty (PING ok)")
    return out


def drive(g: App, redis: RedisServer, codes: list[str], slots: list, args) -> dict:
    """The clients, and the faults on schedule; returns what the clients saw and the timeline."""
    busy_before = cpu.wait_for_quiet(max_wait=args.quiet_wait)  # other sessions' load
    scale = args.seconds / 60
    grace = min(20.0, max(6.0, args.seconds / 3))  # retries go on this long after the last new booking
    t0 = time.monotonic()
    tl = Timeline(t0)
    sampler = CpuSampler(g, tl.now)
    sampler.start()
    run_id = "f" + uuid.uuid4().hex[:8]
    jobs = Jobs(codes, slots)
    clients = [Client(i, port=g.port, run=run_id, jobs=jobs, t0=t0, stop_at=args.seconds,
                      give_up_at=args.seconds + grace, timeout=args.timeout) for i in range(args.clients)]
    for c in clients:
        c.start()
    tl.log(f"{len(clients)} clients booking (each booking its own Idempotency-Key and phone)")
    tl.wait_until(WORKER_KILL_AT * scale)
    worker = kill_a_worker(g, tl)
    tl.wait_until(REDIS_KILL_AT * scale)
    redis_fault = restart_redis(redis, tl, max(1.0, REDIS_DOWN * scale))
    tl.wait_until(args.seconds)
    tl.log("clients stop starting new bookings (retries go on)")
    ends = t0 + args.seconds + grace + args.timeout + 10
    for c in clients:
        c.join(timeout=max(0.0, ends - time.monotonic()))
    stuck = sum(c.is_alive() for c in clients)
    tl.log("all clients done" if not stuck else f"{stuck} clients still busy: given up on")
    sampler.done.set()
    redis_fault["keys_at_end"] = redis.keys()  # the workers' rate-limit counters are back in Redis
    tl.log(f"redis-server holds {redis_fault['keys_at_end']} keys again")
    return {"run_id": run_id, "t_end": tl.now(), "timeline": tl.events, "stuck_clients": stuck,
            "worker_kill": worker, "redis_restart": redis_fault, "grace_seconds": grace,
            "cpu": sampler.samples, "busy_before": busy_before,
            "attempts": [a for c in clients for a in c.log.attempts],
            "bookings": [b for c in clients for b in c.log.bookings]}


def run(args, work: Path) -> dict:
    redis = RedisServer(work)
    with Schema(args.database, work) as db:
        started = time.monotonic()
        seed = db.seed()
        seeded = time.monotonic() - started
        redis.start()
        try:
            port = free_port()
            env = {"DATABASE_URL": db.url, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                   "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "REDIS_URL": redis.url,
                   "REDIS_CHANNEL": f"fault:{uuid.uuid4().hex}", "GUNICORN_WORKERS": "2", **LIMITS}
            with App("server:create_app()", env, work / "app.log", port=port) as g:
                codes = [s["code"] for s in seed["shops"]]
                # ~140 open slots a shop: a quarter of the clients' worth of shops is plenty.
                slots = open_slots(call, g.base, codes[:max(5, args.clients // 4)],
                                   not_before=datetime.now(timezone.utc), limit=20000)
                before = faultcheck.snapshot(db.url)
                load = drive(g, redis, codes, slots, args)
                time.sleep(0.5)  # the last requests reach the access log
                server = {"statuses": g.statuses_since(0), "argv": super(App, g).argv,
                          **_tracebacks(g), "log_warnings": _warnings(g.log_path)}
                g.stop()
            load["check"] = faultcheck.verify(db.url, before, load["bookings"])
        finally:
            redis.stop()
    return {**load, "server": server, "seed": {"seconds": round(seeded, 1), "counts": seed["counts"],
                                               "shops": len(codes), "open_slots": len(slots)},
            "env": {k: v for k, v in env.items() if k not in ("SECRET_KEY", "DATABASE_URL")}}


def _tracebacks(g: App) -> dict:
    """The exception each traceback in the server log ended with, counted; those of Redis being
    away (logged by the limiter, then swallowed) apart. The app logs a traceback on one line."""
    found = Counter()
    for line in g.log_path.read_bytes().decode(errors="replace").splitlines():
        if "Traceback (most recent call last):" in line:
            last = [p for p in line.replace("\\n", "\n").splitlines() if p.strip()][-1].strip()
            if not last.startswith("Traceback"):  # else gevent's, on its own lines, as workers exit
                found[last[:200]] += 1
    redis = sum(n for e, n in found.items() if e.startswith("redis."))
    return {"tracebacks_redis": redis, "tracebacks_other": sum(found.values()) - redis,
            "exceptions": dict(found.most_common())}


def _warnings(log: Path) -> dict:
    """How often the app said Redis was gone (publish, subscription, rate limiter)."""
    text = log.read_bytes().decode(errors="replace")
    marks = ("redis publish failed", "redis subscription lost", "Failed to rate limit", "Rate limit storage")
    return {m: text.count(m) for m in marks if text.count(m)}


def _no_nan(x):
    """NaN (a percentile of nothing) as null: JSON has no NaN."""
    if isinstance(x, dict):
        return {k: _no_nan(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_no_nan(v) for v in x]
    return None if isinstance(x, float) and x != x else x


def main(argv=None) -> int:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    args = parse(argv)
    for tool in ("redis-server", "setpriv"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: redis-server, util-linux)")
    work = Path(tempfile.mkdtemp(prefix="yryd-fault-"))
    started = time.monotonic()
    try:
        source = machine.source(args.commit, work / "src")
        if args.commit:
            servers.use_app_root(work / "src")
            sys.path.insert(0, str(work / "src"))
        raw = run(args, work)
    finally:
        if args.keep:
            print(f"[fault] kept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    res = faultreport.figures(raw, args)
    res.update(source=source, elapsed_seconds=round(time.monotonic() - started, 1),
               command=" ".join([".venv/bin/python", "bench/fault.py", *(argv or sys.argv[1:])]),
               machine=machine.describe())
    res["machine"]["redis_server"] = subprocess.run(["redis-server", "--version"], capture_output=True,
                                                    text=True).stdout.split()[2].removeprefix("v=")
    args.json.write_text(json.dumps(_no_nan(res), indent=1, default=str, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    faultreport.write_block(args.md, faultreport.render(res))
    print(faultreport.brief(res), flush=True)
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
