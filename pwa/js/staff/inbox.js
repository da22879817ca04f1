// 预约 Inbox: the bookings I may see, newest first; new ones arrive live. Buttons move a
// booking to its next states; the routed manager gets a tap-to-call link.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { dateTime, todayKey } from "../format.js";
import { debounce } from "../live.js";
import { tel } from "../views/card.js";
import { call } from "./session.js";
import { announce, focusView, keepFocus } from "./ui.js";
import { alertsOn, setAlerts } from "./alert.js";

const STATUSES = ["new", "contacted", "arrived", "completed", "cancelled", "no_show"];
const CONFIRM = ["cancelled", "no_show"]; // final and unhappy: asked twice
const SCOPES = { staff: ["mine"], grid_leader: ["grid", "mine"], branch_manager: ["branch", "mine"], admin: ["all", "branch", "mine"] };

const state = { scope: "", status: "", day: "", items: null, error: "", known: null, fresh: new Set(), busy: new Set(), confirm: "", notes: {}, checking: "", sent: new Set() };
const CHECKABLE = ["new", "contacted", "arrived", "completed"]; // may still get the customer's evidence
let root = null, me = null, active = false, seq = 0;

// A code's label when the dictionary has one, else the code itself.
const label = (prefix, code) => { const s = t(prefix + code); return s === prefix + code ? code : s; };
const scopes = () => SCOPES[me.role] || ["mine"];

function booking(b) {
  const ref = b.reference;
  const busy = state.busy.has(ref);
  const fresh = state.fresh.has(ref);
  const asking = state.confirm.startsWith(ref + ":") && state.confirm.split(":")[1];
  const button = (to) => html`<button type="button" class="btn small${CONFIRM.includes(to) ? " danger" : to === b.next_statuses[0] ? " primary" : ""}"
    data-ref="${ref}" data-to="${to}" data-key="${ref}:${to}" data-testid="to-${to}" ${busy ? "disabled" : ""}>${t("to." + to)}</button>`;
  return html`
    <li class="bk${fresh ? " fresh" : ""}" data-testid="booking-${ref}" data-status="${b.status}">
      <div class="bk-head">
        <h2 id="bk-${ref}" tabindex="-1"><span data-testid="booking-name">${b.name}</span></h2>
        ${fresh ? html`<span class="tag-new">${t("inbox.fresh")}</span>` : ""}
        <span class="badge st-${b.status}" data-testid="status-badge">${t("st." + b.status)}</span>
      </div>
      <p class="bk-when"><strong>${b.slot_start ? dateTime(b.slot_start) : t("inbox.callback")}</strong>
        <span class="muted"> · ${b.product_name}</span></p>
      ${b.phone_masked ? html`<p class="muted">${t("inbox.phone")} ${b.phone}</p>`
        : html`<a class="btn call" href="${tel(b.phone)}" data-testid="call">${t("call", { phone: b.phone })}</a>`}
      <dl class="facts bk-facts">
        ${b.note ? html`<dt>${t("note")}</dt><dd data-testid="booking-note">${b.note}</dd>` : ""}
        ${b.employee_id !== me.id ? html`<dt>${t("inbox.manager")}</dt><dd data-testid="booking-employee">${b.employee} · ${b.branch}</dd>` : ""}
        <dt>${t("inbox.source")}</dt><dd>${label("source.", b.source)}${b.channel ? ` · ${b.source === "staff" ? label("ob.channel.", b.channel) : b.channel}` : ""} · ${label("reason.", b.route_reason)}</dd>
        <dt>${t("done.ref")}</dt><dd>${ref} · ${t("inbox.created", { time: dateTime(b.created_at) })}</dd>
      </dl>
      ${asking ? html`<div class="confirm" role="group" aria-labelledby="ask-${ref}">
          <p id="ask-${ref}">${t("inbox.ask", { status: t("st." + asking) })}</p>
          <div class="bk-acts">
            <button type="button" class="btn small danger" data-ref="${ref}" data-to="${asking}" data-sure="1"
              data-key="${ref}:sure" data-testid="confirm-yes" ${busy ? "disabled" : ""}>${t("inbox.yes")}</button>
            <button type="button" class="btn small" data-ref="${ref}" data-key="${ref}:no" data-testid="confirm-no">${t("inbox.no")}</button>
          </div></div>`
        : b.next_statuses.length ? html`<div class="bk-acts" role="group" aria-labelledby="bk-${ref}">${b.next_statuses.map(button)}</div>` : ""}
      ${checkin(b, busy)}
      ${state.notes[ref] ? html`<p class="err" role="alert">${state.notes[ref]}</p>` : ""}
    </li>`;
}

