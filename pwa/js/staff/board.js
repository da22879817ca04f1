// 看板 Dashboard (managers): employees and branches ranked for today, yesterday, this week or
// this month; bars from chart.js, every number also in a table. Live while it is on screen.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { debounce } from "../live.js";
import { barList, legend } from "../chart.js";
import { call } from "./session.js";
import { focusView } from "./ui.js";

const PERIODS = ["today", "yesterday", "week", "month"];
const COUNTERS = ["visits", "bookings", "arrived", "completed"];
const TOP = 10;
let period = "today";
let data = null; // {employees, branches} for `period`
let error = "";
let root = null, active = false, seq = 0;

export const series = () => ["bookings", "arrived", "completed"].map((key) => ({ key, label: t("count." + key), cls: "s-" + key }));

const range = (b) => (b.start === b.end ? b.start : `${b.start} – ${b.end}`);

function table(rows, caption, employees) {
  return html`
    <div class="table-wrap" role="region" aria-label="${caption}" tabindex="0">
      <table class="board-table">
        <caption class="sr-only">${caption}</caption>
        <thead><tr><th scope="col">${t("board.rank")}</th><th scope="col">${t("board.name")}</th>
          ${employees ? html`<th scope="col">${t("branch")}</th>` : ""}
          ${COUNTERS.map((c) => html`<th scope="col" class="num">${t("count." + c)}</th>`)}</tr></thead>
        <tbody>${rows.map((r) => html`<tr><td class="num">${r.rank}</td><th scope="row">${r.name}</th>
          ${employees ? html`<td>${r.branch}</td>` : ""}${COUNTERS.map((c) => html`<td class="num">${r[c]}</td>`)}</tr>`)}</tbody>
      </table>
    </div>`;
}

function boards() {
  if (error) return html`<p class="notice error">${error}</p>`;
  if (!data) return html`<p class="loading">${t("inbox.loading")}</p>`;
  const { employees: e, branches: b } = data;
  return html`
    <p class="muted" data-testid="board-range">${range(e)}</p>
    ${legend(series())}
    <h2>${t("board.employees")}</h2>
    ${barList(e.rows.slice(0, TOP), { series: series(), name: (r) => r.name, sub: (r) => r.branch, label: t("board.employees"), prefix: "emp" })}
    <details><summary>${t("board.all", { n: e.rows.length })}</summary>${table(e.rows, t("board.employees"), true)}</details>
    <h2>${t("board.branches")}</h2>
    ${barList(b.rows, { series: series(), name: (r) => r.name, label: t("board.branches"), prefix: "branch" })}
    <details><summary>${t("board.table")}</summary>${table(b.rows, t("board.branches"), false)}</details>`;
}

async function load() {
  const mine = ++seq;
  try {
    const [employees, branches] = await Promise.all([
      call(`/api/boards/employees?period=${period}`), call(`/api/boards/branches?period=${period}`)]);
    if (mine !== seq) return;
    data = { employees, branches };
    error = "";
  } catch (err) {
    if (mine !== seq) return;
    error = err.message;
  }
  if (active) {
    const box = root.querySelector("#boards");
    const open = [...box.querySelectorAll("details")].map((d) => d.open);
    mount(box, boards());
    box.querySelectorAll("details").forEach((d, i) => { d.open = !!open[i]; });
  }
}
const reload = debounce(load, 300);

export function render(el) {
  root = el;
  active = true;
  mount(root, html`
    <section class="view board" data-testid="board">
      <h1>${t("board.title")}</h1>
      <div class="periods" role="group" aria-label="${t("board.period")}">${PERIODS.map((p) => html`
        <button type="button" class="switch" data-period="${p}" data-testid="period-${p}" aria-pressed="${p === period}">${t("period." + p)}</button>`)}</div>
      <div id="boards">${boards()}</div>
    </section>`);
  root.querySelector(".periods").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-period]");
    if (!b || b.dataset.period === period) return;
    period = b.dataset.period;
    data = null;
    root.querySelectorAll(".periods button").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
    mount(root.querySelector("#boards"), boards());
    load();
  });
  focusView(root);
  load();
}

export function leave() { active = false; }
export function reset() { data = null; error = ""; period = "today"; }

export function changed() {
  if (active && period !== "yesterday") reload(); // any visit, booking or move counts here
}
