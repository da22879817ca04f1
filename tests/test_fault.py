"""bench/fault.py, short: 20 clients book for 8 s while a worker gets kill -9 and Redis is
killed and restarted; afterwards no acknowledged booking is lost and none is doubled."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.servers import ROOT

PG = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not PG.startswith("postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)")


def test_no_acknowledged_booking_is_lost_or_doubled_when_a_worker_and_redis_die(tmp_path):
    out = tmp_path / "FAULT.json"
    argv = [sys.executable, "bench/fault.py", "--seconds", "8", "--clients", "20", "--timeout", "8",
            "--quiet-wait", "0", "--database", PG, "--json", str(out), "--md", str(tmp_path / "RESULTS.md")]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    output = ""
    try:
        output = proc.communicate(timeout=90)[0].decode(errors="replace")
    finally:
        if proc.poll() is None:  # the script's own finally blocks remove what it made
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                output = proc.communicate(timeout=30)[0].decode(errors="replace")
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                output = proc.communicate()[0].decode(errors="replace")
        leftovers = _remove_leftovers(output)
    assert proc.returncode == 0, output[-4000:]
    assert leftovers == [], f"the script left {leftovers} behind"
    res = json.loads(out.read_text(encoding="utf-8"))
    counts = res["counts"]
    assert counts["lost"] == 0 and counts["duplicates"] == 0 and counts["orphans"] == 0
    assert counts["acknowledged"] > 0 and counts["bookings_in_db"] >= counts["acknowledged"]
    assert res["worker_kill"]["new_pid"] != res["worker_kill"]["victim"]
    assert res["redis_restart"]["restarted_at"] > res["redis_restart"]["killed_at"]
    assert all(i["ok"] for i in res["invariants"])
    assert (tmp_path / "RESULTS.md").read_text(encoding="utf-8").count("<!-- fault:begin -->") == 1


def _remove_leftovers(output: str) -> list[str]:
    """Whatever the script announced and is still there (it should be none): removed, and named."""
    left = []
    for line in output.splitlines():
        if line.startswith("[fault] created process group "):
            pgid, name = line.split()[4], line.split()[5]
            if _alive(int(pgid), name):
                os.killpg(int(pgid), signal.SIGKILL)
                left.append(f"{name} (process group {pgid})")
        elif line.startswith("[fault] created schema "):
            schema = line.split()[3]
            engine = create_engine(PG)
            with engine.begin() as conn:
                if conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first():
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                    left.append(f"schema {schema}")
            engine.dispose()
    return left


def _alive(pgid: int, name: str) -> bool:
    """The group's leader still runs and is what the script started (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pgid}/cmdline").read_bytes()
        os.killpg(pgid, 0)
    except (OSError, ProcessLookupError):
        return False
    return name.encode() in cmdline
