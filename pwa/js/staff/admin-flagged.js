// 异常预约 What a branch head (their branch) and head office (all) review: this month's flagged
// bookings with the reason, to confirm (stays out of the rankings) or clear (counts from today),
// and arrivals / completions recorded without the customer's evidence (they score nothing).
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { announce } from "./ui.js";
import { stamp } from "./admin-common.js";

let items = null, unverified = null;
let problem = "", note = "";
const busy = new Set();
let root = null;

const label = (prefix, code) => { const s = t(prefix + code); return s === prefix + code ? code : s; };

function review(b) {
  if (b.review) return html`<p class="tag-ok" data-testid="review-${b.reference}">${t("adm.flag." + b.review)}</p>`;
  const off = busy.has(b.reference) ? "disabled" : "";
  return html`<div class="bk-acts" data-testid="review-${b.reference}">
    <button type="button" class="btn small danger" data-ref="${b.reference}" data-review="confirm" ${off}
      data-testid="confirm-${b.reference}">${t("adm.flag.confirm")}</button>
    <button type="button" class="btn small" data-ref="${b.reference}" data-review="clear" ${off}
      data-testid="clear-${b.reference}">${t("adm.flag.clear")}</button></div>`;
}

function flaggedList() {
  if (!items) return html`<p class="loading">${t("inbox.loading")}</p>`;
  if (!items.length) return html`<p class="empty" data-testid="flagged-none">${t("adm.flag.none")}</p>`;
  // Cards, not a table: a branch head reviews these on a phone.
  return html`<p class="muted">${t("inbox.count", { n: items.length })}</p>
    <ul class="bookings" data-testid="flagged-table">${items.map((b) => html`
      <li class="bk" data-testid="flagged-${b.reference}">
        <p class="bk-when"><strong>${b.reason}</strong></p>
        <dl class="facts bk-facts">
          <dt>${t("adm.reference")}</dt><dd>${b.reference} · ${label("st.", b.status)}</dd>
          <dt>${t("inbox.manager")}</dt><dd>${b.employee} · ${b.branch}</dd>
          <dt>${t("inbox.phone")}</dt><dd>${b.phone}</dd>
          <dt>${t("adm.flag.at")}</dt><dd>${stamp(b.created_at)}</dd>
        </dl>
        ${review(b)}
      </li>`)}</ul>`;
}

function unverifiedList() {
  if (!unverified) return html`<p class="loading">${t("inbox.loading")}</p>`;
  if (!unverified.length) return html`<p class="empty" data-testid="unverified-none">${t("adm.unverified.none")}</p>`;
  return html`<p class="muted">${t("inbox.count", { n: unverified.length })}</p>
    <ul class="bookings" data-testid="unverified-table">${unverified.map((b) => html`
      <li class="bk" data-testid="unverified-${b.reference}">
        <p class="bk-when"><span class="tag-warn">${t("ci.unverified")}</span> <strong>${label("st.", b.status)}</strong></p>
        <dl class="facts bk-facts">
          <dt>${t("adm.reference")}</dt><dd>${b.reference}</dd>
          <dt>${t("inbox.manager")}</dt><dd>${b.employee} · ${b.branch}</dd>
          <dt>${t("adm.reason")}</dt><dd>${b.reason}</dd>
          <dt>${t("adm.unverified.at")}</dt><dd>${stamp(b.updated_at)}</dd>
        </dl>
      </li>`)}</ul>`;
}

function draw() {
  const box = root && root.querySelector("#flag-lists");
  if (!box) return;
  mount(box, html`
    ${problem ? html`<p class="notice error">${problem}</p>` : ""}
    ${note ? html`<p class="notice ok" role="status" data-testid="review-done">${note}</p>` : ""}
    <h2>${t("adm.flagged")}</h2>
    <p class="muted">${t("adm.flag.lead")}</p>
    ${flaggedList()}
    <h2>${t("adm.unverified")}</h2>
    <p class="muted">${t("adm.unverified.lead")}</p>
    ${unverifiedList()}`);
}

async function load() {
  try {
    [items, unverified] = await Promise.all([
      call("/api/boards/flagged?period=month").then((r) => r.items),
      call("/api/boards/unverified?period=month").then((r) => r.items)]);
    problem = "";
  } catch (error) {
    problem = error.message;
  }
  draw();
}

async function decide(ref, action) {
  busy.add(ref);
  draw();
  try {
    const row = await call(`/api/boards/flagged/${encodeURIComponent(ref)}/review`, { method: "POST", body: { action } });
    items = items.map((b) => (b.reference === ref ? row : b));
    note = t("adm.flag.done." + row.review);
    problem = "";
  } catch (error) {
    problem = error.message;
  } finally {
    busy.delete(ref);
  }
  announce(note || problem);
  draw();
}

export async function render(box) {
  root = box;
  note = "";
  mount(box, html`
    <section class="view adm-flagged" data-testid="adm-flagged">
      <h1>${t("adm.flagged")}</h1>
      <div id="flag-lists"></div>
    </section>`);
  draw();
  box.querySelector("#flag-lists").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-review]");
    if (b && !b.disabled) decide(b.dataset.ref, b.dataset.review);
  });
  await load();
}

export function reset() { items = null; unverified = null; problem = ""; note = ""; busy.clear(); }
