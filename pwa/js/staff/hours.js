// 我的时间 Availability: my weekly hours (Monday = "0") and days off; customers can book me
// only inside them. GET/PUT /api/staff/availability {weekly: {"0": [["09:00","12:00"]], ...}, days_off: [...]}.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { dayLabel, todayKey } from "../format.js";
import { call } from "./session.js";
import { announce, focusView } from "./ui.js";

const DAYS = ["0", "1", "2", "3", "4", "5", "6"];
const MAX_RANGES = 4; // per day, as the server allows
let draft = null; // {weekly, days_off} being edited
let errors = {}; // "0".."6", "days_off", "form" → message
let problem = null; // why the hours could not be loaded
let saving = false;

const weekday = (d) => t("weekdays").split(",")[(Number(d) + 1) % 7]; // weekdays start on Sunday

function normalise(data) {
  const weekly = {};
  for (const d of DAYS) weekly[d] = ((data.weekly || {})[d] || []).map((r) => [String(r[0]), String(r[1])]);
  return { weekly, days_off: [...(data.days_off || [])].map(String).sort() };
}

// The checks a person makes by eye: each period starts before it ends, none overlap.
function check(d) {
  const e = {};
  for (const day of DAYS) {
    const ranges = [...d.weekly[day]].sort((a, b) => a[0].localeCompare(b[0]));
    if (ranges.some(([s, end]) => !s || !end || s >= end)) e[day] = t("hours.order");
    else if (ranges.some((r, i) => i && r[0] < ranges[i - 1][1])) e[day] = t("hours.overlap");
  }
  return e;
}

// The server's 422 fields, e.g. "weekly.2" or "days_off", onto the form.
function serverErrors(body = {}) {
  const e = {};
  for (const [k, msg] of Object.entries(body.fields || {})) {
    const day = /^weekly\D*(\d)/.exec(k);
    e[day ? day[1] : k.startsWith("days_off") ? "days_off" : "form"] = msg;
  }
  if (!Object.keys(e).length) e.form = body.message || t("err.server");
  return e;
}

const err = (k) => html`<p class="err" id="e-h${k}" data-testid="error-${k}">${errors[k] || ""}</p>`;

function dayBlock(day) {
  const ranges = draft.weekly[day];
  const name = weekday(day);
  return html`
    <fieldset class="hours-day" data-testid="weekday-${day}" aria-describedby="e-h${day}">
      <legend>${name}</legend>
      ${ranges.length ? html`<ul class="ranges">${ranges.map(([s, e], i) => html`<li>
          <label><span class="sr-only">${name} </span>${t("hours.from")}
            <input type="time" step="900" value="${s}" data-day="${day}" data-i="${i}" data-end="0" data-testid="from-${day}-${i}"${errors[day] ? html` aria-invalid="true"` : ""}></label>
          <label>${t("hours.to")}
            <input type="time" step="900" value="${e}" data-day="${day}" data-i="${i}" data-end="1" data-testid="to-${day}-${i}"${errors[day] ? html` aria-invalid="true"` : ""}></label>
          <button type="button" class="btn small" data-act="drop" data-day="${day}" data-i="${i}"
            aria-label="${t("hours.drop.label", { day: name, from: s, to: e })}">${t("hours.drop")}</button></li>`)}</ul>`
        : html`<p class="muted">${t("hours.closed")}</p>`}
      ${ranges.length < MAX_RANGES ? html`<button type="button" class="btn small" data-act="add" data-day="${day}"
        data-testid="add-${day}" aria-label="${t("hours.add.label", { day: name })}">${t("hours.add")}</button>` : ""}
      ${err(day)}
    </fieldset>`;
}

