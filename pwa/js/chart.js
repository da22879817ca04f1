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

// One value a row (the per-capita PK): who, the value in words, then a bar as long as the value.
// value(row) draws the bar; text(row) says it (with its unit); max: the value of a full bar.
export function valueBars(rows, { value, name, sub, text, label, id = (r) => r.id, prefix = "vbar", cls = "s-value" }) {
  const max = Math.max(1e-9, ...rows.map((r) => num(value(r))));
  return html`<ol class="vbars" aria-label="${label}">${rows.map((r) => html`
    <li class="vbars-row" data-testid="${prefix}-${id(r)}">
      <span class="bars-who"><span class="bars-name" data-testid="name">${name(r)}</span>${sub ? html`<span class="bars-sub">${sub(r)}</span>` : ""}</span>
      <span class="vbars-val" data-testid="value">${text(r)}</span>
      <svg class="bar" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <rect class="bar-track" width="${W}" height="${H}"></rect>
        ${num(value(r)) ? html`<rect class="${cls}" width="${Math.max(8, Math.round((W * num(value(r))) / max))}" height="${H}"></rect>` : ""}
      </svg>
    </li>`)}</ol>`;
}

// A funnel: one bar a stage, the first stage full width, each with its count and the share of
// the stage before it. stages: [{key, label, value}]; rate(part, whole) formats a share.
export function funnel(stages, { label, rate, testid = "funnel" }) {
  const top = Math.max(1, ...stages.map((s) => num(s.value)));
  return html`<ol class="funnel" aria-label="${label}" data-testid="${testid}">${stages.map((s, i) => html`
    <li class="funnel-step f-${s.key}">
      <span class="funnel-lbl">${s.label}</span>
      <svg class="bar" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <rect class="bar-track" width="${W}" height="${H}"></rect>
        ${num(s.value) ? html`<rect class="f-fill" width="${Math.max(8, Math.round((W * num(s.value)) / top))}" height="${H}"></rect>` : ""}
      </svg>
      <span class="funnel-n"><b data-testid="${s.key}">${num(s.value)}</b>${i ? html` <span class="funnel-rate">${rate(s.value, stages[i - 1].value)}</span>` : ""}</span>
    </li>`)}</ol>`;
}

// A daily trend: a column a day (zero line drawn; negative days go below it), the value over
// the column where there is room, the day under it every few days (counted back from the last).
// The text is part of the SVG, so it grows with the chart (a TV) and stays readable on a phone.
export function columns(points, { value, day, label, testid = "trend-chart", fmt = (v) => String(v) }) {
  const n = Math.max(1, points.length), w = 360, h = 150, top = 22, bottom = 24;
  const vals = points.map((p) => Number(value(p)) || 0);
  const hi = Math.max(0, ...vals), lo = Math.min(0, ...vals), span = hi - lo || 1;
  const y = (v) => top + ((hi - v) * (h - top - bottom)) / span;
  const step = w / n, bw = Math.max(2, step * 0.7), every = Math.ceil(n / 8);
  const best = vals.indexOf(Math.max(...vals));
  const say = (i) => n <= 10 || i === best || i === n - 1;
  return html`<svg class="cols" viewBox="0 0 ${w} ${h}" role="img" aria-label="${label}" data-testid="${testid}" data-points="${n}" focusable="false">
    <line class="cols-zero" x1="0" x2="${w}" y1="${y(0)}" y2="${y(0)}"></line>
    ${points.map((p, i) => {
      const v = vals[i], x = i * step + (step - bw) / 2, y0 = y(Math.max(v, 0)), y1 = y(Math.min(v, 0));
      return html`<g>
        ${v ? html`<rect class="${v < 0 ? "cols-neg" : "cols-bar"}" x="${x.toFixed(1)}" y="${y0.toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.max(1, y1 - y0).toFixed(1)}"></rect>` : ""}
        ${say(i) ? html`<text class="cols-val" x="${(x + bw / 2).toFixed(1)}" y="${(y0 - 5).toFixed(1)}" text-anchor="middle">${fmt(v)}</text>` : ""}
        ${(n - 1 - i) % every === 0 ? html`<text class="cols-day" x="${(x + bw / 2).toFixed(1)}" y="${h - 6}" text-anchor="middle">${day(p)}</text>` : ""}
      </g>`;
    })}
  </svg>`;
}
