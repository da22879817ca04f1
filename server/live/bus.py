"""The event bus: small "something changed" messages from services to SSE streams.

One interface, two backends: in-process (one process) and Redis pub/sub (many workers/hosts).
"""
import json
import queue
import threading

from flask import current_app, has_app_context

CHANNEL = "yryd:changes"


class Subscription:
    def __init__(self, bus: "LocalBus"):
        self.queue: queue.Queue = queue.Queue(maxsize=100)
        self._bus = bus

    def get(self, timeout: float) -> dict | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._bus._remove(self)


class LocalBus:
    """Fans each message out to every subscriber's queue in this process."""

    def __init__(self):
        self._subs: set[Subscription] = set()
        self._lock = threading.Lock()

    def subscribe(self) -> Subscription:
        sub = Subscription(self)
        with self._lock:
            self._subs.add(sub)
        return sub

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            self._subs.discard(sub)

    def publish(self, message: dict) -> None:
        self.deliver(message)

    def deliver(self, message: dict) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            try:
                sub.queue.put_nowait(message)
            except queue.Full:  # a stalled client misses pings, never blocks the publisher
                pass


def publish(message: dict) -> None:
    """Announce a change to live clients; a no-op outside an app (CLI seeding, scripts)."""
    if has_app_context() and "bus" in current_app.extensions:
        current_app.extensions["bus"].publish(message)


def encode(message: dict) -> str:
    return json.dumps(message, separators=(",", ":"))
