// The judgement as people see it, shared by the 看板 (staff app) and the wall: the quality
// score with its formula and every column it is made of (so anyone can recompute it), medals,
// per-capita branch PK, funnels and the daily trend. Pure: data in, html out.
import { html } from "../html.js";
import { t, getLang } from "../i18n.js";
import { columns, funnel, valueBars } from "../chart.js";
import { todayKey } from "../format.js";

const STAGES = ["visits", "bookings", "arrived", "completed"];
const n2 = (v) => String(Math.round((Number(v) || 0) * 100) / 100);
const signed = (v) => (v > 0 ? "+" : v < 0 ? "−" : "±") + n2(Math.abs(v));
const pct = (part, whole) => (whole ? `${Math.round((100 * part) / whole)}%` : "—");

// The columns the score is made of (the weights' keys, in their order); visits stand apart as
// reach unless the weights count them.
export function scoreKeys(board) {
  const keys = Object.keys(board.weights || {});
  return { keys, reach: keys.includes("visits") ? null : "visits" };
}

const label = (key) => t("count." + key);
// A column's header: short where the language's word is long, the full word for screen readers.
const head = (key) => {
  const full = key === "reach" ? t("board.reach") : label(key), short = t("col." + key);
  return short === full || short === "col." + key ? full : html`<abbr title="${full}"><span aria-hidden="true">${short}</span><span class="sr-only">${full}</span></abbr>`;
};

// The formula: the server's own text (one source: formula, formula_en); where a server has no
// English text, the same terms built from the same weights, with signs.
export function formulaText(board) {
  if (getLang() !== "en" && board.formula) return board.formula;
  if (getLang() === "en" && board.formula_en) return board.formula_en;
  const terms = Object.entries(board.weights || {}).map(([k, w], i) => {
    const sign = w < 0 ? (i ? " − " : "−") : (i ? " + " : "");
    return `${sign}${label(k)} × ${n2(Math.abs(w))}`;
  });
  return `${t("board.score")} = ${terms.join("")}`;
}

// tie: say how equal scores are ordered (the server's words, Chinese only), where there is room.
export const formula = (board, { tie = true } = {}) => html`<p class="formula" data-testid="formula"><span class="formula-k">${t("board.formula")}</span> <span data-testid="formula-text">${formulaText(board)}</span></p>${
  tie && board.tie_break && getLang() !== "en" ? html`<p class="muted tie-break">${board.tie_break}</p>` : ""}`;

// Medals: the server's when it says (1/2/3, only for a score of at least 1), else the same rule.
export const medalOf = (r) => ("medal" in r ? r.medal || 0 : r.rank <= 3 && r.score >= 1 ? r.rank : 0);

function rankCell(r) {
  const m = medalOf(r);
  return m ? html`<span class="medal m${m}" title="${t("board.medal." + m)}">${r.rank}<span class="sr-only">${t("board.medal." + m)}</span></span>`
    : html`<span class="rank">${r.rank}</span>`;
}

const who = (r, mineId, sub) => html`<span class="who-name" data-testid="name">${r.name}</span>${
  r.id === mineId ? html` <span class="tag tag-me">${t("board.me")}</span>` : ""}${
  r.left ? html` <span class="tag tag-left" data-testid="left">${t("board.left")}</span>` : ""}${
  sub ? html`<span class="who-sub">${sub}</span>` : ""}`;

