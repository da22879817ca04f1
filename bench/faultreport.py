"""bench/fault.py's figures, its block of bench/RESULTS.md, and its one-line summary."""
import math
from collections import Counter
from pathlib import Path

from bench.report import FAULT_BEGIN, FAULT_END, table
from bench.stats import summary_ms


def figures(raw: dict, args) -> dict:
    """Counts, latencies, throughput windows and the invariants, from what the run collected."""
    attempts, bookings = raw["attempts"], raw["bookings"]
    outcomes = Counter(a.outcome for a in attempts)
    acked = [b for b in bookings if b.final == "ack"]
    finals = Counter(b.final for b in bookings)
    unexpected = {f: n for f, n in finals.items() if f.startswith("unexpected")}
    check = raw["check"]
    counts = {
        "requests_sent": len(attempts), "retries": sum(a.retry for a in attempts),
        "bookings_attempted": len(bookings), "bookings_retried": sum(b.attempts > 1 for b in bookings),
        "acknowledged": len(acked), "acknowledged_slots": sum(b.slot is not None for b in acked),
        "acknowledged_call_backs": sum(b.slot is None for b in acked),
        "acknowledged_after_a_retry": sum(b.attempts > 1 for b in acked),
        "acknowledged_by_a_replay": sum(b.replayed for b in acked),
        "contended_bookings": sum(b.contended for b in bookings),
        "status_409": outcomes["409"], "status_429": outcomes["429"],
        "status_5xx": sum(n for o, n in outcomes.items() if o.startswith("5")),
        "status_5xx_by_code": {o: n for o, n in outcomes.items() if o.startswith("5")},
        "connection_errors": outcomes["conn"], "timeouts": outcomes["timeout"],
        "gave_up": finals["gave_up"], "unexpected": unexpected,
        "bookings_in_db": check["bookings_in_db"], "unacknowledged_in_db": check["unacknowledged_in_db"],
        "duplicates": check["duplicates"], "lost": check["lost"], "orphans": check["orphans"],
    }
    w, k = raw["worker_kill"], raw["redis_restart"]
    invariants = [{"check": name, "value": value, "ok": value == 0} for name, value in check["checks"].items()]
    invariants += [
        {"check": "unexpected responses (not 201, 409, 429 or 5xx)", "value": sum(unexpected.values()),
         "ok": not unexpected},
        {"check": "acknowledged bookings (more than 0)", "value": len(acked), "ok": len(acked) > 0},
        {"check": "a worker was killed and the arbiter booted another", "value": "new_pid" in w,
         "ok": "new_pid" in w},
        {"check": "Redis was killed and started again", "value": "restarted_at" in k, "ok": "restarted_at" in k},
    ]
    notes = {"5xx seen by clients": counts["status_5xx"], "bookings given up (outcome unknown to the client)":
             counts["gave_up"], "clients still busy at the deadline": raw["stuck_clients"],
             "tracebacks in the server log (other than Redis's)": raw["server"]["tracebacks_other"],
             "5xx in the access log": sum(n for code, n in raw["server"]["statuses"].items() if code[0] == "5")}
    return {
        "ok": all(i["ok"] for i in invariants), "invariants": invariants, "notes": notes,
        "plan": {"seconds": args.seconds, "clients": args.clients, "timeout": args.timeout,
                 "grace_seconds": raw["grace_seconds"]},
        "counts": counts,
        "latency_ms": {"response": summary_ms([a.ended - a.started for a in attempts if a.outcome.isdigit()]),
                       "booking_to_acknowledgement": summary_ms([b.acked - b.started for b in acked])},
        "throughput": windows(raw, attempts, acked, args.seconds),
        "per_second": per_second(attempts, acked, raw["t_end"], raw["cpu"]),
        "busy_cores_before": raw["busy_before"],
        "timeline": raw["timeline"], "worker_kill": w, "redis_restart": k, "check": check,
        "server": raw["server"], "seed": raw["seed"], "env": raw["env"], "run_id": raw["run_id"],
    }


