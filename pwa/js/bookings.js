// Bookings kept on this phone: the outbox of bookings not yet accepted by the server
// (IndexedDB, retried in the foreground: Background Sync is missing in WeChat and on iOS),
// and the confirmations of bookings made here (localStorage, so the status link is not lost).
import { api } from "./api.js";
import { load, save } from "./prefs.js";

const DB = "yryd", STORE = "outbox";
const memory = new Map(); // stand-in when IndexedDB is unavailable
let dbPromise;

function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve) => {
      try {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "key" });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => resolve(null);
      } catch { resolve(null); }
    });
  }
  return dbPromise;
}

async function tx(mode, fn, fallback) {
  const db = await open();
  if (!db) return fallback();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(req.result);
    t.onerror = t.onabort = () => reject(t.error);
  });
}

export const put = (e) => tx("readwrite", (s) => s.put(e), () => memory.set(e.key, e));
export const remove = (k) => tx("readwrite", (s) => s.delete(k), () => memory.delete(k));
export const all = () => tx("readonly", (s) => s.getAll(), () => [...memory.values()]);

export const events = new EventTarget(); // "sent" {entry, booking}, "failed" {entry, error}
const inflight = new Map();

// Send one outbox entry; the same Idempotency-Key every time, so the server books it once.
export function send(entry) {
  if (!inflight.has(entry.key)) {
    inflight.set(entry.key, attempt(entry).finally(() => inflight.delete(entry.key)));
  }
  return inflight.get(entry.key);
}

async function attempt(entry) {
  try {
    const headers = { "Idempotency-Key": entry.key };
    if (entry.proof) headers["X-Phone-Proof"] = entry.proof; // the number was proven in this tab
    const booking = await api(`/api/shops/${encodeURIComponent(entry.code)}/bookings`, {
      method: "POST", body: entry.body, headers, timeout: 20000,
    });
    await remove(entry.key).catch(() => {});
    remember(entry.code, booking);
    events.dispatchEvent(new CustomEvent("sent", { detail: { entry, booking } }));
    return { booking };
  } catch (error) {
    if (!error.retryable) {
      await put({ ...entry, state: "failed", error: error.body, status: error.status });
      events.dispatchEvent(new CustomEvent("failed", { detail: { entry, error } }));
    }
    return { error };
  }
}

// Try every pending entry (on page load, on "online", when the page is shown, every 30 s).
export async function flush() {
  const entries = (await all().catch(() => null)) || [];
  await Promise.all(entries.filter((e) => e.state === "pending").map(send));
}

// --- confirmations kept on this phone (no name, phone or note: only what finds the booking) ---
const MINE = "yryd.bookings";

export function remembered() {
  try { return JSON.parse(load(MINE)) || []; } catch { return []; }
}

// code: the shop it was booked through; null to update a kept booking (status page).
const KEEP = ["reference", "status", "product_name", "slot_start", "callback", "manager", "manager_phone",
  "branch", "branch_address", "status_url", "reason", "contact_within_hours"];

// "Not me": a shared phone (a counter tablet, a relative's phone) forgets every booking made
// on it, the bookings still waiting to be sent, and any proven number.
export async function clearDevice() {
  save(MINE, null);
  const entries = (await all().catch(() => null)) || [];
  await Promise.all(entries.map((e) => remove(e.key).catch(() => {})));
  try { sessionStorage.removeItem("yryd.proof"); } catch { /* storage disabled */ }
}

export function forget(reference) {
  save(MINE, JSON.stringify(remembered().filter((x) => x.reference !== reference)));
}

export function remember(code, b) {
  const old = remembered().find((x) => x.reference === b.reference) || {};
  if (!code && !old.reference) return null; // only bookings made on this phone are kept
  const entry = { code: code || old.code };
  for (const k of KEEP) entry[k] = k in b ? b[k] : old[k];
  const list = [entry, ...remembered().filter((x) => x.reference !== b.reference)].slice(0, 5);
  save(MINE, JSON.stringify(list));
  return entry;
}
