"""One reminder thread per web process: a round every REMINDERS_EVERY_SECONDS, and soon after a
receipt is queued. Every process may run it: the claims decide who sends (reminders.py)."""
import logging
import threading

from flask import Flask
from sqlmodel import Session

from server.customers.reminders import deliver_due

log = logging.getLogger("yryd.customers")


class ReminderRunner:
    def __init__(self, app: Flask):
        self.app = app
        self.every = app.config["REMINDERS_EVERY_SECONDS"]
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.stopped = False

    def start(self) -> None:
        """Start the thread once (on the first request: never in a process that forks later)."""
        if self.thread is not None or self.every <= 0 or self.app.testing:
            return
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="reminders", daemon=True)
                self.thread.start()

    def kick(self) -> None:
        """A round soon (a receipt was queued)."""
        self.start()
        self.wake.set()

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=10)

    def _loop(self) -> None:
        while not self.stopped:
            self.wake.wait(self.every)
            self.wake.clear()
            if self.stopped:
                return
            try:
                with self.app.app_context(), Session(self.app.extensions["engine"]) as db:
                    while deliver_due(db):
                        pass
            except Exception:  # noqa: BLE001 - a bad row or a DB blip must not stop reminders
                log.exception("reminder round failed; will retry")
