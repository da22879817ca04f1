// The logged-in employee: log in, who am I, log out. Every staff API call goes through call(),
// which sends the CSRF token on changes and notices when the session has ended.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { api } from "../api.js";
import { announce } from "./ui.js";

let me = null;
let onSignedOut = () => {};
const cache = new Map(); // staff data kept for this session only (e.g. my shop's profile)

export const current = () => me;
export const isManager = () => !!me && me.role !== "staff";

// Set what happens when the server says the session is over (show the login form).
export function whenSignedOut(fn) { onSignedOut = fn; }

function forget() {
  me = null;
  cache.clear();
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
