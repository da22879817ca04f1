"""The event bus: small "something changed" messages from services to SSE streams.

One interface, two backends: in-process (one process) and Redis pub/sub (many workers/hosts).
"""
import json
import logging
import queue
import threading
import time

from flask import current_app, has_app_context

CHANNEL = "yryd:changes"
INTERNAL = {"catalog"}  # heard by the process's listeners (caches), not sent to live clients
log = logging.getLogger(__name__)


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
        self._listeners: list = []

    def add_listener(self, callback) -> None:
        """Call `callback(message)` for every message this process hears (cache upkeep)."""
        self._listeners.append(callback)

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

    def publish_many(self, messages: list[dict]) -> None:
        for message in messages:
            self.publish(message)

    def close(self) -> None:
        pass

    def deliver(self, message: dict) -> None:
        for callback in self._listeners:
            callback(message)
        if message.get("type") in INTERNAL:
            return
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            try:
                sub.queue.put_nowait(message)
            except queue.Full:  # a stalled client misses pings, never blocks the publisher
                pass


def publish(message: dict) -> None:
    """Announce a change to live clients; a no-op outside an app (CLI seeding, scripts)."""
    publish_many([message])


def publish_many(messages: list[dict]) -> None:
    """Announce several changes (a batch of bookings): through Redis, in one round trip."""
    if has_app_context() and "bus" in current_app.extensions:
        current_app.extensions["bus"].publish_many(messages)


def encode(message: dict) -> str:
    return json.dumps(message, separators=(",", ":"))


class RedisBus(LocalBus):
    """Publishes through Redis so every worker and host hears every change.

    One subscription per process (a listener thread), fanned out to local queues: never one
    Redis connection per client. If Redis goes away, publishing fails quietly (the booking is
    already committed) and local clients are told to poll until it is back.
    """

    RETRY_SECONDS = 1.0

    def __init__(self, url: str, channel: str = CHANNEL):
        import redis

        super().__init__()
        self.channel = channel
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2,
                                           health_check_interval=30)
        self._listener: threading.Thread | None = None
        self._listening = threading.Event()
        self.degraded = False  # Redis unreachable: clients poll
        self._closed = False

    def add_listener(self, callback) -> None:
        super().add_listener(callback)
        self._start()

    def _start(self) -> None:
        with self._lock:
            if self._listener is None and not self._closed:
                self._listener = threading.Thread(target=self._listen, name="redis-bus", daemon=True)
                self._listener.start()

    def close(self) -> None:
        """Stop listening within a second (tests; the process exit does it too)."""
        self._closed = True

    def subscribe(self) -> Subscription:
        self._start()
        # A stream that says "ok" hears everything published after: wait for the first
        # subscription (briefly; if Redis is down the client is told to poll instead).
        self._listening.wait(timeout=2)
        sub = super().subscribe()
        if self.degraded:
            sub.queue.put_nowait({"type": "degraded"})
        return sub

    def publish(self, message: dict) -> None:
        self.publish_many([message])

    def publish_many(self, messages: list[dict]) -> None:
        for message in messages:
            for callback in self._listeners:
                callback(message)  # this process at once; the echo from Redis repeats it, harmlessly
        try:
            if len(messages) == 1:
                self._redis.publish(self.channel, encode(messages[0]))
            else:
                with self._redis.pipeline(transaction=False) as pipe:
                    for message in messages:
                        pipe.publish(self.channel, encode(message))
                    pipe.execute()
        except Exception:  # noqa: BLE001 - live updates are best effort; data is committed
            log.warning("redis publish failed; live clients will poll")
            for message in messages:
                self.deliver(message)  # at least this process's clients hear it

    def _listen(self) -> None:
        while not self._closed:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                self._listening.set()
                if self.degraded:
                    self.degraded = False
                    self.deliver({"type": "resync"})  # clients refetch once and stop polling
                while not self._closed:
                    item = pubsub.get_message(timeout=1.0)
                    if item and item["type"] == "message":
                        self.deliver(json.loads(item["data"]))
            except Exception:  # noqa: BLE001 - keep listening whatever Redis does
                if not self.degraded:
                    log.warning("redis subscription lost; telling clients to poll")
                    self.degraded = True
                    self.deliver({"type": "degraded"})
                time.sleep(self.RETRY_SECONDS)
            finally:
                pubsub.close()


def make_bus(redis_url: str, channel: str = CHANNEL) -> LocalBus:
    """The bus for this process: Redis when configured, else in-process."""
    return RedisBus(redis_url, channel) if redis_url else LocalBus()
