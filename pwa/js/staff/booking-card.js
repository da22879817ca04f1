// One booking in the inbox: who, when, what, the shop or channel code it came through, buttons to
// move it on, 核验到店, and — for those who may, on a masked number — 查看完整号码 with a reason
// (the server keeps it in the audit log). Drawn from the inbox's state; inbox.js handles the clicks.
import { html } from "../html.js";
import { t } from "../i18n.js";
import { dateTime } from "../format.js";
import { tel } from "../views/card.js";

export const CONFIRM = ["cancelled", "no_show"]; // final and unhappy: asked twice
const CHECKABLE = ["new", "contacted", "arrived", "completed"]; // may still get the customer's evidence

// A code's label when the dictionary has one, else the code itself.
const label = (prefix, code) => { const s = t(prefix + code); return s === prefix + code ? code : s; };

export function card(b, state, me) {
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
      ${phone(b, state, busy)}
      <dl class="facts bk-facts">
        ${b.note ? html`<dt>${t("note")}</dt><dd data-testid="booking-note">${b.note}</dd>` : ""}
        ${b.employee_id !== me.id ? html`<dt>${t("inbox.manager")}</dt><dd data-testid="booking-employee">${b.employee} · ${b.branch}</dd>` : ""}
        <dt>${t("inbox.source")}</dt><dd data-testid="booking-source">${label("source.", b.source)}${b.source === "staff" && b.channel ? ` · ${label("ob.channel.", b.channel)}` : ""} · ${label("reason.", b.route_reason)}</dd>
        ${cameThrough(b, me)}
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
      ${checkin(b, state, busy)}
      ${state.notes[ref] ? html`<p class="err" role="alert">${state.notes[ref]}</p>` : ""}
    </li>`;
}

// 经由: the shop the customer booked through — whose shop, which channel code (渠道码) or grid
// code — or, for a booking staff made, who made it. Says what 专属客户 alone does not: how they came.
function cameThrough(b, me) {
  if (!b.shop_code) return "";
  const owner = b.shop_owner_id === me.id ? "" : b.shop_owner;
  let text;
  if (b.source === "staff") text = t("via.staff", { owner: owner || t("via.me") });
  else if (b.shop_grid) text = t("via.grid", { grid: b.shop_grid, channel: b.channel, owner: owner || t("via.me") });
  else if (b.channel) text = t(owner ? "via.channel" : "via.channel.mine", { owner, channel: b.channel });
  else text = t(owner ? "via.shop" : "via.shop.mine", { owner });
  return html`<dt>${t("via.label")}</dt><dd data-testid="came-through">${text} <span class="muted">${b.shop_code}</span></dd>`;
}

// The number: the routed manager calls it; anyone else sees it masked, and those ranked to read
// it (a branch head covering for someone) may reveal it with a reason, which is audited.
function phone(b, state, busy) {
  const ref = b.reference;
  const shown = state.revealed[ref];
  if (!b.phone_masked || shown) {
    const number = shown || b.phone;
    return html`<a class="btn call" href="${tel(number)}" data-testid="call">${t("call", { phone: number })}</a>
      ${shown ? html`<p class="muted" data-testid="reveal-audited">${t("rv.audited")}</p>` : ""}`;
  }
  const line = html`<p class="muted">${t("inbox.phone")} <span data-testid="phone-masked">${b.phone}</span></p>`;
  if (!b.can_reveal) return line;
  if (state.revealing !== ref) {
    return html`${line}<p class="bk-rv"><button type="button" class="btn small" data-rv="open" data-ref="${ref}"
      data-key="${ref}:rv" data-testid="reveal-open">${t("rv.open")}</button></p>`;
  }
  const error = state.rvErrors[ref] || "";
  return html`${line}<form class="rv-form" data-ref="${ref}" novalidate data-testid="reveal-form">
      <div class="field"><label for="rv-${ref}">${t("rv.reason")}</label>
        <p class="muted hint" id="rv-hint-${ref}">${t("rv.hint")}</p>
        <input id="rv-${ref}" name="reason" maxlength="200" autocomplete="off" data-key="${ref}:rv-reason" data-testid="reveal-reason"
          aria-describedby="rv-hint-${ref}${error ? ` rv-err-${ref}` : ""}" ${error ? html`aria-invalid="true"` : ""}>
        <p class="err" id="rv-err-${ref}" data-testid="reveal-error" role="alert">${error}</p></div>
      <div class="bk-acts">
        <button type="submit" class="btn small primary" data-key="${ref}:rv-go" data-testid="reveal-submit" ${busy ? "disabled" : ""}>${t("rv.submit")}</button>
        <button type="button" class="btn small" data-rv="close" data-ref="${ref}" data-key="${ref}:rv-no">${t("inbox.no")}</button></div>
    </form>`;
}

// 核验到店: the customer's evidence that they came. A booking they made through a shop: the code
// on their booking page (or they scan the branch's check-in QR themselves); one staff made: a
// code sent to their phone. Without it the booking still moves, but scores nothing.
function checkin(b, state, busy) {
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
        <input id="ci-code-${ref}" class="ci-code" data-key="${ref}:ci-code" inputmode="numeric" autocomplete="one-time-code" maxlength="12"
          placeholder="${t("ci.code")}" data-testid="checkin-code">
        <button type="button" class="btn small primary" data-ci="check" data-ref="${ref}" data-key="${ref}:check"
          data-testid="checkin-submit" ${busy ? "disabled" : ""}>${t("ci.submit")}</button>
        <button type="button" class="btn small" data-ci="close" data-ref="${ref}" data-key="${ref}:close">${t("inbox.no")}</button></span>
    </div>`;
}
