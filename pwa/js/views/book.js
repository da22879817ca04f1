// Booking: product → day and slot (or call me back) → name, mobile, note → consent → send.
// Every booking goes through the outbox first, with its Idempotency-Key, so a lost answer
// or a dead network is retried later and still books exactly once. The consent is to the
// server's privacy notice as shown: the version sent is the version whose words were on screen.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { api, formErrors, uuid } from "../api.js";
import { put, remove, send, events } from "../bookings.js";
import { announce, focusView, speakButton } from "../app.js";
import { local } from "./card.js";
import { dateTime } from "../format.js";
import { slotPicker, groupByDay } from "./slots.js";
import { loadNotice, shownNotice, forgetNotice, noticeBlock } from "../notice.js";
// The outbox notice (views/outbox.js) and the waiting view's summary (views/summary.js) load with
// import(): the form opens after one round of files on a slow link, not two (shop.js FORM).

// "Already a customer?": a returning customer proves their number with a text-message code
// (views/dedicated.js, loaded when asked for) and the form then shows who will serve them, why,
// and that person's times before they commit. Unproven, the booking goes to the person shown.
function dedicatedBlock(d) {
  if (d.serving) {
    const m = d.serving.manager;
    return html`<div class="notice" data-testid="serving" role="status">
      <p><strong>${t("ded.who", { name: m.name, branch: local(m, "branch") })}</strong></p><p>${t("why." + d.serving.reason)}</p>
      <button type="button" class="btn quiet" data-ded="undo" data-testid="serving-undo">${t("ded.undo")}</button></div>`;
  }
  return d.proving ? html`<div id="ded-prove"></div>`
    : html`<button type="button" class="btn quiet" data-ded="ask" data-testid="dedicated-ask">${t("ded.ask")}</button>`;
}

const clearDedicated = (d) => Object.assign(d, { serving: null, proof: "", proving: false, provenPhone: "" });

function wireDedicated(root, ctx, redraw) {
  const slot = root.querySelector("#ded-prove");
  if (slot) import("./dedicated.js").then((m) => m.prove(slot, ctx, draft, redraw), () => { draft.proving = false; redraw(); });
  root.querySelectorAll("[data-ded]").forEach((b) => {
    b.onclick = () => {
      if (b.dataset.ded === "ask") draft.proving = true;
      else Object.assign(clearDedicated(draft), { days: null, slot: "" });
      redraw("[data-testid=dedicated-ask]");
    };
  });
}

const FIELDS = ["product", "slot", "name", "phone", "note", "consent"];
const blank = () => ({ product: "", day: "", slot: "", callback: false, name: "", phone: "", note: "", consent: false,
  consentVersion: "", marketing: false, days: null, serving: null, proof: "", proving: false });
// consentVersion: the notice version the box was ticked under; serving/proof: a proven number's manager
let draft = blank(); // survives leaving the form and switching language
let errors = {}; // field → message, shown by the next render
let waiting = null; // {key, ctx, root} while a booking waits in the outbox
let submitting = false;
let keepErrors = false; // prefill() errors survive the next render
let noticeFailed = false; // the notice could not be read (offline, and no saved copy)

export const owns = (key) => !!waiting && waiting.key === key;
// Is the customer in the middle of filling in the form?
export const busy = () => submitting || !!(draft.name || draft.phone || draft.note);

// Mirror the server: spaces, dashes, brackets and a +86 / 86 prefix are dropped.
export function normPhone(raw) {
  const d = String(raw).replace(/[\s\-()]/g, "");
  return d.startsWith("+86") ? d.slice(3) : d.startsWith("86") && d.length === 13 ? d.slice(2) : d;
}

function check(d, shop) {
  const e = {};
  const name = d.name.trim().replace(/\s+/g, " ");
  if (!name || [...name].length > 20) e.name = t("v.name");
  if (!/^1[3-9]\d{9}$/.test(normPhone(d.phone))) e.phone = t("v.phone");
  if (!d.product) e.product = t("v.product");
  if (!d.slot && !d.callback) e.slot = t("v.slot");
  if ([...d.note.trim()].length > 200) e.note = t("v.note");
  if (!d.consent || !d.consentVersion) e.consent = t("v.consent");
  if (!shownNotice()) e.consent = noticeFailed ? t("notice.missing", { hotline: shop.hotline }) : t("notice.loading");
  return e;
}

// The server's 422 messages are the ones shown; unknown field names go to the form.
const fieldErrors = (body) => formErrors(body, FIELDS, { consent_version: "consent", callback: "slot" });

