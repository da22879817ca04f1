// 异常预约 Flagged bookings (admins): this month's bookings left out of the rankings, and why.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { stamp, table } from "./admin-common.js";

let items = null;
let problem = "";

function list() {
  if (problem) return html`<p class="notice error">${problem}</p>`;
  if (!items) return html`<p class="loading">${t("inbox.loading")}</p>`;
  if (!items.length) return html`<p class="empty" data-testid="flagged-none">${t("adm.flag.none")}</p>`;
  return html`<p class="muted">${t("inbox.count", { n: items.length })}</p>
    ${table(t("adm.flagged"), [t("adm.reference"), t("inbox.manager"), t("branch"), t("inbox.phone"), t("adm.reason"), t("adm.flag.at")],
      items.map((b) => [b.reference, b.employee, b.branch, b.phone, b.reason, stamp(b.created_at)]), "flagged-table")}`;
}

export async function render(box) {
  mount(box, html`
    <section class="view adm-flagged" data-testid="adm-flagged">
      <h1>${t("adm.flagged")}</h1>
      <p class="muted">${t("adm.flag.lead")}</p>
      <div id="flag-list">${list()}</div>
    </section>`);
  try {
    items = (await call("/api/boards/flagged?period=month")).items;
    problem = "";
  } catch (error) {
    problem = error.message;
  }
  const out = box.querySelector("#flag-list");
  if (out) mount(out, list());
}

export function reset() { items = null; problem = ""; }
