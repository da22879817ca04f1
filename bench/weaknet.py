"""The customer shop on a rural link and a cheap phone; writes bench/WEAKNET.md (+ WEAKNET.json).

    .venv/bin/python bench/weaknet.py [--runs 3] [--db sqlite|postgresql] [--against REV]   # 1-2 minutes

--against REV also serves a clean checkout of REV (git archive) from a second gunicorn on the same
database and alternates runs between the two, so both meet the same load on a shared machine.

The real server under gunicorn (config/gunicorn.conf.py, 2 workers, Redis) on the demo bank, as
bench/run.py starts it. Debian's Chromium through Playwright, 390x844, zh-CN, each run in a fresh
profile (cold: no HTTP cache, no service worker), with Chrome DevTools Protocol throttling on the
page *and* on its service worker: 400 ms round trip, 400 kbit/s each way
(Network.emulateNetworkConditions) and a 4x slower CPU (Emulation.setCPUThrottlingRate).

Measured, from navigation start (the page's own clock, performance.now()):
- cold: until the manager's card and the 预约 button are on screen and the button can be tapped;
- booking: from tapping 预约 to the confirmation (choose product, day, time, type name and phone,
  consent, submit), each step as soon as the page offers its control, less the typing;
- warm: the same page opened again once the service worker has installed, until the card and
  button are usable.
Targets (issue 16): cold <= 2.0 s, booking <= 3.0 s beyond typing, warm <= 0.6 s. Medians of --runs.
"""
import argparse
import contextlib
import json
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import machine, servers  # noqa: E402
from bench.dbsetup import BenchDatabase  # noqa: E402
from bench.phases import app_env  # noqa: E402
from bench.servers import Gunicorn, free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
RURAL = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
CPU_SLOWDOWN = 4
TARGETS = {"cold": 2.0, "booking": 3.0, "warm": 0.6}
OUT = ROOT / "bench" / "WEAKNET.md"

# Stamps window.__usable (performance.now()) the first moment the card and an enabled,
# visible 预约 button are both in the page: the page's own clock, not the driver's.
USABLE = """
(() => {
  const check = () => {
    if (window.__usable) return;
    const card = document.querySelector('[data-testid=shop-card]');
    const button = document.querySelector('[data-testid=book-button]');
    if (card && button && !button.disabled && button.getClientRects().length) window.__usable = performance.now();
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
})();
"""


class Throttle:
    """CDP throttling of a page and of every service worker of the browser (the page's own
    emulation does not reach requests its service worker makes)."""

    def __init__(self, browser, context, page):
        self.page = context.new_cdp_session(page)
        self.page.send("Network.enable")
        self.page.send("Network.emulateNetworkConditions", RURAL)
        self.page.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        self.browser = browser.new_browser_cdp_session()
        self.workers: set[str] = set()

    def workers_too(self) -> int:
        """Throttle the network of each service worker target not yet throttled."""
        for target in self.browser.send("Target.getTargets")["targetInfos"]:
            if target["type"] != "service_worker" or target["targetId"] in self.workers:
                continue
            session = self.browser.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": False})
            for n, (method, params) in enumerate((("Network.enable", {}),
                                                  ("Network.emulateNetworkConditions", RURAL))):
                self.browser.send("Target.sendMessageToTarget", {"sessionId": session["sessionId"],
                                  "message": json.dumps({"id": n + 1, "method": method, "params": params})})
            self.workers.add(target["targetId"])
        return len(self.workers)

    def close(self):
        for s in (self.page, self.browser):
            try:
                s.detach()
            except Exception:  # noqa: BLE001 - closed with its page
                pass


def usable(page, timeout: float = 30) -> float:
    """Seconds from navigation start until the card and the 预约 button were usable."""
    page.wait_for_function("() => window.__usable", timeout=timeout * 1000)
    return page.evaluate("window.__usable") / 1000


def transferred(page) -> dict:
    """The first screen's files: the page and the modules it preloads ahead of its first module
    script (<link rel=modulepreload>; those a page adds later are not on that path): requests,
    bytes on the wire, bytes decoded, and when the last had arrived (seconds); and the waterfall
    of every file so far: [path, start ms, end ms, bytes on the wire]."""
    entries, declared = page.evaluate("""() => {
      const main = document.querySelector('script[type=module]');
      const ahead = [...document.querySelectorAll('link[rel=modulepreload]')]
        .filter((l) => main && (l.compareDocumentPosition(main) & Node.DOCUMENT_POSITION_FOLLOWING));
      return [[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .map(e => [new URL(e.name).pathname, Math.round(e.startTime), Math.round(e.responseEnd), e.transferSize,
                   e.encodedBodySize, e.decodedBodySize]), ahead.map((l) => new URL(l.href).pathname)];
    }""")
    path = entries[:1] + [e for e in entries[1:] if e[0] in declared]
    return {"requests": len(path), "bytes": sum(e[3] for e in path), "body_bytes": sum(e[4] for e in path),
            "decoded_bytes": sum(e[5] for e in path), "files_in": max(e[2] for e in path) / 1000,
            "waterfall": [e[:4] for e in entries]}


