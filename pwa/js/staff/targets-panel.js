// 目标进度 Progress to target: a self-contained panel for the 看板 (and the wall).
// render(root, data) draws GET /api/boards/targets's answer as progress bars; load(root, opts)
// fetches it first. Bars are SVG (the CSP allows no inline styles): the fill is what is done,
// the dark tick is the target, so a bar past the tick is a target beaten.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import "./targets-strings.js";

const W = 1000, H = 100;
const LABEL = { bookings: "tg.bookings", arrived: "tg.arrived", completed: "tg.completed" };
const num = (v) => (Number.isInteger(v) ? String(v) : Number(v).toFixed(1));
const signed = (v) => (v > 0 ? `+${v}` : String(v));

// One metric's bar: the scale is the larger of target and actual, so both always fit.
function bar(m) {
  const top = Math.max(m.target, m.actual, 1);
  const done = Math.round((W * Math.min(m.actual, top)) / top);
  const goal = Math.min(W - 6, Math.round((W * m.target) / top));
  const cls = m.percent >= 100 ? "tg-fill met" : m.percent >= 60 ? "tg-fill near" : "tg-fill";
  return html`<svg class="tg-bar" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" aria-hidden="true" focusable="false">
    <rect class="tg-track" width="${W}" height="${H}"></rect>
    ${done ? html`<rect class="${cls}" width="${done}" height="${H}"></rect>` : ""}
    <rect class="tg-goal" x="${goal}" width="6" height="${H}"></rect></svg>`;
}

function metric(item, m, vs) {
  const name = t(LABEL[m.metric]);
  const change = m.change > 0 ? "up" : m.change < 0 ? "down" : "flat";
  return html`<li class="tg-metric" data-testid="tg-${item.scope}-${item.subject_id}-${m.metric}"
      aria-label="${t("tg.row", { name: item.name, metric: name, actual: m.actual, target: num(m.target), percent: num(m.percent), vs, change: signed(m.change) })}">
    <span class="tg-label">${name}</span>
    <span class="tg-nums"><b data-testid="actual">${m.actual}</b> / <span data-testid="target">${num(m.target)}</span>
      <span class="tg-pct" data-testid="percent">${num(m.percent)}%</span></span>
    <span class="tg-change ${change}" title="${vs}" data-testid="change">${signed(m.change)}</span>
    ${bar(m)}
  </li>`;
}

export function render(root, data) {
  const week = data && data.period === "week";
  const vs = t(week ? "tg.vs.week" : "tg.vs.month");
  const items = (data && data.items) || [];
  return mount(root, html`<section class="tg-panel" data-testid="targets-panel" aria-labelledby="tg-h">
    <h2 id="tg-h">${t("tg.title")} · ${t(week ? "tg.period.week" : "tg.period.month")}</h2>
    ${data ? html`<p class="muted tg-span">${data.start} – ${data.end} · ${t("tg.change.note", { vs })}</p>` : ""}
    ${items.length ? html`<ul class="tg-list">${items.map((item) => html`
      <li class="tg-item ${item.scope}" data-testid="tg-item-${item.scope}-${item.subject_id}">
        <h3 class="tg-who">${item.name}<span class="tg-sub">${item.scope === "branch" ? t("tg.scope.branch") : item.branch}</span></h3>
        <ul class="tg-metrics">${item.metrics.map((m) => metric(item, m, vs))}</ul>
      </li>`)}</ul>` : html`<p class="empty" data-testid="targets-empty">${t("tg.empty")}</p>`}
    ${week && items.length ? html`<p class="hint">${t("tg.week.note")}</p>` : ""}
  </section>`);
}

// Fetch and draw: opts.period "month" | "week", opts.branchId (admins: one branch),
// opts.month (YYYY-MM, a past month; default this one).
export async function load(root, { period = "month", branchId = null, month = "" } = {}) {
  const q = new URLSearchParams({ period });
  if (month) q.set("month", month);
  if (branchId) q.set("branch_id", branchId);
  try {
    render(root, await call(`/api/boards/targets?${q}`));
  } catch (error) {
    mount(root, html`<p class="notice error">${error.message}</p>`);
  }
  return root;
}
