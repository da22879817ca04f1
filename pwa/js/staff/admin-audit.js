// 审计日志 Audit log (head office: every entry; branch heads: their branch's): who did what, in
// words from the server (names, masked customers) and Beijing time with its offset, filtered
// by action and dates; the same filters export the entries as CSV.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { errLine, showErrors, busy } from "./admin-common.js";

// server/audit/service.py ACTIONS
const ACTIONS = ["login", "login_failed", "logout", "password_changed", "status_changed", "phone_revealed",
  "availability_changed", "customer_erased", "customer_exported", "retention_run", "handover",
  "out_of_office_set", "channel_code_created", "roster_imported", "org_changed",
  "wall_link_created", "wall_link_revoked"];
let filters = { action: "", start: "", end: "", limit: "200" };
let items = null;
let seq = 0;

const label = (a) => (t("adm.act." + a) === "adm.act." + a ? a : t("adm.act." + a));
// "2026-12-06T21:03:05+08:00" -> "2026-12-06 21:03:05 +08:00": the server sends Asia/Shanghai.
const when = (iso) => String(iso).replace("T", " ").replace(/(\d)([+-]\d\d:\d\d|Z)$/, "$1 $2");

function query(extra = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) q.set(k, v);
  return q.toString();
}

function entries() {
  if (!items) return html`<p class="loading">${t("inbox.loading")}</p>`;
  if (!items.length) return html`<p class="empty" data-testid="audit-none">${t("adm.audit.none")}</p>`;
  const heads = [t("adm.audit.at"), t("adm.audit.action"), t("adm.audit.actor"), t("adm.audit.target"),
    t("adm.audit.detail"), t("adm.audit.source")];
  const rows = items.map((e) => [when(e.at), e.action_label || label(e.action), e.actor, e.target, e.detail, e.source]);
  // Its own table (not admin-common's): each cell names its column, so a phone shows an entry as a card.
  return html`<p class="muted" data-testid="audit-count">${t("inbox.count", { n: items.length })}</p>
    <div class="table-wrap" role="region" aria-label="${t("adm.audit")}" tabindex="0">
      <table class="board-table adm-table audit-table" data-testid="audit-table">
        <caption class="sr-only">${t("adm.audit")}</caption>
        <thead><tr>${heads.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
        <tbody>${rows.map((r) => html`<tr>${r.map((c, i) => html`<td data-label="${heads[i]}">${c}</td>`)}</tr>`)}</tbody>
      </table></div>`;
}

async function load(box, button) {
  const mine = ++seq;
  const form = box.querySelector("form");
  try {
    const get = () => call(`/api/audit?${query()}`);
    const answer = await (button ? busy(button, get) : get());
    if (mine !== seq) return;
    items = answer.items;
    showErrors(form, null);
  } catch (error) {
    if (mine !== seq) return;
    items = [];
    showErrors(form, error);
  }
  const out = box.querySelector("#audit-list");
  if (out) mount(out, entries());
}

export function render(box, ctx) {
  const branchOnly = ctx && ctx.me && ctx.me.role !== "admin";
  mount(box, html`
    <section class="view adm-audit" data-testid="adm-audit">
      <h1>${t("adm.audit")}</h1>
      ${branchOnly ? html`<p class="muted" data-testid="audit-scope">${t("adm.audit.branch_only")}</p>` : ""}
      <form novalidate class="filters adm-filters">
        <div class="field"><label for="f-au-action">${t("adm.audit.action")}</label>
          <select id="f-au-action" name="action" data-testid="audit-action">
            <option value="">${t("inbox.all")}</option>
            ${ACTIONS.map((a) => html`<option value="${a}" ${a === filters.action ? html`selected` : ""}>${label(a)}</option>`)}
          </select>${errLine("action", "au")}</div>
        <div class="field"><label for="f-au-start">${t("adm.audit.start")}</label>
          <input type="date" id="f-au-start" name="start" value="${filters.start}" data-testid="audit-start">${errLine("start", "au")}</div>
        <div class="field"><label for="f-au-end">${t("adm.audit.end")}</label>
          <input type="date" id="f-au-end" name="end" value="${filters.end}" data-testid="audit-end">${errLine("end", "au")}</div>
        <div class="field"><label for="f-au-limit">${t("adm.audit.limit")}</label>
          <input type="number" id="f-au-limit" name="limit" min="1" max="1000" value="${filters.limit}" data-testid="audit-limit">${errLine("limit", "au")}</div>
        <div class="field adm-actions">
          <button type="submit" class="btn primary small" data-testid="audit-search">${t("adm.audit.search")}</button>
          <a class="btn small" href="/api/audit?format=csv" download data-testid="audit-csv">${t("adm.audit.csv")}</a></div>
        <div class="field wide">${errLine("form", "au")}</div>
      </form>
      <div id="audit-list">${entries()}</div>
    </section>`);
  const form = box.querySelector("form");
  const read = () => {
    const f = form.elements;
    filters = { action: f.action.value, start: f.start.value, end: f.end.value, limit: f.limit.value.trim() };
    box.querySelector("[data-testid=audit-csv]").href = `/api/audit?${query({ format: "csv" })}`;
  };
  form.addEventListener("change", read);
  form.addEventListener("submit", (e) => { e.preventDefault(); read(); load(box, form.querySelector("[data-testid=audit-search]")); });
  load(box);
}

export function reset() { items = null; filters = { action: "", start: "", end: "", limit: "200" }; }
