// The live wall at /wall, for a branch TV: the quality-score ranking with its formula and
// columns stays on the left; on the right, panels rotate by themselves (?rotate= seconds, 15 by
// default; a pointer resting on them pauses): branch PK per capita, the level cohorts, the
// funnel by branch, the daily trend, yesterday's podium, and a place for targets. Readable
// across a room, kept current by the live stream; ?period=week|month for longer boards.
// At /wall it needs a logged-in session (the login form comes first; it ends after 12 hours).
// At /wall/t#<token>, a wall link for a TV, it needs none: see wall-link.js. A branch's link
// shows that branch (no branch PK; its funnel by employee).
import "./prefs.js"; // first: language before anything is drawn
import { html, mount } from "./html.js";
import { t } from "./i18n.js";
import { dateTime, todayKey } from "./format.js";
import { connect, debounce } from "./live.js";
import { podium } from "./chart.js";
import { strings, toolbar, announce } from "./staff/ui.js";
import { call, cached, current, whoami, loginForm, whenSignedOut } from "./staff/session.js";
import { formula, funnels, pk, scoreTable, trend, trendPeriod } from "./staff/judge.js";
import { render as targetsPanel } from "./staff/targets-panel.js";
import * as link from "./wall-link.js";

const TOP = 10; // employees asked for; fit() keeps the rows the screen has room for
const COHORT_TOP = 3; // two cohorts a panel, top three each
const LEVELS = ["trainee", "junior", "mid", "senior"];
const params = new URLSearchParams(location.search);
const PERIOD = ["today", "week", "month"].includes(params.get("period")) ? params.get("period") : "today";
// Seconds a panel stays (?rotate=); a TV needs nobody to touch it.
const ROTATE_MS = Math.max(0.5, Number(params.get("rotate")) || 15) * 1000;
// The rotating panels, in order; one stays empty (skipped) until something is mounted in it.
const ALL_SLIDES = ["pk", "cohort-a", "cohort-b", "funnel", "trend", "podium", "targets"];
const LINK = link.isLink();
let SLIDES = ALL_SLIDES;
let branchWall = ""; // a branch's wall link: the branch's name
const app = document.getElementById("app");
const loginBar = document.getElementById("wall-login-bar");
let live = null;
let day = todayKey();
let clock = null, rotation = null;
let bank = "";
let shown = 0;

const $ = (sel) => app.querySelector(sel);
const hasAny = (r) => r && (r.visits || r.bookings || r.arrived || r.completed);
// The wall's data: the session's boards, or a wall link's own endpoints.
const get = (url) => (LINK ? link.get(url) : call(url));
const slideTitle = (name) => t({ pk: "wall.pk", "cohort-a": "wall.cohorts", "cohort-b": "wall.cohorts",
  funnel: branchWall ? "wall.funnel.employee" : "wall.funnel",
  trend: "wall.trend", podium: "wall.yesterday", targets: "tg.title" }[name]);

function layout() {
  mount(app, html`
    <div class="wall-grid" data-testid="wall">
      <header class="wall-head">
        <h1><span class="wall-bank">${bank}</span>${branchWall ? html` <span class="wall-bank" data-testid="wall-branch">${branchWall}</span>` : ""} ${t(PERIOD === "today" ? "wall.heading" : "wall.heading." + PERIOD)}</h1>
        <p class="wall-clock"><time id="clock" data-testid="clock"></time>
          <span class="wall-live" id="live-state" data-testid="live-state"></span></p>
      </header>
      <section class="wall-panel wall-people" aria-labelledby="w-emp">
        <div class="wall-title"><h2 id="w-emp">${t("wall.score")} · ${t("period." + PERIOD)}</h2></div>
        <div id="w-emp-body" class="wall-body"></div>
      </section>
      <section class="wall-panel wall-stage" aria-labelledby="w-stage" data-testid="wall-stage" data-active="${SLIDES[0]}">
        <div class="wall-title"><h2 id="w-stage" aria-live="off">${slideTitle(SLIDES[0])}</h2>
          <ol class="wall-dots" aria-label="${t("wall.panels")}">${SLIDES.map((s, i) => html`<li data-dot="${s}" aria-current="${i === 0}"><span class="sr-only">${slideTitle(s)}</span></li>`)}</ol></div>
        ${SLIDES.map((s, i) => html`<div class="wall-slide wall-body" data-panel="${s}" data-testid="slide-${s}" ${i ? "hidden" : ""}></div>`)}
      </section>
    </div>`);
  tick();
}

