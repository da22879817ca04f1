// 渠道码 Channel codes: one QR code per poster, village board or event, each counted apart.
// List mine (a manager: also those of the people they oversee) with what each brought, drawn as
// bars on one scale per stage so codes compare at a glance; make, rename, retire, and download a
// code's poster (PNG / PDF, naming its channel). Numbers belong to the code: a renamed code's
// past shows under its new name; a retired code keeps its numbers and counts nothing new.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { debounce } from "../live.js";
import { call, isManager } from "./session.js";
import { announce, focusView, keepFocus } from "./ui.js";
import { busy, confirmIn, errLine, fetchFile, showErrors, stamp } from "./admin-common.js";

const STAGES = ["visits", "bookings", "arrived", "completed"];
const PERIODS = ["all", "month", "week", "today"];
const SCOPES = ["mine", "team"];
let scope = "mine", period = "all";
let data = null, problem = "", editing = "", seq = 0;
let root = null, me = null, active = false, urls = [];

const pct = (part, whole) => (whole ? `${Math.round((100 * part) / whole)}%` : "–");

// A code's four stages as bars; each stage's full bar is the largest of that stage among the
// codes shown, so a longer bar means this code did better than the others at that stage.
function bars(item, tops) {
  const n = item.numbers;
  return html`<ol class="funnel ch-bars" aria-label="${t("ch.bars", { name: item.channel })}" data-testid="ch-bars">${STAGES.map((s, i) => html`
    <li class="funnel-step f-${s}">
      <span class="funnel-lbl">${t("count." + s)}</span>
      <svg class="bar" viewBox="0 0 1000 100" preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <rect class="bar-track" width="1000" height="100"></rect>
        ${n[s] ? html`<rect class="f-fill" width="${Math.max(8, Math.round((1000 * n[s]) / Math.max(1, tops[s])))}" height="100"></rect>` : ""}
      </svg>
      <span class="funnel-n"><b data-testid="${s}">${n[s]}</b>${i ? html` <span class="funnel-rate">${pct(n[s], n[STAGES[i - 1]])}</span>` : ""}</span>
    </li>`)}</ol>`;
}

function card(item, tops) {
  const retired = !!item.retired_at;
  const who = scope === "team" ? html` · <span data-testid="ch-owner">${item.owner}</span>` : "";
  return html`<li class="ch${retired ? " retired" : ""}" data-testid="ch-${item.code}">
    <div class="ch-head">
      <h2 data-testid="ch-name">${item.channel}</h2>
      ${item.grid ? html`<span class="badge" data-testid="ch-grid">${t("ch.grid.badge", { grid: item.grid })}</span>` : ""}
      ${retired ? html`<span class="badge" data-testid="ch-retired">${t("ch.retired.badge")}</span>` : ""}
    </div>
    <p class="muted ch-meta"><span class="ch-code">${item.code}</span> · ${t(retired ? "ch.retired.on" : "ch.made", { day: stamp(retired ? item.retired_at : item.created_at).slice(0, 10) })}${who}</p>
    ${bars(item, tops)}
    ${retired ? "" : actions(item)}
  </li>`;
}

function actions(item) {
  if (editing === item.code) {
    return html`<form class="ch-rename" data-code="${item.code}" novalidate>
      <div class="field"><label for="f-rename-${item.code}">${t("ch.rename.label")}</label>
        <input id="f-rename-${item.code}" name="channel" maxlength="40" value="${item.channel}" data-testid="ch-rename-input"
          aria-describedby="e-ren-${item.code}-channel">${errLine("channel", `ren-${item.code}`)}</div>
      ${errLine("form", `ren-${item.code}`)}
      <div class="bk-acts">
        <button type="submit" class="btn small primary" data-testid="ch-rename-save">${t("ch.rename.save")}</button>
        <button type="button" class="btn small" data-act="cancel" data-key="cancel-${item.code}">${t("inbox.no")}</button></div>
    </form>`;
  }
  const manage = item.can_manage;
  return html`<div class="bk-acts" data-code="${item.code}">
      ${manage ? html`<button type="button" class="btn small primary" data-act="png" data-key="png-${item.code}" data-testid="ch-png">${t("ch.poster.png")}</button>
      <button type="button" class="btn small" data-act="pdf" data-key="pdf-${item.code}" data-testid="ch-pdf">${t("ch.poster.pdf")}</button>` : ""}
      <button type="button" class="btn small" data-act="copy" data-key="copy-${item.code}" data-testid="ch-copy">${t("copy")}</button>
      ${manage ? html`<button type="button" class="btn small" data-act="rename" data-key="rename-${item.code}" data-testid="ch-rename">${t("ch.rename")}</button>
      <button type="button" class="btn small danger" data-act="retire" data-key="retire-${item.code}" data-testid="ch-retire">${t("ch.retire")}</button>` : ""}
    </div>
    <div class="ch-confirm" data-confirm="${item.code}"></div>
    ${errLine("form", `act-${item.code}`)}
    <ul class="adm-list ch-files" data-files="${item.code}" aria-live="polite"></ul>`;
}

