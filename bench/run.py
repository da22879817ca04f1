"""Benchmark the real server under gunicorn and write bench/RESULTS.md.

    .venv/bin/python bench/run.py [--quick] [--db sqlite|postgresql|both]

Needs wrk (`apt-get install -y wrk`), PostgreSQL at 127.0.0.1:5432 (db `test`, user postgres)
for --db postgresql/both, and Redis at 127.0.0.1:6379. Everything targets loopback only and
every phase is bounded in time; servers, schemas and temp files are removed on exit.
"""
import argparse
import json
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, machine, phases, qrbench, report, servers  # noqa: E402


@dataclass
class Plan:
    seconds: float = 10  # each measured wrk run
    warmup: float = 2  # wrk before each measured run (pools, imports, caches)
    subscribers: int = 2000  # open SSE streams
    sse_bookings: int = 40  # bookings whose deliveries are timed
    probe_n: int = 300  # sequential GETs for the latency with / without streams
    sse_wrk_seconds: float = 5  # wrk with / without streams
    slots: int = 2000  # open slots handed to the booking run
    slot_every: int = 10  # every 10th booking takes a slot, the others ask for a call back
    profile_seconds: float = 8  # py-spy on endpoints that miss their target (0 = never)
    profile_all: bool = False
    qr_n: int = 200
    quiet_wait: float = 10  # at most this long, wait for other sessions' load to drop first
    kit_people: int = 100  # the print kit: one branch's posters (A4, 300 dpi) and grid boards
    bare_twice: bool = True  # the bare GET again after the app's runs (the better run counts)

    @classmethod
    def quick(cls) -> "Plan":
        return cls(seconds=3, warmup=1, sse_bookings=10, probe_n=50, sse_wrk_seconds=2,
                   slots=600, profile_seconds=0, qr_n=50, quiet_wait=0.5, kit_people=10, bare_twice=False)


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short runs (about 2 minutes in all)")
    p.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--subscribers", type=int, help="open SSE streams (default 2000)")
    p.add_argument("--profile", action="store_true", help="profile every app endpoint, met or not")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (server logs, wrk data files)")
    p.add_argument("--render", type=Path, metavar="JSON", help="only rewrite --out from a saved RESULTS.json")
    p.add_argument("--commit", metavar="REV", help="benchmark a clean checkout of REV (e.g. HEAD) instead "
                   "of the working tree, which others may be editing meanwhile")
    return p.parse_args(argv)


def raise_file_limit(needed: int) -> tuple[int, int]:
    """Thousands of sockets need more than the usual 1024 descriptors (gunicorn inherits this)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, 65536))
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < needed:
        raise SystemExit(f"open-file limit {soft} < {needed}: raise the hard limit (ulimit -Hn)")
    return soft, hard


def _exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)  # so the finally blocks stop servers and drop the schema


def main(argv=None) -> int:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    args = parse(argv)
    if args.render:  # only re-render the Markdown from a saved RESULTS.json
        args.out.write_text(report.render(json.loads(args.render.read_text(encoding="utf-8")), keep=args.out), encoding="utf-8")
        return 0
    plan = Plan.quick() if args.quick else Plan()
    plan.profile_all = args.profile
    if args.profile and not plan.profile_seconds:
        plan.profile_seconds = 3
    if args.subscribers:
        plan.subscribers = args.subscribers
    load.check_wrk()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    machine.check_services(postgresql="postgresql" in kinds)
    files = raise_file_limit(plan.subscribers + 500)
    results = {"command": " ".join([".venv/bin/python", "bench/run.py", *(argv or sys.argv[1:])]),
               "plan": asdict(plan), "quick": args.quick, "file_limit": files,
               "machine": machine.describe(), "sections": []}
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="yryd-bench-"))
    try:
        results["source"] = machine.source(args.commit, work / "src")
        if args.commit:
            servers.use_app_root(work / "src")
            sys.path.insert(0, str(work / "src"))  # server/, config/, qr/ from the checkout
        for kind in kinds:
            print(f"[bench] {kind}: seeding, baseline, endpoints, SSE fan-out ...", flush=True)
            try:
                results["sections"].append(phases.run_database(kind, plan, work))
                print(report.brief(results["sections"][-1]), flush=True)
            except Exception:  # noqa: BLE001 - the other database still runs; the report says why
                results["sections"].append({"db": kind, "failed": traceback.format_exc()[-4000:]})
                print(f"[bench] {kind} FAILED:\n{results['sections'][-1]['failed']}", flush=True)
        print("[bench] QR codes ...", flush=True)
        results["qr"] = qrbench.run(plan.qr_n, kit_people=plan.kit_people)
    finally:
        machine.forget_limiter_keys(phases.LIMIT)
        if args.keep:
            print(f"[bench] kept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["elapsed_seconds"] = time.monotonic() - started
    args.out.write_text(report.render(results, keep=args.out), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(f"[bench] done in {results['elapsed_seconds']:.0f}s: {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
