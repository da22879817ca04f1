"""bench/flat.py's tables, written into bench/FLAT.md between its markers; the text around them
(how it was measured, the findings) is written by hand and kept as it is."""
import re
import statistics
from pathlib import Path

from bench.flat_more import WRITES
from bench.stats import percentile

BEGIN, END = "<!-- flat:begin -->", "<!-- flat:end -->"
TARGET = 1.5  # large ÷ small: boards, targets, cohorts, trends
BOOKING_TARGET = 1.2  # large ÷ small: book()
CHECKIN_TARGET = 1.0  # check-in ÷ status change, same database
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
LABELS = {
    "targets month": "`targets.progress` (GET /api/boards/targets), month",
    "targets week": "`targets.progress` (GET /api/boards/targets), week",
    "cohort month": "`by_employee(cohort=Cohort(level=\"trainee\", track=\"microloan\"))`, month",
    "per-capita month": "`by_group(branches, per_capita=True)`, month",
    "trend all month": "`trend` (everyone), month", "trend branch month": "`trend(branch_id=…)`, month",
    "trend employee month": "`trend(employee_ids=[…])`, month", "book": "`book()` (a new customer, call back)",
    "checkin": "POST …/checkin (the customer's code: verified, counted arrival)",
    "arrived": "POST …/status `arrived` (no evidence: unverified)", "contacted": "POST …/status `contacted`"}


def ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def ratio(rnd: dict, key: str, other: str | None = None, label: str = "small") -> float:
    """Large ÷ small of `key`'s medians in one round; with `other`: key ÷ other on `label`."""
    t = rnd["times"]
    if other:
        return ms(t[label][key]) / ms(t[label][other])
    return ms(t["large"][key]) / ms(t["small"][key])


def title(key: str) -> str:
    fn, _, rest = key.partition(" ")
    return LABELS.get(key, f"`{fn}` {rest}")


def verdict(value: float, target: float) -> str:
    return f"**{value:.2f}** {'✅' if value <= target else '❌'}"


