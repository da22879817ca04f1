"""Who used the CPU during a measurement: the server, the load tool, this script, or others.

The machine is shared (other sessions may run tests meanwhile), so every table row says how
many cores other processes took while it was measured.
"""
import os
import resource
import time

TICK = os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def _process(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total


def _own() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


class Meter:
    """`with Meter(server_pids) as m:` then m.result: cores used by each party on average."""

    def __init__(self, server_pids: list[int]):
        self.pids = server_pids

    def __enter__(self):
        self._start = (time.monotonic(), _machine_busy(), _process(self.pids), *_own())
        return self

    def __exit__(self, *exc):
        t0, busy0, server0, me0, kids0 = self._start
        t1, busy1, server1, me1, kids1 = (time.monotonic(), _machine_busy(), _process(self.pids), *_own())
        span = max(t1 - t0, 1e-9)
        server, client = (server1 - server0) / span, ((me1 - me0) + (kids1 - kids0)) / span
        machine = (busy1 - busy0) / span
        self.result = {"server": server, "client": client, "machine": machine,
                       "other": max(0.0, machine - server - client)}


def busy_cores(seconds: float = 1.0) -> float:
    """Cores in use on the whole machine over the next `seconds`."""
    t0, b0 = time.monotonic(), _machine_busy()
    time.sleep(seconds)
    return (_machine_busy() - b0) / (time.monotonic() - t0)


def wait_for_quiet(limit: float = 0.5, max_wait: float = 10) -> float:
    """Wait (at most `max_wait` s) until other work on the machine uses under `limit` cores.

    Other sessions share this machine; starting a measurement while they run tests would
    measure them. Returns the last reading, recorded next to the result.
    """
    ends = time.monotonic() + max_wait
    while True:
        busy = busy_cores(0.5)
        if busy < limit or time.monotonic() >= ends:
            return busy
