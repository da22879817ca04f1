// 我的微店 My shop kit: my QR code (shown, PNG/SVG to download), copy or share my link,
// the printable poster, my channel codes (#channels), and my numbers today from the employees' board.
import { html, mount, safeUrl } from "../html.js";
import { t } from "../i18n.js";
import { debounce } from "../live.js";
import { call } from "./session.js";
import { announce, focusView } from "./ui.js";

const COUNTERS = ["visits", "bookings", "arrived", "completed"];
let root = null, me = null, active = false;

export const qrPath = (me, ext) => `/qr/${encodeURIComponent(me.shop_code)}.${ext}`;

export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch { // plain http, old WebViews
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

async function loadStats() {
  const box = root.querySelector("#stats");
  try {
    const board = await call("/api/boards/employees?period=today&top=1");
    if (!active) return;
    const row = board.mine || board.rows.find((r) => r.id === me.id);
    mount(box, row ? html`
      <dl class="numbers" data-testid="my-numbers">${COUNTERS.map((c) => html`
        <div><dt>${t("count." + c)}</dt><dd data-testid="my-${c}">${row[c]}</dd></div>`)}</dl>
      <p class="muted" data-testid="my-rank">${t("kit.rank", { rank: row.rank })}</p>`
      : html`<p class="muted">${t("kit.norank")}</p>`);
  } catch (err) {
    if (active) mount(box, html`<p class="notice error">${err.message}</p>`);
  }
}
const refresh = debounce(loadStats, 300);

export function render(el, ctx) {
  root = el;
  me = ctx.me;
  active = true;
  const url = safeUrl(me.shop_url);
  const file = `${me.name}-${me.shop_code}`;
  mount(root, html`
    <section class="view kit" data-testid="kit">
      <h1>${t("kit.title")}</h1>
      <p class="muted">${t("kit.lead")}</p>
      <figure class="kit-qr">
        <img src="${qrPath(me, "png")}" width="220" height="220" alt="${t("kit.qr", { name: me.name })}" data-testid="qr">
        <figcaption><a class="url" href="${url}" data-testid="shop-url">${me.shop_url}</a></figcaption>
      </figure>
      <div class="actions">
        <button type="button" class="btn primary" data-act="copy" data-testid="copy-link">${t("copy")}</button>
        ${navigator.share ? html`<button type="button" class="btn" data-act="share" data-testid="share">${t("kit.share")}</button>` : ""}
        <a class="btn" href="#poster" data-testid="poster-link">${t("kit.poster")}</a>
        <a class="btn" href="#channels" data-testid="channels-link">${t("kit.channels")}</a>
        <a class="btn" href="${url}" target="_blank" rel="noopener">${t("kit.open")}</a>
      </div>
      <p class="downloads">${t("kit.download")}
        <a href="${qrPath(me, "png")}" download="${file}.png" data-testid="qr-png">PNG</a>
        <a href="${qrPath(me, "svg")}" download="${file}.svg" data-testid="qr-svg">${t("kit.svg")}</a></p>
    </section>
    <section class="view" aria-labelledby="stats-h">
      <h2 id="stats-h">${t("kit.today")}</h2>
      <div id="stats"><p class="loading">${t("inbox.loading")}</p></div>
    </section>`);
  root.querySelector(".actions").addEventListener("click", async (e) => {
    const b = e.target.closest("button[data-act]");
    if (!b) return;
    if (b.dataset.act === "copy") {
      const ok = await copy(me.shop_url);
      b.textContent = ok ? t("copied") : t("copy.fail");
      announce(b.textContent);
    } else {
      navigator.share({ title: t("kit.share.title", { name: me.name }), text: t("kit.share.text"), url: me.shop_url })
        .catch(() => {}); // closed by the user
    }
  });
  focusView(root);
  loadStats();
}

export function leave() { active = false; }

export function changed(msg) {
  if (!msg || msg.employee_id === me.id) refresh();
}
