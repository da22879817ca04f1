// The shop's front page: the manager's card, bookings kept on this phone, the products.
import { html, mount, safeUrl } from "../html.js";
import { t } from "../i18n.js";
import { all, clearDevice, remembered } from "../bookings.js";
import { announce } from "../app.js";
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

// A shared phone: one tap forgets what this phone keeps of anyone's bookings.
let cleared = false; // shown once, on the redraw after clearing

async function deviceRecords(slot, root, ctx) {
  if (cleared) {
    cleared = false;
    return mount(slot, html`<p class="notice" data-testid="device-cleared">${t("device.cleared")}</p>`);
  }
  const waiting = ((await all().catch(() => null)) || []).length;
  if (!slot.isConnected || (!waiting && !remembered().length)) return mount(slot, "");
  mount(slot, html`<p class="device"><button type="button" class="btn" data-testid="clear-device">
    ${t("device.clear")}</button><span class="hint">${t("device.hint")}</span></p>`);
  slot.querySelector("button").onclick = async () => {
    await clearDevice();
    cleared = true;
    render(root, ctx);
    announce(t("device.cleared"));
  };
}

export function render(root, ctx) {
  const { shop } = ctx;
  mount(root, html`
    <div class="outbox"></div>
    ${card(shop)}
    ${mine(ctx.code)}
    <div class="device-records"></div>
    ${products(shop.products)}`);
  outboxNotice(root.querySelector(".outbox"), ctx);
  deviceRecords(root.querySelector(".device-records"), root, ctx);
}
