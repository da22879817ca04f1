// Products: the 3×3 retail matrix (line × method), then special and small-business lists.
import { html } from "../html.js";
import { t } from "../i18n.js";
import { local } from "./card.js";

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

export function products(all) {
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
