// 大屏链接 TV wall links (head office: bank-wide or any branch's; a branch head: their branch's):
// a read-only link that shows the live wall on a TV with nobody logged in, so it never signs
// itself out. Make one (where the screen is, whose wall), copy it or scan its QR code at once
// (only its hash is kept: it is shown this once), see when each was last used, withdraw one.
// The server decides who may (server/access.py).
import { html, mount, safeUrl } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { errLine, showErrors, busy, confirmIn, stamp } from "./admin-common.js";
import { announce } from "./ui.js";
import { copy } from "./shop.js";

let items = null; // the links I may see
let problem = "";
let branches = null; // [{id, name}] for head office's choice
let made = null; // the link just made: its URL and QR code, shown this once
let box = null;

function scopeField(me) {
  if (me.role !== "admin") {
    return html`<p class="field">${t("adm.walls.scope")}：<strong data-testid="wall-scope-fixed">${me.branch}</strong></p>`;
  }
  return html`<div class="field"><label for="f-wl-scope">${t("adm.walls.scope")}</label>
    <select id="f-wl-scope" name="branch_id" data-testid="wall-scope" aria-describedby="e-wl-branch_id">
      <option value="">${t("adm.walls.bank")}</option>
      ${(branches || []).map((b) => html`<option value="${b.id}">${b.name}</option>`)}
    </select>${errLine("branch_id", "wl")}</div>`;
}

function fresh() {
  if (!made) return "";
  return html`<div class="notice wall-made" data-testid="wall-made">
    <h2 id="wl-made" tabindex="-1">${t("adm.walls.made", { label: made.label })}</h2>
    <p><strong>${t("adm.walls.once")}</strong></p>
    <label for="f-wl-url">${t("adm.walls.link")}</label>
    <input id="f-wl-url" class="wall-url" readonly value="${made.url}" data-testid="wall-url">
    <div class="adm-row">
      <button type="button" class="btn primary small" data-act="copy" data-testid="wall-copy">${t("copy")}</button>
      <a class="btn small" href="${safeUrl(made.url)}" target="_blank" rel="noopener" data-testid="wall-open">${t("adm.walls.open")}</a></div>
    <figure class="wall-qr">
      <img src="${made.qr}" width="220" height="220" alt="${t("adm.walls.qr", { label: made.label })}" data-testid="wall-qr">
      <figcaption class="muted">${t("adm.walls.qr.how")}</figcaption></figure>
  </div>`;
}

const card = (w) => html`<li class="wall-link${w.active ? "" : " off"}" data-testid="wall-link-${w.id}">
  <h3>${w.label} <span class="tag ${w.active ? "on" : ""}">${t(w.active ? "adm.walls.on" : "adm.walls.off")}</span></h3>
  <p class="muted">${w.scope === "bank" ? t("adm.walls.bank") : w.branch} · ${t("adm.walls.by", { name: w.created_by, at: stamp(w.created_at) })}</p>
  <p data-testid="wall-state-${w.id}">${w.active
    ? t("adm.walls.used", { at: w.last_used_at ? stamp(w.last_used_at) : t("adm.walls.never") })
    : t("adm.walls.revoked", { name: w.revoked_by, at: stamp(w.revoked_at) })}</p>
  ${w.active ? html`<button type="button" class="btn small danger" data-id="${w.id}" data-testid="wall-revoke-${w.id}"
      aria-label="${t("adm.walls.revoke.label", { label: w.label })}">${t("adm.walls.revoke")}</button>
    <div class="wall-confirm" id="wl-confirm-${w.id}"></div>` : ""}
</li>`;

function list() {
  if (problem) return html`<p class="notice error">${problem}</p>`;
  if (!items) return html`<p class="loading">${t("inbox.loading")}</p>`;
  if (!items.length) return html`<p class="empty" data-testid="walls-none">${t("adm.walls.none")}</p>`;
  return html`<ul class="wall-links" data-testid="wall-links">${items.map(card)}</ul>`;
}

