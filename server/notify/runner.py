"""One delivery thread per process, woken after bookings (in batches) and every few seconds."""
from flask import Flask

from server.notify.service import deliver_round
from server.rounds import Rounds

IDLE_SECONDS = 10
# After a wake-up, let a burst of bookings gather into one batch: under load a round then claims
# a full batch or most of one (at 0.3 s, with two workers claiming, batches averaged ~20 rows).
GATHER_SECONDS = 1.0


class Runner(Rounds):
    def __init__(self, app: Flask):
        super().__init__(app, name="notify", work=deliver_round, every=IDLE_SECONDS, gather=GATHER_SECONDS)