function list() {
  if (problem) return html`<p class="notice error" data-testid="ch-problem">${problem}</p>`;
  if (!data) return html`<p class="loading">${t("inbox.loading")}</p>`;
  const inUse = data.items.filter((i) => !i.retired_at), retired = data.items.filter((i) => i.retired_at);
  const tops = Object.fromEntries(STAGES.map((s) => [s, Math.max(0, ...data.items.map((i) => i.numbers[s]))]));
  return html`
    ${inUse.length ? html`<ul class="ch-list" data-testid="ch-list">${inUse.map((i) => card(i, tops))}</ul>`
      : html`<p class="empty" data-testid="ch-empty">${t(scope === "team" ? "ch.empty.team" : "ch.empty")}</p>`}
    ${retired.length ? html`<details class="ch-old" data-testid="ch-old"><summary>${t("ch.retired.list", { n: retired.length })}</summary>
      <p class="muted">${t("ch.retired.lead")}</p>
      <ul class="ch-list">${retired.map((i) => card(i, tops))}</ul></details>` : ""}`;
}

const switches = (name, values, now, key) => html`<div class="periods" role="group" aria-label="${t(name)}">${values.map((v) => html`
  <button type="button" class="switch" data-${key}="${v}" data-testid="ch-${key}-${v}" aria-pressed="${v === now}">${t(`ch.${key}.${v}`)}</button>`)}</div>`;

function drawList() {
  const box = root && root.querySelector("#ch-items");
  if (box) keepFocus(root, () => mount(box, list()));
}

async function load() {
  const mine = ++seq;
  try {
    const got = await call(`/api/staff/channel-codes?${new URLSearchParams({ scope, period })}`);
    if (mine !== seq || !active) return;
    data = got;
    problem = "";
  } catch (err) {
    if (mine !== seq || !active) return;
    problem = err.message;
  }
  drawList();
}
const reload = debounce(load, 300);

async function create(form) {
  const button = form.querySelector("button[type=submit]");
  showErrors(form, null);
  const name = form.channel.value.trim();
  if (!name) {
    showErrors(form, { status: 422, message: t("ch.name.missing"), body: { fields: { channel: t("ch.name.missing") } } });
    form.channel.focus();
    return;
  }
  try {
    const made = await busy(button, () => call("/api/staff/channel-codes", {
      method: "POST", body: { channel: name, grid: !!(form.grid && form.grid.checked) } }));
    form.reset();
    announce(t("ch.created", { name: made.channel }));
    mount(root.querySelector("#ch-made"), html`<p class="ok" data-testid="ch-made">${t("ch.created", { name: made.channel })}</p>`);
    await load();
  } catch (err) {
    showErrors(form, err);
    form.channel.focus();
  }
}

async function rename(form) {
  const code = form.dataset.code;
  showErrors(form, null);
  try {
    const done = await busy(form.querySelector("button[type=submit]"), () => call(`/api/staff/channel-codes/${encodeURIComponent(code)}`, {
      method: "PATCH", body: { channel: form.channel.value } }));
    editing = "";
    announce(t("ch.renamed", { name: done.channel }));
    await load();
  } catch (err) {
    showErrors(form, err);
    form.channel.focus();
  }
}