// Open the form again with a booking the server refused while it waited in the outbox.
export function prefill(entry) {
  const b = entry.body;
  errors = entry.error && entry.error.error === "slot_taken" ? { slot: entry.error.message } : fieldErrors(entry.error);
  if (errors.consent) forgetNotice(); // e.g. the notice changed while the booking waited: read it again
  const consent = b.consent && !errors.consent;
  draft = { ...draft, product: b.product, slot: errors.slot ? "" : b.slot || "", callback: b.callback,
    name: b.name, phone: b.phone, note: b.note, consent, consentVersion: consent ? b.consent_version : "" };
  keepErrors = true;
  return remove(entry.key);
}

const err = (f) => html`<p class="err" id="e-${f}" data-testid="error-${f}">${errors[f] || ""}</p>`;
// id, name, test id and ARIA for control `f`; `hint` when it has a hint paragraph.
const attrs = (f, hint) => html`id="f-${f}" name="${f}" data-testid="${f === "consent" ? f : "field-" + f}"
  aria-describedby="${hint ? `h-${f} ` : ""}e-${f}"${errors[f] ? html` aria-invalid="true"` : ""}`;
const field = (f, control, hint) => html`<div class="field"><label for="f-${f}">${t("f." + f)}</label>
  ${hint ? html`<p class="hint" id="h-${f}">${hint}</p>` : ""}${control}${err(f)}</div>`;

function productOptions(products, chosen) {
  const groups = [...new Set(products.map((p) => p.kind))];
  const opt = (p) => html`<option value="${p.code}" ${p.code === chosen ? "selected" : ""}>${local(p, "name")}</option>`;
  const label = (k) => t(k === "matrix" ? "products.matrix" : "products." + k);
  return groups.map((k) => html`<optgroup label="${label(k)}">${products.filter((p) => p.kind === k).map(opt)}</optgroup>`);
}

// The chosen product in words, to read aloud (适老化 朗读).
function chosenProduct(shop, d) {
  const p = shop.products.find((x) => x.code === d.product);
  if (!p) return "";
  const summary = local(p, "summary"), amount = local(p, "amount");
  return html`<div class="chosen-product" data-testid="chosen-product"><p id="chosen-words">${local(p, "name")}${summary ? html`${t("colon")}${summary}` : ""}${
    amount ? html` (${amount})` : ""}</p>${speakButton("#chosen-words", "speak-product")}</div>`;
}

// After "that time was just taken": the free times nearest the one picked, one tap each.
const nearBlock = (d) => d.near && d.near.length ? html`<div class="near" data-testid="near-slots">
  <p>${t("near")}</p><div class="slots">${d.near.map((s) => html`<button type="button" class="slot" data-near="${s.start}"
    data-testid="near-${s.label}">${dateTime(s.start)}</button>`)}</div></div>` : "";

// The notice on screen: its words, or "loading" / "missing".
const noticeState = () => shownNotice() || (noticeFailed ? "missing" : "loading");

function form(ctx) {
  const { shop } = ctx;
  const d = draft;
  const notice = shownNotice();
  return html`
    <section class="view" data-testid="booking-form">
      <button type="button" class="back" data-testid="back-button">${t("back")}</button>
      <h1>${t("book.title")}</h1>
      <p class="muted" data-testid="book-with">${d.serving ? t("book.with", { name: d.serving.manager.name })
        : d.gridPick ? t("book.grid", { name: d.gridPick.name }) : t("book.with", { name: shop.manager.name })}</p>
      <div class="outbox"></div>
      <form novalidate>
        ${field("product", html`<select ${attrs("product")}>
          <option value="">${t("f.product.pick")}</option>${productOptions(shop.products, d.product)}</select>`)}
        <div id="chosen-slot">${chosenProduct(shop, d)}</div>
        <fieldset class="field" aria-describedby="e-slot">
          <legend>${t("f.time")}</legend>
          ${err("slot")}${nearBlock(d)}
          <div id="picker"></div>
        </fieldset>
        ${field("name", html`<input ${attrs("name")} autocomplete="name" maxlength="40" value="${d.name}">`)}
        ${field("phone", html`<input ${attrs("phone", 1)} type="tel" inputmode="tel" autocomplete="tel-national"
          pattern="1[3-9][0-9]{9}" maxlength="20" value="${d.phone}">`, t("f.phone.hint"))}
        <div class="dedicated">${dedicatedBlock(d)}</div>
        ${field("note", html`<textarea ${attrs("note", 1)} rows="3">${d.note}</textarea>`, t("f.note.hint"))}
        <div id="notice-slot">${noticeBlock(noticeState(), { hotline: shop.hotline })}</div>
        <div class="field check">
          <input type="checkbox" ${attrs("consent")} ${notice && d.consent ? "checked" : ""} ${notice ? "" : "disabled"}>
          <label for="f-consent">${t("consent")}</label>
        </div>${err("consent")}
        <div class="field check">
          <input type="checkbox" id="f-marketing" name="marketing" data-testid="marketing" aria-describedby="h-marketing"
            ${d.marketing ? "checked" : ""}>
          <div><label for="f-marketing">${t("marketing")}</label>
            <p class="hint" id="h-marketing" data-testid="marketing-hint">${notice ? notice.marketing : ""}</p></div>
        </div>
        ${err("form")}
        <button type="submit" class="btn primary" data-testid="submit">${t("submit")}</button>
      </form>
    </section>`;
}

