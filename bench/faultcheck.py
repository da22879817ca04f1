"""The database after bench/fault.py, read directly: nothing acknowledged is lost, nothing is
doubled, no booking comes from a key nobody sent, no slot is held twice, and the rollups
(dailystat, funnelstat) and raw events agree with the bookings the run added.

Plain SQL on the tables, so the checks do not trust the models they check.
"""
import hashlib
from collections import Counter
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

TZ = ZoneInfo("Asia/Shanghai")  # the bank's day (server/clock.py)
ACTIVE = "('new','contacted','arrived','completed')"  # as the unique slot index reads it
DAILY = ("visits", "bookings", "contacted", "arrived", "completed", "cancelled", "no_show", "flagged")
FUNNEL = ("visits", "bookings", "arrived", "completed")


def _rows(url: str, *queries: tuple[str, dict]) -> list[list]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [conn.execute(text(sql), params).all() for sql, params in queries]
    finally:
        engine.dispose()


def snapshot(url: str) -> dict:
    """The high-water marks and the rollups before the run."""
    top, daily, funnel = _rows(url, ("SELECT (SELECT coalesce(max(id), 0) FROM booking), "
                                     "(SELECT coalesce(max(id), 0) FROM event)", {}),
                               (f"SELECT day, employee_id, {', '.join(DAILY)} FROM dailystat", {}),
                               (f"SELECT day, employee_id, product_id, channel, {', '.join(FUNNEL)} "
                                "FROM funnelstat", {}))
    return {"booking_id": top[0][0], "event_id": top[0][1],
            "daily": {tuple(r[:2]): tuple(r[2:]) for r in daily},
            "funnel": {tuple(r[:4]): tuple(r[4:]) for r in funnel}}


def verify(url: str, before: dict, bookings: list) -> dict:
    """Figures and checks; `bookings` are the clients' records (faultload.Booking)."""
    rows, events, doubled_slots = _rows(
        url,
        ("SELECT b.id, b.reference, b.idempotency_key, b.employee_id, b.product_id, b.channel, b.slot_start, "
         "b.created_at, b.flag, b.token_hash, c.phone FROM booking b JOIN customer c ON c.id = b.customer_id "
         "WHERE b.id > :top ORDER BY b.id", {"top": before["booking_id"]}),
        ("SELECT kind, booking_id, day, employee_id, flagged FROM event WHERE id > :top",
         {"top": before["event_id"]}),
        (f"SELECT employee_id, slot_start, count(*) FROM booking WHERE slot_start IS NOT NULL "
         f"AND status IN {ACTIVE} GROUP BY employee_id, slot_start HAVING count(*) > 1", {}))
    after = snapshot(url)
    sent = {b.key: b for b in bookings}  # a record exists from just before its first request
    by_key = {}
    for r in rows:
        by_key.setdefault(r.idempotency_key, []).append(r)
    acked = [b for b in sent.values() if b.final == "ack"]
    lost = [b.key for b in acked if b.key not in by_key]
    mismatched = [b.key for b in acked if b.key in by_key and not _same(b, by_key[b.key][0])]
    twice = {k: len(v) for k, v in by_key.items() if len(v) > 1}
    phones = {p: n for p, n in Counter(r.phone for r in rows).items() if n > 1}
    references = {ref: n for ref, n in Counter(r.reference for r in rows).items() if n > 1}
    orphans = [r.idempotency_key for r in rows if r.idempotency_key not in sent]
    refused_but_booked = [b.key for b in sent.values() if b.final == "409" and b.key in by_key]
    acks_per_slot = Counter((b.path, b.slot) for b in acked if b.slot)
    slot_acked_twice = {f"{p} {s}": n for (p, s), n in acks_per_slot.items() if n > 1}
    unknown = [b for b in sent.values() if b.final not in ("ack", "409")]
    rollups = _rollup_differences(before, after, rows)
    event_problems = _event_problems(rows, events)
    checks = {
        "lost (acknowledged, not in the database)": len(lost),
        "acknowledged with another reference or status token": len(mismatched),
        "duplicates (a key, a phone or a reference twice)": sum(n - 1 for d in (twice, phones, references)
                                                                for n in d.values()),
        "orphans (a booking whose key no client sent)": len(orphans),
        "refused with 409 yet booked": len(refused_but_booked),
        "slots holding two active bookings": len(doubled_slots),
        "slots acknowledged to two clients": len(slot_acked_twice),
        "rollup cells that disagree with the bookings": len(rollups),
        "events that disagree with the bookings": len(event_problems),
    }
    return {
        "bookings_in_db": len(rows), "bookings_in_db_total": _count(url),
        "sent_keys": len(sent), "acknowledged": len(acked),
        "unacknowledged_in_db": sum(1 for b in unknown if b.key in by_key),
        "unacknowledged_not_in_db": sum(1 for b in unknown if b.key not in by_key),
        "flagged_in_db": sum(1 for r in rows if r.flag),
        "lost": len(lost), "duplicates": checks["duplicates (a key, a phone or a reference twice)"],
        "orphans": len(orphans), "checks": checks,
        "examples": {"lost": lost[:5], "mismatched": mismatched[:5], "keys_twice": list(twice)[:5],
                     "phones_twice": list(phones)[:5], "orphans": orphans[:5],
                     "refused_but_booked": refused_but_booked[:5], "slots_doubled": [str(r) for r in doubled_slots[:5]],
                     "slots_acked_twice": list(slot_acked_twice)[:5], "rollups": rollups[:5],
                     "events": event_problems[:5]},
    }