// A ranking as a table: rank/medal with who, the score (first: it stays on screen when a
// narrow or large-text screen scrolls the table), each column it is made of, then reach apart.
// opts: caption, mineId (the viewer's row is marked), sub(row), perCapita (groups: per head and
// headcount first), prefix.
export function scoreTable(board, rows, { caption, mineId = null, sub = null, perCapita = false, prefix = "row", testid = "score-table" }) {
  const { keys, reach } = scoreKeys(board);
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0">
    <table class="board-table score-table" data-testid="${testid}">
      <caption class="sr-only">${caption}</caption>
      <thead><tr><th scope="col">${t("board.name")}</th>
        ${perCapita ? html`<th scope="col" class="num" data-key="score_per_capita">${t("board.per_capita")}</th><th scope="col" class="num" data-key="members">${t("board.members")}</th>` : ""}
        <th scope="col" class="num score" data-key="score">${t("board.score")}</th>
        ${keys.map((k) => html`<th scope="col" class="num" data-key="${k}">${head(k)}</th>`)}
        ${reach ? html`<th scope="col" class="num reach" data-key="${reach}">${head("reach")}</th>` : ""}</tr></thead>
      <tbody>${rows.map((r) => html`<tr class="${r.id === mineId ? "mine" : ""}" data-testid="${prefix}-${r.id}">
        <th scope="row"><span class="who">${rankCell(r)}<span>${who(r, mineId, sub && sub(r))}</span></span></th>
        ${perCapita ? html`<td class="num per-capita" data-key="score_per_capita">${n2(r.score_per_capita)}</td><td class="num" data-key="members">${r.members}</td>` : ""}
        <td class="num score" data-key="score" data-testid="score">${n2(r.score)}</td>
        ${keys.map((k) => html`<td class="num${k === "no_show" ? " minus" : ""}" data-key="${k}" data-testid="${k}">${r[k]}</td>`)}
        ${reach ? html`<td class="num reach" data-key="${reach}">${r[reach]}</td>` : ""}</tr>`)}</tbody>
    </table></div>`;
}

// The viewer's own score, large, with the sum written out: 预约 3×1 + 到店 2×3 … = 14.
export function myScore(board, total) {
  const r = board.mine;
  if (!r) return "";
  const { keys, reach } = scoreKeys(board);
  const sum = keys.map((k, i) => {
    const w = board.weights[k];
    return `${w < 0 ? " − " : i ? " + " : ""}${label(k)} ${r[k]}×${n2(Math.abs(w))}`;
  }).join("");
  return html`<div class="my-score" data-testid="my-score">
    <p class="my-score-head"><span>${t("board.my")}</span>
      <b class="my-score-n" data-testid="my-score-value">${n2(r.score)}</b>
      <span class="my-rank">${medalOf(r) ? rankCell(r) : ""} ${t("board.of", { rank: r.rank, n: total })}</span></p>
    <p class="my-sum" data-testid="my-sum">${sum} = ${n2(r.score)}</p>
    ${reach ? html`<p class="muted my-reach">${t("board.reach")} ${r[reach]} · ${t("board.reach.note")}</p>` : ""}
    ${r.unverified ? html`<p class="muted my-reach" data-testid="my-unverified">${t("board.unverified", { n: r.unverified })}</p>` : ""}
  </div>`;
}

// Branch against branch per active member: bars of the per-capita score, headcount beside it,
// and the full table (the score recomputes from its columns; per capita = score ÷ people).
export function pk(board, { open = false, table = true } = {}) {
  if (!board.rows.length) return html`<p class="empty">${t("board.pk.none")}</p>`;
  return html`${valueBars(board.rows, {
    value: (r) => r.score_per_capita, name: (r) => r.name, label: t("board.pk"), prefix: "pk", cls: "s-score",
    sub: (r) => t("board.headcount", { n: r.members }),
    text: (r) => t("board.pc.value", { v: n2(r.score_per_capita) }),
  })}${table ? html`<details ${open ? "open" : ""}><summary>${t("board.table")}</summary>
    ${scoreTable(board, board.rows, { caption: t("board.pk"), perCapita: true, prefix: "pk-row", testid: "pk-table" })}</details>` : ""}`;
}

// A funnel: the stages summed over every row shown big, then a small funnel per row.
// by: what the rows are; the server's placeholder names are said in the page's language.
// total: false leaves out the summed funnel when there are several rows (a TV has no room).
export function funnels(data, { by = data.by, rows = 8, testid = "funnel", total = true } = {}) {
  if (!data.rows.length) return html`<p class="empty" data-testid="${testid}-empty">${t("board.funnel.none")}</p>`;
  const sum = Object.fromEntries(STAGES.map((s) => [s, data.rows.reduce((a, r) => a + r[s], 0)]));
  const stages = (r) => STAGES.map((key) => ({ key, label: label(key), value: r[key] }));
  // channels: "" is the person's own shop, walk-in / phone the bookings staff made; a channel
  // code's row is under its current name (its results are the code's, whatever it was called)
  const name = (r) => (by === "channel" && !r.key ? t("funnel.shop")
    : by === "channel" && (r.key === "walk-in" || r.key === "phone") ? t("ob.channel." + r.key)
      : by === "product" && r.key === "0" ? t("funnel.noproduct") : r.name);
  const one = data.rows.length === 1;
  return html`${one || total ? html`<p class="funnel-name"${one ? html` data-testid="${testid}-only"` : ""}>${one ? name(data.rows[0]) : t("board.funnel.total")}</p>
    ${funnel(stages(sum), { label: one ? name(data.rows[0]) : t("board.funnel.total"), rate: pct, testid })}` : ""}
    ${data.rows.length > 1 ? html`<ul class="funnel-rows">${data.rows.slice(0, rows).map((r) => html`
      <li data-testid="${testid}-${r.key}"><span class="funnel-name">${name(r)}</span>${funnel(stages(r), { label: name(r), rate: pct, testid: `${testid}-bars-${r.key}` })}</li>`)}</ul>` : ""}`;
}

// A day is one point: "today" is drawn as the last seven days, compared with the seven before.
export function trendPeriod(p) {
  if (p !== "today") return { period: p };
  const end = todayKey(), start = new Date(Date.parse(end + "T00:00:00Z") - 6 * 86400000).toISOString().slice(0, 10);
  return { period: "range", start, end };
}

const dd = (day) => day.slice(5).replace("-", "/");

// The daily trend of the score, the change against the period before, and the numbers a day.
export function trend(data, { table = true } = {}) {
  const c = data.change;
  // Green where the change helps the score (fewer no-shows), red where it hurts.
  const good = (key, v) => v * (key === "score" ? 1 : Math.sign(data.weights[key] ?? 1));
  const chip = (key, v) => html`<li class="chg ${good(key, v) > 0 ? "up" : good(key, v) < 0 ? "down" : ""}" data-testid="change-${key}">
    <span>${key === "score" ? t("board.score") : label(key)}</span> <b>${signed(v)}</b></li>`;
  const { keys } = scoreKeys(data);
  return html`<p class="muted trend-vs">${t("trend.vs." + data.period)}（${dd(data.previous.start)}–${dd(data.previous.end)}）</p>
    <ul class="changes">${chip("score", c.score)}${keys.filter((k) => k !== "visits").map((k) => chip(k, c[k]))}</ul>
    ${data.series.every((p) => !p.score && !p.bookings) ? html`<p class="empty" data-testid="trend-empty">${t("trend.none")}</p>` : columns(data.series, { value: (p) => p.score, day: (p) => dd(p.day), fmt: n2, label: t("trend.chart", { from: data.start, to: data.end }) })}
    ${table ? html`<details><summary>${t("trend.table")}</summary><div class="table-wrap" tabindex="0" role="region" aria-label="${t("trend.table")}">
      <table class="board-table" data-testid="trend-table"><thead><tr><th scope="col">${t("trend.day")}</th>
        ${keys.map((k) => html`<th scope="col" class="num">${label(k)}</th>`)}<th scope="col" class="num">${t("board.score")}</th></tr></thead>
      <tbody>${data.series.map((p) => html`<tr><th scope="row">${dd(p.day)}</th>${keys.map((k) => html`<td class="num">${p[k]}</td>`)}<td class="num">${n2(p.score)}</td></tr>`)}</tbody>
      </table></div></details>` : ""}`;
}
