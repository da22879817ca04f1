"""wrk, Debian's HTTP load generator, driven with the Lua scripts in bench/lua/."""
import json
import re
import shutil
import subprocess
from pathlib import Path

from bench.servers import ROOT

LUA = Path(__file__).resolve().parent / "lua"
THREADS = 2  # one per core; the load generator shares the machine with the server
CONNECTIONS = 32


def check_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed. It is Debian's HTTP load generator: "
                         "`apt-get install -y wrk` (as root), then run this again.")
    return path


def lua_data(path: Path, **fields) -> Path:
    """Write `fields` as a Lua table file that the scripts load with dofile()."""
    path.write_text("return " + _lua(fields) + "\n", encoding="utf-8")
    return path


def _lua(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid Lua string here
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}={_lua(v)}" for k, v in value.items()) + "}"
    return "{" + ",".join(_lua(v) for v in value) + "}"


def run(base: str, script: str, data: Path, *, seconds: float, headers: dict | None = None,
        connections: int = CONNECTIONS, threads: int = THREADS) -> dict:
    """One wrk run against `base`; returns requests/s, p50/p99 (ms) and wrk's error counts."""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
            "-s", str(LUA / script)]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    argv += [base, "--", str(data)]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    r = json.loads(line[6:])
    seconds_run = r["duration_us"] / 1e6
    errors = {k[4:]: v for k, v in r.items() if k.startswith("err_") and v}
    return {"rps": r["requests"] / seconds_run, "requests": r["requests"], "seconds": seconds_run,
            "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "max_ms": r["max_us"] / 1000, "errors": errors,
            "command": _shown(argv)}


def _shown(argv: list[str]) -> str:
    """The command line as RESULTS.md shows it: session cookies elided."""
    shown = [re.sub(r"^(Cookie: \w+=).*", r"\1...", a) for a in argv]
    return " ".join(a if " " not in a else repr(a) for a in shown)
