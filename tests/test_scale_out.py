"""Two real gunicorn instances over the same PostgreSQL and Redis share nothing else: a booking
posted to one reaches an SSE stream held open on the other."""
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session

from server import create_app, db as database
from tests.conftest import Bank, PASSWORD, booking_body

ROOT = Path(__file__).resolve().parent.parent
PG, REDIS = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not (PG and REDIS), reason="needs TEST_DATABASE_URL and TEST_REDIS_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, proc: subprocess.Popen) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            c.close()
    raise RuntimeError("gunicorn did not become healthy")


@pytest.fixture
def cluster(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out runs on PostgreSQL")
    channel = f"test:{uuid.uuid4().hex}"
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS, "REDIS_CHANNEL": channel,
           "SECRET_KEY": "scale-out-secret", "SSE_HEARTBEAT_SECONDS": "1"}
    app = create_app({"DATABASE_URL": database_url})
    database.upgrade(app.extensions["engine"])
    with Session(app.extensions["engine"], expire_on_commit=False) as db:
        bank = Bank(db)
    app.extensions["engine"].dispose()
    ports, procs = [free_port(), free_port()], []
    for port in ports:
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "server:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    try:
        for port, proc in zip(ports, procs):
            wait_healthy(port, proc)
        yield ports, bank
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
            proc.stderr.close()


def login_cookie(port: int, staff_no: str) -> str:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("POST", "/api/staff/login", json.dumps({"staff_no": staff_no, "password": PASSWORD}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    c.close()
    assert r.status == 200
    return cookie


def test_a_booking_on_one_instance_reaches_a_stream_on_the_other(cluster):
    (port_a, port_b), bank = cluster
    stream = http.client.HTTPConnection("127.0.0.1", port_b, timeout=5)
    stream.request("GET", "/api/stream", headers={"Cookie": login_cookie(port_b, bank.wang.staff_no)})
    events = stream.getresponse()
    assert events.status == 200 and events.readline().startswith(b": ok")

    post = http.client.HTTPConnection("127.0.0.1", port_a, timeout=5)
    post.request("POST", f"/api/shops/{bank.code(bank.wang)}/bookings", json.dumps(booking_body()),
                 {"Content-Type": "application/json"})
    assert post.getresponse().status == 201
    post.close()
    posted = time.monotonic()

    while time.monotonic() - posted < 5:
        line = events.readline()
        if line.startswith(b"data: "):
            assert json.loads(line[6:]) == {"type": "booking", "employee_id": bank.wang.id,
                                            "branch_id": bank.rural.id}
            break
    else:
        pytest.fail("the booking never reached the other instance's stream")
    events.close()
    stream.close()
