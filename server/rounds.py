"""A background round in each web process: a thread that runs `work(db)` until it has nothing
left, woken by kick() (soon) or every `every` seconds. Every process may run one: the rows' own
claims decide who sends what, so a round never needs to know about the others."""
import logging
import threading
import time

from flask import Flask
from sqlmodel import Session

log = logging.getLogger("yryd.rounds")


class Rounds:
    def __init__(self, app: Flask, *, name: str, work, every: float, gather: float = 0.0):
        """`work(db)`: one batch, true while more may be waiting (the batch was full), so a
        round ends with its first short batch; `gather`: after a kick, wait this long so a
        burst (bookings arriving together) goes out as one batch."""
        self.app, self.name, self.work, self.every, self.gather = app, name, work, every, gather
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.stopped = False

    def start(self) -> None:
        """Start the thread once: on first use, never in a process that forks later."""
        if self.thread is not None or self.every <= 0:
            return
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self.thread.start()

    def kick(self) -> None:
        """A round soon."""
        self.start()
        self.wake.set()

    def stop(self) -> None:
        """Finish the current round and end the thread (tests; the process exit does it too)."""
        self.stopped = True
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=10)

    def _loop(self) -> None:
        while not self.stopped:
            if self.wake.wait(self.every) and not self.stopped and self.gather:
                time.sleep(self.gather)
            self.wake.clear()
            if self.stopped:
                return
            try:
                with self.app.app_context(), Session(self.app.extensions["engine"]) as db:
                    while self.work(db):
                        pass
            except Exception:  # noqa: BLE001 - a bad row or a database blip must not stop the rounds
                log.exception("%s round failed; will retry", self.name)
