// Choosing a time: a day, then one of its open slots, or (when offered) "call me back".
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { dateTime, dayLabel, parseTime } from "../format.js";

// free_slots from a 409 ([{start, label}]) as days, when the full list cannot be fetched.
export function groupByDay(slots) {
  const days = [];
  for (const s of slots) {
    const date = new Date(parseTime(s.start).getTime() + 8 * 3600e3).toISOString().slice(0, 10);
    let day = days.find((d) => d.date === date);
    if (!day) days.push((day = { date, slots: [] }));
    day.slots.push(s);
  }
  return days;
}

// state: {days: null|[...], day, slot, callback, unreachable}; days === null while loading.
// callback: offer "call me back". Returns {draw} to redraw after state.days changes.
// labels: {callback, "callback.on"} keys to say it in other words (staff booking for a customer).
export function slotPicker(root, state, { callback = false, labels = {} } = {}) {
  // Redrawing replaces the buttons: give focus back to the same choice (or the first).
  const key = (el) => (el.dataset.day ? `[data-day="${el.dataset.day}"]` : el.dataset.slot
    ? `[data-slot="${el.dataset.slot}"]` : el.classList.contains("callback") ? ".callback" : null);
  const draw = () => {
    const focused = root.contains(document.activeElement) && key(document.activeElement);
    const days = state.days;
    if (days && days.length && !days.some((d) => d.date === state.day)) state.day = days[0].date;
    const day = days && days.find((d) => d.date === state.day);
    mount(root, html`
      ${days === null ? html`<p class="muted">${t("slots.loading")}</p>` : ""}
      ${days && !days.length ? html`<p class="muted" data-testid="no-slots">${t(state.unreachable ? "slots.offline" : "slots.none")}</p>` : ""}
      ${days && days.length ? html`
        <div class="days" role="group" aria-label="${t("f.day")}">${days.map((d) => {
          const [date, name] = dayLabel(d.date);
          return html`<button type="button" class="day" data-day="${d.date}" data-testid="day-${d.date}"
            aria-pressed="${d.date === state.day}"><span>${date}</span><span>${name}</span></button>`;
        })}</div>
        <div class="slots" role="group" aria-label="${t("f.slot")}">${(day ? day.slots : []).map((s) => html`
          <button type="button" class="slot" data-slot="${s.start}" data-testid="slot-${s.label}"
            aria-pressed="${s.start === state.slot && !state.callback}">${s.label}</button>`)}</div>` : ""}
      ${state.slot && !state.callback ? html`<p class="chosen" data-testid="chosen">${t("chosen", { time: dateTime(state.slot) })}</p>` : ""}
      ${callback ? html`<button type="button" class="callback" data-testid="callback"
          aria-pressed="${!!state.callback}">${t(state.callback ? labels["callback.on"] || "callback.on" : labels.callback || "callback")}</button>` : ""}`);
    const back = focused && (root.querySelector(focused) || root.querySelector("button"));
    if (back) back.focus();
  };
  root.onclick = (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.day) state.day = b.dataset.day;
    else if (b.dataset.slot) Object.assign(state, { slot: b.dataset.slot, callback: false });
    else if (b.classList.contains("callback")) state.callback = !state.callback;
    else return;
    b.focus(); // Safari does not focus buttons on click
    draw();
  };
  draw();
  return { draw };
}