// 核验到店: the customer's evidence that they came. A booking they made through a shop: the code
// on their booking page (or they scan the branch's check-in QR themselves); one staff made: a
// code sent to their phone. Without it the booking still moves, but scores nothing.
function checkin(b, busy) {
  const ref = b.reference;
  if (b.verified) return html`<p class="tag-ok" data-testid="verified">${t("ci.verified")}</p>`;
  if (!CHECKABLE.includes(b.status)) return "";
  const late = b.status === "arrived" || b.status === "completed";
  if (state.checking !== ref) {
    return html`<p class="bk-ci">${late ? html`<span class="tag-warn" data-testid="unverified">${t("ci.unverified")}</span>` : ""}
      <button type="button" class="btn small" data-ci="open" data-ref="${ref}" data-key="${ref}:ci" data-testid="checkin-open">${t("ci.open")}</button></p>`;
  }
  const otp = b.checkin === "otp";
  return html`<div class="ci-form" role="group" aria-labelledby="ci-${ref}">
      <p id="ci-${ref}" class="muted">${t(otp ? "ci.help.otp" : "ci.help.code")}</p>
      ${otp ? html`<button type="button" class="btn small" data-ci="send" data-ref="${ref}" data-key="${ref}:send"
        data-testid="checkin-send" ${busy ? "disabled" : ""}>${t(state.sent.has(ref) ? "ci.resend" : "ci.send")}</button>` : ""}
      <span class="day-pick"><label class="sr-only" for="ci-code-${ref}">${t("ci.code")}</label>
        <input id="ci-code-${ref}" class="ci-code" inputmode="numeric" autocomplete="one-time-code" maxlength="12"
          placeholder="${t("ci.code")}" data-testid="checkin-code">
        <button type="button" class="btn small primary" data-ci="check" data-ref="${ref}" data-key="${ref}:check"
          data-testid="checkin-submit" ${busy ? "disabled" : ""}>${t("ci.submit")}</button>
        <button type="button" class="btn small" data-ci="close" data-ref="${ref}" data-key="${ref}:close">${t("inbox.no")}</button></span>
    </div>`;
}

async function checkIn(ref, what) {
  const input = root.querySelector(`#ci-code-${CSS.escape(ref)}`);
  const code = input ? input.value.trim() : "";
  state.busy.add(ref);
  delete state.notes[ref];
  draw();
  try {
    const url = `/api/staff/bookings/${encodeURIComponent(ref)}/checkin`;
    if (what === "send") {
      await call(`${url}/send`, { method: "POST", body: {} });
      state.sent.add(ref);
      state.notes[ref] = t("ci.sent");
    } else {
      const b = await call(url, { method: "POST", body: { code } });
      state.items = state.items.map((x) => (x.reference === ref ? b : x));
      state.checking = "";
      announce(t("ci.done", { name: b.name }));
    }
  } catch (err) {
    state.notes[ref] = (err.body && err.body.fields && Object.values(err.body.fields)[0]) || err.message;
    announce(state.notes[ref]);
  } finally {
    state.busy.delete(ref);
  }
  draw();
  const again = root.querySelector(`#ci-code-${CSS.escape(ref)}`);
  if (again) { again.value = what === "send" ? "" : code; again.focus(); }
}

function list() {
  if (state.error && !state.items) return html`<p class="notice error">${state.error}</p>`;
  if (!state.items) return html`<p class="loading">${t("inbox.loading")}</p>`;
  const filtered = state.status || state.day;
  return html`
    ${state.error ? html`<p class="notice error">${state.error}</p>` : ""}
    <p class="muted" data-testid="inbox-count">${t("inbox.count", { n: state.items.length })}</p>
    ${state.items.length ? html`<ul class="bookings" data-testid="bookings">${state.items.map(booking)}</ul>`
      : html`<p class="empty" data-testid="inbox-empty">${t(filtered ? "inbox.none.filtered" : "inbox.none")}</p>`}`;
}

function draw() {
  const box = root && root.querySelector("#list");
  if (box) keepFocus(box, () => mount(box, list()));
}

async function load() {
  const mine = ++seq;
  const q = new URLSearchParams({ scope: state.scope, limit: "100" });
  if (state.status) q.set("status", state.status);
  if (state.day) q.set("day", state.day);
  try {
    const { items } = await call(`/api/staff/bookings?${q}`);
    if (mine !== seq || !active) return;
    const added = state.known ? items.filter((b) => !state.known.has(b.reference)) : [];
    added.forEach((b) => state.fresh.add(b.reference));
    if (added.length) announce(t("inbox.new", { n: added.length }));
    state.known = new Set([...(state.known || []), ...items.map((b) => b.reference)]);
    Object.assign(state, { items, error: "" });
  } catch (err) {
    if (mine !== seq || !active) return;
    state.error = err.message;
  }
  draw();
}
const reload = debounce(load, 300);

