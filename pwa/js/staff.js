// The staff app at /staff: log in, then my shop kit (with my channel codes), the bookings inbox (live), booking on
// behalf of a customer, my hours, and the boards (看板, everyone). Views follow the URL fragment
// and export render(root, ctx), and changed(msg) when live changes concern them.
import "./prefs.js"; // first: large text and language before anything is drawn
import { html, mount } from "./html.js";
import { t } from "./i18n.js";
import { connect } from "./live.js";
import { strings, toolbar, announce } from "./staff/ui.js";
import { current, whoami, loginForm, logout, whenSignedOut, isManager } from "./staff/session.js";
import { arrivedBanner, ring } from "./staff/alert.js";
import * as shop from "./staff/shop.js";
import * as poster from "./staff/poster.js";
import * as channels from "./staff/channels.js";
import * as inbox from "./staff/inbox.js";
import * as book from "./staff/book.js";
import * as hours from "./staff/hours.js";
import * as board from "./staff/board.js";
import * as admin from "./staff/admin-index.js";

const VIEWS = { shop, poster, channels, inbox, book, time: hours, board, away: admin.awayTab, admin };
const TABS = ["shop", "inbox", "book", "time", "board", "away", "admin"];
const app = document.getElementById("app");
const tabs = document.getElementById("tabs");
const logoutButton = document.getElementById("logout");
let view = null;
let live = null;
let unseen = 0; // new bookings of mine that arrived while the inbox was not shown

const allowed = (name) => name in VIEWS
  && (!VIEWS[name].visible || VIEWS[name].visible(current()));
const ctx = { go: (hash) => { location.hash = hash; } };

function drawTabs(name) {
  const tab = name === "poster" || name === "channels" ? "shop" : name;
  mount(tabs, html`<ul>${TABS.filter(allowed).map((n) => html`
    <li><a href="#${n}" data-testid="tab-${n}" ${n === tab ? html`aria-current="page"` : ""}>${t("tab." + n)}${
      n === "inbox" && unseen ? html` <span class="count" data-testid="unseen">${unseen}<span class="sr-only">${t("inbox.unseen")}</span></span>` : ""}</a></li>`)}</ul>`);
}

function route() {
  if (!current()) return;
  let [name, sub = ""] = location.hash.replace(/^#/, "").split("/"); // #admin/roster: a section
  if (!allowed(name)) name = "shop";
  if (view && view !== VIEWS[name] && view.leave) view.leave();
  if (view !== VIEWS[name]) scrollTo(0, 0); // a new view starts at its top
  view = VIEWS[name];
  if (name === "inbox") unseen = 0;
  app.dataset.view = name;
  drawTabs(name);
  view.render(app, { ...ctx, me: current(), sub });
}

function changed(msg) {
  const me = current();
  if (!me) return;
  if (msg && msg.type === "booking" && msg.employee_id === me.id) {
    ring();
    if (view !== inbox) {
      unseen += 1;
      drawTabs(app.dataset.view);
      announce(t("inbox.arrived"));
    }
  }
  if (msg && msg.type === "checkin" && (msg.employee_id === me.id
      || (isManager() && (me.role === "admin" || msg.branch_id === me.branch_id)))) {
    arrivedBanner(t("ci.arrived"));
  }
  if (view && view.changed) view.changed(msg);
}

async function stillIn() { // the stream was refused: has the session ended?
  try {
    if (!(await whoami())) signedOut(t("login.expired"));
  } catch { /* offline: the stream retries */ }
}

function enter() {
  tabs.hidden = false;
  logoutButton.hidden = false;
  if (live) live.stop();
  live = connect(changed, { onState: (s) => { document.body.dataset.live = s; }, onRefused: stillIn });
  route();
  const h = app.querySelector("h1");
  if (h) { h.tabIndex = -1; h.focus(); }
}

function signedOut(notice = "") {
  if (live) live.stop();
  live = null;
  if (view && view.leave) view.leave();
  Object.values(VIEWS).forEach((v) => v.reset && v.reset()); // nothing of the last session stays
  view = null;
  unseen = 0;
  delete document.body.dataset.live;
  tabs.hidden = true;
  logoutButton.hidden = true;
  mount(tabs, "");
  app.dataset.view = "login";
  loginForm(app, enter, notice);
  if (notice) announce(notice);
}

function failed() {
  mount(app, html`<section class="view"><h1>${t("staff.title")}</h1>
    <p class="notice error">${t("err.network")}</p>
    <button type="button" class="btn" data-testid="retry">${t("retry")}</button></section>`);
  app.querySelector("[data-testid=retry]").onclick = start;
}

async function start() {
  app.setAttribute("aria-busy", "true");
  try {
    if (await whoami()) enter();
    else signedOut();
  } catch {
    failed();
  } finally {
    app.removeAttribute("aria-busy");
  }
}

whenSignedOut(signedOut);
logoutButton.addEventListener("click", async () => {
  logoutButton.disabled = true;
  await logout();
  logoutButton.disabled = false;
  history.replaceState(null, "", location.pathname);
  signedOut(t("logout.done"));
});
addEventListener("hashchange", route);
strings().then(() => {
  toolbar(() => (current() ? route() : signedOut()));
  start();
});
