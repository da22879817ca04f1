"""The clients of bench/fault.py: threads that book, retry with the same Idempotency-Key, and
write down every acknowledgement they got.

One thread is one customer's phone at a time: a kept-alive HTTP/1.1 connection (reopened after
an error), one booking after another, each with its own key and phone number. A booking is
retried, same body and same key, after a connection error, a timeout, a 5xx or a 429, with
growing back-off, until the retry deadline; a 201 (fresh or replayed) is an acknowledgement; a
409 (slot taken) ends the booking unacknowledged; anything else is unexpected.
"""
import http.client
import json
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from itertools import count

CONSENT = "2026-12-v2"


@dataclass
class Attempt:
    started: float  # seconds since the run's start
    ended: float
    outcome: str  # "201", "409", ..., "conn", "timeout"
    retry: bool  # not the booking's first attempt


@dataclass
class Booking:
    key: str
    phone: str
    path: str
    slot: str | None  # None: a call back
    contended: bool
    started: float = 0.0
    acked: float | None = None
    reference: str = ""
    token: str = ""
    replayed: bool = False
    final: str = ""  # "ack", "409", "gave_up", "unexpected <status> <error>"
    attempts: int = 0


@dataclass
class ClientLog:
    attempts: list[Attempt] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)


class Jobs:
    """What to book next, shared by all clients: mostly call backs, some open slots, and some
    slots handed to `contenders` bookings in a row so that concurrent clients race for them."""

    def __init__(self, codes: list[str], slots: list[list[str]], *, slot_share: float = 0.3,
                 contended_share: float = 0.35, contenders: int = 3, seed: int = 7):
        self.codes, self.slots = codes, list(reversed(slots))
        self.slot_share, self.contended_share, self.contenders = slot_share, contended_share, contenders
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._pending: list[tuple[str, str]] = []  # a contended slot's remaining hand-outs
        self._n = count()

    def next(self) -> tuple[str, str | None, bool]:
        """(path, slot or None, contended)."""
        with self._lock:
            if self._pending:
                path, slot = self._pending.pop()
                return path, slot, True
            n = next(self._n)
            if self.slots and self._rng.random() < self.slot_share:
                path, slot = self.slots.pop()
                if self._rng.random() < self.contended_share:
                    self._pending = [(path, slot)] * (self.contenders - 1)
                    return path, slot, True
                return path, slot, False
            return f"/api/shops/{self.codes[n % len(self.codes)]}/bookings", None, False


class Client(threading.Thread):
    def __init__(self, number: int, *, port: int, run: str, jobs: Jobs, t0: float, stop_at: float,
                 give_up_at: float, timeout: float):
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.port, self.run_id, self.jobs = number, port, run, jobs
        self.t0, self.stop_at, self.give_up_at, self.timeout = t0, stop_at, give_up_at, timeout
        self.log = ClientLog()
        self._conn: http.client.HTTPConnection | None = None
        self._rng = random.Random(number)

    def now(self) -> float:
        return time.monotonic() - self.t0

    def run(self) -> None:
        try:
            for n in count():
                if self.now() >= self.stop_at:
                    break
                path, slot, contended = self.jobs.next()
                b = Booking(key=f"{self.run_id}-{self.number}-{n}", phone=f"19{self.number:03d}{n:06d}",
                            path=path, slot=slot, contended=contended)
                self.log.bookings.append(b)
                self.book(b)
        finally:
            self._close()

    def book(self, b: Booking) -> None:
        body = json.dumps({"name": "压测客户", "phone": b.phone, "product": "consumer-credit", "slot": b.slot,
                           "callback": b.slot is None, "note": "", "consent": True,
                           "consent_version": CONSENT, "channel": ""}).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": b.key}
        b.started = self.now()
        for attempt in count():
            started = self.now()
            outcome, data = self.post(b.path, body, headers)
            self.log.attempts.append(Attempt(started, self.now(), outcome, attempt > 0))
            b.attempts = attempt + 1
            if outcome in ("200", "201"):  # a replay of an earlier success is one too
                b.acked, b.final = self.now(), "ack"
                b.reference, b.token = data["reference"], data["status_token"]
                b.replayed = data.get("_replayed", False)
                return
            if outcome == "409":
                b.final = "409"
                return
            if not _retryable(outcome):
                b.final = f"unexpected {outcome} {(data or {}).get('error', '')}".strip()
                return
            if self.now() >= self.give_up_at:
                b.final = "gave_up"
                return
            time.sleep(min(2.0, 0.1 * 2 ** attempt) * self._rng.uniform(0.5, 1.5))

    def post(self, path: str, body: bytes, headers: dict) -> tuple[str, dict | None]:
        try:
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self._conn.request("POST", path, body, headers)
            r = self._conn.getresponse()
            raw = r.read()
            if r.getheader("Connection", "").lower() == "close":
                self._close()
        except (socket.timeout, TimeoutError):
            self._close()
            return "timeout", None
        except (OSError, http.client.HTTPException):
            self._close()
            return "conn", None
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        if isinstance(data, dict) and r.getheader("Idempotent-Replayed"):
            data["_replayed"] = True
        return str(r.status), data

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _retryable(outcome: str) -> bool:
    return outcome in ("conn", "timeout", "429") or outcome.startswith("5")
