// Small SVG charts for the staff boards and the live wall; no chart library.
// Names and numbers are HTML text (readable, escaped, checked for contrast); only the bars
// and pedestals are SVG, hidden from screen readers because the numbers beside them say it all.
import { html } from "./html.js";

const W = 1000, H = 100;
const num = (v) => Math.max(0, Number(v) || 0);

// One row's bar: its series drawn over each other from the left, longest at the back,
// so every series stays visible. max: the value of a full-width bar.
export function bar(row, series, max) {
  const top = Math.max(1, max);
  const parts = series.map((s) => ({ cls: s.cls, v: Math.min(num(row[s.key]), top) })).sort((a, b) => b.v - a.v);
  return html`<svg class="bar" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" aria-hidden="true" focusable="false">
    <rect class="bar-track" width="${W}" height="${H}"></rect>
    ${parts.map((p) => (p.v ? html`<rect class="${p.cls}" width="${Math.max(8, Math.round((W * p.v) / top))}" height="${H}"></rect>` : ""))}
  </svg>`;
}

export const scale = (rows, series) => Math.max(1, ...rows.flatMap((r) => series.map((s) => num(r[s.key]))));

// A ranked list of bars. opts: series [{key, label, cls}], name(row), sub(row) (optional),
// id(row) for test ids, label (the list's accessible name), max (default: the largest value),
// inline: one line a row (short names), else the bar goes under the name.
export function barList(rows, { series, name, sub, id = (r) => r.id, label, max = scale(rows, series), prefix = "row", inline = false }) {
  return html`<ol class="bars${inline ? " inline" : ""}" aria-label="${label}">${rows.map((r) => html`
    <li class="bars-row${r.rank <= 3 ? " best" : ""}" data-testid="${prefix}-${id(r)}">
      <span class="bars-rank" aria-hidden="true">${r.rank}</span>
      <span class="bars-who"><span class="bars-name" data-testid="name">${name(r)}</span>${sub ? html`<span class="bars-sub">${sub(r)}</span>` : ""}</span>
      ${bar(r, series, max)}
      <span class="bars-nums">${series.map((s) => html`<span class="n ${s.cls}"><b data-testid="${s.key}">${num(r[s.key])}</b> <span class="lbl">${s.label}</span></span>`)}</span>
    </li>`)}</ol>`;
}

// What each colour means.
export const legend = (series) => html`<ul class="legend" aria-hidden="true">${series.map((s) => html`
  <li><svg viewBox="0 0 10 10" focusable="false"><rect class="${s.cls}" width="10" height="10"></rect></svg>${s.label}</li>`)}</ul>`;

// The top three on pedestals: second, first, third from left to right.
export function podium(rows, { name, sub, value, label, place }) {
  const order = [rows[1], rows[0], rows[2]];
  const heights = [80, 100, 64];
  return html`<ol class="podium" aria-label="${label}">${order.map((r, i) => (r ? html`
    <li class="podium-${r.rank}" data-testid="podium-${r.rank}">
      <span class="sr-only">${place(r.rank)}</span>
      <span class="podium-name">${name(r)}</span>
      ${sub ? html`<span class="podium-sub">${sub(r)}</span>` : ""}
      <span class="podium-value">${value(r)}</span>
      <svg class="pedestal" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <rect class="pedestal-${r.rank}" y="${100 - heights[i]}" width="100" height="${heights[i]}"></rect>
      </svg>
      <span class="pedestal-rank" aria-hidden="true">${r.rank}</span>
    </li>` : html`<li class="podium-empty" aria-hidden="true"></li>`))}</ol>`;
}