def fmt_n(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def summary(res: dict, key: str, other: str | None = None, label: str = "small") -> tuple[float, list[float]]:
    """The median over the rounds of a ratio, and the rounds' own."""
    each = [ratio(r, key, other, label) for r in res["rounds"]]
    return statistics.median(each), each


def pooled(res: dict, label: str, key: str) -> list[float]:
    return [x for r in res["rounds"] for x in r["times"][label][key]]


def tables(results: list[dict], info: dict, argv: list[str], quick: bool, wall: float) -> list[str]:
    keys = list(results[0]["rounds"][0]["times"]["small"])  # in the order they were timed
    reads = tuple(k for k in keys if k != "book" and k not in WRITES)
    sizes = results[0]["sizes"]
    small, large = fmt_n(sizes[0]), fmt_n(sizes[1])
    L = [f"Written by `bench/flat.py`: {results[0]['reps']['boards']} calls of each board per size and round, "
         f"{results[0]['reps']['bookings']} bookings, {results[0]['reps']['writes']} requests of each write; "
         f"{len(results[0]['rounds'])} rounds on the same databases. Ratios are medians over the rounds (each "
         "the ratio of that round's medians; the rounds' own in brackets).\n"]
    if quick:
        L.append(f"> **`--quick` run: the large size is {sizes[1]:,} bookings, not 1,000,000.** Indicative only.\n")
    L += ["| machine and run | |", "|---|---|", f"| date | {info['date']} |",
          f"| CPU / RAM | {info['cpu']}, {info['cores']} cores / {info['ram_gib']} GiB |", f"| OS | {info['os']} |",
          f"| Python / SQLite / PostgreSQL | {info['python']} / {info['sqlite']} / {info['postgresql']} |",
          f"| SQLAlchemy / psycopg | {info['packages'].get('sqlalchemy')} / {info['packages'].get('psycopg')} |",
          f"| code | {info['code']} |", f"| command | `.venv/bin/python bench/flat.py {' '.join(argv)}`".rstrip() + " |",
          f"| wall time | {wall / 60:.1f} min; 1-minute load average while timing "
          f"{min(x for r in results for d in r['rounds'] for x in d['load']):.1f}–"
          f"{max(x for r in results for d in r['rounds'] for x in d['load']):.1f} |", ""]
    L += ["### Verdict\n", f"| {small} → {large} | " + " | ".join(NAMES[r["kind"]] for r in results) + " | target |",
          "|---|" + "---:|" * len(results) + "---:|"]
    for key in (*reads, "book"):
        target = BOOKING_TARGET if key == "book" else TARGET
        L.append(f"| {title(key)} | "
                 + " | ".join(verdict(summary(r, key)[0], target) for r in results) + f" | ≤ {target} |")
    for other in ("arrived", "contacted"):
        for size, n in (("small", small), ("large", large)):
            L.append(f"| check-in ÷ status change `{other}`, per request, at {n} | "
                     + " | ".join(verdict(summary(r, "checkin", other, size)[0], CHECKIN_TARGET) for r in results)
                     + f" | ≤ {CHECKIN_TARGET} |")
    L.append("")
    for res in results:
        L += backend(res, small, large, reads, WRITES)
    return L


def backend(res: dict, small: str, large: str, reads: tuple, writes: tuple) -> list[str]:
    name = NAMES[res["kind"]]
    L = [f"### {name}\n", "| database | bookings | events | DailyStat rows | FunnelStat rows | fill | rollups vs events "
         "| size |", "|---|---:|---:|---:|---:|---:|---|---:|"]
    for size in ("small", "large"):
        c = res["check"][size]
        seconds = res["fill"][size]["seconds"] + (res["fill"]["large_first"]["seconds"] if size == "large" else 0)
        L.append(f"| {size} | {c['bookings']:,} | {c['events']:,} | {c['dailystat']['rows']:,} | "
                 f"{c['funnelstat']['rows']:,} | {seconds:.0f} s | {c['dailystat']['mismatched']} mismatched, "
                 f"{c['orphans']} orphans | {res['db_mb'][size]:,.0f} MB |")
    rows = res["rows"]
    first = res["first_trend"]
    L += ["", f"Today is {res['today']} (Asia/Shanghai); DailyStat rows of today / this week / this month: "
          + " and ".join(f"{rows[s]['today']:,} / {rows[s]['week']:,} / {rows[s]['month']:,} at {n}"
                         for s, n in (("small", small), ("large", large)))
          + f". {res['targets']} targets this month. The first bank-wide trend summed its closed days per branch "
          "and kept them (DayTotal): " + " and ".join(
              f"{first[s]['rows']} rows for {first[s]['days']} days in {first[s]['seconds'] * 1000:.0f} ms at {n}"
              for s, n in (("small", small), ("large", large))) + "; every later call reads those.\n",
          "Milliseconds per call (all rounds pooled), statements per call (one untimed call) and the ratios:\n",
          f"| call | {small} median | {small} p95 | {large} median | {large} p95 | statements ({small} / {large}) "
          f"| SQL ms at {large} | large ÷ small (rounds) |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    for key in (*reads, "book", *writes):
        s, g = pooled(res, "small", key), pooled(res, "large", key)
        st = res["statements"]
        target = BOOKING_TARGET if key == "book" else TARGET
        value, each = summary(res, key)
        L.append(f"| {title(key)} | {ms(s):.2f} | {percentile(s, 95) * 1000:.2f} | "
                 f"{ms(g):.2f} | {percentile(g, 95) * 1000:.2f} | {len(st['small'][key])} / {len(st['large'][key])} | "
                 f"{sum(t for _, t in st['large'][key]) * 1000:.2f} | "
                 + (f"{verdict(value, target)}" if key not in writes else f"{value:.2f}")
                 + f" ({', '.join(f'{x:.2f}' for x in each)}) |")
    L += ["", f"Check-in ÷ status change, per request (median of the rounds' ratios; rounds in brackets):\n",
          f"| ÷ | at {small} | at {large} | target |", "|---|---:|---:|---:|"]
    for other in ("arrived", "contacted"):
        cells = []
        for size in ("small", "large"):
            value, each = summary(res, "checkin", other, size)
            cells.append(f"{verdict(value, CHECKIN_TARGET)} ({', '.join(f'{x:.2f}' for x in each)})")
        L.append(f"| {LABELS[other]} | {cells[0]} | {cells[1]} | ≤ {CHECKIN_TARGET} |")
    L += ["", f"Statements of one request at {large} (in order; the session's employee row is cached):\n"]
    for key in writes:
        st = res["statements"]["large"][key]
        L.append(f"- {LABELS[key]}: {len(st)}: " + "; ".join(f"`{shape(s)}`" for s, _ in st))
    L += ["", f"Plans of the rollup reads at {large}:\n"]
    for key, found in res["plans"]["large"].items():
        for statement, plan in dict(found).items():  # each statement once
            plan = "\n".join(line if len(line) <= 160 else line[:160] + "…" for line in plan.splitlines())
            L += [f"**{key}**: `{shape(statement, 150)}`\n", "```", plan, "```", ""]
    return L


def shape(statement: str, n: int = 40) -> str:
    s = re.sub(r"SELECT .*? FROM", "SELECT … FROM", statement, count=1)
    s = re.sub(r"\((?:[^()]|\([^()]*\))*\)", "(…)", s) if n < 100 else s
    return (s if len(s) <= n else s[:n] + "…").replace("|", "\\|")


def write(out: Path, results: list[dict], info: dict, argv: list[str], quick: bool, wall: float) -> None:
    """Put the tables between the markers of `out` (a new file: the markers under a title)."""
    body = "\n".join([BEGIN, *tables(results, info, argv, quick, wall), END])
    old = out.read_text() if out.exists() else ""
    if BEGIN in old and END in old:
        text = old[:old.index(BEGIN)] + body + old[old.index(END) + len(END):]
    else:
        text = f"# Flat: 10,000 vs 1,000,000 bookings\n\n{body}\n\n## Findings\n\n(to be written)\n"
    out.write_text(text)

