// 休假代理 Out-of-office: while someone is away, their bookings go to a delegate. Staff set
// their own; branch managers their branch's people; admins anyone (the server decides).
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { todayKey } from "../format.js";
import { call } from "./session.js";
import { errLine, showErrors, busy, table } from "./admin-common.js";
import { announce } from "./ui.js";
import { attach } from "./colleague-picker.js";

let items = null; // current and future absences I may see
let problem = "";
let box = null;

const manages = (me) => me && (me.role === "admin" || me.role === "branch_manager");

function list() {
  if (problem) return html`<p class="notice error">${problem}</p>`;
  if (!items) return html`<p class="loading">${t("inbox.loading")}</p>`;
  if (!items.length) return html`<p class="empty" data-testid="away-none">${t("adm.away.none")}</p>`;
  // One column for the dates, a date a line: the list fits a phone with its reason and button.
  const days = (a) => html`<span class="nowrap">${a.start}</span>${a.end !== a.start
    ? html`<br><span class="nowrap">${t("adm.away.until", { end: a.end })}</span>` : ""}`;
  return table(t("adm.away.list"), [t("adm.away.employee"), t("adm.away.dates"), t("adm.away.delegate"), t("adm.away.reason"), ""],
    items.map((a) => [a.employee, days(a), a.delegate, a.reason || "—",
      html`<button type="button" class="btn small danger" data-id="${a.id}" data-key="away-${a.id}" data-testid="away-cancel-${a.id}"
        aria-label="${t("adm.away.cancel.label", { name: a.employee, start: a.start })}">${t("adm.away.cancel")}</button>`]), "away-list");
}

async function load() {
  try {
    items = (await call("/api/staff/out-of-office")).items;
    problem = "";
  } catch (error) {
    problem = error.message;
  }
  const out = box && box.querySelector("#away-list");
  if (out) mount(out, list());
}

export function render(root, ctx) {
  box = root;
  const today = todayKey();
  mount(root, html`
    <section class="view adm-away" data-testid="adm-away">
      <h1>${t("adm.away")}</h1>
      <p class="muted">${t("adm.away.lead")}</p>
      <div id="away-list">${list()}</div>
      <h2>${t("adm.away.add")}</h2>
      <form novalidate>
        <div class="adm-grid">
          ${manages(ctx.me) ? html`<div class="field"><label for="f-aw-emp">${t("adm.away.who")}</label>
            <input id="f-aw-emp" name="employee_staff_no" data-testid="away-employee" autocapitalize="characters" spellcheck="false" maxlength="20" aria-describedby="e-aw-employee_staff_no">
            ${errLine("employee_staff_no", "aw")}</div>` : ""}
          <div class="field"><label for="f-aw-start">${t("adm.away.start")}</label>
            <input type="date" id="f-aw-start" name="start" min="${today}" data-testid="away-start" aria-describedby="e-aw-start">
            ${errLine("start", "aw")}</div>
          <div class="field"><label for="f-aw-end">${t("adm.away.end")}</label>
            <input type="date" id="f-aw-end" name="end" min="${today}" data-testid="away-end" aria-describedby="e-aw-end">
            ${errLine("end", "aw")}</div>
          <div class="field"><label for="f-aw-del">${t("adm.away.delegate.no")}</label>
            <input id="f-aw-del" name="delegate_staff_no" data-testid="away-delegate" autocapitalize="characters" spellcheck="false" maxlength="20" aria-describedby="e-aw-delegate_staff_no">
            ${errLine("delegate_staff_no", "aw")}</div>
          <div class="field"><label for="f-aw-reason">${t("adm.away.reason.label")}</label>
            <input id="f-aw-reason" name="reason" data-testid="away-reason" maxlength="40" placeholder="${t("adm.away.reason.hint")}" aria-describedby="e-aw-reason">
            ${errLine("reason", "aw")}</div>
        </div>
        <button type="submit" class="btn primary small" data-testid="away-submit">${t("adm.away.submit")}</button>
        ${errLine("form", "aw")}
        <p class="ok" role="status" data-testid="away-saved"></p>
      </form>
    </section>`);
  const form = root.querySelector("form");
  if (form.employee_staff_no) attach(form.employee_staff_no, { purpose: "manage" });
  attach(form.delegate_staff_no, { purpose: "delegate" });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = { start: form.start.value, end: form.end.value, delegate_staff_no: form.delegate_staff_no.value.trim().toUpperCase(),
      employee_staff_no: form.employee_staff_no ? form.employee_staff_no.value.trim().toUpperCase() : "",
      reason: form.reason.value.trim() };
    const missing = {};
    for (const k of ["start", "end", "delegate_staff_no"]) if (!data[k]) missing[k] = t("adm.required");
    form.querySelector("[data-testid=away-saved]").textContent = "";
    if (Object.keys(missing).length) return showErrors(form, { status: 422, message: t("v.check"), body: { fields: missing } });
    showErrors(form, null);
    try {
      const saved = await busy(form.querySelector("[data-testid=away-submit]"), () => call("/api/staff/out-of-office", { method: "POST", body: data }));
      form.reset();
      form.querySelector("[data-testid=away-saved]").textContent = t("adm.away.saved", { name: saved.employee, delegate: saved.delegate });
      load();
    } catch (error) {
      showErrors(form, error);
    }
  });
  root.querySelector("#away-list").addEventListener("click", async (e) => {
    const b = e.target.closest("button[data-id]");
    if (!b) return;
    try {
      await busy(b, () => call(`/api/staff/out-of-office/${encodeURIComponent(b.dataset.id)}`, { method: "DELETE" }));
      announce(t("adm.away.cancelled"));
      load();
    } catch (error) {
      showErrors(form, error);
    }
  });
  load();
}

export function reset() { items = null; problem = ""; box = null; }
