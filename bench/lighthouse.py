"""Lighthouse on the customer shop page (/s/<code>) served by the real server; writes bench/LIGHTHOUSE.md.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--json-dir DIR] [--out FILE]

Seeds the demo bank into a temporary SQLite database, starts gunicorn with config/gunicorn.conf.py
on a free loopback port, installs Lighthouse (pinned in bench/package.json) into bench/node_modules
if missing, and runs it against Debian's Chromium with Lighthouse's defaults: mobile form factor,
simulated throttling (Moto G Power class phone, 4x CPU slowdown, slow 4G: 150 ms RTT, 1.6 Mbit/s).
Scores are the median of the runs, per category. Needs Node.js >= 18.16 and /usr/bin/chromium.
"""
import argparse
import datetime
import json
import os
import secrets
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV = ROOT / ".venv" / "bin"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Headless Debian Chromium on this machine: no sandbox, no GPU, no calls home.
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run --disable-quic")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETED = ("performance", "accessibility", "best-practices")  # seo is for information
TARGET = 95
NOTES = "<!-- Notes below this line are kept when bench/lighthouse.py rewrites this file. -->"
METRICS = {  # audit id -> label
    "first-contentful-paint": "First Contentful Paint", "largest-contentful-paint": "Largest Contentful Paint",
    "total-blocking-time": "Total Blocking Time", "cumulative-layout-shift": "Cumulative Layout Shift",
    "speed-index": "Speed Index", "interactive": "Time to Interactive",
}


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3, help="Lighthouse runs; the median is reported")
    p.add_argument("--json-dir", type=Path, help="keep each run's Lighthouse JSON report here")
    p.add_argument("--out", type=Path, default=BENCH / "LIGHTHOUSE.md")
    return p.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(db_url: str, db_path: Path) -> str:
    """Seed the demo bank and return the code of one employee's own shop link."""
    env = {**os.environ, "DATABASE_URL": db_url}
    done = subprocess.run([str(VENV / "flask"), "--app", "server", "seed-demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"seed-demo exited with {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")
    with sqlite3.connect(db_path) as con:
        row = con.execute("SELECT code FROM shoplink WHERE channel = '' ORDER BY id LIMIT 1").fetchone()
    if not row:
        raise SystemExit("seed-demo created no shop link")
    return row[0]


def start_server(db_url: str, port: int, log_path: Path) -> subprocess.Popen:
    """gunicorn as deployed (config/gunicorn.conf.py), in its own process group."""
    env = {**os.environ, "DATABASE_URL": db_url, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32)}
    argv = [str(VENV / "gunicorn"), "-c", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
            "server:create_app()"]
    with open(log_path, "ab") as log:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def wait_healthy(proc: subprocess.Popen, base: str, timeout: float = 30) -> None:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def stop_server(proc: subprocess.Popen) -> None:
    """TERM the whole process group (arbiter and workers), KILL it after 10 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the arbiter is not reaped yet: its group id is still ours
        proc.wait(timeout=5)


def ensure_lighthouse() -> str:
    """Install the pinned Lighthouse into bench/node_modules if missing; return its version."""
    if not LIGHTHOUSE.exists():
        if not shutil.which("npm"):
            raise SystemExit("npm not found: install Node.js >= 18.16")
        lock = (BENCH / "package-lock.json").exists()
        cmd = ["npm", "ci", "--no-audit", "--no-fund"] if lock else ["npm", "install", "--no-audit", "--no-fund"]
        subprocess.run(cmd, cwd=BENCH, check=True, timeout=600)
    return subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True,
                          check=True).stdout.strip()


def lighthouse_argv(url: str, out: Path) -> list[str]:
    return [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}", "--quiet"]


def run_lighthouse(url: str, out: Path, tries: int = 3) -> tuple[dict, list[str]]:
    """One Lighthouse report, and the errors of the attempts that failed before it.

    Lighthouse sometimes loses the trace of a load (NO_NAVSTART, once in about 35 runs here):
    such an attempt is run again, and reported.
    """
    env, errors = {**os.environ, "CHROME_PATH": CHROME}, []
    for _ in range(tries):
        done = subprocess.run(lighthouse_argv(url, out), cwd=BENCH, env=env, capture_output=True, text=True,
                              timeout=300)
        if done.returncode == 0:
            report = json.loads(out.read_text(encoding="utf-8"))
            if not report.get("runtimeError"):
                return report, errors
            errors.append(report["runtimeError"].get("code", "runtime error"))
        else:
            said = (done.stdout + done.stderr).strip().splitlines() or ["no output"]
            errors.append(f"exit {done.returncode}: {said[-1]}")
    raise SystemExit(f"Lighthouse failed {tries} times on {url}:\n" + "\n".join(errors))


def summary(report: dict) -> dict:
    """Scores (0-100) per category and the key metrics of one run."""
    cats = report["categories"]
    audits = report["audits"]
    return {
        "scores": {c: round(cats[c]["score"] * 100) if cats[c]["score"] is not None else None
                   for c in CATEGORIES},
        "metrics": {m: audits[m].get("numericValue") for m in METRICS},
        "warnings": report.get("runWarnings", []),
    }


def median_of(runs: list[dict], key: str, name: str):
    values = [r[key][name] for r in runs if r[key][name] is not None]
    return statistics.median(values) if values else None


def failing_audits(report: dict, category: str, limit: int = 8) -> list[dict]:
    """Audits scoring below 0.9 in this category, the weighted ones first, then the lowest."""
    audits, found = report["audits"], []
    for ref in report["categories"][category]["auditRefs"]:
        a = audits[ref["id"]]
        if a.get("score") is None or a["score"] >= 0.9 or a.get("scoreDisplayMode") in ("notApplicable", "manual"):
            continue
        found.append({"id": ref["id"], "title": a["title"], "score": a["score"], "weight": ref.get("weight", 0),
                      "display": a.get("displayValue", ""), "savings": a.get("metricSavings") or {}})
    found.sort(key=lambda f: (-f["weight"], f["score"]))
    return found[:limit]


def machine() -> dict:
    def first(path, key):
        try:
            with open(path) as f:
                return next((line.split(":", 1)[1].strip() for line in f if line.startswith(key)), "?")
        except OSError:
            return "?"
    mem_kb = int(first("/proc/meminfo", "MemTotal").split()[0])
    chromium = subprocess.run([CHROME, "--version"], capture_output=True, text=True).stdout.strip()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": first("/proc/cpuinfo", "model name"), "cores": os.cpu_count(),
            "ram_gib": round(mem_kb / 1024 / 1024, 1), "os": platform.platform(),
            "chromium": chromium, "node": node, "code": code_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def code_version() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "server", "pwa", "config"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return (head.stdout.strip() or "not a git checkout") + (
        " + uncommitted changes in server/, pwa/ or config/" if dirty else "")


def fmt_metric(metric: str, value) -> str:
    if value is None:
        return "-"
    if metric == "cumulative-layout-shift":
        return f"{value:.3f}"
    if metric == "total-blocking-time":
        return f"{value:.0f} ms"
    return f"{value / 1000:.2f} s"


def median_report(reports: list[dict], runs: list[dict], category: str) -> dict:
    """The run whose score for this category is the median one."""
    order = sorted(range(len(runs)), key=lambda i: runs[i]["scores"][category] or 0)
    return reports[order[len(order) // 2]]


def setup(info: dict, version: str, command: str, runs: int) -> list[str]:
    return [
        "# Lighthouse: the customer shop page", "",
        f"Written by `bench/lighthouse.py` on {info['date']}. Target: >= {TARGET} on "
        + ", ".join(TARGETED) + " (seo for information).", "",
        "## Setup", "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM; {info['os']}",
        f"- Lighthouse {version} (Node {info['node']}), {info['chromium']}",
        f"- Code: {info['code']}",
        "- Lighthouse defaults: mobile form factor (Moto G Power class phone), simulated throttling "
        "(4x CPU slowdown, 150 ms RTT, 1.6 Mbit/s down)",
        "- Server: gunicorn with `config/gunicorn.conf.py` on loopback, demo bank seeded into a "
        "temporary SQLite database; the page is `/s/<code>` of the first employee's own shop link",
        f"- Command (each of {runs} runs):", "", "```", f"CHROME_PATH={CHROME} {command}", "```",
    ]


def render(info: dict, version: str, command: str, reports: list[dict], retried: list[str]) -> str:
    runs = [summary(r) for r in reports]
    scores = {c: median_of(runs, "scores", c) for c in CATEGORIES}
    heads = " | ".join(f"run {i + 1}" for i in range(len(runs)))
    lines = setup(info, version, command, len(runs)) + [
        "", "## Scores (median of the runs)", "",
        f"| category | median | {heads} | target |", "|---|---|" + "---|" * len(runs) + "---|",
    ]
    for c in CATEGORIES:
        per_run = " | ".join(str(r["scores"][c]) for r in runs)
        target = f">= {TARGET}" + (" met" if (scores[c] or 0) >= TARGET else " **missed**") if c in TARGETED else "-"
        lines.append(f"| {c} | **{scores[c]:g}** | {per_run} | {target} |")
    lines += ["", "## Key metrics (median of the runs)", "",
              f"| metric | median | {heads} |",
              "|---|---|" + "---|" * len(runs)]
    for m, label in METRICS.items():
        per_run = " | ".join(fmt_metric(m, r["metrics"][m]) for r in runs)
        lines.append(f"| {label} | {fmt_metric(m, median_of(runs, 'metrics', m))} | {per_run} |")
    lines += page_weight(median_report(reports, runs, "performance"))
    lines += failures(reports, runs, scores)
    warnings = sorted({w for r in runs for w in r["warnings"]})
    if warnings:
        lines += ["", "## Lighthouse warnings", ""] + [f"- {w}" for w in warnings]
    if retried:
        lines += ["", "## Attempts that failed and were run again", ""] + [f"- {e}" for e in retried]
    return "\n".join(lines) + "\n"


def page_weight(report: dict) -> list[str]:
    """Requests and bytes of the load, by resource type, from the median performance run."""
    items = report["audits"].get("resource-summary", {}).get("details", {}).get("items", [])
    if not items:
        return []
    lines = ["", "## What the page loads (median performance run)", "",
             "| resource type | requests | transferred |", "|---|---|---|"]
    for it in items:
        if it.get("requestCount"):
            lines.append(f"| {it['label']} | {it['requestCount']} | {it['transferSize'] / 1024:.1f} KiB |")
    return lines


def failures(reports: list[dict], runs: list[dict], scores: dict) -> list[str]:
    """Audits that did not pass, from each category's median run (the scored ones first)."""
    low = [c for c in TARGETED if scores[c] is not None and scores[c] < TARGET]
    if low:
        lines, shown = ["", f"## Failing audits (categories below {TARGET}, from each one's median run)"], low
    else:
        lines = ["", "## Audits not passed (for information: every category met the target)"]
        shown = TARGETED
    for c in shown:
        found = failing_audits(median_report(reports, runs, c), c)
        if not found:
            continue
        lines += ["", f"### {c} ({scores[c]:g})", "", "| audit | score | weight | value | metric savings (ms) |",
                  "|---|---|---|---|---|"]
        for f in found:
            savings = ", ".join(f"{k} {v:.0f}" for k, v in f["savings"].items() if v) or "-"
            lines.append(f"| `{f['id']}`: {f['title']} | {f['score']:.2f} | {f['weight']} | "
                         f"{f['display'] or '-'} | {savings} |")
    return lines


def kept_notes(path: Path) -> str:
    """Hand-written notes below NOTES in the previous report survive a new run."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    return old[old.index(NOTES):] if NOTES in old else NOTES + "\n"


def measure(url: str, runs: int, json_dir: Path) -> tuple[list[dict], list[str]]:
    reports, retried = [], []
    for i in range(runs):
        report, errors = run_lighthouse(url, json_dir / f"run{i + 1}.json")
        reports.append(report)
        retried += [f"run {i + 1}: {e}" for e in errors]
        print(f"run {i + 1}/{runs}: {summary(report)['scores']}", flush=True)
    return reports, retried


def main(argv=None) -> int:
    args = parse(argv)
    version = ensure_lighthouse()
    info = machine()
    if args.json_dir:
        args.json_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="yryd-lighthouse-") as tmp:
        tmp = Path(tmp)
        db_path = tmp / "db.sqlite"
        db_url = f"sqlite:///{db_path}"
        code = seed(db_url, db_path)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(db_url, port, tmp / "gunicorn.log")
        try:
            wait_healthy(proc, base)
            reports, retried = measure(f"{base}/s/{code}", args.runs, args.json_dir or tmp)
        except BaseException:
            print((tmp / "gunicorn.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            stop_server(proc)
    shown = lighthouse_argv(f"http://127.0.0.1:<port>/s/{code}", Path("<tmp>/runN.json"))
    shown[0] = str(LIGHTHOUSE.relative_to(ROOT))
    command = " ".join(shown).replace(f"--chrome-flags={CHROME_FLAGS}", f'--chrome-flags="{CHROME_FLAGS}"')
    text = render(info, version, command, reports, retried) + "\n" + kept_notes(args.out)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
