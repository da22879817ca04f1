// JSON over fetch: a timeout, the UI language, and errors that carry status + body.
import { getLang, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || t(status ? "err.server" : "err.network"));
    this.status = status; // 0 = no answer (offline, timed out)
    this.body = body || {};
  }
  // Worth sending again later with the same Idempotency-Key?
  get retryable() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

// A first-party random id for this browser, made once and kept in localStorage: not a
// fingerprint (nothing about the phone goes into it; clearing site data makes a new one). The
// shop sends it with visits and bookings (X-Device-Id), so a visit counts once a day per phone
// and many bookings from one phone are flagged; the privacy notice names it.
const DEVICE = "yryd.device";
export function deviceId() {
  let id = null;
  try { id = localStorage.getItem(DEVICE); } catch { return ""; }
  if (!id) {
    id = uuid();
    try { localStorage.setItem(DEVICE, id); } catch { /* private mode: one id per page */ }
  }
  return id;
}

// meta (optional) gets .cached = true when the service worker answered from its cache.
export async function api(path, { method = "GET", body, headers = {}, timeout = 15000, meta } = {}) {
  if (method === "POST" && path.startsWith("/api/shops/")) headers = { "X-Device-Id": deviceId(), ...headers };
  const ctrl = typeof AbortController === "function" ? new AbortController() : null;
  const timer = ctrl && setTimeout(() => ctrl.abort(), timeout);
  const init = {
    method,
    headers: { Accept: "application/json", "Accept-Language": getLang() === "en" ? "en" : "zh-CN", ...headers },
    credentials: "same-origin",
    signal: ctrl && ctrl.signal,
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (path.startsWith("/api/status")) init.cache = "no-store";
  let res;
  let data = null;
  try {
    res = await fetch(path, init);
    const text = await res.text(); // throws if the body is cut off
    data = text ? JSON.parse(text) : null;
  } catch (err) {
    // Not JSON: an error page keeps its status; a 200 page is a captive portal, not our server.
    if (err instanceof SyntaxError && !res.ok) throw new ApiError(res.status, null);
    throw new ApiError(0, null); // offline, timed out, or the answer was cut off
  } finally {
    clearTimeout(timer);
  }
  if (meta) meta.cached = res.headers.has("X-SW-Cache");
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// A random UUID (v4), also where crypto.randomUUID is missing (old WebViews, plain http).
// A 422's per-field messages keyed by the form's own field names (`alias` maps server names that
// differ); an unknown field, and any other error, goes to "form".
export function formErrors(body = {}, fields, alias = {}) {
  const e = {};
  for (const [k, msg] of Object.entries(body.fields || {})) {
    const f = alias[k] || k;
    e[fields.includes(f) ? f : "form"] = msg;
  }
  if (!Object.keys(e).length || body.error !== "validation") e.form = body.message || t("err.server");
  return e;
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
