"""SSE fan-out: hold thousands of /api/stream connections, post bookings, time every delivery.

One reader thread with one epoll holds every stream and a Redis subscription to the app's
channel. Every socket has SO_TIMESTAMPNS on, so each read carries the time the kernel received
the data: the measurement does not include this script's own delay in getting to 2,000
sockets (which is recorded separately, as "seen by the client"). The service publishes to
Redis right after its commit, so the kernel time of the Redis message is the commit time
(plus one loopback hop). Bookings are posted one at a time, the next only once every stream
has heard the last (or 5 s have passed), so each delivery belongs to exactly one booking.
"""
import http.client
import re
import select
import socket
import struct
import subprocess
import threading
import time
from collections import Counter

from bench.stats import summary_ms

EVENT = b"event: change\ndata: "
BOOKING = b'"type":"booking"'
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; Python 3.11 does not name it


def _kernel_time(ancillary) -> float | None:
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = struct.unpack("qq", data[:16])
            return sec + nsec / 1e9
    return None


class Hub:
    """Arrival times (kernel, client) of each booking's message at each stream, and commits."""

    def __init__(self):
        self.cv = threading.Condition()
        self.subscribers = 0
        self.arrivals: dict[int, list[tuple[float, float]]] = {}
        self.commits: list[float] = []

    def arrived(self, index: int, kernel: float, seen: float) -> None:
        with self.cv:
            self.arrivals.setdefault(index, []).append((kernel, seen))
            if len(self.arrivals[index]) >= self.subscribers:
                self.cv.notify_all()

    def committed(self, kernel: float) -> None:
        with self.cv:
            self.commits.append(kernel)
            self.cv.notify_all()

    def wait(self, index: int, timeout: float) -> None:
        with self.cv:
            self.cv.wait_for(lambda: len(self.arrivals.get(index, ())) >= self.subscribers
                             and len(self.commits) > index, timeout)


class Stream:
    """One /api/stream connection: waits for ": ok", then counts booking messages."""

    def __init__(self, sock: socket.socket, hub: Hub):
        self.sock, self.hub = sock, hub
        self.started = time.time()
        self.ready_at = None
        self.failed = ""
        self.buf = b""
        self.heard = 0
        self.closed = False

    def feed(self, data: bytes, kernel: float, seen: float) -> None:
        buf = self.buf + data
        if self.ready_at is None:
            if b"\r\n" in buf and not buf.startswith(b"HTTP/1.1 200"):
                self.failed = buf[:200].decode(errors="replace")
                return
            if b": ok" in buf:
                self.ready_at = seen
        while (i := buf.find(EVENT)) >= 0:
            j = buf.find(b"\n", i + len(EVENT))
            if j < 0:
                break
            if BOOKING in buf[i:j]:
                self.hub.arrived(self.heard, kernel, seen)
                self.heard += 1
            buf = buf[j + 1:]
        self.buf = buf[-256:] if self.ready_at else buf


class Commits:
    """A Redis subscription to the app's channel: each booking message marks its commit."""

    def __init__(self, hub: Hub, channel: str, port: int = 6379):
        self.hub, self.buf, self.closed = hub, b"", False
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        name = channel.encode()
        self.sock.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(name), name))
        reply = b""
        while not reply.endswith(b":1\r\n"):  # the subscribe confirmation: ... :1
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("redis closed the subscription")
            reply += chunk

    def feed(self, data: bytes, kernel: float, seen: float) -> None:
        buf = self.buf + data
        while (i := buf.find(BOOKING)) >= 0:
            self.hub.committed(kernel)
            buf = buf[i + len(BOOKING):]
        self.buf = buf[-len(BOOKING):]