// Read the notice (network, else the saved copy) into the form; a tick given to other words is undone.
async function showNotice(root, ctx) {
  const slot = root.querySelector("#notice-slot");
  const notice = await loadNotice().catch(() => null);
  noticeFailed = !notice;
  if (!slot.isConnected) return; // the customer has moved on
  if (notice && draft.consentVersion !== notice.version) draft.consent = false;
  mount(slot, noticeBlock(notice || "missing", { hotline: ctx.shop.hotline }));
  const box = root.querySelector("[name=consent]");
  box.disabled = !notice;
  box.checked = !!notice && draft.consent;
  root.querySelector("#h-marketing").textContent = notice ? notice.marketing : "";
  const retry = slot.querySelector("[data-testid=notice-retry]");
  if (retry) retry.onclick = () => { mount(slot, noticeBlock("loading")); showNotice(root, ctx); };
  if (!notice) announce(t("notice.missing", { hotline: ctx.shop.hotline }));
}

async function loadSlots(ctx, picker) {
  if (draft.serving) return picker.draw(); // the proven customer's manager's times, already in
  try {
    const data = await api(`/api/shops/${encodeURIComponent(ctx.code)}/slots`);
    draft.days = data.days || [];
    // A grid code: these are one team member's times, and the booking goes to them.
    const pick = data.serve_code ? { name: data.manager, code: data.serve_code } : null;
    if ((pick && pick.code) !== (draft.gridPick && draft.gridPick.code)) {
      draft.gridPick = pick;
      const line = document.querySelector("[data-testid=book-with]");
      if (line && !draft.serving) line.textContent = pick ? t("book.grid", { name: pick.name }) : t("book.with", { name: ctx.shop.manager.name });
    }
    draft.unreachable = false;
  } catch {
    if (draft.days === null) draft.days = [];
    draft.unreachable = true;
  }
  const open = draft.days.some((day) => day.slots.some((s) => s.start === draft.slot));
  if (!open) draft.slot = "";
  picker.draw();
}

async function waitingView(root, ctx, body) {
  const { summary } = await import("./summary.js").catch(() => ({ summary: () => "" })); // offline, never saved
  if (root.dataset.view !== "book" || !waiting) return; // left, or answered, meanwhile
  const p = ctx.shop.products.find((x) => x.code === body.product);
  const m = ctx.shop.manager;
  mount(root, html`
    <section class="view" data-testid="offline-notice">
      <h1>${t("waiting")}</h1>
      <p>${t("waiting.more")}</p>
      ${summary({ product_name: p ? p.name : body.product, product_name_en: p && p.name_en, slot_start: body.slot,
        manager: m.name, branch: m.branch, branch_en: m.branch_en })}
      <a class="btn" href="#">${t("done.home")}</a>
    </section>`);
  focusView(root);
  announce(t("waiting"));
}

function succeed(ctx, booking) {
  draft = blank();
  errors = {};
  waiting = null;
  ctx.go("done/" + encodeURIComponent(booking.reference));
}

// A refusal (422, 409 slot taken, 404...): back to the form with the server's messages.
function refused(root, ctx, error) {
  waiting = null;
  const body = error.body || {};
  if (body.error === "slot_taken") {
    // Stay on the day picked, and offer the free times nearest the one picked (same day first).
    errors = { slot: body.message || t("taken") };
    draft.slot = "";
    draft.near = Array.isArray(body.free_slots) ? body.free_slots : [];
    if (draft.days === null && draft.near.length) draft.days = groupByDay(draft.near);
  } else {
    errors = fieldErrors(body);
    if (errors.consent) forgetNotice(); // outdated: the form shows the new notice to agree to
  }
  render(root, ctx, true);
}