async function poster(button, item, fmt) {
  const box = button.closest(".ch");
  showErrors(box, null);
  try {
    const { blob, name } = await busy(button, () => fetchFile(fmt === "png" ? item.poster_png : item.poster_pdf));
    const url = URL.createObjectURL(blob);
    urls.push(url);
    const li = document.createElement("li");
    mount(li, html`<a href="${url}" download="${name}" data-testid="ch-file">${t("adm.kit.save", { name })}</a>`);
    box.querySelector("[data-files]").prepend(li);
    li.querySelector("a").click();
    announce(t("adm.kit.ready", { name }));
  } catch (err) {
    showErrors(box, err);
  }
}

async function copy(button, item) {
  try {
    await navigator.clipboard.writeText(item.url);
    button.textContent = t("copied");
  } catch {
    button.textContent = item.url; // plain http or an old WebView: show it to copy by hand
  }
  announce(button.textContent);
}

function retire(button, item) {
  const box = button.closest(".ch").querySelector("[data-confirm]");
  confirmIn(box, t("ch.retire.ask", { name: item.channel }), async () => {
    try {
      await call(`/api/staff/channel-codes/${encodeURIComponent(item.code)}/retire`, { method: "POST", body: {} });
      announce(t("ch.retired", { name: item.channel }));
      await load();
    } catch (err) {
      showErrors(button.closest(".ch"), err);
    }
  }, { danger: true });
}

function onClick(e) {
  const b = e.target.closest("button");
  if (!b) return;
  if (b.dataset.scope || b.dataset.period) {
    if (b.dataset.scope) scope = b.dataset.scope;
    else period = b.dataset.period;
    b.closest(".periods").querySelectorAll("button").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
    data = null;
    drawList();
    load();
    return;
  }
  const holder = b.closest("[data-code]");
  const act = b.dataset.act, code = holder ? holder.dataset.code : "";
  const item = data && data.items.find((i) => i.code === code);
  if (!act || !item) return;
  if (act === "png" || act === "pdf") poster(b, item, act);
  else if (act === "copy") copy(b, item);
  else if (act === "retire") retire(b, item);
  else if (act === "rename" || act === "cancel") {
    editing = act === "rename" ? code : "";
    drawList();
    const input = root.querySelector("[data-testid=ch-rename-input]");
    if (input) input.focus();
  }
}

export function render(el, ctx) {
  root = el;
  me = ctx.me;
  active = true;
  editing = "";
  mount(root, html`
    <section class="view channels" data-testid="channels">
      <a class="back" href="#shop" data-testid="back-button">${t("back")}</a>
      <h1>${t("ch.title")}</h1>
      <p class="muted">${t("ch.lead")}</p>
      <form class="ch-new" id="ch-new" novalidate>
        <h2>${t("ch.new")}</h2>
        <div class="field"><label for="f-ch-name">${t("ch.name")}</label>
          <input id="f-ch-name" name="channel" maxlength="40" autocomplete="off" data-testid="ch-name-input"
            aria-describedby="h-ch-name e-new-channel">
          <p class="hint" id="h-ch-name">${t("ch.name.hint")}</p>${errLine("channel", "new")}</div>
        ${me.grid_id ? html`<div class="field check">
          <input type="checkbox" id="f-ch-grid" name="grid" data-testid="ch-grid-input">
          <label for="f-ch-grid">${t("ch.grid")}</label></div>` : ""}
        ${errLine("form", "new")}
        <button type="submit" class="btn primary" data-testid="ch-create">${t("ch.create")}</button>
        <div id="ch-made"></div>
      </form>
      <h2>${t("ch.mine")}</h2>
      ${isManager() ? switches("ch.scope", SCOPES, scope, "scope") : ""}
      ${switches("ch.period", PERIODS, period, "period")}
      <div id="ch-items"></div>
    </section>`);
  drawList();
  const view = root.querySelector(".channels");
  view.addEventListener("click", onClick);
  view.addEventListener("submit", (e) => {
    e.preventDefault();
    if (e.target.id === "ch-new") create(e.target);
    else if (e.target.classList.contains("ch-rename")) rename(e.target);
  });
  focusView(root);
  load();
}

export function leave() {
  active = false;
  urls.forEach((u) => URL.revokeObjectURL(u));
  urls = [];
}

export function reset() { leave(); scope = "mine"; period = "all"; data = null; problem = ""; }

export function changed(msg) {
  if (active && (!msg || msg.employee_id === me.id || scope === "team")) reload();
}