function form() {
  return html`
    <section class="view hours" data-testid="hours">
      <h1>${t("hours.title")}</h1>
      <p class="muted">${t("hours.lead")}</p>
      <form novalidate>
        <h2>${t("hours.weekly")}</h2>
        ${DAYS.map(dayBlock)}
        <fieldset class="field days-off" aria-describedby="e-hdays_off">
          <legend>${t("hours.off")}</legend>
          <p class="hint">${t("hours.off.hint")}</p>
          ${draft.days_off.length ? html`<ul class="off-list" data-testid="days-off">${draft.days_off.map((d) => html`<li>
              <span>${dayLabel(d).join(" ")}</span>
              <button type="button" class="btn small" data-act="undo-off" data-day="${d}"
                aria-label="${t("hours.drop.off", { day: dayLabel(d).join(" ") })}">${t("hours.drop")}</button></li>`)}</ul>`
            : html`<p class="muted">${t("hours.off.none")}</p>`}
          <label for="f-off">${t("hours.off.add")}</label>
          <span class="day-pick"><input type="date" id="f-off" min="${todayKey()}" data-testid="day-off">
            <button type="button" class="btn small" data-act="add-off" data-testid="add-off">${t("hours.add.off")}</button></span>
          ${err("days_off")}
        </fieldset>
        ${err("form")}
        <p class="ok" data-testid="hours-saved" role="status"></p>
        <button type="submit" class="btn primary" data-testid="save-hours">${t("hours.save")}</button>
      </form>
    </section>`;
}

function draw(root, focus) {
  mount(root, form());
  const section = root.querySelector("section");
  section.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-act]");
    if (b) act(root, b);
  });
  section.addEventListener("input", (e) => {
    const el = e.target;
    if (el.type === "time") draft.weekly[el.dataset.day][Number(el.dataset.i)][Number(el.dataset.end)] = el.value;
  });
  section.querySelector("form").addEventListener("submit", (e) => { e.preventDefault(); save(root); });
  if (focus) { const el = root.querySelector(focus); if (el) el.focus(); }
}

async function save(root) {
  if (saving) return;
  errors = check(draft);
  if (Object.keys(errors).length) {
    errors.form = t("v.check");
    draw(root, `[data-testid=weekday-${DAYS.find((d) => errors[d])}] input`);
    return announce(errors.form);
  }
  saving = true;
  root.querySelector("[data-testid=save-hours]").disabled = true;
  try {
    draft = normalise(await call("/api/staff/availability", { method: "PUT", body: draft }));
    errors = {};
    draw(root, "[data-testid=save-hours]");
    root.querySelector("[data-testid=hours-saved]").textContent = t("hours.saved");
  } catch (error) {
    errors = error.status === 422 ? serverErrors(error.body) : { form: error.message };
    draw(root, "[data-testid=save-hours]");
    announce(errors.form || Object.values(errors)[0]);
  } finally {
    saving = false;
  }
}

function act(root, b) {
  const { act: name, day } = b.dataset;
  const i = Number(b.dataset.i);
  if (name === "add") {
    const ranges = draft.weekly[day];
    const last = ranges[ranges.length - 1];
    ranges.push(last ? [last[1], last[1] < "17:00" ? "17:00" : "18:00"] : ["09:00", "17:00"]);
    return draw(root, `[data-testid=from-${day}-${ranges.length - 1}]`);
  }
  if (name === "drop") {
    draft.weekly[day].splice(i, 1);
    return draw(root, `[data-testid=add-${day}]`); // "add" is there again: a period was removed
  }
  if (name === "undo-off") {
    draft.days_off = draft.days_off.filter((d) => d !== day);
    return draw(root, "#f-off");
  }
  if (name === "add-off") {
    const value = root.querySelector("#f-off").value;
    if (value && !draft.days_off.includes(value)) draft.days_off = [...draft.days_off, value].sort();
    draw(root, "#f-off");
  }
}

export async function render(root) {
  errors = {};
  if (!draft) {
    mount(root, html`<section class="view"><h1>${t("hours.title")}</h1><p class="loading">${t("inbox.loading")}</p></section>`);
    try {
      draft = normalise(await call("/api/staff/availability"));
      problem = null;
    } catch (error) {
      problem = error.status === 404 || error.status === 405 ? t("hours.soon") : error.message;
    }
  }
  if (root.dataset.view !== "time") return;
  if (!draft) {
    mount(root, html`<section class="view" data-testid="hours"><h1>${t("hours.title")}</h1>
      <p class="notice" data-testid="hours-problem">${problem}</p>
      <button type="button" class="btn" data-testid="retry">${t("retry")}</button></section>`);
    root.querySelector("[data-testid=retry]").onclick = () => render(root);
    return focusView(root);
  }
  draw(root);
  focusView(root);
}

// On logout: the next person on this phone starts from the server's copy of their own hours.
export function reset() { draft = null; errors = {}; problem = null; }
