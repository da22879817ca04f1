"""gunicorn under our config/gunicorn.conf.py, started in its own process group and always killed."""
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: .venv, bench/
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# Where the app's code is taken from: the working tree, or a clean checkout (run.py --commit).
APP_ROOT = ROOT


def use_app_root(path: Path) -> None:
    global APP_ROOT
    APP_ROOT = path
STATUS = re.compile(rb'" (\d{3}) ')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(app: str, port: int) -> list[str]:
    return [str(GUNICORN), "-c", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", app]


class Gunicorn:
    """One gunicorn instance; `with Gunicorn(...) as g:` waits until every worker has booted."""

    def __init__(self, app: str, env: dict, log_path: Path, *, port: int | None = None,
                 health: str = "/healthz"):
        # The same worker count for the bare app and ours (the config picks 1 without Redis).
        env = {"GUNICORN_WORKERS": str(os.cpu_count() or 1), **env}
        self.app, self.env, self.log_path, self.health = app, env, log_path, health
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.workers = int(env.get("GUNICORN_WORKERS", os.cpu_count() or 1))

    @property
    def argv(self) -> list[str]:
        return command(self.app, self.port)

    def __enter__(self):
        self._log = open(self.log_path, "ab")  # O_APPEND: the workers' lines never clobber
        env = {**os.environ, **self.env}
        if APP_ROOT != ROOT:  # bench.bare lives in the working tree; server/ and config/ in APP_ROOT
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(self.argv, cwd=APP_ROOT, env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)  # own process group: killed as one
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _wait_ready(self, timeout: float = 30) -> None:
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.tail()}")
            booted = self.log_path.read_bytes().count(b"Booting worker")
            if booted >= self.workers and self._healthy():
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not become ready in {timeout}s:\n{self.tail()}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + self.health, timeout=1) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        """SIGINT (quick shutdown) to the whole group, then SIGKILL if anything is left."""
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGINT, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # stragglers in the group (a worker that outlived the arbiter)
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._log.close()
        self.proc = None

    # --- the access log: which statuses a phase produced ---------------------------------------

    def log_offset(self) -> int:
        return self.log_path.stat().st_size

    def statuses_since(self, offset: int) -> dict[str, int]:
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            counts: dict[str, int] = {}
            for m in STATUS.finditer(f.read()):
                counts[m.group(1).decode()] = counts.get(m.group(1).decode(), 0) + 1
        return dict(sorted(counts.items()))

    def errors(self, keep: int = 3) -> tuple[int, list[str]]:
        """Tracebacks in the log (the workers' own exit at shutdown aside): count, first few."""
        lines = self.log_path.read_bytes().decode(errors="replace").splitlines()
        text = "\n".join(ln for ln in lines if not ln.startswith('127.0.0.1 "'))  # access log out
        blocks = [b[:3000] for b in text.split("Traceback (most recent call last):")[1:]]
        shutdown = ("handle_quit", "SystemExit: 0", "in _shutdown")  # workers exiting at the end
        blocks = [b for b in blocks if 'File "' in b and not any(mark in b for mark in shutdown)]
        return len(blocks), ["Traceback (most recent call last):" + b for b in blocks[:keep]]

    def tail(self, n: int = 4000) -> str:
        data = self.log_path.read_bytes() if self.log_path.exists() else b""
        return data[-n:].decode(errors="replace")


def call(base: str, method: str, path: str, body=None, headers=None, timeout: float = 10):
    """One request: (status, parsed JSON or None, response headers)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw, status, hdrs = r.read(), r.status, r.headers
    except urllib.error.HTTPError as e:
        raw, status, hdrs = e.read(), e.code, e.headers
    parsed = json.loads(raw) if raw and hdrs.get("Content-Type", "").startswith("application/json") else None
    return status, parsed, hdrs
