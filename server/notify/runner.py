"""One delivery thread per process, woken after bookings (in batches) and every few seconds."""
from flask import Flask

from server.notify.service import deliver_round
from server.rounds import Rounds

IDLE_SECONDS = 10
GATHER_SECONDS = 0.3  # after a wake-up, let a burst of bookings gather into one batch


class Runner(Rounds):
    def __init__(self, app: Flask):
        super().__init__(app, name="notify", work=deliver_round, every=IDLE_SECONDS, gather=GATHER_SECONDS)
