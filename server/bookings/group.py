"""Group commit: the bookings waiting in this process are written together, in one transaction.

Under load a booking's own statements are cheap; what costs is everything around each of
them (a transaction, a round trip, SQLAlchemy's per-statement work) and, on SQLite, queueing
for the one write lock. So no booking writes alone while others wait: the first to find the
writer free begins a transaction, takes every booking queued by then (its own included),
writes them with a few multi-row statements (service.write), commits once, and hands each its
outcome. Those that arrive while it writes form the next batch. No thread of its own: with gevent's lock, the
waiting requests simply queue; an idle server writes a batch of one at once.

A batch that loses a race for a unique index (a slot or a key taken by another process) is
rolled back whole, and each of its bookings is made again alone by its own request, with
service.book's retries: the outcome is then exactly what a booking alone would get.
"""
import threading
import time
from collections import deque

from sqlmodel import Session

from server.bookings import service
from server.db import begin_write

MAX_BATCH = 64


class GroupCommit:
    def __init__(self, engine):
        self.engine = engine
        self._queue: deque[service.Job] = deque()
        self._writing = threading.Lock()  # one batch at a time in this process

    def book(self, job: service.Job) -> None:
        """Return once `job` is written, refused (.error) or must be made alone (neither set).

        Invariant: while no batch is being written, every unfinished job is in the queue; so
        whoever takes the lock next writes it, or finds it already done."""
        self._queue.append(job)
        while not job.finished:
            with self._writing:
                if not job.finished:
                    self._write()

    def _write(self) -> None:
        """Begin a write transaction, then take every queued booking (up to MAX_BATCH) into it.

        The batch is taken only once the transaction holds the database: while it waits (for
        another process's SQLite write lock, or a pooled connection), the requests under way
        reach the queue and join. Before beginning, one turn of the event loop (gevent:
        time.sleep is patched): SQLite's calls block the whole worker, so without it the
        requests already parsed would arrive only after the batch, and each write alone.
        """
        batch, later, committed, error = [], [], False, None
        db = Session(self.engine, expire_on_commit=False)
        try:
            time.sleep(0)
            begin_write(db)
            batch = self._take()
            later = service.write(db, batch)
            db.commit()
            committed = True
        except Exception as e:  # noqa: BLE001 - whatever it is, every request of the batch hears of it
            db.rollback()
            # A lost race: each booking is made again alone, and finds the winner. Anything
            # else (the database is down, say) is every request's answer.
            error = None if service.lost_race(e) else e
            batch = batch or self._take()
        finally:
            db.close()
            if committed:
                service.finish(batch)  # outside the write lock
            else:
                later = []
                for job in batch:
                    job.booked, job.made, job.error = None, None, error
            self._queue.extendleft(reversed(later))
            for job in batch:
                job.finished = job not in later
        service.announce([job for job in batch if job.finished])

    def _take(self) -> list[service.Job]:
        batch = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
        if not batch:
            raise RuntimeError("an unfinished booking is missing from the queue")
        return batch
