// The shop's front page: the manager's card, bookings kept on this phone, the products.
import { html, mount, safeUrl } from "../html.js";
import { t } from "../i18n.js";
import { remembered } from "../bookings.js";
import { dateTime } from "../format.js";
import { card } from "./card.js";
import { products } from "./products.js";
import { outboxNotice } from "./outbox.js";

function mine(code) {
  const items = remembered().filter((b) => b.code === code && b.status !== "cancelled");
  return items.length ? html`
    <section class="mine" data-testid="my-bookings" aria-labelledby="mine-h">
      <h2 id="mine-h">${t("mine")}</h2>
      <ul>${items.map((b) => html`<li>
        <span>${b.product_name} · ${b.slot_start ? dateTime(b.slot_start) : t("done.callback")}</span>
        <a href="${safeUrl(b.status_url)}">${t("mine.view")}</a></li>`)}</ul>
    </section>` : "";
}

export function render(root, ctx) {
  const { shop } = ctx;
  mount(root, html`
    <div class="outbox"></div>
    ${card(shop)}
    ${mine(ctx.code)}
    ${products(shop.products)}`);
  outboxNotice(root.querySelector(".outbox"), ctx);
}
