// The employee's card: who serves this shop, where, and a one-tap call. On the shop's first
// screen, so it imports only what drawing the card needs (a booking's summary: summary.js).
import { html } from "../html.js";
import { t, getLang } from "../i18n.js";

// The shop and booking answers carry each text in Chinese (`name`) and English (`name_en`,
// the Chinese again where no English was written): pick the page's language, per field.
export const local = (obj, field) => (getLang() === "en" && obj[field + "_en"]) || obj[field] || "";

// Only digits and + - survive into a tel: link.
export const tel = (phone) => "tel:" + String(phone || "").replace(/[^\d+-]/g, "");

export function card(shop) {
  const m = shop.manager;
  const track = m.track && m.track !== "none" ? t("track." + m.track) : "";
  const level = t("level." + m.level);
  const own = local(m, "title"), intro = local(m, "intro");
  // "客户经理" adds nothing to "中级客户经理" (nor "Account manager" to "Senior account manager").
  const title = own && !level.toLowerCase().includes(own.toLowerCase()) ? own : "";
  return html`
    <section class="card" data-testid="shop-card" aria-labelledby="mgr-name">
      <div class="who">
        <span class="avatar" aria-hidden="true">${m.initials}</span>
        <div>
          <h1 id="mgr-name">${m.name}</h1>
          <p class="role" data-testid="manager-level">${[level, track].filter(Boolean).join(" · ")}${title ? html`<br>${title}` : ""}</p>
        </div>
      </div>
      ${shop.covering ? html`<p class="notice" data-testid="covering">${t("covering", { name: shop.covering })}</p>` : ""}
      <dl class="facts">
        <dt>${t("branch")}</dt><dd data-testid="manager-branch">${local(m, "branch")}${m.branch_address ? html`<br><span class="muted">${local(m, "branch_address")}</span>` : ""}</dd>
        ${m.grid ? html`<dt>${t("grid")}</dt><dd>${local(m, "grid")}${m.grid_areas ? html`<br><span class="muted">${local(m, "grid_areas")}</span>` : ""}</dd>` : ""}
      </dl>
      ${intro ? html`<p class="intro" data-testid="manager-intro">${intro}</p>` : ""}
      <div class="actions">
        <a class="btn primary" href="#book" data-testid="book-button">${t("book")}</a>
        ${m.phone ? html`<a class="btn" href="${tel(m.phone)}" data-testid="call-button">${t("call", { phone: m.phone })}</a>` : ""}
      </div>
    </section>`;
}
