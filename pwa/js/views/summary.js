// A booking at a glance (confirmation, waiting, status page): product, time, manager, where.
import { html } from "../html.js";
import { t } from "../i18n.js";
import { dateTime } from "../format.js";
import { local, tel } from "./card.js";

export const summary = (b) => html`
  <dl class="facts">
    <dt>${t("done.product")}</dt><dd>${local(b, "product_name")}</dd>
    <dt>${t("done.time")}</dt><dd data-testid="appointment">${b.slot_start ? dateTime(b.slot_start) : t("done.callback")}</dd>
    <dt>${t("done.manager")}</dt><dd>${b.manager}${b.manager_phone ? html` <a href="${tel(b.manager_phone)}">${b.manager_phone}</a>` : ""}</dd>
    ${b.branch ? html`<dt>${t("done.where")}</dt><dd>${local(b, "branch")}${b.branch_address ? html`<br><span class="muted">${local(b, "branch_address")}</span>` : ""}</dd>` : ""}
    ${b.note ? html`<dt>${t("note")}</dt><dd>${b.note}</dd>` : ""}
  </dl>`;
