// The live wall at /wall, for a branch TV: today's top employees and branch against branch
// (SVG bars), yesterday's podium and a quiet clock, readable across a room and kept current
// by the live stream. It needs a logged-in session: the login form comes first.
import "./prefs.js"; // first: language before anything is drawn
import { html, mount } from "./html.js";
import { t } from "./i18n.js";
import { dateTime, todayKey } from "./format.js";
import { connect, debounce } from "./live.js";
import { barList, legend, podium } from "./chart.js";
import { strings, toolbar, announce } from "./staff/ui.js";
import { call, cached, current, whoami, loginForm, whenSignedOut } from "./staff/session.js";
import { series } from "./staff/board.js";

const TOP = 8; // employees on screen: what fits at 1280×720 without scrolling
const BRANCHES = 6;
const app = document.getElementById("app");
const loginBar = document.getElementById("wall-login-bar");
let live = null;
let day = todayKey();
let clock = null;
let bank = "";

const $ = (sel) => app.querySelector(sel);
const hasAny = (r) => r && (r.visits || r.bookings || r.arrived || r.completed);

function layout() {
  mount(app, html`
    <div class="wall-grid" data-testid="wall">
      <header class="wall-head">
        <h1><span class="wall-bank">${bank}</span> ${t("wall.heading")}</h1>
        <p class="wall-clock"><time id="clock" data-testid="clock"></time>
          <span class="wall-live" id="live-state" data-testid="live-state"></span></p>
      </header>
      <section class="wall-panel wall-people" aria-labelledby="w-emp">
        <div class="wall-title"><h2 id="w-emp">${t("wall.employees")}</h2>${legend(series())}</div>
        <div id="w-emp-body" class="wall-body"></div>
      </section>
      <section class="wall-panel wall-branches" aria-labelledby="w-br">
        <div class="wall-title"><h2 id="w-br">${t("wall.branches")}</h2></div>
        <div id="w-br-body" class="wall-body"></div>
      </section>
      <section class="wall-panel wall-podium" aria-labelledby="w-pod">
        <div class="wall-title"><h2 id="w-pod">${t("wall.yesterday")}</h2></div>
        <div id="w-pod-body" class="wall-body"></div>
      </section>
    </div>`);
  tick();
}

function problem(where, err) {
  const box = $(where);
  if (box && !box.querySelector(".bars, .podium")) mount(box, html`<p class="wall-note">${err.message}</p>`);
}

async function loadToday() {
  try {
    const [people, branches] = await Promise.all([
      call(`/api/boards/employees?period=today&top=${TOP}`), call(`/api/boards/branches?period=today&top=${BRANCHES}`)]);
    if (!$("#w-emp-body")) return;
    const s = series();
    mount($("#w-emp-body"), barList(people.rows.slice(0, TOP), { series: s, name: (r) => r.name, sub: (r) => r.branch,
      label: t("wall.employees"), prefix: "wall-emp" }));
    mount($("#w-br-body"), barList(branches.rows.slice(0, BRANCHES), { series: s, name: (r) => r.name,
      label: t("wall.branches"), prefix: "wall-branch", inline: true }));
  } catch (err) {
    problem("#w-emp-body", err);
  }
}

async function loadYesterday() {
  try {
    const { rows } = await call("/api/boards/employees?period=yesterday&top=3");
    const box = $("#w-pod-body");
    if (!box) return;
    const top = rows.slice(0, 3).filter(hasAny);
    mount(box, top.length ? podium(top, {
      name: (r) => r.name, sub: (r) => r.branch, label: t("wall.yesterday"),
      place: (n) => t("wall.place", { n }),
      value: (r) => t("wall.podium.value", { completed: r.completed, bookings: r.bookings }),
    }) : html`<p class="wall-note" data-testid="podium-empty">${t("wall.yesterday.none")}</p>`);
  } catch (err) {
    problem("#w-pod-body", err);
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
  try {
    bank = (await cached(`/api/shops/${encodeURIComponent(current().shop_code)}`)).bank;
  } catch { bank = ""; }
  layout();
  liveState("connecting");
  loadToday();
  loadYesterday();
  clearInterval(clock);
  clock = setInterval(tick, 10000);
  if (live) live.stop();
  live = connect(() => refresh(), { onState: liveState, onRefused: stillIn });
}

async function stillIn() {
  try {
    if (!(await whoami())) signedOut(t("login.expired"));
  } catch { /* offline: the stream retries */ }
}

function signedOut(notice = "") {
  if (live) live.stop();
  live = null;
  clearInterval(clock);
  delete document.body.dataset.live;
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

whenSignedOut(signedOut);
strings().then(() => {
  toolbar(() => (current() ? enter() : signedOut()));
  start();
});
