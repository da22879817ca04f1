"""What the benchmark ran on, whether its services are up, and tidying Redis afterwards."""
import datetime
import os
import platform
import subprocess
import sys
from importlib.metadata import version

from bench.servers import ROOT

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


def _first(path: str, key: str) -> str:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('"\n')
    except OSError:
        pass
    return "?"


def _run(*argv: str) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10, cwd=ROOT).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def describe() -> dict:
    mem_kb = int(_first("/proc/meminfo", "MemTotal").split()[0])
    packages = ("flask", "gunicorn", "gevent", "sqlalchemy", "sqlmodel", "psycopg", "redis",
                "flask-limiter", "pydantic", "qrcode", "pillow", "py-spy")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _first("/proc/cpuinfo", "model name"), "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "os": f"{_first('/etc/os-release', 'PRETTY_NAME=')}, Linux {platform.release()}",
        "python": sys.version.split()[0], "wrk": _run("wrk", "-v").splitlines()[0] if _run("wrk", "-v") else "?",
        "loadavg_at_start": os.getloadavg(),
        "git": _run("git", "rev-parse", "--short", "HEAD") + (" (+ uncommitted changes)"
                                                              if _run("git", "status", "--porcelain") else ""),
        "packages": {p: _version(p) for p in packages},
        "postgresql": _server_versions()[0], "redis_server": _server_versions()[1],
    }


def source(commit: str | None, checkout) -> str:
    """Which code is benchmarked; with `commit`, extract a clean copy of it into `checkout`."""
    head = _run("git", "rev-parse", "--short", "HEAD")
    if not commit:
        # strip() would eat the first line's leading status column: split the raw output
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "server", "config", "qr"], cwd=ROOT,
                               capture_output=True, text=True).stdout.splitlines()
        return f"working tree at {head}" + (f", with uncommitted changes in {', '.join(l[3:] for l in dirty)}"
                                            if dirty else " (clean)")
    sha = _run("git", "rev-parse", "--short", commit)
    checkout.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(checkout)], input=archive.stdout, check=True)
    return f"clean checkout of {commit} ({sha}), extracted with git archive"


def _version(name: str) -> str:
    try:
        return version(name)
    except Exception:  # noqa: BLE001
        return "-"


def _server_versions() -> tuple[str, str]:
    pg = redis_v = "?"
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(PG)
        with engine.connect() as conn:
            pg = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    except Exception:  # noqa: BLE001
        pass
    try:
        import redis

        redis_v = redis.Redis.from_url(REDIS, socket_timeout=2).info("server")["redis_version"]
    except Exception:  # noqa: BLE001
        pass
    return pg, redis_v


def check_services(*, postgresql: bool) -> None:
    """Stop early, with what to do, if Redis (or PostgreSQL when asked for) is not answering."""
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_timeout=2, socket_connect_timeout=2).ping()
    except Exception as e:  # noqa: BLE001
        raise SystemExit(f"Redis at 127.0.0.1:6379 does not answer ({e}); start it, e.g. "
                         "`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''`")
    if postgresql:
        from sqlalchemy import create_engine, text

        try:
            engine = create_engine(PG, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
        except Exception as e:  # noqa: BLE001
            raise SystemExit(f"PostgreSQL at 127.0.0.1:5432 (db test, user postgres) does not answer "
                             f"({str(e).splitlines()[0]}); start it or pass --db sqlite")


def forget_limiter_keys(marker: str) -> int:
    """Delete the rate-limit counters this run left in Redis (their keys carry `marker`)."""
    try:
        import redis

        r = redis.Redis.from_url(REDIS, socket_timeout=5)
        keys = list(r.scan_iter(match=f"*{marker}*", count=1000))
        for i in range(0, len(keys), 500):
            r.delete(*keys[i:i + 500])
        return len(keys)
    except Exception:  # noqa: BLE001 - tidying is best effort
        return 0