# The booking, driven from inside the page as fast as the page allows: each step waits (polling
# every 10 ms) for the control it needs, then uses it as a tap or typing would (click(), value +
# input event). Timed on the page's clock, so the driver's own round trips are not counted.
BOOK = """
async ({run, phone}) => {
  let step = 0;
  const until = (find) => new Promise((resolve, reject) => {
    const ends = performance.now() + 30000;
    step += 1;
    const look = () => { const el = find(); if (el) return resolve(el);
      if (performance.now() > ends) return reject(new Error('timed out at step ' + step)); setTimeout(look, 10); };
    look();
  });
  const $ = (sel) => document.querySelector(sel);
  const $$ = (sel) => [...document.querySelectorAll(sel)];
  let typing = 0;
  const type = (el, text) => {
    const t0 = performance.now();
    el.focus(); el.value = text; el.dispatchEvent(new Event('input', {bubbles: true}));
    el.dispatchEvent(new Event('change', {bubbles: true}));
    typing += performance.now() - t0;
  };
  const started = performance.now();
  (await until(() => $('[data-testid=book-button]'))).click();
  const product = await until(() => $('[data-testid=field-product]'));
  product.selectedIndex = 1;
  for (const kind of ['input', 'change']) product.dispatchEvent(new Event(kind, {bubbles: true}));
  const days = await until(() => { const d = $$('[data-testid^=day-]'); return d.length ? d : null; });
  days[Math.min(1, days.length - 1)].click();
  const slots = await until(() => { const s = $$('button.slot'); return s.length ? s : null; });
  slots[run % slots.length].click();
  type(await until(() => $('[data-testid=field-name]')), '测试客户');
  type(await until(() => $('[data-testid=field-phone]')), phone);
  (await until(() => { const c = $('[data-testid=consent]'); return c && !c.disabled ? c : null; })).click();
  (await until(() => $('[data-testid=submit]'))).click();
  await until(() => $('[data-testid=confirmation]'));
  const total = performance.now() - started;
  return {seconds: (total - typing) / 1000, typing: typing / 1000, total: total / 1000};
}
"""


def book(page, run: int) -> dict:
    """Tap 预约 and go through to the confirmation: seconds less typing, typing, in all."""
    return page.evaluate(BOOK, {"run": run, "phone": f"170{secrets.randbelow(10**8):08d}"})


