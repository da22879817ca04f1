// What this phone keeps for a shop, under its card: bookings made here, the outbox, and a way to
// forget them all. Loaded once the card is drawn (views/home.js): none of it is on the first
// screen of a first visit, and on a slow link each module the card waited for is a round trip.
import { html, mount, safeUrl } from "../html.js";
import { t } from "../i18n.js";
import { all, clearDevice, forget, remember, remembered } from "../bookings.js";
import { api } from "../api.js";
import { announce } from "../app.js";
import { dateTime } from "../format.js";
import { local } from "./card.js";
import { outboxNotice } from "./outbox.js";

function mine(code) {
  const items = remembered().filter((b) => b.code === code && !["cancelled", "completed", "no_show"].includes(b.status));
  return items.length ? html`
    <section class="mine" data-testid="my-bookings" aria-labelledby="mine-h">
      <h2 id="mine-h">${t("mine")}</h2>
      <ul>${items.map((b) => html`<li>
        <span>${local(b, "product_name")} · ${b.slot_start ? dateTime(b.slot_start) : t("done.callback")} · ${t("st." + b.status)}</span>
        <a href="${safeUrl(b.status_url)}">${t("mine.view")}</a></li>`)}</ul>
    </section>` : "";
}

// A shared phone: one tap forgets what this phone keeps of anyone's bookings.
let cleared = false; // shown once, on the redraw after clearing

async function deviceRecords(slot, ctx, redraw) {
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
    redraw();
    announce(t("device.cleared"));
  };
}

// What this phone remembers may be stale (moved, cancelled or erased from the status page on
// another phone): ask the server, then redraw the list. A link that no longer works is forgotten.
async function refreshMine(slot, code) {
  const kept = remembered().filter((b) => b.code === code);
  const token = (b) => decodeURIComponent(String(b.status_url || "").split("#")[1] || "");
  await Promise.all(kept.filter(token).map((b) => api("/api/status", { headers: { "X-Booking-Token": token(b) } })
    .then((fresh) => remember(null, fresh), (err) => { if (err.status === 404) forget(b.reference); })));
  if (slot.isConnected) mount(slot, mine(code));
}

// Fill the home view's slots (root: the view); redraw() draws the whole view again.
export function draw(root, ctx, redraw) {
  const slot = root.querySelector(".mine-slot");
  if (!slot) return;
  mount(slot, mine(ctx.code));
  outboxNotice(root.querySelector(".outbox"), ctx);
  deviceRecords(root.querySelector(".device-records"), ctx, redraw);
  if (navigator.onLine !== false) refreshMine(slot, ctx.code);
}
