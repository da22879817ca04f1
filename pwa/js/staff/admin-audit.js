// 审计日志 Audit log (head office: every entry; branch heads: their branch's): who did what, in
// words from the server (names, masked customers) and Beijing time with its offset, filtered
// by action and dates and searched by booking reference or phone tail, 50 entries at a time
// (加载更多); the same filters export the entries as CSV.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { announce, keepFocus } from "./ui.js";
import { errLine, showErrors, busy } from "./admin-common.js";

// server/audit/service.py ACTIONS
const ACTIONS = ["login", "login_failed", "logout", "password_changed", "status_changed", "phone_revealed",
  "availability_changed", "customer_erased", "customer_exported", "retention_run", "handover",
  "out_of_office_set", "channel_code_created", "channel_code_renamed",
  "channel_code_retired", "roster_imported", "kit_printed", "report_made", "org_changed",
  "wall_link_created", "wall_link_revoked"];
const PAGE = 50;
const CSV_MAX = 1000; // the server's largest page
const blank = () => ({ action: "", start: "", end: "", q: "" });
let filters = blank();
let items = null, next = null, more = false;
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
  const moreButton = next ? html`<p class="more"><button type="button" class="btn" data-testid="audit-more" data-key="more"
    ${more ? html`disabled aria-busy="true"` : ""}>${t(more ? "inbox.loading" : "list.more")}</button></p>` : "";
  const heads = [t("adm.audit.at"), t("adm.audit.action"), t("adm.audit.actor"), t("adm.audit.target"),
    t("adm.audit.detail"), t("adm.audit.source")];
  const rows = items.map((e) => [when(e.at), e.action_label || label(e.action), e.actor, e.target, e.detail, e.source]);
  // Its own table (not admin-common's): each cell names its column, so a phone shows an entry as a card.
  return html`<p class="muted" data-testid="audit-count">${t(next ? "list.shown" : "list.all", { n: items.length })}</p>
    <div class="table-wrap" role="region" aria-label="${t("adm.audit")}" tabindex="0">
      <table class="board-table adm-table audit-table" data-testid="audit-table">
        <caption class="sr-only">${t("adm.audit")}</caption>
        <thead><tr>${heads.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
        <tbody>${rows.map((r) => html`<tr>${r.map((c, i) => html`<td data-label="${heads[i]}">${c}</td>`)}</tr>`)}</tbody>
      </table></div>${moreButton}`;
}

// The first page for the filters (a new search), or with `cursor` the next one after those shown.
async function load(box, button, cursor = null) {
  const mine = cursor ? seq : ++seq;
  const form = box.querySelector("form");
  const get = () => call(`/api/audit?${query({ limit: String(PAGE), cursor })}`);
  try {
    const answer = await (button ? busy(button, get) : get());
    if (mine !== seq) return;
    items = cursor ? [...items, ...answer.items] : answer.items;
    next = answer.next_cursor;
    showErrors(form, null);
    if (cursor) announce(t("list.loaded", { n: answer.items.length }));
  } catch (error) {
    if (mine !== seq) return;
    if (!cursor) items = [];
    showErrors(form, error);
  }
  draw(box);
}

function draw(box) {
  const out = box.querySelector("#audit-list");
  if (out) keepFocus(out, () => mount(out, entries()));
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
        <div class="field"><label for="f-au-q">${t("list.search")}</label>
          <input type="search" id="f-au-q" name="q" maxlength="40" autocomplete="off" value="${filters.q}"
            placeholder="${t("list.search.hint")}" data-testid="audit-q">${errLine("q", "au")}</div>
        <div class="field adm-actions">
          <button type="submit" class="btn primary small" data-testid="audit-search">${t("adm.audit.search")}</button>
          <a class="btn small" href="/api/audit?${query({ limit: String(CSV_MAX), format: "csv" })}" download data-testid="audit-csv">${t("adm.audit.csv")}</a></div>
        <div class="field wide">${errLine("form", "au")}</div>
      </form>
      <div id="audit-list">${entries()}</div>
    </section>`);
  const form = box.querySelector("form");
  const read = () => {
    const f = form.elements;
    filters = { action: f.action.value, start: f.start.value, end: f.end.value, q: f.q.value.trim() };
    box.querySelector("[data-testid=audit-csv]").href = `/api/audit?${query({ limit: String(CSV_MAX), format: "csv" })}`;
  };
  form.addEventListener("change", read);
  form.addEventListener("submit", (e) => { e.preventDefault(); read(); load(box, form.querySelector("[data-testid=audit-search]")); });
  box.querySelector("#audit-list").addEventListener("click", async (e) => {
    if (!e.target.closest("[data-testid=audit-more]") || more || !next) return;
    const count = items.length;
    more = true;
    draw(box);
    try { await load(box, null, next); } finally { more = false; }
    draw(box);
    // Keep the place: focus stays on 加载更多, or goes to the first new entry when none are left.
    const row = !next && box.querySelectorAll(".audit-table tbody tr")[count];
    if (row) { row.tabIndex = -1; row.focus({ preventScroll: true }); }
  });
  load(box);
}

export function reset() { items = null; next = null; more = false; filters = blank(); }
