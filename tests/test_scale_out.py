"""Two real gunicorn instances over the same PostgreSQL and Redis share nothing else: a booking
posted to one reaches an SSE stream held open on the other."""
import http.client
import json
import os
import time
import uuid

import pytest

from tests.conftest import PASSWORD, booking_body
from tests.servers import gunicorn, migrated_bank, request

REDIS = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") and REDIS),
                                reason="needs TEST_DATABASE_URL and TEST_REDIS_URL")


def test_a_booking_on_one_instance_reaches_a_stream_on_the_other(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out runs on PostgreSQL")
    bank = migrated_bank(database_url)
    run = uuid.uuid4().hex
    # Its own channel and rate-limit counters: CI reuses this Redis run after run (the booking
    # phone's daily limit would otherwise fill up).
    shared = {"REDIS_URL": REDIS, "REDIS_CHANNEL": f"test:{run}", "RATELIMIT_KEY_PREFIX": f"test-{run}",
              "workers": 1}
    with gunicorn(database_url, **shared) as port_a, gunicorn(database_url, **shared) as port_b:
        _, _, headers = request(port_b, "POST", "/api/staff/login",
                                {"staff_no": bank.wang.staff_no, "password": PASSWORD})
        stream = http.client.HTTPConnection("127.0.0.1", port_b, timeout=5)
        stream.request("GET", "/api/stream", headers={"Cookie": headers["Set-Cookie"].split(";")[0]})
        events = stream.getresponse()
        assert events.status == 200 and events.readline().startswith(b": ok")

        status, _, _ = request(port_a, "POST", f"/api/shops/{bank.code(bank.wang)}/bookings", booking_body())
        assert status == 201
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
    import redis

    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"*test-{run}*"):
        client.delete(key)
    client.close()
