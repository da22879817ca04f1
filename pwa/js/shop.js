// The customer shop at /s/<code>[?c=<channel>]: views chosen by the URL fragment
// ("" home, "p/<product>", "book[/<product>]", "done/<reference>").
import "./prefs.js"; // first: large text and language before anything is drawn
import { html, mount } from "./html.js";
import { t, ready } from "./i18n.js";
import { api, deviceId } from "./api.js";
import { events } from "./bookings.js";
import { boot, announce, showCached } from "./app.js";
import { loadNotice } from "./notice.js";
import * as home from "./views/home.js";
import * as product from "./views/product.js";
import * as book from "./views/book.js";
import * as done from "./views/done.js";

const VIEWS = { "": home, p: product, book, done };
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
  await book.prefill(entry);
  go("book");
}

function route(changed) {
  if (!ctx.shop) return;
  const [name, ...rest] = location.hash.replace(/^#/, "").split("/");
  const view = VIEWS[name] || home;
  if (changed && app.dataset.view === "") homeScroll = scrollY;
  app.dataset.view = name in VIEWS ? name : "";
  view.render(app, { ...ctx, arg: decodeURIComponent(rest.join("/")) });
  if (view === home && changed) {
    scrollTo(0, homeScroll);
    const h = app.querySelector("h1");
    if (h) { h.tabIndex = -1; h.focus({ preventScroll: true }); }
  }
}

function failed(err) {
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
function countVisit() {
  if (navigator.onLine === false) return;
  fetch(`/api/shops/${encodeURIComponent(code)}/visits`, {
    method: "POST", keepalive: true, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Device-Id": deviceId() },
    body: JSON.stringify({ channel }),
  }).catch(() => {});
}

const fetchShop = () => {
  const meta = {};
  return api(`/api/shops/${encodeURIComponent(code)}`, { meta }).then((shop) => ({ shop, cached: meta.cached }));
};

function chrome() {
  document.getElementById("brand").textContent = ctx.shop.bank;
  document.getElementById("foot").textContent = `${ctx.shop.bank} · ${t("hotline")} ${ctx.shop.hotline}`;
}

async function start(request = fetchShop()) {
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
  if (!answer.cached) countVisit();
  route(false);
  loadNotice().catch(() => {}); // read (and saved for offline) before the customer opens the form
}

// Outbox bookings answered while the form is not waiting on them (e.g. sent on page load).
events.addEventListener("sent", (e) => {
  if (e.detail.handled) return;
  const { entry, booking } = e.detail;
  announce(t("done.title") + " " + booking.reference);
  if (entry.code === code && !(app.dataset.view === "book" && book.busy())) go("done/" + encodeURIComponent(booking.reference));
});
events.addEventListener("failed", (e) => {
  if (!e.detail.handled && !(app.dataset.view === "book" && book.busy())) route(false);
});

addEventListener("hashchange", () => { moved = true; route(true); });
app.addEventListener("click", (e) => {
  if (!e.target.closest(".back")) return;
  if (moved) history.back();
  else go("");
});
const first = fetchShop(); // in flight while the dictionary loads
first.catch(() => {}); // handled by start()
ready().then(() => {
  boot(() => {
    if (!ctx.shop) return start();
    chrome();
    route(false);
  });
  start(first);
});
