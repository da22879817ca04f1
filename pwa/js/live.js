// Live updates. The server's stream (Server-Sent Events; opts.url, /api/stream by default, or a
// function read at each connection) only says "something changed";
// the page refetches what it shows. onChange(msg) gets {type, employee_id, branch_id}
// (only these are read from a message), or null: "you may have missed changes, refetch all"
// (after a reconnect, on "resync", and every poll while the server's bus is degraded).
const POLL_MS = 10000;

export function connect(onChange, { url = "/api/stream", onState = () => {}, onRefused = () => {} } = {}) {
  let source = null;
  let opened = false; // has any connection opened yet? (the first needs no refetch)
  let poller = null;
  let retry = null;
  let wait = 5000;
  let stopped = false;

  const poll = (on) => {
    clearInterval(poller);
    poller = on ? setInterval(() => { if (!document.hidden) onChange(null); }, POLL_MS) : null;
  };

  function message(e) {
    let m;
    try { m = JSON.parse(e.data); } catch { return; }
    if (!m || typeof m !== "object") return;
    if (m.type === "degraded") { poll(true); onState("degraded"); return; }
    if (m.type === "resync") { poll(false); onState("live"); onChange(null); return; }
    onChange({ type: String(m.type), employee_id: Number(m.employee_id) || 0, branch_id: Number(m.branch_id) || 0 });
  }

  function open() {
    if (stopped) return;
    source = new EventSource(typeof url === "function" ? url() : url);
    source.addEventListener("change", message);
    source.onopen = () => {
      wait = 5000;
      poll(false); // a degraded bus says so again on every new stream
      onState("live");
      if (opened) onChange(null); // changes made while we were away
      opened = true;
    };
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) { onState("connecting"); return; } // it retries itself
      // Refused (logged out, server error): the browser gives up, so poll and retry later.
      source.close();
      onState("down");
      poll(true);
      onRefused();
      retry = setTimeout(open, wait);
      wait = Math.min(wait * 2, 60000);
    };
  }

  open();
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      poll(false);
      if (source) source.close();
    },
  };
}

// Call fn once things have been quiet for ms (a burst of changes causes one refetch), but
// at least every maxWait ms while changes keep coming (a busy bank never starves the wall).
export function debounce(fn, ms = 300, maxWait = 2000) {
  let timer = null;
  let first = 0; // when the oldest call still waiting came in
  return (...args) => {
    const now = Date.now();
    if (!timer) first = now;
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(...args); }, Math.max(0, Math.min(ms, first + maxWait - now)));
  };
}
