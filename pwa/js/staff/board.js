// 看板 Dashboard for everyone on staff: my quality score with its formula and the sum written
// out, the daily trend and its change, the ranking with every column the score is made of
// (a branch head sees their branch's people), my level/track cohort, branch PK per capita and
// the funnels. Sections load on their own; the targets section belongs to the targets panel.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { debounce } from "../live.js";
import { call, current } from "./session.js";
import { focusView } from "./ui.js";
import { formula, funnels, myScore, pk, scoreTable, trend, trendPeriod } from "./judge.js";
import { load as loadTargets } from "./targets-panel.js";
import { links as downloadLinks } from "./downloads.js";

const PERIODS = ["today", "week", "month"];
const FUNNELS = ["employee", "branch", "product", "channel"];
const TOP = 10;
let period = "today";
let funnelBy = "";
let root = null, active = false, seq = 0;

const range = (b) => (b.start === b.end ? b.start : `${b.start} – ${b.end}`);
const isHead = (me) => me.role === "branch_manager";
const q = (params) => new URLSearchParams(params).toString();

// What each section reads, for the viewer and the period.
function sources(me) {
  const p = { period };
  return {
    people: `/api/boards/employees?${q(isHead(me) ? { ...p, branch_id: me.branch_id } : p)}`,
    cohort: `/api/boards/employees?${q({ ...p, level: me.level, track: me.track })}`,
    pk: `/api/boards/branches?${q({ ...p, per_capita: 1 })}`,
    funnel: `/api/boards/funnel/${funnelBy}?${q(p)}`,
    trend: `/api/boards/trend?${q({ ...trendPeriod(period), by: isHead(me) ? "branch" : me.role === "staff" ? "employee" : "all" })}`,
  };
}

const box = (name) => root && root.querySelector(`[data-body="${name}"]`);

function show(name, fragment) {
  const el = box(name);
  if (!el) return;
  const open = [...el.querySelectorAll("details")].map((d) => d.open); // a redraw keeps tables open
  mount(el, fragment);
  el.querySelectorAll("details").forEach((d, i) => { if (i in open) d.open = open[i]; });
}

function people(board, me) {
  const rows = board.rows.slice(0, isHead(me) ? board.rows.length : TOP);
  const mineShown = rows.some((r) => r.id === me.id);
  const all = board.rows.concat(board.mine && !board.rows.some((r) => r.id === me.id) ? [board.mine] : []);
  const sub = isHead(me) ? null : (r) => r.branch; // a branch head's people are all theirs
  const quiet = board.rows.every((r) => !r.score && !r.bookings);
  return html`${quiet ? html`<p class="empty" data-testid="board-empty">${t("board.none")}</p>` : ""}
    ${scoreTable(board, mineShown || !board.mine ? rows : rows.concat([board.mine]), {
      caption: t(isHead(me) ? "board.branch.people" : "board.employees"), mineId: me.id, sub, prefix: "emp" })}
    ${all.length > rows.length ? html`<details><summary>${t("board.all", { n: all.length })}</summary>
      ${scoreTable(board, all, { caption: t("board.employees"), mineId: me.id, sub, prefix: "all", testid: "all-table" })}</details>` : ""}`;
}

const DRAW = {
  people: (d, me) => html`<p class="muted" data-testid="board-range">${range(d)}</p>
    ${myScore(d, d.rows.length)}${formula(d)}${people(d, me)}`,
  cohort: (d, me) => html`<p class="muted">${t("board.cohort.lead", { level: t("level." + me.level), track: me.track === "none" ? "" : " · " + t("track." + me.track) })}</p>
    ${d.rows.length ? scoreTable(d, d.rows.slice(0, TOP), { caption: t("board.cohort"), mineId: me.id, sub: (r) => r.branch, prefix: "cohort", testid: "cohort-table" })
      : html`<p class="empty">${t("board.cohort.none")}</p>`}`,
  pk: (d) => pk(d),
  funnel: (d) => funnels(d, { by: funnelBy }),
  trend: (d) => trend(d),
};

// Progress to this month's (or week's) targets: the period switch decides which.
function targets() {
  const box = root && root.querySelector('[data-panel="targets"]');
  if (!box) return;
  box.hidden = false;
  loadTargets(box, { period: period === "week" ? "week" : "month" });
}

async function load() {
  const mine = ++seq, me = current();
  targets();
  await Promise.all(Object.entries(sources(me)).map(async ([name, url]) => {
    try {
      const data = await call(url);
      if (mine === seq && active) show(name, DRAW[name](data, me));
    } catch (err) {
      if (mine === seq && active) show(name, html`<p class="notice error">${err.message}</p>`);
    }
  }));
}
const reload = debounce(load, 300);

const section = (name, title, extra = "") => html`<section class="board-part" aria-labelledby="b-${name}" data-testid="part-${name}">
  <h2 id="b-${name}">${title}</h2>${extra}<div data-body="${name}"><p class="loading">${t("inbox.loading")}</p></div></section>`;

const switches = (name, values, now, key) => html`<div class="periods" role="group" aria-label="${t(name)}">${values.map((v) => html`
  <button type="button" class="switch" data-${key}="${v}" data-testid="${key}-${v}" aria-pressed="${v === now}">${t(`${key}.${v}`)}</button>`)}</div>`;

export function render(el) {
  root = el;
  active = true;
  const me = current();
  funnelBy = funnelBy || (me.role === "staff" ? "product" : "employee");
  mount(root, html`
    <section class="view board" data-testid="board">
      <h1>${t("board.title")}</h1>
      ${switches("board.period", PERIODS, period, "period")}
      ${section("people", t(isHead(me) ? "board.branch.people" : "board.employees"))}
      <section class="board-part" data-panel="targets" data-testid="part-targets" hidden></section>
      ${section("trend", t("trend.title"))}
      ${section("cohort", t("board.cohort"))}
      ${section("pk", t("board.pk"))}
      ${section("funnel", t("board.funnel"), switches("board.funnel.by", FUNNELS, funnelBy, "funnel"))}
      <section class="board-part" aria-labelledby="b-downloads" data-testid="part-downloads">
        <h2 id="b-downloads">${t("rp.reports")}</h2>${downloadLinks(me, { branchId: isHead(me) && me.role !== "admin" ? me.branch_id : null })}</section>
    </section>`);
  root.querySelector(".board").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-period], button[data-funnel]");
    if (!b) return;
    const group = b.closest(".periods");
    if (b.dataset.period && b.dataset.period !== period) period = b.dataset.period;
    else if (b.dataset.funnel && b.dataset.funnel !== funnelBy) funnelBy = b.dataset.funnel;
    else return;
    group.querySelectorAll("button").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
    load();
  });
  focusView(root);
  load();
}

export function leave() { active = false; }
export function reset() { period = "today"; funnelBy = ""; }

export function changed() {
  if (active) reload(); // any visit, booking or move counts here
}
