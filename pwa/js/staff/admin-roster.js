// 花名册导入 Roster import (admins): upload a CSV/XLSX for a dry run, read the errors and the
// changes, then apply the same file. A file with any error row cannot be applied.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { upload, errLine, showErrors, busy, table } from "./admin-common.js";
import { announce } from "./ui.js";

const FIELDS = ["name", "phone", "branch", "grid", "team", "level", "track", "role", "disabled"];
let file = null; // the File of the last dry run: "确认导入" sends the same one
let result = null; // the dry run's answer {errors, changes, new_org, applied}
let applied = null; // employees created or updated by the import

const CODED = { level: "level.", track: "track.", role: "adm.role." }; // codes with a Chinese name
function value(k, v) {
  if (typeof v === "boolean") return t(v ? "adm.yes" : "adm.no");
  if (v === "" || v === "none") return "—";
  const key = CODED[k] ? CODED[k] + v : "";
  return key && t(key) !== key ? t(key) : String(v);
}
// "姓名：孙悦；手机：…" in the roster's column order; a new employee's empty or default fields are left out.
const fields = (f, create) => FIELDS.filter((k) => k in (f || {}))
  .filter((k) => !create || !(f[k] === "" || f[k] === "none" || f[k] === false))
  .map((k) => `${t("adm.f." + k)}：${value(k, f[k])}`).join("；");

// "1 个支行、2 个网格": the kinds of unit the import would create, those with none left out.
const created = (counts) => ["branch", "grid", "team"].filter((k) => counts[k])
  .map((k) => t("adm.roster.n." + k, { n: counts[k] })).join(t("adm.roster.and"));

function report() {
  if (applied !== null) {
    return html`<p class="notice ok-box" role="status" data-testid="roster-applied">${t("adm.roster.applied", { n: applied })}</p>`;
  }
  if (!result) return "";
  const { errors, changes, new_org: org, new_org_counts: counts } = result;
  const blocked = errors.length > 0;
  return html`
    <h2>${t("adm.roster.checked", { file: file ? file.name : "" })}</h2>
    <p data-testid="roster-summary">${t("adm.roster.summary", { e: errors.length, c: changes.length, o: org.length })}</p>
    ${org.length ? html`<p class="notice" data-testid="roster-new-org">${t("adm.roster.new_org", { what: created(counts) })}</p>` : ""}
    ${blocked ? html`
      <h3>${t("adm.roster.errors")}</h3>
      ${table(t("adm.roster.errors"), [t("adm.line"), t("adm.column"), t("adm.reason")],
        errors.map((e) => [t("adm.line.n", { n: e.line }), e.column, e.reason]), "roster-errors")}` : ""}
    ${org.length ? html`<h3>${t("adm.roster.org")}</h3>
      <ul class="adm-list" data-testid="roster-org">${org.map((o) => html`<li>${o}</li>`)}</ul>` : ""}
    ${changes.length ? html`<h3>${t("adm.roster.changes")}</h3>
      ${table(t("adm.roster.changes"), [t("adm.line"), t("login.staff_no"), t("adm.action"), t("adm.roster.fields")],
        changes.map((c) => [t("adm.line.n", { n: c.line }), c.staff_no, t("adm.roster." + c.action), fields(c.fields, c.action === "create")]), "roster-changes")}` : ""}
    ${blocked ? html`<p class="notice error" data-testid="roster-blocked">${t("adm.roster.blocked")}</p>`
      : !changes.length ? html`<p class="notice" data-testid="roster-nothing">${t("adm.roster.nothing")}</p>` : ""}
    <button type="button" class="btn primary small" data-testid="roster-apply" ${blocked || !changes.length ? html`disabled` : ""}>${t("adm.roster.apply")}</button>
    ${errLine("apply", "ro")}`;
}

function draw(box) {
  const out = box.querySelector("#roster-result");
  mount(out, report());
  const apply = out.querySelector("[data-testid=roster-apply]");
  if (apply) apply.onclick = () => send(box, apply, true);
}

async function send(box, button, apply) {
  const form = box.querySelector("form");
  const out = box.querySelector("#roster-result");
  if (!apply) {
    file = form.file.files[0] || null;
    if (!file) return showErrors(form, { status: 422, message: t("adm.roster.pick"), body: { fields: { file: t("adm.roster.pick") } } });
  }
  showErrors(box, null);
  const data = new FormData();
  data.append("file", file, file.name);
  out.setAttribute("aria-busy", "true");
  box.querySelector("#roster-busy").hidden = false;
  try {
    const answer = await busy(button, () => upload(`/api/admin/roster${apply ? "?apply=1" : ""}`, data));
    if (apply && !answer.errors.length) {
      applied = answer.applied;
      result = null;
      file = null;
      form.reset();
    } else {
      result = answer;
      applied = null;
    }
    draw(box);
    announce(applied !== null ? t("adm.roster.applied", { n: applied }) : t("adm.roster.summary", {
      e: result.errors.length, c: result.changes.length, o: result.new_org.length }));
  } catch (error) {
    showErrors(box, error);
  } finally {
    out.removeAttribute("aria-busy");
    box.querySelector("#roster-busy").hidden = true;
  }
}

export function render(box) {
  mount(box, html`
    <section class="view adm-roster" data-testid="adm-roster">
      <h1>${t("adm.roster")}</h1>
      <p class="muted">${t("adm.roster.lead")}</p>
      <p class="hint">${t("adm.roster.columns")}</p>
      <p class="adm-row roster-template">${t("adm.roster.template")}
        <a class="btn small" href="/api/admin/roster/template.xlsx" download data-testid="roster-template-xlsx">${t("adm.roster.template.xlsx")}</a>
        <a class="btn small" href="/api/admin/roster/template.csv" download data-testid="roster-template-csv">${t("adm.roster.template.csv")}</a></p>
      <form novalidate>
        <div class="field"><label for="f-roster">${t("adm.roster.file")}</label>
          <input type="file" id="f-roster" name="file" accept=".csv,.xlsx" data-testid="roster-file" aria-describedby="e-ro-file">
          ${errLine("file", "ro")}</div>
        <button type="submit" class="btn primary small" data-testid="roster-check">${t("adm.roster.check")}</button>
        ${errLine("form", "ro")}
      </form>
      <p class="adm-busy" id="roster-busy" data-testid="roster-busy" hidden><progress></progress> ${t("adm.roster.uploading")}</p>
      <div id="roster-result" data-testid="roster-result"></div>
    </section>`);
  const form = box.querySelector("form");
  form.addEventListener("submit", (e) => { e.preventDefault(); send(box, form.querySelector("button"), false); });
  form.file.addEventListener("change", () => { result = null; applied = null; draw(box); });
  draw(box);
}

export function reset() { file = null; result = null; applied = null; }