class Reader(threading.Thread):
    """Reads every registered socket as data arrives, with the kernel's receive time."""

    def __init__(self):
        super().__init__(name="sse-reader", daemon=True)
        self.epoll = select.epoll()
        self.conns: dict[int, object] = {}
        self.running = True

    def add(self, conn) -> None:
        conn.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        conn.sock.setblocking(False)
        self.conns[conn.sock.fileno()] = conn
        self.epoll.register(conn.sock.fileno(), select.EPOLLIN)

    def run(self) -> None:
        while self.running:
            for fd, _ in self.epoll.poll(0.05):
                conn = self.conns.get(fd)
                if conn is None:
                    continue
                try:
                    data, ancillary, _, _ = conn.sock.recvmsg(65536, 256)
                except BlockingIOError:
                    continue
                except OSError:
                    data, ancillary = b"", []
                seen = time.time()
                if not data:
                    conn.closed = True
                    self.epoll.unregister(fd)
                    del self.conns[fd]
                    continue
                conn.feed(data, _kernel_time(ancillary) or seen, seen)

    def stop(self) -> None:
        self.running = False
        self.join(timeout=5)
        for conn in list(self.conns.values()):
            conn.sock.close()
        self.epoll.close()


def open_streams(reader: Reader, hub: Hub, port: int, cookie: str, n: int,
                 batch: int = 100, timeout: float = 30) -> dict:
    """Open `n` streams, `batch` at a time (each batch waits for its ": ok"s)."""
    request = (f"GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
               f"Cookie: {cookie}\r\n\r\n").encode()
    streams, errors, started = [], [], time.time()
    for first in range(0, n, batch):
        group = []
        for _ in range(min(batch, n - first)):
            try:
                stream = Stream(socket.create_connection(("127.0.0.1", port), timeout=10), hub)
                stream.sock.sendall(request)
                reader.add(stream)
                group.append(stream)
            except OSError as e:
                errors.append(repr(e)[:200])
        ends = time.time() + timeout
        while time.time() < ends and any(s.ready_at is None and not s.failed and not s.closed for s in group):
            time.sleep(0.01)
        streams += group
    good = [s for s in streams if s.ready_at is not None and not s.failed and not s.closed]
    errors += [s.failed or "closed / no ': ok'" for s in streams if s not in good]
    hub.subscribers = len(good)
    return {"streams": good, "seconds": time.time() - started, "errors": errors,
            "each": summary_ms([s.ready_at - s.started for s in good])}


def probe(port: int, paths: list[str], n: int) -> dict:
    """Latency of `n` GETs sent one after another on one kept-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    took, statuses = [], Counter()
    try:
        for i in range(n):
            started = time.perf_counter()
            conn.request("GET", paths[i % len(paths)])
            response = conn.getresponse()
            response.read()
            took.append(time.perf_counter() - started)
            statuses[response.status] += 1
    finally:
        conn.close()
    return {**summary_ms(took), "statuses": dict(statuses)}


def post_bookings(port: int, hub: Hub, bodies: list[tuple[str, bytes]], timeout: float = 5.0) -> dict:
    """Post each booking, wait until every stream has heard it, and time the deliveries."""
    t = {k: [] for k in ("commit", "first", "last", "seen", "send", "response")}
    missing, statuses = 0, Counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for index, (path, body) in enumerate(bodies):
            sent = time.time()
            conn.request("POST", path, body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            answered = time.time()
            statuses[response.status] += 1
            hub.wait(index, timeout)
            with hub.cv:
                arrivals = list(hub.arrivals.get(index, ()))
                committed = hub.commits[index] if len(hub.commits) > index else sent
            kernel = [k for k, _ in arrivals]
            missing += hub.subscribers - len(arrivals)
            t["commit"] += [k - committed for k in kernel]
            t["seen"] += [s - committed for _, s in arrivals]
            t["send"] += [k - sent for k in kernel]
            t["response"].append(answered - sent)
            if kernel:
                t["first"].append(min(kernel) - committed)
                t["last"].append(max(kernel) - committed)
            time.sleep(0.05)
    finally:
        conn.close()
    return {"bookings": len(bodies), "statuses": dict(statuses), "missing": missing,
            "deliveries": len(t["commit"]), "published_seen": len(hub.commits),
            **{k: summary_ms(v) for k, v in t.items()}}


def streams_per_worker(port: int) -> dict[int, int]:
    """Established connections on the server port, by the process holding them (from `ss`)."""
    out = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True).stdout
    return dict(Counter(int(m) for m in re.findall(r"pid=(\d+)", out)))
