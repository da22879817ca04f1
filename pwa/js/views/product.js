// One product: who it is for, amount, term, what to bring; then book it.
import { html, mount } from "../html.js";
import { t, getLang } from "../i18n.js";
import { local } from "./card.js";

export function render(root, ctx) {
  const p = ctx.shop.products.find((x) => x.code === ctx.arg);
  if (!p) return ctx.go("");
  const tags = [p.line && t("line." + p.line), p.method && t("method." + p.method)].filter(Boolean);
  const row = (key, field) => (local(p, field) ? html`<dt>${t(key)}</dt><dd>${local(p, field)}</dd>` : "");
  const documents = (getLang() === "en" && p.documents_en && p.documents_en.length) ? p.documents_en : p.documents;
  mount(root, html`
    <section class="view" data-testid="product-detail">
      <button type="button" class="back" data-testid="back-button">${t("back")}</button>
      <h1>${local(p, "name")}</h1>
      ${tags.length ? html`<p class="tags">${tags.map((x) => html`<span>${x}</span>`)}</p>` : ""}
      ${p.summary ? html`<p>${local(p, "summary")}</p>` : ""}
      <dl class="facts">
        ${row("audience", "audience")}${row("amount", "amount")}${row("term", "term")}
      </dl>
      ${documents.length ? html`<h2>${t("documents")}</h2>
        <ul class="docs" data-testid="documents">${documents.map((d) => html`<li>${d}</li>`)}</ul>` : ""}
      <a class="btn primary" href="#book/${encodeURIComponent(p.code)}" data-testid="book-button">${t("book.product")}</a>
    </section>`);
}
