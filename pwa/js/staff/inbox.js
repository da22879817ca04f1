// 预约 Inbox: the bookings I may see, newest first, a page at a time (加载更多), searched by
// reference or the number's last 4 digits; new ones arrive live. Each booking is drawn by
// booking-card.js; this module keeps the list, loads it and answers the buttons.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { todayKey } from "../format.js";
import { debounce } from "../live.js";
import { call } from "./session.js";
import { announce, focusView, keepFocus } from "./ui.js";
import { alertsOn, setAlerts } from "./alert.js";
import { card, CONFIRM } from "./booking-card.js";

const STATUSES = ["new", "contacted", "arrived", "completed", "cancelled", "no_show"];
const SCOPES = { staff: ["mine"], grid_leader: ["grid", "mine"], branch_manager: ["branch", "mine"], admin: ["all", "branch", "mine"] };
const PAGE = 30; // bookings a page; a refresh re-reads as many as are shown, up to the server's 200
const REFRESH_MAX = 200;

const blank = () => ({ scope: "", status: "", day: "", q: "", items: null, next: null, error: "", qError: "", more: false, moreError: "",
  known: null, confirm: "", notes: {}, checking: "", revealing: "", revealed: {}, rvErrors: {} });
const state = { ...blank(), fresh: new Set(), busy: new Set(), sent: new Set() };
let root = null, me = null, active = false, seq = 0;

const scopes = () => SCOPES[me.role] || ["mine"];
const fieldError = (err, name) => (err.body && err.body.fields && err.body.fields[name]) || "";

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

// 查看完整号码: the reason goes with the request and into the audit log; the number is kept in
// this view only (gone on leaving it or logging out).
async function reveal(ref, form) {
  const reason = form.elements.reason.value.trim();
  state.busy.add(ref);
  delete state.rvErrors[ref];
  draw();
  try {
    const { phone } = await call(`/api/staff/bookings/${encodeURIComponent(ref)}/reveal`, { method: "POST", body: { reason } });
    state.revealed[ref] = phone;
    state.revealing = "";
    announce(t("rv.done"));
  } catch (err) {
    state.rvErrors[ref] = fieldError(err, "reason") || err.message;
    announce(state.rvErrors[ref]);
  } finally {
    state.busy.delete(ref);
  }
  draw();
  const input = root.querySelector(`#rv-${CSS.escape(ref)}`);
  if (input) { input.value = reason; input.focus(); } else focusCard(ref);
}

function focusCard(ref) {
  const c = root.querySelector(`[data-testid="booking-${CSS.escape(ref)}"]`);
  if (c && !c.contains(document.activeElement)) (c.querySelector("[data-testid=call], .bk-acts button") || c.querySelector("h2")).focus();
}

function list() {
  if (state.error && !state.items) return html`<p class="notice error">${state.error}</p>`;
  if (!state.items) return html`<p class="loading">${t("inbox.loading")}</p>`;
  const none = state.q ? "inbox.none.search" : state.status || state.day ? "inbox.none.filtered" : "inbox.none";
  return html`
    ${state.error ? html`<p class="notice error">${state.error}</p>` : ""}
    <p class="muted" data-testid="inbox-count">${t(state.next ? "list.shown" : "list.all", { n: state.items.length })}</p>
    ${state.items.length ? html`<ul class="bookings" data-testid="bookings">${state.items.map((b) => card(b, state, me))}</ul>`
      : html`<p class="empty" data-testid="inbox-empty">${t(none)}</p>`}
    ${state.next ? html`<p class="more"><button type="button" class="btn" data-act="more" data-key="more" data-testid="load-more"
      ${state.more ? html`disabled aria-busy="true"` : ""}>${t(state.more ? "inbox.loading" : "list.more")}</button></p>` : ""}
    ${state.moreError ? html`<p class="err" role="alert">${state.moreError}</p>` : ""}`;
}