// The next panel that has something in it; nothing moves while a pointer rests on the stage.
function rotate() {
  const stage = $(".wall-stage");
  if (!stage || stage.matches(":hover")) return;
  const slides = [...stage.querySelectorAll(".wall-slide")];
  for (let step = 1; step <= slides.length; step += 1) {
    const i = (shown + step) % slides.length;
    if (!slides[i].childElementCount) continue;
    shown = i;
    slides.forEach((el, j) => { el.hidden = j !== i; });
    stage.dataset.active = slides[i].dataset.panel;
    $("#w-stage").textContent = slideTitle(slides[i].dataset.panel);
    stage.querySelectorAll("[data-dot]").forEach((d) => d.setAttribute("aria-current", String(d.dataset.dot === slides[i].dataset.panel)));
    return;
  }
}

function problem(where, err) {
  if (LINK && link.ended(err)) { linkEnded(err); return; }
  const box = $(where);
  if (box && !box.childElementCount) mount(box, html`<p class="wall-note">${err.message}</p>`);
}

// A TV shows whole rows only: those that do not fit the panel's height are left out.
function fit() {
  const wrap = $("#w-emp-body .table-wrap");
  const rows = wrap ? [...wrap.querySelectorAll("tbody tr")] : [];
  while (rows.length > 3 && wrap.scrollHeight > wrap.clientHeight + 1) rows.pop().remove();
}

async function part(where, url, draw) {
  try {
    const data = await get(url);
    const box = $(where);
    if (box) mount(box, draw(data));
  } catch (err) {
    problem(where, err);
  }
}

const cohort = (boards) => html`${boards.map(([level, b]) => html`<h3>${t("level." + level)}</h3>${b.rows.length
  ? scoreTable(b, b.rows.slice(0, COHORT_TOP), { caption: t("level." + level), sub: (r) => r.branch, prefix: `wall-${level}`, testid: `cohort-${level}` })
  : html`<p class="empty">${t("board.cohort.none")}</p>`}`)}`;

async function loadCohorts() {
  try {
    const boards = await Promise.all(LEVELS.map(async (level) => [level, await get(`/api/boards/employees?period=${PERIOD}&level=${level}&top=${COHORT_TOP}`)]));
    if (!$("#w-emp-body")) return;
    mount($('[data-panel="cohort-a"]'), cohort(boards.slice(0, 2)));
    mount($('[data-panel="cohort-b"]'), cohort(boards.slice(2)));
  } catch (err) {
    problem('[data-panel="cohort-a"]', err);
  }
}

function loadToday() {
  return Promise.all([
    part("#w-emp-body", `/api/boards/employees?period=${PERIOD}&top=${TOP}`, (b) => html`${formula(b, { tie: false })}
      ${scoreTable(b, b.rows.slice(0, TOP), { caption: t("wall.score"), sub: (r) => r.branch, prefix: "wall-emp" })}`).then(fit),
    branchWall ? null : part('[data-panel="pk"]', `/api/boards/branches?period=${PERIOD}&per_capita=1`, (b) => pk(b, { table: false })),
    part('[data-panel="funnel"]', `/api/boards/funnel/${branchWall ? "employee" : "branch"}?period=${PERIOD}`, (f) => funnels(f, { rows: 6, total: false, testid: "wall-funnel" })),
    part('[data-panel="trend"]', `/api/boards/trend?${new URLSearchParams({ ...trendPeriod(PERIOD), by: "all" })}`, (d) => trend(d, { table: false })),
    loadCohorts(),
    // Progress to target joins the rotation only when head office has set targets.
    get(`/api/boards/targets?period=${PERIOD === "week" ? "week" : "month"}`).then((data) => {
      const box = $('[data-panel="targets"]');
      if (box && data.items.length) targetsPanel(box, data);
    }, (err) => problem('[data-panel="targets"]', err)),
  ]);
}