def windows(raw: dict, attempts, acked, seconds: float) -> list[dict]:
    """Acknowledgements and responses per second before, during and after each fault."""
    w, k = raw["worker_kill"], raw["redis_restart"]
    span = max(1.0, seconds * 5 / 60)
    out = [("whole run (new bookings)", 0.0, seconds)]
    if "killed_at" in w:
        back = max(w.get("respawned_at", w["killed_at"] + span), w["killed_at"] + 0.5)
        out += [("before the worker kill", w["killed_at"] - span, w["killed_at"]),
                ("worker killed → another booted", w["killed_at"], back),
                ("after the respawn", back, back + span)]
    if "restarted_at" in k:
        out += [("before the Redis kill", k["killed_at"] - span, k["killed_at"]),
                ("Redis down", k["killed_at"], k["restarted_at"]),
                ("after Redis is back", k["restarted_at"], k["restarted_at"] + span)]
    rows = []
    for label, start, end in out:
        inside = [a for a in attempts if start <= a.ended < end]
        rows.append({"window": label, "from": round(start, 2), "to": round(end, 2),
                     "acks_per_s": sum(start <= b.acked < end for b in acked) / (end - start),
                     "responses_per_s": sum(a.outcome.isdigit() for a in inside) / (end - start),
                     "connection_errors": sum(a.outcome == "conn" for a in inside),
                     "timeouts": sum(a.outcome == "timeout" for a in inside),
                     "status_5xx": sum(a.outcome.startswith("5") for a in inside),
                     "cpu": _cores([c for c in raw["cpu"] if start < c["t"] <= end + 0.5])})
    return rows


def _cores(samples: list[dict]) -> dict:
    """Average cores used by the server, this script and other processes over `samples`."""
    return {k: sum(c[k] for c in samples) / len(samples) for k in ("server", "script", "other")} if samples else {}


def per_second(attempts, acked, t_end: float, samples: list[dict]) -> list[dict]:
    n = math.ceil(t_end)
    rows = [{"t": s, "acks": 0, "responses": 0, "conn": 0, "timeout": 0, "5xx": 0, "409": 0,
             "cpu": {k: round(v, 2) for k, v in _cores([c for c in samples if s < c["t"] <= s + 1]).items()}}
            for s in range(n)]
    for b in acked:
        rows[min(int(b.acked), n - 1)]["acks"] += 1
    for a in attempts:
        row = rows[min(int(a.ended), n - 1)]
        if a.outcome.isdigit():
            row["responses"] += 1
        for key in ("conn", "timeout", "409"):
            row[key] += a.outcome == key
        row["5xx"] += a.outcome.startswith("5")
    return rows


