// The shop's front page: the manager's card, bookings kept on this phone, the products.
// The first screen: with the shop page's own module, data and words (server/pages.py) it needs
// six files (this one, card.js and what shop.js imports), one round trip of the six a browser
// fetches at once over HTTP/1.1 (pwa/shop.html preloads them); what this phone keeps comes after.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { speakButton } from "../app.js";
import { card, local, tel } from "./card.js";

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

// Products: the 3×3 retail matrix (line × method), then special and small-business lists.
const LINES = ["consumer", "business", "agri"];
const METHODS = ["credit", "guarantee", "mortgage"];

const link = (p, summary = true) => html`
  <a class="product" href="#p/${encodeURIComponent(p.code)}" data-testid="product-${p.code}">
    <span class="name">${local(p, "name")}</span>${summary && p.summary ? html`<span class="summary">${local(p, "summary")}</span>` : ""}
  </a>`;

const inMatrix = (p) => p.kind === "matrix" && LINES.includes(p.line) && METHODS.includes(p.method);

// Each line is a row group: its name on a row of its own, so three columns fit at 360px
// even in large text; cells are headed by their method (column) and line (row group).
function matrix(products) {
  const cell = (line, method) => products.filter((p) => p.line === line && p.method === method);
  return html`
    <table class="matrix" data-testid="matrix">
      <caption>${t("matrix.caption")}</caption>
      <thead><tr>${METHODS.map((m) => html`<th scope="col">${t("method." + m)}</th>`)}</tr></thead>
      ${LINES.map((line) => html`<tbody>
        <tr><th scope="rowgroup" colspan="3">${t("line." + line)}</th></tr>
        <tr>${METHODS.map((m) => {
          const items = cell(line, m);
          return html`<td>${items.length ? items.map((p) => link(p, false)) : html`<span class="none" aria-hidden="true">—</span>`}</td>`;
        })}</tr>
      </tbody>`)}
    </table>`;
}

const list = (title, testid, items) => items.length ? html`
  <h3>${title}</h3>
  <ul class="plist" data-testid="${testid}">${items.map((p) => html`<li>${link(p)}</li>`)}</ul>` : "";

function products(all) {
  const grid = all.filter(inMatrix);
  const special = all.filter((p) => !inMatrix(p) && p.kind === "special");
  const smallbiz = all.filter((p) => !inMatrix(p) && p.kind === "smallbiz");
  const other = all.filter((p) => !inMatrix(p) && p.kind !== "special" && p.kind !== "smallbiz");
  return html`
    <section class="products" aria-labelledby="products-h">
      <h2 id="products-h">${t("products")}</h2>
      ${all.length ? "" : html`<p>${t("products.none")}</p>`}
      ${grid.length ? html`<h3>${t("products.matrix")}</h3>${matrix(grid)}` : ""}
      ${list(t("products.special"), "special", special)}
      ${list(t("products.smallbiz"), "smallbiz", smallbiz)}
      ${list(t("products.other"), "other", other)}
    </section>`;
}

export function render(root, ctx) {
  const { shop } = ctx;
  mount(root, html`
    <div class="outbox"></div>
    ${shop.grid_team && shop.grid_team.length ? team(shop) : card(shop)}
    ${speakButton("[data-testid=shop-card]", "speak-card")}
    <div class="mine-slot"></div>
    <div class="device-records"></div>
    ${products(shop.products)}`);
  const slot = root.querySelector(".mine-slot");
  import("./kept.js").then((m) => slot.isConnected && m.draw(root, ctx, () => render(root, ctx)),
    () => {}); // offline and never saved on this phone: nothing kept here to show
}
