// The shop's front page: the manager's card, bookings kept on this phone, the products.
import { html, mount, safeUrl } from "../html.js";
import { t } from "../i18n.js";
import { all, clearDevice, forget, remember, remembered } from "../bookings.js";
import { api } from "../api.js";
import { announce } from "../app.js";
import { dateTime } from "../format.js";
import { card, local, tel } from "./card.js";
import { speakButton } from "../speak.js";
import { products } from "./products.js";
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

// What this phone remembers may be stale (moved, cancelled or erased from the status page on
// another phone): ask the server, then redraw the card. A link that no longer works is forgotten.
async function refreshMine(slot, code) {
  const kept = remembered().filter((b) => b.code === code);
  const token = (b) => decodeURIComponent(String(b.status_url || "").split("#")[1] || "");
  await Promise.all(kept.filter(token).map((b) => api("/api/status", { headers: { "X-Booking-Token": token(b) } })
    .then((fresh) => remember(null, fresh), (err) => { if (err.status === 404) forget(b.reference); })));
  if (slot.isConnected) mount(slot, mine(code));
}

// A grid code's shop serves the whole grid: its team, and who takes a booking now.
function team(shop) {
  const people = shop.grid_team || [];
  const m = shop.manager;
  return html`<section class="card team" data-testid="shop-card" aria-labelledby="mgr-name">
    <h1 id="mgr-name" data-testid="grid-team">${t("team.title", { grid: local(m, "grid") })}</h1>
    <dl class="facts">
      <dt>${t("grid")}</dt><dd>${local(m, "grid")}${m.grid_areas ? html`<br><span class="muted">${local(m, "grid_areas")}</span>` : ""}</dd>
      <dt>${t("branch")}</dt><dd>${local(m, "branch")}${m.branch_address ? html`<br><span class="muted">${local(m, "branch_address")}</span>` : ""}</dd>
    </dl>
    <ul>${people.map((p) => html`<li><span class="avatar small" aria-hidden="true">${p.initials}</span>
      <span>${p.name}<br><span class="muted">${[t("level." + p.level), local(p, "title")].filter((x, i, all) => x && !(i && all[0].includes(x))).join(" · ")}</span></span></li>`)}</ul>
    <p class="muted">${t("team.hint")}</p>
    <div class="actions"><a class="btn primary" href="#book" data-testid="book-button">${t("book")}</a>
      <a class="btn" href="${tel(shop.hotline)}" data-testid="call-button">${t("call.hotline", { hotline: shop.hotline })}</a></div>
  </section>`;
}

export function render(root, ctx) {
  const { shop } = ctx;
  mount(root, html`
    <div class="outbox"></div>
    ${shop.grid_team && shop.grid_team.length ? team(shop) : card(shop)}
    ${speakButton("[data-testid=shop-card]", "speak-card")}
    <div class="mine-slot">${mine(ctx.code)}</div>
    <div class="device-records"></div>
    ${products(shop.products)}`);
  outboxNotice(root.querySelector(".outbox"), ctx);
  deviceRecords(root.querySelector(".device-records"), root, ctx);
  if (navigator.onLine !== false) refreshMine(root.querySelector(".mine-slot"), ctx.code);
}
