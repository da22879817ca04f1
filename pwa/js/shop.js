// The customer shop at /s/<code>[?c=<channel>]: views chosen by the URL fragment
// ("" home, "p/<product>", "book[/<product>]", "done/<reference>").
import "./prefs.js"; // first: large text and language before anything is drawn
import { html, mount } from "./html.js";
import { t, ready } from "./i18n.js";
import { boot, announce, showCached } from "./app.js";
import * as home from "./views/home.js";

// Only the home view is needed to draw the shop: on a slow link every module is a round trip
// (six at a time over HTTP/1.1), so the other views, the API client (api.js) and the outbox
// (bookings.js) load after (see later()).
const VIEWS = { "": async () => home, p: () => import("./views/product.js"),
  book: () => import("./views/book.js"), done: () => import("./views/done.js") };
// views/book.js and every file it imports that the card did not: six, one round of files.
const FORM = ["views/book.js", "api.js", "bookings.js", "format.js", "notice.js", "views/slots.js"];
const LATER = ["views/summary.js", "views/outbox.js", "views/done.js", "install.js", "views/product.js"];
let book = null; // views/book.js once loaded
const app = document.getElementById("app");
const code = document.body.dataset.code || location.pathname.split("/")[2] || "";
const channel = new URLSearchParams(location.search).get("c") || "";
const ctx = { code, channel, shop: null, go, edit };
let homeScroll = 0;
let moved = false; // has the customer moved between views on this page yet?

function go(hash) {
  if (("#" + hash) === (location.hash || "#")) route(true);
  else location.hash = hash;
}

// A refused outbox booking: open the form again, filled in, with the server's messages.
async function edit(entry) {
  await (await VIEWS.book()).prefill(entry);
  go("book");
}

