"""Sampling profiles of the gunicorn workers under load, with py-spy, summarised as tables.

py-spy reads the workers' stacks from outside (no change to the app); with gevent it sees the
greenlet that is running. Idle samples (the hub waiting in epoll) are left out by py-spy.
"""
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from bench import servers
from bench.servers import ROOT

PY_SPY = ROOT / ".venv" / "bin" / "py-spy"


def available() -> str | None:
    """Why profiling cannot run here, or None when it can."""
    if not PY_SPY.exists() and shutil.which("py-spy") is None:
        return "py-spy is not installed (`.venv/bin/pip install py-spy==0.4.3`)"
    return None


def start(master_pid: int, out: Path, seconds: float, rate: int = 100) -> subprocess.Popen:
    """Sample the master and its workers for `seconds`, into a collapsed-stack file."""
    exe = str(PY_SPY) if PY_SPY.exists() else "py-spy"
    return subprocess.Popen([exe, "record", "--pid", str(master_pid), "--subprocesses",
                             "--duration", str(int(seconds)), "--rate", str(rate), "--format", "raw",
                             "--full-filenames", "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(spy: subprocess.Popen, out: Path) -> dict:
    log = spy.communicate(timeout=120)[0]
    if not out.exists():
        raise RuntimeError(f"py-spy wrote nothing: {log[-1000:]}")
    return summarise(out.read_text())


def _frames(line: str) -> tuple[list[tuple[str, str]], int]:
    stack, _, count = line.rpartition(" ")
    frames = []
    for frame in stack.split(";"):
        if frame.startswith(("process ", "thread ")) or " (" not in frame:
            continue
        func, _, where = frame.rpartition(" (")
        path = where.rstrip(")").rpartition(":")[0]
        frames.append((func, path))
    return frames, int(count)


def package(path: str) -> str:
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for root in {str(servers.APP_ROOT), str(ROOT)}:
        if path.startswith(root + "/"):
            return path[len(root) + 1:].split("/", 1)[0] + "/ (ours)"
    if "/lib/python3" in path:
        return "stdlib " + path.split("/lib/python3", 1)[1].split("/", 2)[1].removesuffix(".py")
    return path


def short(func: str, path: str) -> str:
    for marker in ("/site-packages/", str(servers.APP_ROOT) + "/", str(ROOT) + "/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{func} ({path})"


# Waiting that py-spy cannot tell from work: gevent's hub loop and its native threadpool's lock.
IDLE = {"Hub.run", "acquire_with_timeout"}


def summarise(text: str, top: int = 15) -> dict:
    """Self time by package and by function, and inclusive time of our own functions.

    Shares are of the workers' busy samples: py-spy skips threads it sees idle, and samples
    of the arbiter or of gevent's own waiting (IDLE) are left out here.
    """
    total, by_package, by_self, ours = 0, Counter(), Counter(), Counter()
    for line in text.splitlines():
        frames, n = _frames(line)
        if not frames or any(f == "Arbiter.run" for f, _ in frames) or frames[-1][0] in IDLE:
            continue
        total += n
        func, path = frames[-1]
        by_package[package(path)] += n
        by_self[short(func, path)] += n
        for name in {short(f, p) for f, p in frames if package(p).endswith("(ours)")}:
            ours[name] += n
    share = lambda rows: [(name, n, 100 * n / total if total else 0) for name, n in rows]  # noqa: E731
    return {"samples": total, "packages": share(by_package.most_common()),
            "self": share(by_self.most_common(top)), "inclusive": share(ours.most_common(top))}
