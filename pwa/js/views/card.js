// The employee's card: who serves this shop, where, and a one-tap call.
import { html } from "../html.js";
import { t } from "../i18n.js";
import { dateTime } from "../format.js";

// Only digits and + - survive into a tel: link.
export const tel = (phone) => "tel:" + String(phone || "").replace(/[^\d+-]/g, "");

export function card(shop) {
  const m = shop.manager;
  const track = m.track && m.track !== "none" ? t("track." + m.track) : "";
  const level = t("level." + m.level);
  const title = m.title && !level.includes(m.title) ? m.title : "";
  return html`
    <section class="card" data-testid="shop-card" aria-labelledby="mgr-name">
      <div class="who">
        <span class="avatar" aria-hidden="true">${m.initials}</span>
        <div>
          <h1 id="mgr-name">${m.name}</h1>
          <p class="role">${[level, track].filter(Boolean).join(" · ")}${title ? html`<br>${title}` : ""}</p>
        </div>
      </div>
      ${shop.covering ? html`<p class="notice" data-testid="covering">${t("covering", { name: shop.covering })}</p>` : ""}
      <dl class="facts">
        <dt>${t("branch")}</dt><dd>${m.branch}${m.branch_address ? html`<br><span class="muted">${m.branch_address}</span>` : ""}</dd>
        ${m.grid ? html`<dt>${t("grid")}</dt><dd>${m.grid}${m.grid_areas ? html`<br><span class="muted">${m.grid_areas}</span>` : ""}</dd>` : ""}
      </dl>
      ${m.intro ? html`<p class="intro">${m.intro}</p>` : ""}
      <div class="actions">
        <a class="btn primary" href="#book" data-testid="book-button">${t("book")}</a>
        ${m.phone ? html`<a class="btn" href="${tel(m.phone)}" data-testid="call-button">${t("call", { phone: m.phone })}</a>` : ""}
      </div>
    </section>`;
}

// A booking at a glance (confirmation, waiting, status page): product, time, manager, where.
export const summary = (b) => html`
  <dl class="facts">
    <dt>${t("done.product")}</dt><dd>${b.product_name}</dd>
    <dt>${t("done.time")}</dt><dd data-testid="appointment">${b.slot_start ? dateTime(b.slot_start) : t("done.callback")}</dd>
    <dt>${t("done.manager")}</dt><dd>${b.manager}${b.manager_phone ? html` <a href="${tel(b.manager_phone)}">${b.manager_phone}</a>` : ""}</dd>
    ${b.branch ? html`<dt>${t("done.where")}</dt><dd>${b.branch}${b.branch_address ? html`<br><span class="muted">${b.branch_address}</span>` : ""}</dd>` : ""}
    ${b.note ? html`<dt>${t("note")}</dt><dd>${b.note}</dd>` : ""}
  </dl>`;
