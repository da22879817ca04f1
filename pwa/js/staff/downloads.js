// 报表下载 Downloads: the day/week/month reports (PNG poster, Markdown), the board spreadsheets,
// the level review (branch heads and head office) and the bookings export with a progress bar.
// Self-contained: render(root, ctx) mounts it (管理 → 报表下载; board.js can mount it too).
import { html, mount } from "../html.js";
import { t, getLang } from "../i18n.js";
import { current } from "./session.js";
import { announce } from "./ui.js";
import "./targets-strings.js";

const MANAGERS = ["admin", "branch_manager"];
const XLSX_BYTES_PER_ROW = 40; // an XLSX row's compressed size, roughly: the bar's scale for XLSX
const NEWLINE = 10;

// The bookings scopes a role may export (the server checks again).
const scopes = (me) => ["mine", ...(me.role === "grid_leader" ? ["grid"] : []),
  ...(MANAGERS.includes(me.role) ? ["branch"] : []), ...(me.role === "admin" ? ["all"] : [])];

function quarter() {
  const d = new Date(Date.now() + 8 * 3600 * 1000); // Shanghai
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

// The download links of every board and report, for the page that shows them.
export function links(me, { branchId = null } = {}) {
  const b = branchId ? `?branch_id=${encodeURIComponent(branchId)}` : "";
  return html`<ul class="rp-links" data-testid="report-links">${["day", "week", "month"].map((p) => html`
    <li><span class="rp-name">${t("rp." + p)}</span>
      <a href="/api/boards/reports/${p}.png${b}" download data-testid="report-${p}-png">${t("rp.png")}</a>
      <a href="/api/boards/reports/${p}.md${b}" download data-testid="report-${p}-md">${t("rp.md")}</a></li>`)}
    <li><span class="rp-name">${t("rp.boards")}</span>
      <a href="/api/boards/employees?period=month&format=xlsx" download data-testid="board-employees-xlsx">${t("rp.board.employees")} XLSX</a>
      <a href="/api/boards/branches?period=month&per_capita=1&format=xlsx" download data-testid="board-branches-xlsx">${t("rp.board.branches")} XLSX</a></li>
  </ul>`;
}

function review(me) {
  if (!MANAGERS.includes(me.role)) return "";
  return html`<h2>${t("rp.review")}</h2>
    <p class="muted">${t("rp.review.lead")}</p>
    <form class="rp-row" id="rp-review" novalidate>
      <div class="field"><label for="rp-period">${t("rp.review.period")}</label>
        <input id="rp-period" name="period" value="${quarter()}" pattern="\\d{4}(-Q[1-4])?" data-testid="review-period" aria-describedby="rp-period-hint">
        <p class="hint" id="rp-period-hint">${t("rp.review.hint")}</p></div>
      <a class="btn small primary" href="/api/boards/level-review.xlsx?period=${quarter()}" download data-testid="review-download">${t("rp.review.download")}</a>
    </form>`;
}

function exporter(me) {
  return html`<h2>${t("rp.export")}</h2>
    <p class="muted">${t("rp.export.lead")}</p>
    <div class="rp-row">
      <div class="field"><label for="rp-scope">${t("rp.export.scope")}</label>
        <select id="rp-scope" data-testid="export-scope">${scopes(me).map((s) => html`<option value="${s}">${t("scope." + s)}</option>`)}</select></div>
      <button type="button" class="btn small" data-fmt="csv" data-testid="export-csv">${t("rp.export.csv")}</button>
      <button type="button" class="btn small" data-fmt="xlsx" data-testid="export-xlsx">${t("rp.export.xlsx")}</button>
    </div>
    <div class="rp-progress" id="rp-progress" data-testid="export-progress" hidden>
      <progress max="1" value="0"></progress><p class="hint" role="status"></p></div>`;
}

// Read the export as a stream: rows counted as they arrive (CSV: one line a booking; XLSX: by
// size), against X-Total-Rows, which the server counts before it sends the first row.
export async function exportBookings(box, fmt, scope) {
  const panel = box.querySelector("#rp-progress");
  const bar = panel.querySelector("progress");
  const line = panel.querySelector("p");
  panel.hidden = false;
  bar.value = 0;
  line.textContent = "";
  try {
    const res = await fetch(`/api/staff/bookings/export.${fmt}?scope=${encodeURIComponent(scope)}`, {
      credentials: "same-origin", headers: { "Accept-Language": getLang() === "en" ? "en" : "zh-CN" } });
    if (!res.ok) {
      let body = null;
      try { body = await res.json(); } catch { /* the status says enough */ }
      throw new Error((body && body.message) || String(res.status));
    }
    const total = Number(res.headers.get("X-Total-Rows")) || 0;
    const reader = res.body.getReader();
    const chunks = [];
    let rows = -1, bytes = 0; // -1: the header line is not a booking
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.length;
      if (fmt === "csv") { for (const b of value) if (b === NEWLINE) rows += 1; }
      else rows = Math.min(total, Math.floor(bytes / XLSX_BYTES_PER_ROW));
      const n = Math.max(0, Math.min(rows, total));
      bar.value = total ? Math.min(0.99, n / total) : 0;
      line.textContent = t("rp.export.progress", { n, total });
    }
    bar.value = 1;
    line.textContent = t("rp.export.done", { n: total });
    announce(line.textContent);
    const m = /filename="?([^";]+)"?/.exec(res.headers.get("Content-Disposition") || "");
    save(new Blob(chunks, { type: res.headers.get("Content-Type") || "" }), m ? m[1] : `bookings.${fmt}`);
  } catch (error) {
    line.textContent = t("rp.export.failed", { message: error.message });
    announce(line.textContent);
  }
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function render(root, ctx = {}) {
  const me = ctx.me || current();
  if (!me) return;
  mount(root, html`<section class="view rp" data-testid="downloads">
    <h1>${t("rp.title")}</h1>
    <p class="muted">${t("rp.lead")}</p>
    <h2>${t("rp.reports")}</h2>
    ${links(me)}
    ${review(me)}
    ${exporter(me)}
  </section>`);
  const period = root.querySelector("#rp-period");
  if (period) {
    period.oninput = () => {
      root.querySelector("[data-testid=review-download]").href = `/api/boards/level-review.xlsx?period=${encodeURIComponent(period.value.trim().toUpperCase())}`;
    };
  }
  root.querySelectorAll("[data-fmt]").forEach((button) => {
    button.onclick = async () => {
      button.disabled = true;
      try { await exportBookings(root, button.dataset.fmt, root.querySelector("#rp-scope").value); }
      finally { button.disabled = false; }
    };
  });
}

export function reset() {}
