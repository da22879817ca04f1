"""One reminder thread per web process: a round every REMINDERS_EVERY_SECONDS, and soon after a
receipt is queued. Every process may run it: the claims decide who sends (reminders.py)."""
from flask import Flask

from server.customers.reminders import deliver_round
from server.rounds import Rounds


class ReminderRunner(Rounds):
    def __init__(self, app: Flask):
        super().__init__(app, name="reminders", work=deliver_round, every=app.config["REMINDERS_EVERY_SECONDS"])

    def start(self) -> None:
        """Started by a served process's first request (tests send reminders by hand)."""
        if not self.app.testing:
            super().start()