async function move(ref, to) {
  state.busy.add(ref);
  delete state.notes[ref];
  draw();
  try {
    const b = await call(`/api/staff/bookings/${encodeURIComponent(ref)}/status`, { method: "POST", body: { status: to } });
    state.items = state.items.map((x) => (x.reference === ref ? b : x));
    state.confirm = "";
    announce(t("inbox.moved", { name: b.name, status: t("st." + b.status) }));
  } catch (err) {
    state.notes[ref] = err.message;
    announce(err.message);
    if (err.status === 409 || err.status === 404) reload();
  } finally {
    state.busy.delete(ref);
  }
  draw();
  const card = root.querySelector(`[data-testid="booking-${CSS.escape(ref)}"]`);
  if (card && !card.contains(document.activeElement)) (card.querySelector(".bk-acts button") || card.querySelector("h2")).focus();
}

function filters() {
  const options = (values, chosen, text) => values.map((v) => html`<option value="${v}" ${v === chosen ? "selected" : ""}>${text(v)}</option>`);
  return html`
    <form class="filters" data-testid="filters">
      ${scopes().length > 1 ? html`<div class="field"><label for="f-scope">${t("inbox.scope")}</label>
        <select id="f-scope" name="scope" data-testid="scope">${options(scopes(), state.scope, (s) => t("scope." + s))}</select></div>` : ""}
      <div class="field"><label for="f-status">${t("status.label")}</label>
        <select id="f-status" name="status" data-testid="status-filter">
          <option value="">${t("inbox.all")}</option>${options(STATUSES, state.status, (s) => t("st." + s))}</select></div>
      <div class="field wide"><label for="f-day">${t("inbox.day")}</label>
        <span class="day-pick"><input id="f-day" name="day" type="date" data-testid="day-filter" value="${state.day}">
        <button type="button" class="btn small" data-act="${state.day ? "any-day" : "today"}" data-testid="day-button">${t(state.day ? "inbox.anyday" : "today")}</button></span></div>
    </form>
    <button type="button" class="switch" data-act="alerts" data-testid="alerts" aria-pressed="${alertsOn()}">${t("inbox.alerts")}</button>`;
}

function refilter(changes) {
  Object.assign(state, changes, { known: null, items: null, confirm: "", notes: {} });
  state.fresh.clear();
  render(root, { me });
}

export function render(el, ctx) {
  root = el;
  me = ctx.me;
  active = true;
  if (!scopes().includes(state.scope)) Object.assign(state, { scope: scopes()[0], items: null, known: null });
  mount(root, html`
    <section class="view inbox" data-testid="inbox">
      <h1>${t("inbox.title")}</h1>
      <div class="tools-row">${filters()}</div>
      <div id="list">${list()}</div>
    </section>`);
  root.querySelector(".filters").addEventListener("submit", (e) => e.preventDefault());
  root.querySelector(".filters").addEventListener("change", (e) => {
    const f = e.target;
    refilter({ [f.name]: f.value });
    const again = root.querySelector(`[name=${f.name}]`);
    if (again) again.focus();
  });
  root.querySelector(".tools-row").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-act]");
    if (!b) return;
    if (b.dataset.act === "alerts") {
      setAlerts(!alertsOn());
      b.setAttribute("aria-pressed", String(alertsOn()));
      announce(t(alertsOn() ? "inbox.alerts.on" : "inbox.alerts.off"));
      return;
    }
    refilter({ day: b.dataset.act === "today" ? todayKey() : "" });
    root.querySelector("[data-testid=day-button]").focus();
  });
  root.querySelector("#list").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-ref]");
    if (!b || b.disabled) return;
    const { ref, to, sure, ci } = b.dataset;
    if (ci === "open" || ci === "close") {
      state.checking = ci === "open" ? ref : "";
      draw();
      const input = root.querySelector(`#ci-code-${CSS.escape(ref)}`);
      if (input) input.focus();
      return;
    }
    if (ci) { checkIn(ref, ci); return; }
    if (!to) { state.confirm = ""; draw(); return; } // "no, keep it"
    if (CONFIRM.includes(to) && !sure) { state.confirm = `${ref}:${to}`; draw(); root.querySelector("[data-testid=confirm-no]").focus(); return; }
    move(ref, to);
  });
  focusView(root);
  load();
}

export function leave() {
  active = false;
  state.fresh.clear();
  state.confirm = "";
}

// Live: a change to one of the bookings in view (for "mine", only my own) means refetch.
export function changed(msg) {
  if (!msg || (msg.type !== "visit" && (state.scope === "mine" ? msg.employee_id === me.id
    : state.scope === "branch" ? msg.branch_id === me.branch_id : true))) reload();
}

// On logout: nothing of this session's bookings stays in memory.
export function reset() {
  Object.assign(state, { scope: "", status: "", day: "", items: null, error: "", known: null, confirm: "", notes: {}, checking: "" });
  state.fresh.clear();
  state.sent.clear();
  state.busy.clear();
  seq += 1;
}
