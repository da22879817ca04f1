"""Real servers for tests: gunicorn processes on loopback ports, and a tiny HTTP client."""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import Session

from server import create_app, db as database
from tests.conftest import Bank

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def migrated_bank(database_url: str) -> Bank:
    """Build the schema through the migrations (as a deployment does) and the test bank."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    database.upgrade(app.extensions["engine"])
    with Session(app.extensions["engine"], expire_on_commit=False) as db:
        bank = Bank(db)
    app.extensions["engine"].dispose()
    return bank


def request(port: int, method: str, path: str, body=None, headers=None, timeout=10):
    """One HTTP request on its own connection: (status, parsed JSON or None, headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body) if body is not None else None
        conn.request(method, path, data, {"Content-Type": "application/json", **(headers or {})})
        r = conn.getresponse()
        raw = r.read()
        parsed = json.loads(raw) if raw and r.getheader("Content-Type", "").startswith("application/json") else None
        return r.status, parsed, dict(r.getheaders())
    finally:
        conn.close()


@contextmanager
def gunicorn(database_url: str, *, workers: int = 2, **env):
    """A gunicorn instance of the app with our config; yields its port."""
    port = free_port()
    environ = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
               **{k: str(v) for k, v in env.items()}}
    # A file, not a pipe: nobody reads a pipe while the test runs, and a full one would block
    # the workers' next log line forever.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "server:create_app()"],
        cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=log)
    try:
        _wait_healthy(port, proc, log)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


def _wait_healthy(port: int, proc: subprocess.Popen, log) -> None:
    for _ in range(150):
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited: {log.read().decode()[-2000:]}")
        try:
            if request(port, "GET", "/healthz", timeout=1)[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not become healthy")


@contextmanager
def json_receiver():
    """A loopback receiver of JSON POSTs (a webhook's far end): yields (its URL, what it got)."""
    import http.server
    import threading

    received: list = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()
        server.server_close()
