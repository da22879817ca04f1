"""One delivery thread per process, woken after bookings (in batches) and every few seconds."""
import logging
import threading
import time

from flask import Flask
from sqlmodel import Session

from server.notify.service import deliver_due

log = logging.getLogger("yryd.notify")
IDLE_SECONDS = 10
GATHER_SECONDS = 0.3  # after a wake-up, let a burst of bookings gather into one batch


class Runner:
    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.stopped = False

    def kick(self) -> None:
        """Deliver soon (starts the thread on first use)."""
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="notify", daemon=True)
                self.thread.start()
        self.wake.set()

    def stop(self) -> None:
        """Finish the current round and end the thread (tests; the process exit does it too)."""
        self.stopped = True
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=10)

    def _loop(self) -> None:
        while not self.stopped:
            if self.wake.wait(IDLE_SECONDS) and not self.stopped:
                time.sleep(GATHER_SECONDS)
            self.wake.clear()
            if self.stopped:
                return
            try:
                with self.app.app_context(), Session(self.app.extensions["engine"]) as db:
                    while deliver_due(db):
                        pass
            except Exception:  # noqa: BLE001 - a bad row or a DB blip must not stop deliveries
                log.exception("notification delivery failed; will retry")
