"""The Redis event bus: a change published by one process reaches streams held by another."""
import os
import uuid

import pytest

from server.live.bus import RedisBus

REDIS = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS, reason="TEST_REDIS_URL not set")


@pytest.fixture
def channel():
    return f"test:{uuid.uuid4().hex}"


def test_a_message_published_by_one_worker_reaches_a_subscriber_on_another(channel):
    worker_a, worker_b = RedisBus(REDIS, channel), RedisBus(REDIS, channel)
    sub = worker_b.subscribe()
    # the listener subscribes asynchronously: publish until it hears (bounded)
    for _ in range(50):
        worker_a.publish({"type": "booking", "employee_id": 7, "branch_id": 2})
        message = sub.get(timeout=0.1)
        if message:
            break
    assert message == {"type": "booking", "employee_id": 7, "branch_id": 2}
    sub.close()


def test_without_redis_publishing_still_reaches_local_clients_and_never_raises(channel):
    bus = RedisBus("redis://127.0.0.1:1/0", channel)  # nothing listens on port 1
    sub = bus.subscribe()
    bus.publish({"type": "booking", "employee_id": 1, "branch_id": 1})
    seen = [sub.get(timeout=2.0), sub.get(timeout=2.0)]
    assert {"type": "booking", "employee_id": 1, "branch_id": 1} in seen
    assert {"type": "degraded"} in seen  # open pages switch to polling
    sub.close()


def test_bookings_succeed_when_redis_is_down(bank, book, app):
    app.extensions["bus"] = RedisBus("redis://127.0.0.1:1/0", "unused")
    assert book(bank.code(bank.wang)).status_code == 201
