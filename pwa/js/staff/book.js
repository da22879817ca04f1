// 代客预约 Book on behalf of a walk-in or phone customer, through my own shop: the customer's
// form (product, day and time or a call back, name, mobile, note) and the server's privacy notice
// read to them; its version is the consent_version sent. The server's 422 messages are shown
// next to their fields.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { formErrors, uuid } from "../api.js";
import { dateTime } from "../format.js";
import { slotPicker, groupByDay } from "../views/slots.js";
import { loadNotice, forgetNotice, noticeBlock } from "../notice.js";
import { call, cached } from "./session.js";
import { announce, focusView } from "./ui.js";

const FIELDS = ["product", "slot", "name", "phone", "note", "consent"];
const blank = () => ({ product: "", day: "", slot: "", callback: false, name: "", phone: "", note: "",
  consent: false, consentVersion: "", channel: "walk-in", days: null, send_link: false }); // consentVersion: the notice read
let draft = blank();
let errors = {};
let done = null; // the booking just made
let sent = null; // {key, body} of the last attempt: a retry of the same body reuses its key
let sending = false;

// The server's 422 messages are the ones shown; unknown field names go to the form.
const fieldErrors = (body) => formErrors(body, FIELDS, { consent_version: "consent", callback: "slot" });

// What the form can tell without the server: no product, no time chosen.
function missing() {
  const e = {};
  if (!draft.product) e.product = t("v.product");
  if (!draft.slot && !draft.callback) e.slot = t("v.slot");
  return e;
}

const err = (f) => html`<p class="err" id="e-${f}" data-testid="error-${f}">${errors[f] || ""}</p>`;
const attrs = (f, hint) => html`id="f-${f}" name="${f}" data-testid="${f === "consent" ? f : "field-" + f}"
  aria-describedby="${hint ? `h-${f} ` : ""}e-${f}"${errors[f] ? html` aria-invalid="true"` : ""}`;
const field = (f, control, hint) => html`<div class="field"><label for="f-${f}">${t("ob." + f)}</label>
  ${hint ? html`<p class="hint" id="h-${f}">${hint}</p>` : ""}${control}${err(f)}</div>`;

function form(shop, notice) {
  const d = draft;
  const option = (p) => html`<option value="${p.code}" ${p.code === d.product ? "selected" : ""}>${p.name}</option>`;
  const channel = (c) => html`<label class="radio"><input type="radio" name="channel" value="${c}"
    data-testid="channel-${c}" ${d.channel === c ? "checked" : ""}> ${t("ob.channel." + c)}</label>`;
  return html`
    <section class="view" data-testid="book-form">
      <h1>${t("ob.title")}</h1>
      <p class="muted">${t("ob.lead")}</p>
      <form novalidate>
        <fieldset class="field"><legend>${t("ob.channel")}</legend>
          <div class="radios">${channel("walk-in")}${channel("phone")}</div></fieldset>
        ${field("product", html`<select ${attrs("product")}><option value="">${t("f.product.pick")}</option>${shop.products.map(option)}</select>`)}
        <fieldset class="field" aria-describedby="e-slot">
          <legend>${t("f.time")}</legend>
          <div id="picker"></div>${err("slot")}
        </fieldset>
        ${field("name", html`<input ${attrs("name")} autocomplete="off" maxlength="40" value="${d.name}">`)}
        ${field("phone", html`<input ${attrs("phone")} type="tel" inputmode="tel" autocomplete="off" maxlength="20" value="${d.phone}">`)}
        <div class="field check">
          <input type="checkbox" id="f-send_link" name="send_link" data-testid="send-link" aria-describedby="h-send_link" ${d.send_link ? "checked" : ""}>
          <div><label for="f-send_link">${t("ob.send")}</label><p class="hint" id="h-send_link">${t("ob.send.hint")}</p></div>
        </div>
        ${field("note", html`<textarea ${attrs("note", 1)} rows="3">${d.note}</textarea>`, t("f.note.hint"))}
        ${noticeBlock(notice || "missing", { heading: t("ob.read"), hotline: shop.hotline })}
        <div class="field check">
          <input type="checkbox" ${attrs("consent")} ${notice && d.consent ? "checked" : ""} ${notice ? "" : "disabled"}>
          <label for="f-consent">${t("ob.consent")}</label>
        </div>${err("consent")}
        ${err("form")}
        <button type="submit" class="btn primary" data-testid="submit">${t("ob.submit")}</button>
      </form>
    </section>`;
}

function confirmation(b) {
  return html`
    <section class="view" data-testid="book-done">
      <h1>${t("ob.done")}</h1>
      <p class="ref">${t("done.ref")} <strong data-testid="reference">${b.reference}</strong></p>
      <dl class="facts">
        <dt>${t("ob.name")}</dt><dd>${b.name}</dd>
        <dt>${t("done.product")}</dt><dd>${b.product_name}</dd>
        <dt>${t("done.time")}</dt><dd>${b.slot_start ? dateTime(b.slot_start) : t("inbox.callback")}</dd>
        ${b.employee ? html`<dt>${t("inbox.manager")}</dt><dd>${b.employee}</dd>` : ""}
      </dl>
      ${b.qr ? html`<figure class="receipt" data-testid="receipt">
        <img src="${b.qr}" alt="${t("ob.qr.alt")}" width="240" height="240" data-testid="receipt-qr">
        <figcaption>${t("ob.qr")}</figcaption></figure>
        <p class="muted" data-testid="receipt-sent">${t(b.message_queued ? "ob.sent" : "ob.notsent")}</p>` : ""}
      <p class="muted">${t("ob.done.hint")}</p>
      <div class="actions">
        <a class="btn" href="#inbox">${t("tab.inbox")}</a>
        <button type="button" class="btn primary" data-testid="book-another">${t("ob.another")}</button>
      </div>
    </section>`;
}