async function load() {
  try {
    items = (await call("/api/walls")).items;
    problem = "";
  } catch (error) {
    problem = error.message;
  }
  const out = box && box.querySelector("#wl-list");
  if (out) mount(out, list());
}

function draw(root, me) {
  mount(root, html`
    <section class="view adm-walls" data-testid="adm-walls">
      <h1>${t("adm.walls")}</h1>
      <p class="muted">${t("adm.walls.lead")}</p>
      <h2>${t("adm.walls.add")}</h2>
      <form novalidate>
        <div class="adm-grid">
          <div class="field"><label for="f-wl-label">${t("adm.walls.label")}</label>
            <input id="f-wl-label" name="label" maxlength="40" data-testid="wall-label" placeholder="${t("adm.walls.label.eg")}" aria-describedby="e-wl-label">
            ${errLine("label", "wl")}</div>
          ${scopeField(me)}
        </div>
        <button type="submit" class="btn primary small" data-testid="wall-submit">${t("adm.walls.submit")}</button>
        ${errLine("form", "wl")}
      </form>
      <div id="wl-made-box">${fresh()}</div>
      <h2>${t("adm.walls.list")}</h2>
      <div id="wl-list">${list()}</div>
    </section>`);
  const form = root.querySelector("form");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const label = form.label.value.trim();
    if (!label) return showErrors(form, { status: 422, message: t("v.check"), body: { fields: { label: t("adm.required") } } });
    showErrors(form, null);
    const data = { label, branch_id: form.branch_id && form.branch_id.value ? Number(form.branch_id.value) : me.role === "admin" ? null : me.branch_id };
    try {
      made = await busy(form.querySelector("[data-testid=wall-submit]"), () => call("/api/walls", { method: "POST", body: data }));
      form.reset();
      mount(root.querySelector("#wl-made-box"), fresh());
      root.querySelector("#wl-made").focus();
      announce(t("adm.walls.made", { label: made.label }));
      load();
    } catch (error) {
      showErrors(form, error);
    }
  });
  root.querySelector("#wl-made-box").addEventListener("click", async (e) => {
    const b = e.target.closest("[data-act=copy]");
    if (!b || !made) return;
    const ok = await copy(made.url);
    b.textContent = ok ? t("copied") : t("copy.fail");
    announce(b.textContent);
  });
  root.querySelector("#wl-list").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-id]");
    if (!b) return;
    const w = (items || []).find((x) => String(x.id) === b.dataset.id);
    if (!w) return;
    confirmIn(root.querySelector(`#wl-confirm-${w.id}`), t("adm.walls.ask", { label: w.label }), async () => {
      try {
        await call(`/api/walls/${encodeURIComponent(w.id)}/revoke`, { method: "POST", body: {} });
        if (made && made.id === w.id) { // the link just shown is no use any more
          made = null;
          mount(root.querySelector("#wl-made-box"), "");
        }
        announce(t("adm.walls.revoked.done", { label: w.label }));
        load();
      } catch (error) {
        showErrors(form, error);
      }
    }, { danger: true });
  });
}

export async function render(root, ctx) {
  box = root;
  draw(root, ctx.me);
  load();
  if (ctx.me.role === "admin" && !branches) {
    try {
      branches = (await call("/api/boards/branches?period=today")).rows.map((r) => ({ id: r.id, name: r.name }));
      if (box === root && root.querySelector("[data-testid=adm-walls]")) {
        const select = root.querySelector("[name=branch_id]");
        const chosen = select.value;
        mount(select, html`<option value="">${t("adm.walls.bank")}</option>
          ${branches.map((b) => html`<option value="${b.id}">${b.name}</option>`)}`);
        select.value = chosen;
      }
    } catch (error) {
      showErrors(root.querySelector("form"), error);
    }
  }
}

export function reset() { items = null; problem = ""; branches = null; made = null; box = null; }