def render(res: dict) -> str:
    """The fault block of RESULTS.md, markers included."""
    c, lat, m, p = res["counts"], res["latency_ms"], res["machine"], res["plan"]
    failed = [i for i in res["invariants"] if not i["ok"]]
    verdict = "**every invariant holds**" if not failed else f"**{len(failed)} invariant(s) failed**"
    w, k = res["worker_kill"], res["redis_restart"]
    out = [FAULT_BEGIN, "## Faults under load (`bench/fault.py`)", "",
           f"Written by `bench/fault.py` on {m['date']}, code: {res['source']}. {p['clients']} clients posted "
           f"bookings for {p['seconds']:g} s to the real app (gunicorn, `config/gunicorn.conf.py`, 2 gevent "
           "workers, `APP_ENV=production`) on a fresh PostgreSQL schema with the demo bank and on a "
           "redis-server of the script's own; one worker got `kill -9` at "
           f"t={w.get('killed_at', float('nan')):.1f} s, Redis SIGKILL at t={k.get('killed_at', float('nan')):.1f} s "
           f"and was back at t={k.get('restarted_at', float('nan')):.1f} s. Each booking had its own "
           "Idempotency-Key and phone; a client retried the same request with the same key after a "
           f"connection error, a timeout ({p['timeout']:g} s), a 5xx or a 429, with back-off, for at most "
           f"{p['grace_seconds']:g} s after the end. Verdict: {verdict}. See `bench/README.md`.", "",
           "### Invariants (the database read directly afterwards)", ""]
    out += table(["check", "value", ""], [[i["check"], i["value"], "ok" if i["ok"] else "**FAILED**"]
                                          for i in res["invariants"]])
    out += ["", "Not invariants, but worth a look: " + "; ".join(f"{k}: {v}" for k, v in res["notes"].items()) + "."]
    out += ["", "### What the clients saw", ""]
    rows = [["requests sent (every attempt)", c["requests_sent"]],
            ["bookings attempted (distinct keys)", c["bookings_attempted"]],
            ["acknowledged (201)", f"{c['acknowledged']} ({c['acknowledged_slots']} slots, "
             f"{c['acknowledged_call_backs']} call backs; {c['acknowledged_after_a_retry']} after a retry, "
             f"{c['acknowledged_by_a_replay']} by a replay)"],
            ["retried requests (bookings retried)", f"{c['retries']} ({c['bookings_retried']})"],
            ["409 slot taken", f"{c['status_409']} (of {c['contended_bookings']} bookings racing for a slot)"],
            ["429", c["status_429"]], ["5xx", f"{c['status_5xx']} {c['status_5xx_by_code'] or ''}".strip()],
            ["connection errors", c["connection_errors"]], ["timeouts", c["timeouts"]],
            ["given up (outcome unknown to the client)", c["gave_up"]],
            ["unexpected responses", sum(c["unexpected"].values()) or 0],
            ["bookings in the database (added by the run)",
             f"{c['bookings_in_db']} ({c['unacknowledged_in_db']} never acknowledged)"],
            ["duplicates / lost / orphans", f"{c['duplicates']} / {c['lost']} / {c['orphans']}"],
            ["latency per response: p50 / p99 / max", f"{ms(lat['response'])} ms"],
            ["first attempt → acknowledgement: p50 / p99 / max", f"{ms(lat['booking_to_acknowledgement'])} ms"]]
    out += table(["", ""], rows)
    out += ["", "### Timeline", ""] + table(["t (s)", "event"], [[f"{e['t']:.2f}", e["event"]]
                                                                 for e in res["timeline"]])
    out += ["", "### Throughput around the faults", ""]
    out += table(["window", "t (s)", "acknowledged / s", "responses / s", "connection errors", "timeouts", "5xx",
                  "CPU cores: server / clients / others"],
                 [[r["window"], f"{r['from']:.1f}–{r['to']:.1f}", f"{r['acks_per_s']:.1f}",
                   f"{r['responses_per_s']:.1f}", r["connection_errors"], r["timeouts"], r["status_5xx"],
                   " / ".join(f"{r['cpu'][k]:.2f}" for k in ("server", "script", "other")) if r["cpu"] else "–"]
                  for r in res["throughput"]])
    out += ["", "Connection errors come from the killed worker's open connections; timeouts are the "
            f"clients' {p['timeout']:g} s; CPU cores are sampled each second from `/proc` (the machine "
            "has 2 cores and is shared with other sessions: *others* is everything that is neither the "
            "server nor this script)."]
    s = res["server"]
    others = "; ".join(f"{n} × `{e}`" for e, n in s["exceptions"].items() if not e.startswith("redis."))
    out += ["", f"Server side: access-log statuses {s['statuses']}; tracebacks in the log: "
            f"{s['tracebacks_other']}{f' ({others})' if others else ''}, besides {s['tracebacks_redis']} of "
            f"Redis being away (logged, then swallowed); Redis warnings: {s['log_warnings'] or 'none'}. "
            "Per-second figures, "
            "the invariants' examples and the plan are in `bench/FAULT.json`.", "",
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB, {m['os']}; Python {m['python']}; "
            f"PostgreSQL {m['postgresql']}, Redis {m['redis_server']}; "
            + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v != "-")
            + f"; load average at start {' / '.join(f'{x:.2f}' for x in m['loadavg_at_start'])}. "
            f"The run took {res['elapsed_seconds']:.0f} s (seeding {res['seed']['seconds']:.0f} s).", "",
            "```", res["command"], "```", FAULT_END]
    return "\n".join(out)


def ms(s: dict) -> str:
    return " / ".join("–" if s[q] != s[q] else f"{s[q]:.0f}" for q in ("p50", "p99", "max"))


def write_block(path: Path, block: str) -> None:
    """Replace the fault block of `path`, or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text.find(FAULT_BEGIN)
    end = text.find(FAULT_END, start) if start >= 0 else -1
    if start >= 0 and end >= 0:
        text = text[:start] + block + text[end + len(FAULT_END):]
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


def brief(res: dict) -> str:
    c, lat = res["counts"], res["latency_ms"]["response"]
    failed = [i["check"] for i in res["invariants"] if not i["ok"]]
    return (f"[fault] {'OK' if not failed else 'FAILED: ' + '; '.join(failed)} — sent {c['requests_sent']}, "
            f"acknowledged {c['acknowledged']}, retried {c['retries']}, 409 {c['status_409']}, 429 {c['status_429']}, "
            f"5xx {c['status_5xx']}, conn errors {c['connection_errors']}, timeouts {c['timeouts']}, "
            f"in db {c['bookings_in_db']}, duplicates {c['duplicates']}, lost {c['lost']}, orphans {c['orphans']}, "
            f"p50 {lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms")
