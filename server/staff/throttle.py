"""A per-account slow-down across addresses: a growing wait before answering, never a refusal.

Limits per account and address (server/extensions.py) stop one address guessing; guesses from
many addresses at one account meet this instead. A refusal here would let an attacker lock the
owner out from anywhere, so the owner only ever waits a few seconds while it lasts.
"""
import time

WINDOW_SECONDS = 3600
sleep = time.sleep  # tests replace it


def _key(prefix: str, staff_no: str) -> str:
    return f"{prefix}/login-slowdown/{staff_no.strip().upper()[:20]}"


def _storage():
    from server.extensions import limiter

    return limiter.storage


def delay_for(failures: int, *, after: int, cap: float) -> float:
    """No wait for the first `after` failures in the hour, then 0.5 s doubling up to `cap`."""
    return 0.0 if failures < after else min(cap, 0.5 * 2 ** (failures - after))


def wait(staff_no: str, *, prefix: str, after: int, cap: float) -> float:
    """Wait as long as the account's recent failures ask; returns the seconds waited."""
    try:
        failures = _storage().get(_key(prefix, staff_no))
    except Exception:  # noqa: BLE001 - the store is down: no slow-down rather than no login
        return 0.0
    seconds = delay_for(failures, after=after, cap=cap)
    if seconds:
        sleep(seconds)
    return seconds


def failed(staff_no: str, *, prefix: str) -> None:
    """Count one failed login for the account, whatever the address."""
    try:
        _storage().incr(_key(prefix, staff_no), WINDOW_SECONDS)
    except Exception:  # noqa: BLE001
        pass
