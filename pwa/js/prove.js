// Proving a phone number with a one-time code sent by text message. Knowing a number proves
// nothing: what belongs to a number (its dedicated manager, all its bookings, erasing it)
// opens only to whoever holds the phone. The proof lasts a short while and stays in this tab
// (sessionStorage), so a shared counter phone does not keep it.
import { html, mount } from "./html.js";
import { t, add } from "./i18n.js";
import { api } from "./api.js";
import { announce } from "./app.js";

add({
  "prove.phone": "手机号码", "prove.send": "获取验证码", "prove.resend": "{s} 秒后可重新获取",
  "prove.sent": "验证码已发送到 {phone}，{m} 分钟内有效。", "prove.code": "短信验证码", "prove.check": "验证",
  "prove.checking": "正在验证…", "prove.ok": "手机号已验证。", "prove.phone.bad": "请输入正确的 11 位手机号码。",
  "prove.code.bad": "请输入短信中的 6 位验证码。",
}, {
  "prove.phone": "Mobile number", "prove.send": "Send code", "prove.resend": "Send again in {s} s",
  "prove.sent": "A code was sent to {phone}; it is valid for {m} minutes.", "prove.code": "Code from the text message",
  "prove.check": "Confirm", "prove.checking": "Checking…", "prove.ok": "Your number is confirmed.",
  "prove.phone.bad": "Please enter a valid 11-digit mobile number.", "prove.code.bad": "Please enter the 6-digit code.",
});

const KEY = "yryd.proof";
const norm = (raw) => {
  const d = String(raw || "").replace(/[\s\-()]/g, "");
  return d.startsWith("+86") ? d.slice(3) : d.startsWith("86") && d.length === 13 ? d.slice(2) : d;
};
const masked = (p) => p.slice(0, 3) + "****" + p.slice(-4);

// The proof this tab holds for `phone`, if still valid.
export function proofFor(phone) {
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEY) || "null");
    return kept && kept.phone === norm(phone) && kept.until > Date.now() ? kept.proof : "";
  } catch { return ""; }
}

export function forgetProof() {
  try { sessionStorage.removeItem(KEY); } catch { /* storage disabled */ }
}

function keep(phone, proof, seconds) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ phone, proof, until: Date.now() + (seconds - 30) * 1000 }));
  } catch { /* storage disabled: the proof lasts for this page only */ }
}

// Draw the widget into `root`; calls onProven(phone, proof) once the code is accepted.
export function proveWidget(root, { phone = "", onProven, id = "pv" }) {
  const state = { phone: norm(phone), code: "", sent: false, wait: 0, error: "", info: "", busy: false };
  let timer = null;
  const draw = (focus) => {
    mount(root, html`
      <div class="prove" data-testid="prove">
        <div class="field"><label for="${id}-phone">${t("prove.phone")}</label>
          <input id="${id}-phone" name="pv-phone" type="tel" inputmode="tel" autocomplete="tel-national" maxlength="20"
            value="${state.phone}" data-testid="prove-phone"></div>
        <button type="button" class="btn" data-pv="send" data-testid="prove-send" ${state.wait || state.busy ? "disabled" : ""}>
          ${state.wait ? t("prove.resend", { s: state.wait }) : t("prove.send")}</button>
        ${state.sent ? html`<div class="field"><label for="${id}-code">${t("prove.code")}</label>
          <input id="${id}-code" name="pv-code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
            value="${state.code}" data-testid="prove-code"></div>
          <button type="button" class="btn primary" data-pv="check" data-testid="prove-check" ${state.busy ? "disabled" : ""}>
            ${state.busy ? t("prove.checking") : t("prove.check")}</button>` : ""}
        <p class="muted" role="status" data-testid="prove-info">${state.info}</p>
        <p class="err" data-testid="prove-error">${state.error}</p>
      </div>`);
    const el = focus && root.querySelector(focus);
    if (el) el.focus();
  };
  const tick = () => {
    state.wait -= 1;
    if (state.wait <= 0) { clearInterval(timer); state.wait = 0; }
    const b = root.querySelector("[data-pv=send]");
    if (b) { b.disabled = state.wait > 0; b.textContent = state.wait ? t("prove.resend", { s: state.wait }) : t("prove.send"); }
  };
  const countdown = (s) => { clearInterval(timer); state.wait = s; timer = setInterval(tick, 1000); };
  const fail = (err, focus) => { state.error = (err.body && ((err.body.fields && Object.values(err.body.fields)[0]) || err.body.message)) || err.message; announce(state.error); draw(focus); };
  root.oninput = (e) => {
    if (e.target.name === "pv-phone") state.phone = e.target.value;
    if (e.target.name === "pv-code") state.code = e.target.value.trim();
  };
  root.onclick = async (e) => {
    const act = e.target.closest("[data-pv]");
    if (!act || state.busy) return;
    state.error = "";
    const p = norm(state.phone);
    if (!/^1[3-9]\d{9}$/.test(p)) { state.error = t("prove.phone.bad"); announce(state.error); return draw("[name=pv-phone]"); }
    state.busy = true;
    try {
      if (act.dataset.pv === "send") {
        const r = await api("/api/phone/code", { method: "POST", body: { phone: p } });
        Object.assign(state, { phone: p, sent: true, busy: false, info: t("prove.sent", { phone: masked(p), m: Math.round(r.expires_in / 60) }) });
        countdown(r.resend_in);
        announce(state.info);
        return draw("[name=pv-code]");
      }
      if (!/^\d{6}$/.test(state.code)) { state.busy = false; state.error = t("prove.code.bad"); announce(state.error); return draw("[name=pv-code]"); }
      const r = await api("/api/phone/verify", { method: "POST", body: { phone: p, code: state.code } });
      state.busy = false;
      keep(p, r.proof, r.expires_in);
      clearInterval(timer);
      announce(t("prove.ok"));
      onProven(p, r.proof);
    } catch (err) {
      state.busy = false;
      if (err.status === 429 && act.dataset.pv === "send") countdown(60);
      fail(err, act.dataset.pv === "send" ? "[name=pv-phone]" : "[name=pv-code]");
    }
  };
  draw();
  return { draw };
}
