// 客户数据 Customer data (admins): everything held on one customer for their access request,
// and erasing their personal data on request. Both are audited by the server.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { errLine, showErrors, busy, confirmIn, stamp, table } from "./admin-common.js";
import { announce } from "./ui.js";

let found = null; // the export of the customer on screen
let erased = null; // {phone, bookings} after an erasure

function data() {
  if (erased) return html`<p class="notice" role="status" data-testid="cust-erased">${t("adm.cust.erased", { n: erased.bookings })}</p>`;
  if (!found) return "";
  const c = found;
  return html`
    <div class="adm-result" data-testid="cust-data">
      <h2>${t("adm.cust.data")}</h2>
      <dl class="facts">
        <dt>${t("ob.phone")}</dt><dd data-testid="cust-phone">${c.phone}</dd>
        <dt>${t("ob.name")}</dt><dd data-testid="cust-name">${c.name || "—"}</dd>
        <dt>${t("inbox.manager")}</dt><dd>${c.dedicated_manager}</dd>
        <dt>${t("adm.cust.bound")}</dt><dd>${stamp(c.bound_at)}</dd>
        <dt>${t("adm.cust.marketing")}</dt><dd>${c.marketing_consent_at ? stamp(c.marketing_consent_at) : t("adm.no")}</dd>
      </dl>
      <h3>${t("adm.cust.bookings", { n: c.bookings.length })}</h3>
      ${c.bookings.length ? table(t("adm.cust.bookings", { n: c.bookings.length }),
        [t("adm.reference"), t("status.label"), t("ob.product"), t("adm.cust.slot"), t("ob.name"), t("ob.note"), t("adm.cust.created")],
        c.bookings.map((b) => [b.reference, t("st." + b.status), b.product, b.slot_start ? stamp(b.slot_start) : t("inbox.callback"),
          b.name, b.note, stamp(b.created_at)]), "cust-bookings") : ""}
      <button type="button" class="btn small danger" data-testid="cust-erase">${t("adm.cust.erase")}</button>
      <div id="cust-confirm"></div>
    </div>`;
}

function draw(box) {
  mount(box.querySelector("#cust-result"), data());
  const erase = box.querySelector("[data-testid=cust-erase]");
  if (!erase) return;
  erase.onclick = () => confirmIn(box.querySelector("#cust-confirm"), t("adm.cust.ask", { phone: found.phone }), async () => {
    const form = box.querySelector("form");
    try {
      const answer = await busy(erase, () => call("/api/admin/customers/erase", { method: "POST", body: { phone: found.phone } }));
      erased = answer;
      found = null;
      draw(box);
      announce(t("adm.cust.erased", { n: answer.bookings }));
    } catch (error) {
      showErrors(form, error);
    }
  }, { danger: true });
}

export function render(box) {
  mount(box, html`
    <section class="view adm-customer" data-testid="adm-customer">
      <h1>${t("adm.customer")}</h1>
      <p class="muted">${t("adm.cust.lead")}</p>
      <form novalidate class="adm-inline">
        <div class="field"><label for="f-cu-phone">${t("ob.phone")}</label>
          <input id="f-cu-phone" name="phone" type="tel" inputmode="numeric" maxlength="20" autocomplete="off" data-testid="cust-phone-input" aria-describedby="e-cu-phone">
          ${errLine("phone", "cu")}${errLine("form", "cu")}</div>
        <button type="submit" class="btn primary small" data-testid="cust-find">${t("adm.cust.find")}</button>
      </form>
      <div id="cust-result"></div>
    </section>`);
  const form = box.querySelector("form");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const phone = form.phone.value.trim();
    if (!phone) return showErrors(form, { status: 422, message: t("v.phone"), body: { fields: { phone: t("v.phone") } } });
    showErrors(form, null);
    try {
      found = await busy(form.querySelector("button"), () => call("/api/admin/customers/export", { method: "POST", body: { phone } }));
      erased = null;
    } catch (error) {
      found = null;
      showErrors(form, error);
    }
    draw(box);
  });
  draw(box);
}

// Personal data never outlives the screen's session.
export function reset() { found = null; erased = null; }
export function leave() { found = null; erased = null; }