def one_run(browser, url: str, run: int) -> dict:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN", service_workers="allow")
    try:
        context.add_init_script(USABLE)
        page = context.new_page()
        throttle = Throttle(browser, context, page)
        page.goto(url, wait_until="commit")
        cold = usable(page)
        wire = transferred(page)
        booking = book(page, run)
        # The service worker installs after the page's load; wait until it controls pages and
        # has precached the shell, then open the shop again through it.
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_timeout(500)
        workers = throttle.workers_too()
        throttle.close()
        warm_page = context.new_page()
        throttle = Throttle(browser, context, warm_page)
        throttle.workers = set()
        workers = max(workers, throttle.workers_too())
        warm_page.goto(url, wait_until="commit")
        warm = usable(warm_page)
        warm_wire = transferred(warm_page)
        controlled = warm_page.evaluate("!!navigator.serviceWorker.controller")
        throttle.close()
        return {"cold": cold, "booking": booking["seconds"], "typing": booking["typing"], "warm": warm,
                "warm_files_in": warm_wire["files_in"],
                "warm_controlled": controlled, "workers_throttled": workers, **wire,
                "warm_waterfall": warm_wire["waterfall"]}
    finally:
        context.close()


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def render(result: dict) -> str:
    m, runs = result["machine"], result["runs"]
    lines = ["# The shop on a rural link (bench/weaknet.py)", "",
             f"Command: `{result['command']}` · {result['date']} · code: {result['source']}", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB, {m['os']}, Python {m['python']}; "
             f"load average at start {', '.join(f'{x:.2f}' for x in m['loadavg_at_start'])}"
             f"{' (other work was running on the machine)' if m['loadavg_at_start'][0] > 0.5 else ''}.", "",
             f"Server: gunicorn `config/gunicorn.conf.py` (gevent, {result['workers']} workers, Redis), "
             f"{result['db']}, the demo bank; shop `/s/<code>` of one manager. Browser: Debian Chromium "
             f"{result['browser']}, 390x844, zh-CN, fresh profile per run; CDP throttling of the page and its "
             "service worker: 400 ms round trip, 400 kbit/s down and up, CPU 4x slower.", "",
             "| measure (median of %d) | seconds | target | met |" % len(runs), "|---|---|---|---|"]
    for key, label in (("cold", "cold load → card and 预约 usable"),
                       ("booking", "booking: 预约 → confirmation, less typing"),
                       ("warm", "warm load through the service worker → usable")):
        value = median(runs, key)
        lines.append(f"| {label} | {value:.2f} | ≤ {TARGETS[key]} | {'yes' if value <= TARGETS[key] else '**no**'} |")
    lines += ["", "Each run (*files in*: when the page and the modules it preloads for its first screen had all "
              "arrived; the rest is the throttled CPU running the modules and drawing):", "",
              "| run | cold s (files in) | booking s (typing s) | warm s (files in) | SW controlled "
              "| first screen: requests, bytes on the wire, bytes decoded |", "|---|---|---|---|---|---|"]
    for n, r in enumerate(runs, 1):
        lines.append(f"| {n} | {r['cold']:.2f} ({r['files_in']:.2f}) | {r['booking']:.2f} ({r['typing']:.2f}) | "
                     f"{r['warm']:.2f} ({r['warm_files_in']:.2f}) | "
                     f"{'yes' if r['warm_controlled'] else 'no'} | {r['requests']}, {r['bytes']:,}, {r['decoded_bytes']:,} |")
    if "against" in result:
        other, label = result["against"]["runs"], result["against"]["source"]
        lines += ["", f"Side by side, runs alternating on the same database (--against): {label}, and the code above.", "",
                  "| median | --against | the code above |", "|---|---|---|"]
        for key, name in (("cold", "cold s"), ("files_in", "cold: files in s"), ("booking", "booking s"),
                          ("warm", "warm s")):
            lines.append(f"| {name} | {median(other, key):.2f} | {median(runs, key):.2f} |")
        lines.append(f"| first screen: requests, bytes | {other[0]['requests']}, {other[0]['bytes']:,} "
                     f"| {runs[0]['requests']}, {runs[0]['bytes']:,} |")
    lines += ["", NOTES]
    if OUT.exists() and NOTES in OUT.read_text(encoding="utf-8"):
        lines.append(OUT.read_text(encoding="utf-8").split(NOTES, 1)[1].strip("\n"))
    return "\n".join(lines) + "\n"


def start(stack: contextlib.ExitStack, tmp: Path, url: str, name: str) -> Gunicorn:
    """A gunicorn of the app in servers.APP_ROOT on the bench database, stopped with `stack`."""
    port = free_port()
    env = app_env(url, port, f"weaknet:{uuid.uuid4().hex}")
    return stack.enter_context(Gunicorn("server:create_app()", env, tmp / f"{name}.log", port=port))


NOTES = "<!-- Notes below this line are kept when bench/weaknet.py rewrites this file. -->"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--against", metavar="REV", help="also measure a clean checkout of REV, runs alternating")
    args = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    machine.check_services(postgresql=args.db == "postgresql")
    result = {"command": " ".join([".venv/bin/python", "bench/weaknet.py", *(argv or sys.argv[1:])]),
              "machine": machine.describe(), "source": machine.source(None, None), "db": args.db,
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": []}
    with tempfile.TemporaryDirectory(prefix="yryd-weaknet-") as tmp, BenchDatabase(args.db, Path(tmp)) as db, \
            contextlib.ExitStack() as stack:
        seed = db.seed()
        sides = {"runs": start(stack, Path(tmp), db.url, "app")}
        if args.against:
            result["against"] = {"source": machine.source(args.against, Path(tmp) / "against"), "runs": []}
            servers.use_app_root(Path(tmp) / "against")
            sides = {"against": start(stack, Path(tmp), db.url, "against"), **sides}
            servers.use_app_root(ROOT)
        pw = stack.enter_context(sync_playwright())
        result["workers"] = len(sides["runs"].worker_pids())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        result["browser"] = browser.version
        code = seed["shops"][0]["code"]
        for run in range(args.runs):
            for n, (side, g) in enumerate(list(sides.items())[::1 if run % 2 else -1]):
                r = one_run(browser, f"{g.base}/s/{code}", 2 * run + n)  # its own slot to book
                print(f"[weaknet] run {run + 1}{' (--against)' if side == 'against' else ''}: cold {r['cold']:.2f}s "
                      f"booking {r['booking']:.2f}s warm {r['warm']:.2f}s ({r['requests']} requests, "
                      f"{r['bytes']:,} bytes)", flush=True)
                (result["against"] if side == "against" else result)["runs"].append(r)
        browser.close()
        for g in sides.values():
            errors, first = g.errors()
            if errors:
                print("[weaknet] tracebacks in the server log:\n" + first[0], flush=True)
    machine.forget_limiter_keys("987654321")
    args.out.write_text(render(result), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    print(f"[weaknet] wrote {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