// Redraw the list; what was being typed (a reason, a check-in code) and the focus survive a live refresh.
function draw() {
  const box = root && root.querySelector("#list");
  if (box) {
    const typed = [...box.querySelectorAll("input[id]")].map((i) => [i.id, i.value]);
    keepFocus(box, () => mount(box, list()));
    for (const [id, value] of typed) {
      const input = box.querySelector(`#${CSS.escape(id)}`);
      if (input && !input.value) input.value = value;
    }
  }
  const q = root && root.querySelector("[data-testid=search-error]");
  if (q) {
    q.textContent = state.qError;
    const input = root.querySelector("#f-q");
    if (state.qError) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }
}

function query(extra) {
  const q = new URLSearchParams({ scope: state.scope, ...extra });
  for (const name of ["status", "day", "q"]) if (state[name]) q.set(name, state[name]);
  return q;
}

// The first page — or as many as are shown, up to 200 — read again: new bookings come first
// (marked 新), the rest refreshed; bookings loaded beyond what one read holds stay as they were.
async function load() {
  const mine = ++seq;
  const shown = state.items ? state.items.length : 0;
  try {
    const { items, next_cursor: next } = await call(`/api/staff/bookings?${query({ limit: Math.min(REFRESH_MAX, Math.max(PAGE, shown)) })}`);
    if (mine !== seq || !active) return;
    const added = state.known ? items.filter((b) => !state.known.has(b.reference)) : [];
    added.forEach((b) => state.fresh.add(b.reference));
    if (added.length) announce(t("inbox.new", { n: added.length }));
    state.known = new Set([...(state.known || []), ...items.map((b) => b.reference)]);
    if (next && shown > items.length) {
      const refs = new Set(items.map((b) => b.reference));
      const last = Date.parse(items[items.length - 1].created_at);
      state.items = [...items, ...state.items.filter((b) => !refs.has(b.reference) && Date.parse(b.created_at) <= last)];
    } else {
      Object.assign(state, { items, next });
    }
    Object.assign(state, { error: "", qError: "" });
  } catch (err) {
    if (mine !== seq || !active) return;
    state.qError = fieldError(err, "q");
    if (state.qError) state.items = state.items || [];
    else state.error = err.message;
  }
  draw();
}
const reload = debounce(load, 300);

// 加载更多: the next page after the last one shown (keyset cursor from the server).
async function more() {
  if (!state.next || state.more) return;
  const mine = seq, count = state.items.length;
  Object.assign(state, { more: true, moreError: "" });
  draw();
  try {
    const { items, next_cursor: next } = await call(`/api/staff/bookings?${query({ limit: PAGE, cursor: state.next })}`);
    if (mine !== seq || !active) return;
    const have = new Set(state.items.map((b) => b.reference));
    state.items = [...state.items, ...items.filter((b) => !have.has(b.reference))];
    items.forEach((b) => state.known.add(b.reference));
    state.next = next;
    announce(t("list.loaded", { n: state.items.length - count }));
  } catch (err) {
    if (mine === seq) state.moreError = err.message;
  } finally {
    state.more = false;
  }
  if (mine !== seq || !active) return;
  draw();
  // Keep the place: focus stays on 加载更多, or goes to the first new booking when none are left.
  const first = state.items[count];
  if (!state.next && first) root.querySelector(`#bk-${CSS.escape(first.reference)}`).focus({ preventScroll: true });
}

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
  focusCard(ref);
}

