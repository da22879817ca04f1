"""The servers of bench/fault.py: a PostgreSQL schema, the app's gunicorn, a redis-server of its
own; and a CPU sampler. Each announces itself on stdout and dies with the script, whatever happens."""
import atexit
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from bench import cpu
from bench.dbsetup import BenchDatabase
from bench.servers import Gunicorn, free_port

# A child dies with this script even if the script is killed with SIGKILL (no finally then).
DIE_WITH_US = ["setpriv", "--pdeathsig", "KILL", "--"]


def announce(what: str) -> None:
    """A line that a supervisor (tests/test_fault.py) can use to clean up if this dies hard."""
    print(f"[fault] created {what}", flush=True)


class Schema(BenchDatabase):
    """BenchDatabase's PostgreSQL schema, in the database --database names."""

    def __init__(self, admin: str, workdir: Path):
        super().__init__("postgresql", workdir)
        self.admin = admin

    def __enter__(self):
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {self.schema}"))
        engine.dispose()
        atexit.register(self.__exit__)
        announce(f"schema {self.schema}")
        self.url = f"{self.admin}{'&' if '?' in self.admin else '?'}options=-csearch_path%3D{self.schema}"
        return self

    def __exit__(self, *exc):
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
        engine.dispose()


class App(Gunicorn):
    """The app's gunicorn, dying with this script whatever happens."""

    @property
    def argv(self) -> list[str]:
        return [*DIE_WITH_US, *super().argv]

    def __enter__(self):
        atexit.register(self.stop)
        result = super().__enter__()
        announce(f"process group {self.proc.pid} gunicorn")
        return result


class RedisServer:
    """A redis-server of our own on a free loopback port; kill() and start() it at will."""

    def __init__(self, work: Path):
        self.work, self.port, self.proc = work, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        atexit.register(self.stop)

    def start(self, timeout: float = 10) -> None:
        log = open(self.work / "redis.log", "ab")
        self.proc = subprocess.Popen([*DIE_WITH_US, "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", str(self.work)],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        log.close()
        announce(f"process group {self.proc.pid} redis-server")
        ends = time.monotonic() + timeout
        while not self.ping():
            if self.proc.poll() is not None or time.monotonic() > ends:
                raise RuntimeError(f"redis-server on port {self.port} did not start: "
                                   f"{(self.work / 'redis.log').read_text()[-1000:]}")
            time.sleep(0.02)

    def ping(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1).ping()
        except Exception:  # noqa: BLE001
            return False

    def keys(self) -> int:
        import redis

        return redis.Redis(port=self.port, socket_timeout=2).dbsize()

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()


class CpuSampler(threading.Thread):
    """Once a second: cores used by the server (arbiter and whichever workers exist), by this
    script, and by everything else (the machine is shared with other sessions)."""

    def __init__(self, g: App, now):
        super().__init__(name="cpu", daemon=True)
        self.g, self.now, self.samples, self.done = g, now, [], threading.Event()

    def _server(self) -> dict[int, float]:
        return {p: cpu._process([p]) for p in [self.g.proc.pid, *self.g.worker_pids()]}

    def run(self) -> None:
        last, busy, own, t = self._server(), cpu._machine_busy(), sum(cpu._own()), self.now()
        while not self.done.wait(1.0):
            now = self._server()
            server = sum(v - last.get(p, 0.0) for p, v in now.items())  # a new worker: since its birth
            busy2, own2, t2 = cpu._machine_busy(), sum(cpu._own()), self.now()
            span = max(t2 - t, 1e-9)
            self.samples.append({"t": round(t2, 2), "server": server / span, "script": (own2 - own) / span,
                                 "other": max(0.0, (busy2 - busy - server - (own2 - own)) / span)})
            last, busy, own, t = now, busy2, own2, t2