def _count(url: str) -> int:
    return _rows(url, ("SELECT count(*) FROM booking", {}))[0][0][0]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _same(b, row) -> bool:
    """The row is the booking the client was told about: reference, status link, slot."""
    if row.reference != b.reference or row.token_hash != hashlib.sha256(b.token.encode()).hexdigest():
        return False
    if b.slot is None:
        return row.slot_start is None
    return row.slot_start is not None and _utc(row.slot_start) == datetime.fromisoformat(b.slot)


def _day(row):
    return _utc(row.created_at).astimezone(TZ).date()


def _rollup_differences(before: dict, after: dict, rows) -> list[str]:
    """Each rollup cell's change over the run against what the new bookings should have added."""
    want_daily, want_funnel = Counter(), Counter()
    for r in rows:
        day = _day(r)
        if r.flag:
            want_daily[(day, r.employee_id, "flagged")] += 1
        else:
            want_daily[(day, r.employee_id, "bookings")] += 1
            want_funnel[(day, r.employee_id, r.product_id, r.channel, "bookings")] += 1
    out = []
    for name, counters, want in (("dailystat", DAILY, want_daily), ("funnelstat", FUNNEL, want_funnel)):
        old, new = before["daily" if name == "dailystat" else "funnel"], after["daily" if name == "dailystat" else "funnel"]
        got = Counter()
        for cell in set(old) | set(new):
            for i, counter in enumerate(counters):
                delta = new.get(cell, (0,) * len(counters))[i] - old.get(cell, (0,) * len(counters))[i]
                if delta:
                    got[(*cell, counter)] = delta
        for cell in set(got) | set(want):
            if got[cell] != want[cell]:
                out.append(f"{name} {cell}: changed by {got[cell]}, bookings say {want[cell]}")
    return sorted(out, key=str)


def _event_problems(rows, events) -> list[str]:
    """One `booking` event per new booking, on its day and manager, flagged alike; nothing else."""
    by_booking = {}
    out = []
    for e in events:
        if e.kind != "booking" or e.booking_id is None:
            out.append(f"unexpected {e.kind} event (booking {e.booking_id})")
            continue
        by_booking.setdefault(e.booking_id, []).append(e)
    for r in rows:
        mine = by_booking.pop(r.id, [])
        if len(mine) != 1:
            out.append(f"booking {r.reference}: {len(mine)} booking events")
        elif (mine[0].day, mine[0].employee_id, bool(mine[0].flagged)) != (_day(r), r.employee_id, bool(r.flag)):
            out.append(f"booking {r.reference}: event {tuple(mine[0])} disagrees")
    out += [f"event for unknown booking {k}" for k in by_booking]
    return out
