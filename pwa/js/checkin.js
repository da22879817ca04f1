// 到店签到 at /c/<branch code>: the customer scans the branch's check-in QR with their own phone.
// The page sends the status tokens this phone remembers (bookings made on it, bookings.js), one
// at a time; the server checks in the one booked at this branch today and tells the manager.
// A token for any other booking is refused with the same words: nothing about it comes back.
import "./prefs.js"; // first: large text and language before anything is drawn
import { html, mount } from "./html.js";
import { t, add, ready } from "./i18n.js";
import { api } from "./api.js";
import { remembered } from "./bookings.js";
import { boot, announce } from "./app.js";

add({
  "ci.title": "到店签到", "ci.branch": "网点：{branch}", "ci.working": "正在签到…",
  "ci.done": "签到成功", "ci.done.text": "已通知客户经理{manager}，请稍候，马上为您办理。",
  "ci.none": "这部手机上没有找到预约。请用预约时使用的手机扫码，或请柜台工作人员协助。",
  "ci.refused": "这部手机上的预约都不在本网点今天办理。如有疑问请咨询柜台工作人员。",
  "ci.offline": "网络不通，联网后会自动重试。", "ci.unknown": "这个签到码无效，请扫描网点柜台上的签到二维码。",
  "ci.ref": "预约号",
}, {
  "ci.title": "Check in", "ci.branch": "Branch: {branch}", "ci.working": "Checking in…",
  "ci.done": "You are checked in", "ci.done.text": "{manager} has been told you are here; please wait a moment.",
  "ci.none": "No booking was found on this phone. Scan with the phone you booked with, or ask at the counter.",
  "ci.refused": "None of the bookings on this phone is at this branch today. Please ask at the counter.",
  "ci.offline": "No connection; this page tries again once you are online.",
  "ci.unknown": "This check-in code is not valid; scan the QR at the branch counter.", "ci.ref": "Booking",
});

const app = document.getElementById("app");
const code = document.body.dataset.code || "";
const branch = document.body.dataset.branch || "";
let state = { step: "working" }; // working | done | none | refused | offline | unknown

// Tokens of the bookings made on this phone (the status link carries the token after "#").
const tokens = () => remembered().map((b) => (b.status_url || "").split("#")[1]).filter(Boolean);

function draw() {
  const s = state;
  const body = {
    working: html`<p class="loading" data-testid="checkin-working">${t("ci.working")}</p>`,
    done: html`<div class="notice ok" data-testid="checkin-done"><h2>${t("ci.done")}</h2>
      <p>${t("ci.done.text", { manager: s.manager || "" })}</p>
      <p class="ref">${t("ci.ref")} <strong>${s.reference || ""}</strong></p></div>`,
    none: html`<p class="notice" data-testid="checkin-none">${t("ci.none")}</p>`,
    refused: html`<p class="notice error" data-testid="checkin-refused">${t("ci.refused")}</p>`,
    offline: html`<p class="notice error" data-testid="checkin-offline">${t("ci.offline")}</p>
      <button type="button" class="btn" data-act="retry">${t("retry")}</button>`,
    unknown: html`<p class="notice error" data-testid="checkin-unknown">${t("ci.unknown")}</p>`,
  }[s.step];
  mount(app, html`
    <section class="view" data-testid="checkin-view">
      <h1 tabindex="-1">${t("ci.title")}</h1>
      ${branch ? html`<p class="muted">${t("ci.branch", { branch })}</p>` : ""}
      ${body}
    </section>`);
}

async function checkIn() {
  if (!code) { state = { step: "unknown" }; return draw(); }
  const mine = tokens();
  if (!mine.length) { state = { step: "none" }; return draw(); }
  state = { step: "working" };
  draw();
  for (const token of mine) {
    try {
      const done = await api(`/api/checkin/${encodeURIComponent(code)}`, {
        method: "POST", body: {}, headers: { "X-Booking-Token": token },
      });
      state = { step: "done", manager: done.manager, reference: done.reference };
      announce(t("ci.done"));
      return draw();
    } catch (err) {
      if (err.status === 0 || err.status >= 500 || err.status === 429) { state = { step: "offline" }; return draw(); }
      if (err.status === 404) { state = { step: "unknown" }; return draw(); }
      // 409: not this one; try the next booking kept on this phone
    }
  }
  state = { step: "refused" };
  announce(t("ci.refused"));
  draw();
}

app.addEventListener("click", (e) => { if (e.target.closest("[data-act=retry]")) checkIn(); });
addEventListener("online", () => { if (state.step === "offline") checkIn(); });
ready().then(() => {
  boot(draw);
  checkIn();
});
