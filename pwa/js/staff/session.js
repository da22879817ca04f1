// The logged-in employee: log in, who am I, log out. Every staff API call goes through call(),
// which sends the CSRF token on changes and notices when the session has ended.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { api } from "../api.js";
import { announce } from "./ui.js";

let me = null;
let onSignedOut = () => {};
const cache = new Map(); // staff data kept for this session only (e.g. my shop's profile)
let wiping = Promise.resolve();

// A device staff sign out of may be a branch's counter tablet that customers book on too, so
// what the customer side keeps on this origin stays: the service worker's shell (static files,
// the same for everyone), the outbox of bookings not yet sent (IndexedDB "yryd"), remembered
// bookings and preferences. Everything else goes: other caches (shop data fetched while signed
// in), this tab's sessionStorage, staff keys in localStorage and other IndexedDB databases.
const SHELL_CACHE = /^yryd-shell-/;
const OUTBOX_DB = "yryd";
const STAFF_KEY = "yryd.staff.";

const settle = (req) => new Promise((resolve) => { req.onsuccess = req.onerror = req.onblocked = resolve; });

async function wipe() {
  try {
    sessionStorage.clear();
    Object.keys(localStorage).filter((k) => k.startsWith(STAFF_KEY)).forEach((k) => localStorage.removeItem(k));
  } catch { /* storage disabled: nothing was kept */ }
  try {
    if (self.caches) await Promise.all((await caches.keys()).filter((n) => !SHELL_CACHE.test(n)).map((n) => caches.delete(n)));
  } catch { /* Cache Storage unavailable (e.g. not a secure context) */ }
  try {
    if (indexedDB.databases) {
      const others = (await indexedDB.databases()).filter((d) => d.name !== OUTBOX_DB);
      await Promise.all(others.map((d) => settle(indexedDB.deleteDatabase(d.name))));
    }
  } catch { /* IndexedDB unavailable */ }
}

export const current = () => me;
export const isManager = () => !!me && me.role !== "staff";

// Set what happens when the server says the session is over (show the login form).
export function whenSignedOut(fn) { onSignedOut = fn; }

// The session is over (logged out, expired or ended elsewhere): forget it, and if someone was
// signed in, clear what they may have left on the device.
function forget() {
  const ended = me !== null;
  me = null;
  cache.clear();
  if (ended) wiping = wipe();
}

// The logged-in employee, or null.
export async function whoami() {
  try {
    me = await api("/api/staff/me");
  } catch (err) {
    if (err.status !== 401) throw err;
    forget();
  }
  return me;
}

export async function call(path, opts = {}) {
  const method = opts.method || "GET";
  const headers = { ...opts.headers };
  if (method !== "GET" && me) headers["X-CSRFToken"] = me.csrf_token;
  try {
    return await api(path, { ...opts, headers });
  } catch (err) {
    if (err.status === 401 && me) {
      forget();
      onSignedOut(t("login.expired"));
    } else if (err.status === 400 && err.body.error === "csrf" && !opts.again && (await whoami())) {
      return call(path, { ...opts, again: true }); // a stale token: fetch a fresh one, once
    }
    throw err;
  }
}

// GET once per session (cleared on logout).
export function cached(path) {
  if (!cache.has(path)) cache.set(path, call(path).catch((err) => { cache.delete(path); throw err; }));
  return cache.get(path);
}

export async function logout() {
  try {
    await call("/api/staff/logout", { method: "POST", body: {} });
  } catch { /* offline or already ended: this device forgets the session either way */ }
  forget();
  await wiping;
}

// The login form; done(me) once the server has accepted it.
export function loginForm(root, done, notice = "") {
  mount(root, html`
    <section class="view login" data-testid="login">
      <h1>${t("login.title")}</h1>
      ${notice ? html`<p class="notice" data-testid="login-notice">${notice}</p>` : ""}
      <form novalidate>
        <div class="field"><label for="f-staff_no">${t("login.staff_no")}</label>
          <input id="f-staff_no" name="staff_no" data-testid="staff-no" autocomplete="username"
            autocapitalize="characters" spellcheck="false" required maxlength="20"></div>
        <div class="field"><label for="f-password">${t("login.password")}</label>
          <input id="f-password" name="password" data-testid="password" type="password"
            autocomplete="current-password" required maxlength="200"></div>
        <p class="err" id="login-err" data-testid="login-error"></p>
        <button type="submit" class="btn primary" data-testid="login-submit">${t("login.submit")}</button>
      </form>
    </section>`);
  const form = root.querySelector("form");
  const err = root.querySelector("#login-err");
  form.staff_no.focus();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const staff_no = form.staff_no.value.trim(), password = form.password.value;
    if (!staff_no || !password) {
      err.textContent = t("login.missing");
      (staff_no ? form.password : form.staff_no).focus();
      return;
    }
    const button = form.querySelector("button");
    button.disabled = true;
    err.textContent = "";
    try {
      me = await api("/api/staff/login", { method: "POST", body: { staff_no, password } });
      cache.clear();
      done(me);
    } catch (error) {
      err.textContent = error.message;
      form.password.value = "";
      form.password.focus();
      announce(error.message);
    } finally {
      button.disabled = false;
    }
  });
}