let routing = 0; // the latest route() call: an older one whose module arrives late draws nothing
async function route(changed) {
  if (!ctx.shop) return;
  const [name, ...rest] = location.hash.replace(/^#/, "").split("/");
  const key = Object.prototype.hasOwnProperty.call(VIEWS, name) ? name : "";
  const turn = ++routing;
  let view;
  try {
    view = await VIEWS[key]();
  } catch {
    return turn === routing && failed({ status: 0 }); // offline before that view was saved
  }
  if (turn !== routing) return;
  if (key === "book") book = view;
  if (changed && app.dataset.view === "") homeScroll = scrollY;
  app.dataset.view = key;
  view.render(app, { ...ctx, arg: decodeURIComponent(rest.join("/")) });
  if (view === home && changed) {
    scrollTo(0, homeScroll);
    const h = app.querySelector("h1");
    if (h) { h.tabIndex = -1; h.focus({ preventScroll: true }); }
  }
}

async function failed(err) {
  if (err.status === 404) { // where to go instead: the hotline, the branches, the shop meant
    try {
      (await import("./deadend.js")).render(app, err.body);
      return announce(t("err.shop"));
    } catch {
      // the page could not load it: the plain message below
    }
  }
  const message = err.status === 404 ? t("err.shop") : err.status === 0 ? t("offline.none") : t("err.server");
  mount(app, html`
    <section class="view" data-testid="shop-error">
      <h1>${t("app")}</h1>
      <p class="notice error">${message}</p>
      ${err.status === 404 ? "" : html`<button type="button" class="btn" data-testid="retry">${t("retry")}</button>`}
    </section>`);
  const retry = app.querySelector("[data-testid=retry]");
  if (retry) retry.onclick = () => start();
  announce(message);
}

// One visit per page load, when online, with this phone's random device id (api.js): the
// server counts a phone once a day per shop.
async function countVisit() {
  if (navigator.onLine === false) return;
  const { deviceId } = await import("./api.js");
  fetch(`/api/shops/${encodeURIComponent(code)}/visits`, {
    method: "POST", keepalive: true, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Device-Id": deviceId() },
    body: JSON.stringify({ channel }),
  }).catch(() => {});
}

const fetchShop = async () => {
  const { api } = await import("./api.js").catch(() => { throw Object.assign(new Error("offline"), { status: 0 }); });
  const meta = {};
  const shop = await api(`/api/shops/${encodeURIComponent(code)}`, { meta });
  return { shop, cached: meta.cached };
};

// The page carries the shop's data (server/pages.py): the card is drawn without another round
// trip. A page the service worker answered from its saved copy (data-sw-cache) is drawn at once,
// then refreshed from the network.
function fromPage() {
  const data = document.getElementById("shop-data");
  try {
    return data && data.textContent.trim() ? JSON.parse(data.textContent) : null;
  } catch {
    return null;
  }
}

async function refresh() {
  try {
    const { shop, cached } = await fetchShop();
    showCached(cached);
    if (!cached) countVisit().catch(() => {});
    if (JSON.stringify(shop) === JSON.stringify(ctx.shop)) return;
    ctx.shop = shop;
    chrome();
    if (app.dataset.view === "") route(false); // never redraw a form being filled in
  } catch {
    showCached(true);
  }
}

function chrome() {
  document.getElementById("brand").textContent = ctx.shop.bank;
  document.getElementById("foot").textContent = `${ctx.shop.bank} · ${t("hotline")} ${ctx.shop.hotline}`;
}

async function start(request = fetchShop(), saved = false) {
  app.setAttribute("aria-busy", "true");
  let answer;
  try {
    answer = await request;
  } catch (err) {
    return failed(err);
  } finally {
    app.removeAttribute("aria-busy");
  }
  ctx.shop = answer.shop;
  ctx.channel = channel || ctx.shop.channel || "";
  chrome();
  showCached(answer.cached);
  if (saved) refresh();
  else if (!answer.cached) countVisit().catch(() => {});
  route(false).then(() => setTimeout(later, 50)); // after the shop is drawn, not competing with it
}

const preload = (paths, fetchPriority = "auto") => paths.forEach((path) => document.head.append(
  Object.assign(document.createElement("link"), { rel: "modulepreload", href: `/static/js/${path}`, fetchPriority })));

// The booking form's files, all at once (each a round trip), and the notice read (and saved for
// offline) before the customer opens the form. Asked for as soon as this module runs when the
// page carried the shop: every file the card needs is in by then, and these round trips pass
// while the phone draws it. Else once the shop is drawn.
let formAsked = false;
function form() {
  if (formAsked) return;
  formAsked = true;
  preload(FORM);
  import("./notice.js").then((m) => m.loadNotice()).catch(() => {});
}

// The other views, once the shop is drawn and before they are needed; behind the form's own
// requests (the notice, the free times) when they wait for a connection.
function later() {
  form();
  preload(LATER, "low");
}

// Outbox bookings answered while the form is not waiting on them (e.g. sent on page load). Asked
// for before app.js's first flush() asks for the same module, so these listen before it sends.
import("./bookings.js").then(({ events }) => {
  events.addEventListener("sent", (e) => {
    if (e.detail.handled) return;
    const { entry, booking } = e.detail;
    announce(t("done.title") + " " + booking.reference);
    if (entry.code === code && !(app.dataset.view === "book" && book && book.busy())) go("done/" + encodeURIComponent(booking.reference));
  });
  events.addEventListener("failed", (e) => {
    if (!e.detail.handled && !(app.dataset.view === "book" && book && book.busy())) route(false);
  });
}, () => {}); // offline and never saved: nothing in the outbox to hear from

addEventListener("hashchange", () => { moved = true; route(true); });
app.addEventListener("click", (e) => {
  if (!e.target.closest(".back")) return;
  if (moved) history.back();
  else go("");
});
const embedded = fromPage();
if (embedded) form();
const saved = !!embedded && document.body.dataset.swCache === "1";
const first = embedded ? Promise.resolve({ shop: embedded, cached: false }) : fetchShop(); // in flight while the dictionary loads
first.catch(() => {}); // handled by start()
ready().then(() => {
  boot(() => {
    if (!ctx.shop) return start();
    chrome();
    route(false);
  });
  start(first, saved);
});
