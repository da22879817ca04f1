// The customer's private booking page at /b/#<token>: see it, cancel it, move it.
// The token lives in the fragment, so it never reaches a server log; it is sent as a header.
import "./prefs.js"; // first: large text and language before anything is drawn
import { html, mount } from "./html.js";
import { t, add, ready } from "./i18n.js";
import { api } from "./api.js";
import { forget, remember, remembered } from "./bookings.js";
import { boot, announce, showCached } from "./app.js";
import { dateTime } from "./format.js";
import { slotPicker, groupByDay } from "./views/slots.js";
import { tel } from "./views/card.js";
import { summary } from "./views/summary.js";
import { remindBlock } from "./views/remind.js";

add({
  "status.title": "我的预约", "status.missing": "链接不完整，请打开预约成功时保存的完整链接。", "status.gone": "预约链接无效或已过期。",
  "status.label": "状态", "cancel": "取消预约", "cancel.ask": "确定要取消这个预约吗？",
  "cancel.yes": "确定取消", "cancel.no": "不取消", "cancel.done": "预约已取消。", "reschedule": "改约时间",
  "reschedule.submit": "确认改到这个时间", "reschedule.done": "已改约到 {time}。", "reschedule.pick": "请先选择新的时间。",
  "status.fixed": "这个预约已不能在线修改，如需帮助请致电客户经理。",
  "ci.code": "到店核验码", "ci.code.help": "到店后请把这个号码（或二维码）出示给工作人员，也可以用手机扫描网点柜台上的签到码。",
  "ci.qr": "核验码二维码", "ci.verified": "已核验到店，谢谢！",
}, {
  "status.title": "My booking",
  "status.missing": "This link is incomplete. Please open the full link you saved when you booked.",
  "status.gone": "This booking link is not valid or has expired.", "status.label": "Status",
  "cancel": "Cancel booking", "cancel.ask": "Cancel this booking?", "cancel.yes": "Yes, cancel it",
  "cancel.no": "Keep it", "cancel.done": "Your booking is cancelled.", "reschedule": "Change time",
  "reschedule.submit": "Move to this time", "reschedule.done": "Moved to {time}.",
  "reschedule.pick": "Please choose a new time first.",
  "status.fixed": "This booking can no longer be changed online; please call your manager.",
  "ci.code": "Check-in code", "ci.code.help": "When you arrive, show this number (or the QR) to the staff, or scan the check-in code at the branch counter with this phone.",
  "ci.qr": "Check-in code as a QR", "ci.verified": "Your arrival is confirmed. Thank you!",
});

