// 月度目标 Monthly targets (admins): set a branch's or an employee's goals for a month, import
// a sheet (dry run, then apply), see and delete the month's targets with their progress.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { upload, errLine, showErrors, busy, table, confirmIn } from "./admin-common.js";
import { announce } from "./ui.js";
import * as panel from "./targets-panel.js";
import { attach } from "./colleague-picker.js";

const METRICS = ["bookings", "arrived", "completed"];
const thisMonth = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7); // Shanghai
let month = thisMonth();
let branches = [];
let items = null;
let plan = null; // the import's dry run {errors, rows}
let file = null;
let problem = "";

function form() {
  return html`<form class="tg-form" id="tg-form" novalidate data-testid="tg-form">
    <div class="adm-row">
      <div class="field"><label for="tg-scope">${t("tg.scope")}</label>
        <select id="tg-scope" name="scope" data-testid="tg-scope">
          <option value="branch">${t("tg.scope.branch")}</option><option value="employee">${t("tg.scope.employee")}</option></select></div>
      <div class="field" data-for="branch"><label for="tg-branch">${t("tg.branch")}</label>
        <select id="tg-branch" name="subject_id" data-testid="tg-branch">${branches.map((b) => html`<option value="${b.id}">${b.name}</option>`)}</select>
        ${errLine("subject_id", "tg")}</div>
      <div class="field" data-for="employee" hidden><label for="tg-staff">${t("tg.staff_no")}</label>
        <input id="tg-staff" name="staff_no" autocomplete="off" data-testid="tg-staff" aria-describedby="e-tg-staff_no">${errLine("staff_no", "tg")}</div>
    </div>
    <div class="adm-row">${METRICS.map((m) => html`
      <div class="field"><label for="tg-${m}">${t("tg." + m)}</label>
        <input id="tg-${m}" name="${m}" type="number" min="0" max="100000" step="1" inputmode="numeric" value="0" data-testid="tg-${m}" aria-describedby="e-tg-${m}">
        ${errLine(m, "tg")}</div>`)}</div>
    <button type="submit" class="btn primary small" data-testid="tg-save">${t("tg.save")}</button>
    ${errLine("form", "tg")}
  </form>`;
}

function list() {
  if (problem) return html`<p class="notice error">${problem}</p>`;
  if (!items) return html`<p class="loading">${t("inbox.loading")}</p>`;
  if (!items.length) return html`<p class="empty" data-testid="tg-none">${t("tg.none")}</p>`;
  return html`${table(t("tg.list", { month }), [t("tg.scope"), t("adm.f.name"), t("tg.bookings"), t("tg.arrived"), t("tg.completed"), t("adm.action")],
    items.map((x) => [t("tg.scope." + x.scope), x.staff_no ? html`${x.name}<br><small class="muted">${x.staff_no}</small>` : x.name,
      x.bookings, x.arrived, x.completed,
      html`<button type="button" class="btn small danger" data-del="${x.id}" data-name="${x.name}" data-testid="tg-del-${x.id}">${t("tg.delete")}</button>`]), "tg-table")}
    <div id="tg-confirm"></div>`;
}

function importResult() {
  if (!plan) return "";
  const blocked = plan.errors.length > 0;
  return html`<p data-testid="tg-import-summary">${t("tg.import.summary", { e: plan.errors.length, n: plan.rows.length })}</p>
    ${blocked ? table(t("adm.roster.errors"), [t("adm.line"), t("adm.column"), t("adm.reason")],
      plan.errors.map((e) => [t("adm.line.n", { n: e.line }), e.column, e.reason]), "tg-import-errors") : ""}
    ${blocked ? html`<p class="notice error">${t("tg.import.blocked")}</p>` : ""}
    <button type="button" class="btn primary small" data-testid="tg-import-apply" ${blocked || !plan.rows.length ? html`disabled` : ""}>${t("tg.import.apply")}</button>`;
}

async function refresh(box) {
  try {
    items = (await call(`/api/admin/targets?month=${encodeURIComponent(month)}`)).items;
    problem = "";
  } catch (error) {
    problem = error.message;
  }
  const out = box.querySelector("#tg-list");
  if (out) { mount(out, list()); wireList(box); }
  const progress = box.querySelector("#tg-progress");
  if (progress) panel.load(progress, { period: "month", month });
}

