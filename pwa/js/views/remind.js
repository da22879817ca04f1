// Reminders by text (the evening before, an hour before: on or off) and "添加到日历" (an .ics
// file the phone's calendar opens), for a booking with a time that is still to come. Drawn at
// the end of `el` (the confirmation, the status page) for `booking` and its private `token`.
import { html, mount } from "../html.js";
import { t, add, getLang } from "../i18n.js";
import { api } from "../api.js";

add({
  "remind.title": "提醒与日历", "remind.on": "预约前用短信提醒我",
  "remind.hint": "前一天傍晚和开始前一小时各提醒一次；晚上 10 点到早上 8 点不发。",
  "remind.saved.on": "已开启短信提醒。", "remind.saved.off": "已关闭短信提醒。",
  "calendar.add": "添加到日历", "calendar.ready": "日历文件已下载，打开它即可加入手机日历。",
}, {
  "remind.title": "Reminders and calendar", "remind.on": "Remind me by text message",
  "remind.hint": "Once the evening before and once an hour before; never between 10 pm and 8 am.",
  "remind.saved.on": "Text reminders are on.", "remind.saved.off": "Text reminders are off.",
  "calendar.add": "Add to calendar", "calendar.ready": "The calendar file is downloaded: open it to add the appointment.",
});

const known = new Map(); // reference -> reminders on? (asked once per page)

export function remindBlock(el, booking, token) {
  if (!el || !token || !booking || !booking.slot_start || booking.can_cancel === false) return;
  const box = document.createElement("div");
  box.className = "linkbox remind";
  box.dataset.testid = "remind";
  el.append(box);
  const headers = { "X-Booking-Token": token };
  let note = "";

  const draw = (on) => {
    const fresh = html`
      <h2>${t("remind.title")}</h2>
      <div class="field check">
        <input type="checkbox" id="remind-on" data-testid="remind-toggle" aria-describedby="remind-hint"
          ${on ? "checked" : ""} ${on === null ? "disabled" : ""}>
        <div><label for="remind-on">${t("remind.on")}</label>
          <p class="hint" id="remind-hint">${t("remind.hint")}</p></div>
      </div>
      <button type="button" class="btn" data-testid="calendar-add">${t("calendar.add")}</button>
      <p class="muted" role="status" data-testid="remind-note">${note}</p>`;
    mount(box, fresh);
    box.querySelector("[data-testid=remind-toggle]").onchange = (e) => toggle(e.target.checked);
    box.querySelector("[data-testid=calendar-add]").onclick = download;
  };

  async function toggle(on) {
    try {
      const state = await api("/api/status/reminders", { method: "PUT", body: { on }, headers });
      known.set(booking.reference, state.on);
      note = t(state.on ? "remind.saved.on" : "remind.saved.off");
    } catch (err) {
      note = err.message;
    }
    draw(known.get(booking.reference));
  }

  async function download() {
    try {
      const res = await fetch("/api/status/calendar.ics", { headers: { ...headers, "Accept-Language": getLang() },
        cache: "no-store" });
      if (!res.ok) throw new Error(((await res.json().catch(() => ({}))).message) || t("err.server"));
      const url = URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: "text/calendar" }));
      const a = Object.assign(document.createElement("a"), { href: url, download: `${booking.reference}.ics` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      note = t("calendar.ready");
    } catch (err) {
      note = err.message || t("err.network");
    }
    draw(known.has(booking.reference) ? known.get(booking.reference) : null);
  }

  if (known.has(booking.reference)) return draw(known.get(booking.reference));
  draw(null);
  api("/api/status/reminders", { headers }).then((state) => {
    if (!state.available) return box.remove();
    known.set(booking.reference, state.on);
    draw(state.on);
  }, () => draw(null));
}