async function submit(root, ctx) {
  if (submitting) return;
  errors = check(draft, ctx.shop);
  if (Object.keys(errors).length) {
    errors.form = t("v.check");
    return render(root, ctx, true);
  }
  const body = {
    name: draft.name.trim().replace(/\s+/g, " "), phone: normPhone(draft.phone), product: draft.product,
    slot: draft.callback ? null : draft.slot, callback: draft.callback, note: draft.note.trim(),
    consent: true, consent_version: draft.consentVersion, channel: ctx.channel, marketing: draft.marketing,
    serve_code: !draft.serving && draft.gridPick ? draft.gridPick.code : "",
  };
  // The key is made and stored before the first send: a retry can never book twice.
  const entry = { key: uuid(), code: ctx.code, body, state: "pending", created: Date.now(),
    proof: draft.serving && draft.proof ? draft.proof : undefined };
  submitting = true;
  const button = root.querySelector("[data-testid=submit]");
  button.disabled = true;
  button.textContent = t("submitting");
  announce(t("submitting"));
  await put(entry).catch(() => {}); // no IndexedDB (private mode): it is still sent now
  const result = await send(entry);
  submitting = false;
  if (result.booking) return succeed(ctx, result.booking);
  if (result.error.retryable) {
    waiting = { key: entry.key, body, ctx, root };
    return waitingView(root, ctx, body);
  }
  await remove(entry.key).catch(() => {});
  refused(root, ctx, result.error);
}

// A booking that waited in the outbox was finally answered.
// detail.handled tells the page's own listener that this view took care of it.
events.addEventListener("sent", (e) => {
  if (!owns(e.detail.entry.key)) return;
  e.detail.handled = true;
  succeed(waiting.ctx, e.detail.booking);
});
events.addEventListener("failed", (e) => {
  if (!owns(e.detail.entry.key)) return;
  const { root, ctx } = waiting;
  waiting = null;
  if (root.dataset.view !== "book") return; // elsewhere: the page shows the refused entry
  e.detail.handled = true;
  remove(e.detail.entry.key).catch(() => {});
  refused(root, ctx, e.detail.error);
});

export function render(root, ctx, showErrors = false, quiet = false) {
  if (waiting) { // never a second form while the first booking is still on its way
    Object.assign(waiting, { root, ctx });
    return waitingView(root, ctx, waiting.body);
  }
  showErrors = showErrors || keepErrors;
  keepErrors = false;
  if (!showErrors) { errors = {}; draft.near = null; }
  if (ctx.arg && !showErrors) draft.product = ctx.arg;
  if (!ctx.shop.products.some((p) => p.code === draft.product)) draft.product = "";
  const notice = shownNotice();
  if (notice && draft.consentVersion !== notice.version) draft.consent = false; // ticked under other words
  mount(root, form(ctx));
  const picker = slotPicker(root.querySelector("#picker"), draft, { callback: true });
  const f = root.querySelector("form");
  f.addEventListener("input", (e) => {
    const el = e.target;
    if (el.name in draft) draft[el.name] = el.type === "checkbox" ? el.checked : el.value;
    if (el.name === "product") mount(root.querySelector("#chosen-slot"), chosenProduct(ctx.shop, draft));
    if (el.name === "phone" && draft.serving && normPhone(el.value) !== draft.provenPhone) { // another number: not proven
      clearDedicated(draft);
      draft.days = null;
      render(root, ctx, false, true);
      const input = root.querySelector("[name=phone]");
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    }
    if (el.name === "consent") draft.consentVersion = el.checked && shownNotice() ? shownNotice().version : "";
  });
  f.addEventListener("submit", (e) => { e.preventDefault(); submit(root, ctx); });
  f.addEventListener("click", (e) => {
    const near = e.target.closest("[data-near]");
    if (!near) return;
    const start = near.dataset.near;
    const day = (draft.days || []).find((d) => d.slots.some((x) => x.start === start));
    Object.assign(draft, { slot: start, callback: false, near: null, day: day ? day.date : draft.day });
    errors.slot = "";
    root.querySelector("#e-slot").textContent = "";
    near.closest(".near").remove();
    picker.draw();
    announce(t("near.picked", { time: dateTime(start) }));
  });
  wireDedicated(root, ctx, (focus) => {
    render(root, ctx, false, true);
    const el = focus && root.querySelector(focus);
    if (el) el.focus();
  });
  if (showErrors) {
    const first = FIELDS.find((k) => errors[k]);
    const target = first && (first === "slot" ? root.querySelector("[data-near], #picker button") : root.querySelector(`[name=${first}]`));
    if (target) {
      target.focus({ preventScroll: true });
      // The message itself comes into view, with what to do next under it.
      (first === "slot" ? root.querySelector("#e-slot") : target).scrollIntoView({ block: "center" });
    }
    announce(errors.form || errors[first] || "");
  } else if (!quiet) {
    focusView(root);
  }
  if (!shownNotice()) showNotice(root, ctx);
  loadSlots(ctx, picker);
  const outbox = root.querySelector(".outbox");
  import("./outbox.js").then((m) => outbox.isConnected && m.outboxNotice(outbox, ctx), () => {});
}
