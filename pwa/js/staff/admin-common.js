// What the head-office screens share: uploads and file downloads (api() speaks JSON only),
// per-field error display, an inline "are you sure?" and a busy state on a button.
import { html, mount } from "../html.js";
import { t, getLang } from "../i18n.js";
import { ApiError } from "../api.js";
import { call, current, whoami } from "./session.js";
import { announce } from "./ui.js";

// fetch with the session's CSRF token; a 401 goes through call() so the app shows the login form.
async function raw(path, { method = "GET", form, again = false } = {}) {
  const headers = { "Accept-Language": getLang() === "en" ? "en" : "zh-CN" };
  if (method !== "GET" && current()) headers["X-CSRFToken"] = current().csrf_token;
  let res;
  try {
    res = await fetch(path, { method, headers, body: form, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, null);
  }
  if (res.ok) return res;
  let data = null;
  try { data = await res.json(); } catch { /* not JSON: the status says enough */ }
  if (res.status === 401) await call("/api/staff/me").catch(() => {}); // signs the app out
  if (res.status === 400 && data && data.error === "csrf" && !again && (await whoami())) {
    return raw(path, { method, form, again: true }); // a stale token: once more with a fresh one
  }
  throw new ApiError(res.status, data);
}

// POST a FormData (a file upload); the JSON answer.
export async function upload(path, form) {
  return (await raw(path, { method: "POST", form })).json();
}

// GET a file as a Blob with the name the server gave it.
export async function fetchFile(path) {
  const res = await raw(path);
  const m = /filename="?([^";]+)"?/.exec(res.headers.get("Content-Disposition") || "");
  return { blob: await res.blob(), name: m ? m[1] : path.split("/").pop() };
}

// An error line under a field: <p class="err" data-field="name">, filled by showErrors().
export const errLine = (name, prefix) => html`<p class="err" id="e-${prefix}-${name}" data-field="${name}" data-testid="err-${name}"></p>`;

// A server error onto the form: 422 fields next to their inputs, anything else on "form".
export function showErrors(root, error) {
  root.querySelectorAll(".err[data-field]").forEach((p) => { p.textContent = ""; });
  root.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  if (!error) return;
  const fields = (error.body && error.body.fields) || {};
  let shown = false;
  for (const [name, msg] of Object.entries(fields)) {
    const line = root.querySelector(`.err[data-field="${CSS.escape(name)}"]`);
    if (!line) continue;
    line.textContent = msg;
    const input = root.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
    shown = true;
  }
  const general = root.querySelector('.err[data-field="form"]');
  if (general && (!shown || error.status !== 422)) general.textContent = error.message;
  announce(error.message);
}

// Disable a button and say "working…" on it until the promise settles.
export async function busy(button, work) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = t("adm.working");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  }
}

// An inline confirmation in box: yes() runs on 确定; the focus goes to the question.
export function confirmIn(box, question, yes, { danger = false } = {}) {
  mount(box, html`<div class="confirm notice" role="alertdialog" aria-labelledby="cq" data-testid="confirm">
    <p id="cq" tabindex="-1">${question}</p>
    <div class="adm-row">
      <button type="button" class="btn small ${danger ? "danger" : "primary"}" data-testid="confirm-yes">${t("inbox.yes")}</button>
      <button type="button" class="btn small" data-testid="confirm-no">${t("inbox.no")}</button></div></div>`);
  box.querySelector("#cq").focus();
  box.querySelector("[data-testid=confirm-no]").onclick = () => mount(box, "");
  box.querySelector("[data-testid=confirm-yes]").onclick = () => { mount(box, ""); yes(); };
}

// A date-time from the API in Shanghai time, as "2026-11-30 09:05".
export function stamp(iso) {
  const s = String(iso);
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + "Z");
  if (Number.isNaN(d.getTime())) return s;
  return new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 16).replace("T", " ");
}

// A scrollable table: heads are strings, rows are arrays of cells (escaped by html``).
export function table(caption, heads, rows, testid) {
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0">
    <table class="board-table adm-table" data-testid="${testid}">
      <caption class="sr-only">${caption}</caption>
      <thead><tr>${heads.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody>
    </table></div>`;
}