function wireList(box) {
  box.querySelectorAll("[data-del]").forEach((b) => {
    b.onclick = () => confirmIn(box.querySelector("#tg-confirm"), t("tg.ask.delete", { name: b.dataset.name }), async () => {
      try {
        await call(`/api/admin/targets/${b.dataset.del}`, { method: "DELETE" });
        announce(t("tg.deleted"));
        refresh(box);
      } catch (error) { showErrors(box.querySelector("#tg-form"), error); }
    }, { danger: true });
  });
}

async function save(box, f) {
  showErrors(f, null);
  const scope = f.scope.value;
  const body = { period: month, scope, ...Object.fromEntries(METRICS.map((m) => [m, Number(f[m].value || 0)])) };
  if (scope === "branch") body.subject_id = Number(f.subject_id.value);
  else body.staff_no = f.staff_no.value.trim();
  try {
    const saved = await busy(f.querySelector("[data-testid=tg-save]"), () => call("/api/admin/targets", { method: "PUT", body }));
    announce(t("tg.saved", { name: saved.name }));
    refresh(box);
  } catch (error) { showErrors(f, error); }
}

async function sendImport(box, button, apply) {
  const f = box.querySelector("#tg-import");
  showErrors(f, null);
  if (!apply) file = f.file.files[0] || null;
  if (!file) return showErrors(f, { status: 422, message: t("tg.import.pick"), body: { fields: { file: t("tg.import.pick") } } });
  const data = new FormData();
  data.append("file", file, file.name);
  try {
    const answer = await busy(button, () => upload(`/api/admin/targets/import${apply ? "?apply=1" : ""}`, data));
    plan = apply && answer.applied ? null : answer;
    if (apply && answer.applied) { announce(t("tg.import.applied", { n: answer.applied })); f.reset(); file = null; refresh(box); }
    drawImport(box);
  } catch (error) { showErrors(f, error); }
}

function drawImport(box) {
  const out = box.querySelector("#tg-import-result");
  mount(out, importResult());
  const apply = out.querySelector("[data-testid=tg-import-apply]");
  if (apply) apply.onclick = () => sendImport(box, apply, true);
}

export async function render(box) {
  if (!branches.length) {
    try { branches = (await call("/api/org")).branches; } catch { branches = []; }
  }
  mount(box, html`<section class="view adm-targets" data-testid="adm-targets">
    <h1>${t("tg.admin")}</h1>
    <p class="muted">${t("tg.lead")}</p>
    <div class="field"><label for="tg-month">${t("tg.month")}</label>
      <input id="tg-month" type="month" value="${month}" data-testid="tg-month"></div>
    ${form()}
    <h2>${t("tg.import")}</h2>
    <p class="hint">${t("tg.import.columns")}</p>
    <form id="tg-import" novalidate>
      <div class="field"><label for="tg-file">${t("tg.import.file")}</label>
        <input type="file" id="tg-file" name="file" accept=".csv,.xlsx" data-testid="tg-file" aria-describedby="e-ti-file">${errLine("file", "ti")}</div>
      <button type="submit" class="btn small" data-testid="tg-import-check">${t("tg.import.check")}</button>${errLine("form", "ti")}
    </form>
    <div id="tg-import-result" data-testid="tg-import-result"></div>
    <h2>${t("tg.list", { month })}</h2>
    <div id="tg-list">${list()}</div>
    <div id="tg-progress"></div>
  </section>`);
  const f = box.querySelector("#tg-form");
  attach(f.staff_no, { purpose: "manage" });
  f.scope.onchange = () => box.querySelectorAll("[data-for]").forEach((el) => { el.hidden = el.dataset.for !== f.scope.value; });
  f.addEventListener("submit", (e) => { e.preventDefault(); save(box, f); });
  const imp = box.querySelector("#tg-import");
  imp.addEventListener("submit", (e) => { e.preventDefault(); sendImport(box, imp.querySelector("button"), false); });
  box.querySelector("#tg-month").onchange = (e) => { month = e.target.value || thisMonth(); render(box); };
  drawImport(box);
  refresh(box);
}

export function reset() { month = thisMonth(); branches = []; items = null; plan = null; file = null; problem = ""; }