async function loadYesterday() {
  try {
    const { rows } = await get("/api/boards/employees?period=yesterday&top=3");
    const box = $('[data-panel="podium"]');
    if (!box) return;
    const top = rows.slice(0, 3).filter(hasAny);
    mount(box, top.length ? podium(top, {
      name: (r) => r.name, sub: (r) => r.branch, label: t("wall.yesterday"),
      place: (n) => t("wall.place", { n }),
      value: (r) => t("wall.podium.value", { score: r.score, completed: r.completed, bookings: r.bookings }),
    }) : html`<p class="wall-note" data-testid="podium-empty">${t("wall.yesterday.none")}</p>`);
  } catch (err) {
    problem('[data-panel="podium"]', err);
  }
}

const refresh = debounce(loadToday, 300);

// A quiet clock (minutes, Asia/Shanghai); at midnight "today" becomes "yesterday".
function tick() {
  const el = $("#clock");
  if (el) el.textContent = dateTime(new Date().toISOString());
  if (todayKey() !== day) {
    day = todayKey();
    loadToday();
    loadYesterday();
  }
}

function liveState(s) {
  document.body.dataset.live = s;
  const el = $("#live-state");
  if (el) el.textContent = t("live." + s);
}

async function enter() {
  loginBar.hidden = true;
  document.body.classList.add("on");
  if (!LINK) {
    try {
      bank = (await cached(`/api/shops/${encodeURIComponent(current().shop_code)}`)).bank;
    } catch { bank = ""; }
  }
  layout();
  liveState("connecting");
  loadToday();
  loadYesterday();
  clearInterval(clock);
  clock = setInterval(tick, 10000);
  clearInterval(rotation);
  shown = 0;
  rotation = setInterval(rotate, ROTATE_MS);
  if (live) live.stop();
  live = connect(() => refresh(), LINK ? { url: link.streamUrl, onState: liveState, onRefused: linkStillOn }
    : { onState: liveState, onRefused: stillIn });
}

function stop() {
  if (live) live.stop();
  live = null;
  clearInterval(clock);
  clearInterval(rotation);
  delete document.body.dataset.live;
}

// The link was withdrawn (or never was): say so, with whom to ask, and stop asking the server.
function linkEnded(err) {
  stop();
  document.body.classList.remove("on");
  loginBar.hidden = false;
  link.endedPage(app, err);
}

// The stream was refused: the link may be withdrawn, or its stream ticket old (info() renews it).
async function linkStillOn() {
  try {
    await link.info();
  } catch (err) {
    if (link.ended(err)) linkEnded(err);
  }
}

// What the link shows (the bank, or one branch without the branch PK), then the wall.
async function linkStart() {
  try {
    const shows = await link.info();
    bank = shows.bank;
    branchWall = shows.scope === "branch" ? shows.branch : "";
    SLIDES = branchWall ? ALL_SLIDES.filter((s) => s !== "pk") : ALL_SLIDES;
    enter();
  } catch (err) {
    if (link.ended(err)) linkEnded(err);
    else {
      mount(app, html`<p class="notice error">${err.message}</p>`);
      setTimeout(linkStart, 10000);
    }
  }
}

async function stillIn() {
  try {
    if (!(await whoami())) signedOut(t("login.expired"));
  } catch { /* offline: the stream retries */ }
}

function signedOut(notice = "") {
  stop();
  document.body.classList.remove("on");
  loginBar.hidden = false;
  loginForm(app, enter, notice || t("wall.login"));
  if (notice) announce(notice);
}

async function start() {
  try {
    if (await whoami()) enter();
    else signedOut();
  } catch {
    mount(app, html`<p class="notice error">${t("err.network")}</p>`);
    setTimeout(start, 10000);
  }
}

if (LINK) {
  addEventListener("hashchange", () => location.reload()); // another link pasted in: start over with it
  strings().then(() => {
    toolbar(() => linkStart());
    linkStart();
  });
} else {
  whenSignedOut(signedOut);
  strings().then(() => {
    toolbar(() => (current() ? enter() : signedOut()));
    start();
  });
}