function filters() {
  const options = (values, chosen, text) => values.map((v) => html`<option value="${v}" ${v === chosen ? "selected" : ""}>${text(v)}</option>`);
  return html`
    <form class="filters" data-testid="filters" role="search" novalidate>
      ${scopes().length > 1 ? html`<div class="field"><label for="f-scope">${t("inbox.scope")}</label>
        <select id="f-scope" name="scope" data-testid="scope">${options(scopes(), state.scope, (s) => t("scope." + s))}</select></div>` : ""}
      <div class="field"><label for="f-status">${t("status.label")}</label>
        <select id="f-status" name="status" data-testid="status-filter">
          <option value="">${t("inbox.all")}</option>${options(STATUSES, state.status, (s) => t("st." + s))}</select></div>
      <div class="field wide"><label for="f-day">${t("inbox.day")}</label>
        <span class="day-pick"><input id="f-day" name="day" type="date" data-testid="day-filter" value="${state.day}">
        <button type="button" class="btn small" data-act="${state.day ? "any-day" : "today"}" data-testid="day-button">${t(state.day ? "inbox.anyday" : "today")}</button></span></div>
      <div class="field wide"><label for="f-q">${t("list.search")}</label>
        <span class="day-pick"><input id="f-q" name="q" type="search" enterkeyhint="search" maxlength="40" autocomplete="off"
          value="${state.q}" placeholder="${t("list.search.hint")}" aria-describedby="e-q" data-testid="search"
          ${state.qError ? html`aria-invalid="true"` : ""}>
        <button type="submit" class="btn small primary" data-testid="search-go">${t("list.search.go")}</button>
        ${state.q ? html`<button type="button" class="btn small" data-act="clear-q" data-testid="search-clear">${t("list.search.clear")}</button>` : ""}</span>
        <p class="err" id="e-q" data-testid="search-error" role="alert">${state.qError}</p></div>
    </form>
    <button type="button" class="switch" data-act="alerts" data-testid="alerts" aria-pressed="${alertsOn()}">${t("inbox.alerts")}</button>`;
}

function refilter(changes) {
  Object.assign(state, changes, { known: null, items: null, next: null, confirm: "", notes: {}, qError: "", moreError: "" });
  state.fresh.clear();
  render(root, { me });
}

export function render(el, ctx) {
  root = el;
  me = ctx.me;
  active = true;
  if (!scopes().includes(state.scope)) Object.assign(state, { scope: scopes()[0], items: null, next: null, known: null });
  mount(root, html`
    <section class="view inbox" data-testid="inbox">
      <h1>${t("inbox.title")}</h1>
      <div class="tools-row">${filters()}</div>
      <div id="list">${list()}</div>
    </section>`);
  const form = root.querySelector(".filters");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    refilter({ q: form.elements.q.value.trim() });
    root.querySelector("#f-q").focus();
  });
  form.addEventListener("change", (e) => {
    const f = e.target;
    if (f.name === "q") return; // searched on submit (enter or 搜索)
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
    if (b.dataset.act === "clear-q") { refilter({ q: "" }); root.querySelector("#f-q").focus(); return; }
    refilter({ day: b.dataset.act === "today" ? todayKey() : "" });
    root.querySelector("[data-testid=day-button]").focus();
  });
  const box = root.querySelector("#list");
  box.addEventListener("submit", (e) => {
    e.preventDefault();
    const form = e.target.closest("form.rv-form");
    if (form && !state.busy.has(form.dataset.ref)) reveal(form.dataset.ref, form);
  });
  box.addEventListener("click", (e) => {
    if (e.target.closest("button[data-act=more]")) { more(); return; }
    const b = e.target.closest("button[data-ref]");
    if (!b || b.disabled) return;
    const { ref, to, sure, ci, rv } = b.dataset;
    if (rv) {
      state.revealing = rv === "open" ? ref : "";
      delete state.rvErrors[ref];
      draw();
      const input = root.querySelector(`#rv-${CSS.escape(ref)}`);
      if (input) input.focus(); else focusCard(ref);
      return;
    }
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
  Object.assign(state, { confirm: "", revealing: "", revealed: {}, rvErrors: {} }); // a revealed number is not kept
}

// Live: a change to one of the bookings in view (for "mine", only my own) means refetch.
export function changed(msg) {
  if (!msg || (msg.type !== "visit" && (state.scope === "mine" ? msg.employee_id === me.id
    : state.scope === "branch" ? msg.branch_id === me.branch_id : true))) reload();
}

// On logout: nothing of this session's bookings stays in memory.
export function reset() {
  Object.assign(state, blank());
  state.fresh.clear();
  state.sent.clear();
  state.busy.clear();
  seq += 1;
}
