// 客户继承 Handover (admins; branch managers within their branch): move one employee's
// customers, open bookings and shop codes to a successor, after an explicit confirmation.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { errLine, showErrors, busy, confirmIn } from "./admin-common.js";
import { announce } from "./ui.js";
import { attach } from "./colleague-picker.js";

let done = null; // the last handover's answer

function result() {
  if (!done) return "";
  const n = (k) => html`<div><dt>${t("adm.ho." + k)}</dt><dd data-testid="ho-${k}">${done[k]}</dd></div>`;
  return html`
    <div class="adm-result" data-testid="handover-result" role="status">
      <h2>${t("adm.ho.done", { from: done.from_employee, to: done.to_employee })}</h2>
      <dl class="numbers">${["customers", "bookings", "links", "skipped"].map(n)}</dl>
      ${done.skipped ? html`<p class="hint">${t("adm.ho.skipped.hint")}</p>` : ""}
      ${done.rescheduled.length ? html`<p>${t("adm.ho.rescheduled")}</p>
        <ul class="adm-list" data-testid="ho-rescheduled">${done.rescheduled.map((r) => html`<li><code>${r}</code></li>`)}</ul>` : ""}
    </div>`;
}

export function render(box) {
  mount(box, html`
    <section class="view adm-handover" data-testid="adm-handover">
      <h1>${t("adm.handover")}</h1>
      <p class="muted">${t("adm.ho.lead")}</p>
      <form novalidate>
        <div class="adm-grid">
          <div class="field"><label for="f-ho-from">${t("adm.ho.from")}</label>
            <input id="f-ho-from" name="from_staff_no" data-testid="ho-from" autocapitalize="characters" spellcheck="false" maxlength="20" aria-describedby="e-ho-from_staff_no">
            ${errLine("from_staff_no", "ho")}</div>
          <div class="field"><label for="f-ho-to">${t("adm.ho.to")}</label>
            <input id="f-ho-to" name="to_staff_no" data-testid="ho-to" autocapitalize="characters" spellcheck="false" maxlength="20" aria-describedby="e-ho-to_staff_no">
            ${errLine("to_staff_no", "ho")}</div>
        </div>
        <div class="field"><label for="f-ho-reason">${t("adm.ho.reason")}</label>
          <input id="f-ho-reason" name="reason" data-testid="ho-reason" maxlength="200" aria-describedby="e-ho-reason">
          ${errLine("reason", "ho")}</div>
        <div class="check"><input type="checkbox" id="f-ho-leaving" name="leaving" data-testid="ho-leaving">
          <label for="f-ho-leaving">${t("adm.ho.leaving")}</label></div>
        ${errLine("leaving", "ho")}
        <button type="submit" class="btn primary small" data-testid="ho-submit">${t("adm.ho.submit")}</button>
        <div id="ho-confirm"></div>
        ${errLine("form", "ho")}
      </form>
      <div id="ho-result">${result()}</div>
    </section>`);
  const form = box.querySelector("form");
  attach(form.from_staff_no, { purpose: "manage" });
  attach(form.to_staff_no, { purpose: "manage" });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = { from_staff_no: form.from_staff_no.value.trim().toUpperCase(), to_staff_no: form.to_staff_no.value.trim().toUpperCase(),
      reason: form.reason.value.trim(), leaving: form.leaving.checked };
    const missing = {};
    for (const k of ["from_staff_no", "to_staff_no", "reason"]) if (!data[k]) missing[k] = t("adm.required");
    if (Object.keys(missing).length) {
      showErrors(form, { status: 422, message: t("v.check"), body: { fields: missing } });
      return form[Object.keys(missing)[0]].focus();
    }
    showErrors(form, null);
    confirmIn(box.querySelector("#ho-confirm"), t("adm.ho.ask", { from: data.from_staff_no, to: data.to_staff_no }), async () => {
      const button = form.querySelector("[data-testid=ho-submit]");
      try {
        done = await busy(button, () => call("/api/handover", { method: "POST", body: data }));
        mount(box.querySelector("#ho-result"), result());
        form.reset();
        announce(t("adm.ho.done", { from: done.from_employee, to: done.to_employee }));
      } catch (error) {
        showErrors(form, error);
        button.focus();
      }
    }, { danger: true });
  });
}

export function reset() { done = null; }
