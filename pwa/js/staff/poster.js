// The printable poster (海报): a big QR code with my name, level, branch, grid and the
// bank's hotline. On screen it is a preview; printing shows only the poster (staff.css).
import { html, mount, safeUrl } from "../html.js";
import { t } from "../i18n.js";
import { cached } from "./session.js";
import { focusView } from "./ui.js";
import { qrPath } from "./shop.js";

function poster(me, shop) {
  const m = (shop && shop.manager) || {};
  const role = [t("level." + me.level), me.track && me.track !== "none" ? t("track." + me.track) : ""].filter(Boolean).join(" · ");
  return html`
    <article class="poster" data-testid="poster">
      <p class="poster-bank">${shop ? shop.bank : ""}</p>
      <h2 class="poster-title">${t("poster.title")}</h2>
      <img class="poster-qr" src="${qrPath(me, "svg")}" width="400" height="400" alt="${t("kit.qr", { name: me.name })}">
      <p class="poster-name" data-testid="poster-name">${me.name}</p>
      <p class="poster-role">${role}</p>
      <dl class="poster-facts">
        <dt>${t("branch")}</dt><dd>${me.branch}</dd>
        ${m.grid ? html`<dt>${t("grid")}</dt><dd>${m.grid}${m.grid_areas ? html`<br><small>${m.grid_areas}</small>` : ""}</dd>` : ""}
      </dl>
      <p class="poster-steps">${t("poster.steps")}</p>
      ${shop ? html`<p class="poster-hotline">${t("hotline")} <strong>${shop.hotline}</strong></p>` : ""}
      <p class="poster-url">${safeUrl(me.shop_url)}</p>
    </article>`;
}

export async function render(root, ctx) {
  const me = ctx.me;
  const draw = (shop, error = "") => mount(root, html`
    <section class="view poster-view">
      <div class="no-print">
        <a class="back" href="#shop" data-testid="back-button">${t("back")}</a>
        <h1>${t("kit.poster")}</h1>
        <p class="muted">${t("poster.hint")}</p>
        ${error ? html`<p class="notice error">${error}</p>` : ""}
        <button type="button" class="btn primary" data-testid="print">${t("poster.print")}</button>
      </div>
      ${poster(me, shop)}
    </section>`);
  const redraw = (...args) => {
    const focused = root.contains(document.activeElement);
    draw(...args);
    root.querySelector("[data-testid=print]").onclick = () => window.print();
    if (focused) focusView(root);
  };
  draw(null);
  root.querySelector("[data-testid=print]").onclick = () => window.print();
  focusView(root);
  try {
    const shop = await cached(`/api/shops/${encodeURIComponent(me.shop_code)}`);
    if (root.dataset.view !== "poster") return;
    redraw(shop);
  } catch (err) {
    if (root.dataset.view === "poster") redraw(null, err.message);
  }
}