async function loadSlots(shop, picker) {
  try {
    draft.days = (await call(`/api/shops/${encodeURIComponent(shop.code)}/slots`)).days || [];
    draft.unreachable = false;
  } catch {
    if (draft.days === null) draft.days = [];
    draft.unreachable = true;
  }
  if (!draft.days.some((day) => day.slots.some((s) => s.start === draft.slot))) draft.slot = "";
  picker.draw();
}

async function submit(root, ctx, shop) {
  if (sending) return;
  const body = {
    name: draft.name, phone: draft.phone, product: draft.product, slot: draft.callback ? null : draft.slot || null,
    callback: draft.callback, note: draft.note, consent: draft.consent, consent_version: draft.consentVersion,
    channel: draft.channel, // a code; the inbox shows its label
    send_link: draft.send_link, // the customer agreed to get the status link by text
  };
  const same = sent && JSON.stringify(sent.body) === JSON.stringify(body);
  const key = same ? sent.key : uuid();
  sent = { key, body };
  sending = true;
  const button = root.querySelector("[data-testid=submit]");
  button.disabled = true;
  button.textContent = t("submitting");
  try {
    done = await call("/api/staff/bookings", { method: "POST", body, headers: { "Idempotency-Key": key } });
    draft = blank();
    errors = {};
    sent = null;
    announce(t("ob.done"));
  } catch (error) {
    const b = error.body || {};
    if (!error.retryable) sent = null; // refused: a corrected body gets a new key
    if (b.error === "slot_taken") {
      errors = { slot: b.message || t("taken") };
      draft.slot = "";
      if (Array.isArray(b.free_slots)) draft.days = groupByDay(b.free_slots);
    } else if (error.status === 422 || error.status === 409) {
      // The server stops at the first broken rule of a kind: what the form itself knows is missing too.
      errors = { ...missing(), ...fieldErrors(b) };
      if (errors.consent) forgetNotice(); // the notice changed: the next form shows the new one
    } else {
      errors = { form: error.message };
    }
  } finally {
    sending = false;
  }
  render(root, ctx, true);
}

export async function render(root, ctx, showErrors = false) {
  if (!showErrors) errors = {};
  let shop;
  try {
    shop = await cached(`/api/shops/${encodeURIComponent(ctx.me.shop_code)}`);
  } catch (error) {
    mount(root, html`<section class="view"><h1>${t("ob.title")}</h1><p class="notice error">${error.message}</p></section>`);
    return;
  }
  const notice = done ? null : await loadNotice().catch(() => null);
  if (root.dataset.view !== "book") return;
  if (done) {
    mount(root, confirmation(done));
    root.querySelector("[data-testid=book-another]").onclick = () => { done = null; render(root, ctx); };
    return focusView(root);
  }
  if (!shop.products.length) {
    mount(root, html`<section class="view"><h1>${t("ob.title")}</h1><p class="notice">${t("products.none")}</p></section>`);
    return;
  }
  if (!shop.products.some((p) => p.code === draft.product)) draft.product = "";
  if (!notice || draft.consentVersion !== notice.version) draft.consent = false; // agreed to other words
  mount(root, form(shop, notice));
  const picker = slotPicker(root.querySelector("#picker"), draft,
    { callback: true, labels: { callback: "ob.callback", "callback.on": "ob.callback.on" } });
  const f = root.querySelector("form");
  f.addEventListener("input", (e) => {
    const el = e.target;
    if (el.name in draft) draft[el.name] = el.type === "checkbox" ? el.checked : el.value;
    if (el.name === "consent") draft.consentVersion = el.checked ? notice.version : "";
  });
  f.addEventListener("change", (e) => { if (e.target.name === "channel") draft.channel = e.target.value; });
  const retry = root.querySelector("[data-testid=notice-retry]");
  if (retry) retry.onclick = () => render(root, ctx);
  f.addEventListener("submit", (e) => { e.preventDefault(); submit(root, ctx, shop); });
  if (showErrors) {
    const first = FIELDS.find((k) => errors[k]);
    const target = first === "slot" ? root.querySelector("#picker button") : first ? root.querySelector(`[name=${first}]`)
      : root.querySelector("[data-testid=submit]");
    if (target) { target.focus(); target.scrollIntoView({ block: "center" }); }
    announce(errors.form || errors[first] || "");
  } else {
    focusView(root);
  }
  loadSlots(shop, picker);
}

// On logout: the half-filled form and the last confirmation are forgotten.
export function reset() {
  draft = blank();
  errors = {};
  done = null;
  sent = null;
}