const app = document.getElementById("app");
const token = () => decodeURIComponent(location.hash.replace(/^#/, ""));
const call = (path, opts = {}) => api(path, { ...opts, headers: { "X-Booking-Token": token() } });
let booking = null;
let mode = "view"; // view | confirm-cancel | reschedule
let picking = null; // slot picker state while rescheduling
let message = ""; // last error shown under the actions
let sending = false; // one cancel or move at a time
let confirmed = ""; // what the last change did, shown until the next action

function details(b) {
  return html`
    ${confirmed ? html`<p class="notice ok" role="status" tabindex="-1" data-testid="status-confirmed">${confirmed}</p>` : ""}
    <p class="badge st-${b.status}" data-testid="status-badge">${t("status.label")}：${t("st." + b.status)}</p>
    <p class="ref">${t("done.ref")} <strong data-testid="reference">${b.reference}</strong></p>
    ${checkin(b)}
    ${summary(b)}
    ${b.status === "cancelled" ? "" : html`<p class="muted" data-testid="why">${t("next.why", { name: b.manager, why: t("why." + (b.reason || "new_customer")) })}</p>`}`;
}

// After a cancel (or when nothing can be changed any more): a way on, never a dead end.
function wayOn(b) {
  const mine = remembered().find((x) => x.reference === b.reference);
  const shop = b.shop_url || (mine && mine.code ? `/s/${encodeURIComponent(mine.code)}` : "");
  return html`<div class="way-on" data-testid="way-on">
    ${shop ? html`<a class="btn primary" href="${shop}#book" data-testid="book-again">${t("again")}</a>
      <a class="btn" href="${shop}" data-testid="open-shop">${t("open.shop")}</a>` : ""}
    <a class="btn" href="${tel(b.hotline)}" data-testid="call-hotline">${t("call.hotline", { hotline: b.hotline })}</a></div>`;
}

// On the appointment's day: the code staff type or scan (核验到店), big, and as a QR.
function checkin(b) {
  if (b.verified) return html`<p class="notice ok" data-testid="checkin-verified">${t("ci.verified")}</p>`;
  if (!b.checkin_code) return "";
  return html`
    <div class="checkin" data-testid="checkin">
      <h2>${t("ci.code")}</h2>
      <p class="checkin-code" data-testid="checkin-code" aria-label="${t("ci.code")} ${b.checkin_code.split("").join(" ")}">${b.checkin_code}</p>
      ${b.checkin_qr && b.checkin_qr.startsWith("data:image/png;base64,")
        ? html`<img class="checkin-qr" src="${b.checkin_qr}" alt="${t("ci.qr")}" width="160" height="160" data-testid="checkin-qr">` : ""}
      <p class="muted">${t("ci.code.help")}</p>
    </div>`;
}

// Withdrawing consent: this booking (the link reaches it alone), or everything held for the
// number, which only its proven holder may do.
let proven = null; // {phone, proof} once the number is confirmed by a code

function erasing() {
  if (mode === "confirm-erase") return html`
    <div class="confirm" role="group" aria-labelledby="ask-erase"><p id="ask-erase">${t("erase.ask")}</p>
      <button type="button" class="btn danger" data-act="erase-yes" data-testid="erase-confirm">${t("erase.yes")}</button>
      <button type="button" class="btn" data-act="view">${t("cancel.no")}</button></div>`;
  if (mode === "erase-all") return html`
    <div class="confirm" role="group" aria-labelledby="ask-all"><p id="ask-all" tabindex="-1">${proven ? t("erase.all.ask") : t("erase.all.intro")}</p>
      ${proven ? html`<button type="button" class="btn danger" data-act="erase-all-yes" data-testid="erase-all-confirm">${t("erase.yes")}</button>`
        : html`<div id="prove-slot"></div>`}
      <button type="button" class="btn" data-act="view">${t("cancel.no")}</button></div>`;
  return html`<div class="erase">
    <button type="button" class="btn quiet" data-act="confirm-erase" data-testid="erase-button">${t("erase")}</button>
    <button type="button" class="btn quiet" data-act="erase-all" data-testid="erase-all-button">${t("erase.all")}</button></div>`;
}

function actions(b) {
  if (mode === "confirm-cancel") return html`
    <div class="confirm" role="group" aria-labelledby="ask"><p id="ask">${t("cancel.ask")}</p>
      <button type="button" class="btn danger" data-act="cancel-yes" data-testid="cancel-confirm">${t("cancel.yes")}</button>
      <button type="button" class="btn" data-act="view" data-testid="cancel-keep">${t("cancel.no")}</button></div>`;
  if (mode === "reschedule") return html`
    <h2>${t("reschedule")}</h2><div id="picker"></div>
    <button type="button" class="btn primary" data-act="move" data-testid="reschedule-submit">${t("reschedule.submit")}</button>
    <button type="button" class="btn" data-act="view" data-testid="reschedule-back">${t("back")}</button>`;
  if (!b.can_cancel) return b.status === "cancelled" ? wayOn(b) : html`<p class="muted">${t("status.fixed")}</p>${wayOn(b)}`;
  return html`
    <div class="actions">
      <button type="button" class="btn" data-act="reschedule" data-testid="reschedule-button">${t("reschedule")}</button>
      <button type="button" class="btn danger" data-act="confirm-cancel" data-testid="cancel-button">${t("cancel")}</button>
    </div>`;
}

// The bank's name and hotline around the page, once the booking says which bank.
function chrome(b) {
  document.getElementById("brand").textContent = b.bank;
  const foot = document.getElementById("foot");
  mount(foot, html`${b.bank} · <a href="${tel(b.hotline)}">${t("hotline")} ${b.hotline}</a>`);
  document.title = `${t("status.title")} · ${b.bank}`;
}

function draw(focusSel) {
  chrome(booking);
  mount(app, html`
    <section class="view" data-testid="status-view">
      <h1 tabindex="-1">${t("status.title")}</h1>
      ${details(booking)}
      <div id="acts">${actions(booking)}</div>
      ${erasing()}
      <p class="err" data-testid="error-form">${message}</p>
    </section>`);
  if (mode === "reschedule") slotPicker(app.querySelector("#picker"), picking);
  if (mode === "view") remindBlock(app.querySelector("#acts"), booking, token());
  const slot = app.querySelector("#prove-slot");
  if (slot) import("./prove.js").then((m) => m.proveWidget(slot, { onProven: (phone, proof) => { proven = { phone, proof }; draw("[data-testid=erase-all-confirm]"); } }),
    () => { message = t("err.network"); draw(); });
  const el = focusSel && app.querySelector(focusSel);
  if (el) el.focus();
}

function problem(err, text) {
  const body = err.body || {};
  mount(app, html`
    <section class="view" data-testid="status-view">
      <h1>${t("status.title")}</h1>
      <p class="notice error" data-testid="status-error">${text || body.message || err.message}</p>
      ${err.status === 0 ? html`<button type="button" class="btn" data-act="reload" data-testid="retry">${t("retry")}</button>` : ""}
    </section>`);
  announce(text || body.message || err.message);
}

async function loadSlots() {
  picking = { days: null, day: "", slot: "", callback: false };
  draw("[data-testid=reschedule-submit]");
  try {
    picking.days = (await call("/api/status/slots")).days || [];
  } catch (err) {
    picking.days = [];
    picking.unreachable = err.status === 0;
  }
  if (mode === "reschedule") draw();
}

async function act(name) {
  message = "";
  confirmed = "";
  if (name === "reload") return start();
  if (name === "view" || name === "confirm-cancel" || name === "confirm-erase" || name === "erase-all") {
    mode = name;
    return draw(name === "view" ? "#acts button" : name === "confirm-erase" ? "[data-testid=erase-confirm]"
      : name === "erase-all" ? "#ask-all" : "[data-testid=cancel-keep]");
  }
  if (name === "reschedule") { mode = "reschedule"; return loadSlots(); }
  if (sending) return;
  sending = true;
  try {
    if (name === "erase-yes") {
      await call("/api/status/erase", { method: "POST", body: {} });
      forget(booking.reference);
      return problem({ status: 404 }, t("erase.done"));  // the link no longer shows anything
    }
    if (name === "erase-all-yes") {
      const r = await api("/api/phone/erase", { method: "POST", body: { phone: proven.phone },
        headers: { "X-Phone-Proof": proven.proof } });
      forget(booking.reference);
      return problem({ status: 404 }, t("erase.all.done", { n: r.bookings }));
    }
    if (name === "cancel-yes") {
      booking = { ...booking, ...(await call("/api/status/cancel", { method: "POST", body: {} })) };
      confirmed = t("cancel.done");
      announce(confirmed);
    } else if (name === "move") {
      if (!picking.slot) { message = t("reschedule.pick"); announce(message); return draw(); }
      booking = { ...booking, ...(await call("/api/status/reschedule", { method: "POST", body: { slot: picking.slot } })) };
      confirmed = t("reschedule.done", { time: dateTime(booking.slot_start) });
      announce(confirmed);
    }
    remember(null, booking);
    mode = "view";
    draw("[data-testid=status-confirmed]");
  } catch (err) {
    message = (err.body && err.body.message) || err.message;
    if (err.body && err.body.error === "slot_taken") {
      picking.slot = "";
      picking.days = await call("/api/status/slots").then((d) => d.days, () => groupByDay(err.body.free_slots || []));
    } else {
      mode = "view";
      booking = await call("/api/status").catch(() => booking); // e.g. no longer cancellable
    }
    announce(message);
    draw();
  } finally {
    sending = false;
  }
}

async function start() {
  if (!token()) return problem({ status: 404 }, t("status.missing"));
  app.setAttribute("aria-busy", "true");
  try {
    booking = await call("/api/status");
    remember(null, booking);
    mode = "view";
    draw();
  } catch (err) {
    if (err.status === 0 && offlineCode()) return;
    problem(err, err.status === 404 ? t("status.gone") : "");
  } finally {
    app.removeAttribute("aria-busy");
  }
}

// No signal at the counter: today's check-in code, as this phone last saw it, is still shown.
function offlineCode() {
  const kept = remembered().find((b) => (b.status_url || "").endsWith("#" + token()));
  if (!kept || !kept.checkin_code || kept.checkin_day !== new Date().toDateString()) return false;
  showCached(true); // the offline banner says this is what the phone last saw
  mount(app, html`
    <section class="view" data-testid="status-view" data-offline="1">
      <h1 tabindex="-1">${t("status.title")}</h1>
      <p class="ref">${t("done.ref")} <strong data-testid="reference">${kept.reference}</strong></p>
      ${checkin({ checkin_code: kept.checkin_code })}
    </section>`);
  return true;
}

app.addEventListener("click", (e) => {
  const b = e.target.closest("[data-act]");
  if (b) act(b.dataset.act);
});
addEventListener("hashchange", start);
ready().then(() => {
  boot(() => (booking ? draw() : start()));
  start();
});
