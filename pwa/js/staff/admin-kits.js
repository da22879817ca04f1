// 印刷物料 Print kits (admins, branch managers): a branch's posters as PDF or ZIP, and my own
// poster. A branch kit takes a while to build, so it is fetched with a busy button, then
// offered as a download from an object URL.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { fetchFile, errLine, showErrors, busy } from "./admin-common.js";
import { announce } from "./ui.js";

let branches = null; // [{id, name}] for an admin's choice
let urls = []; // object URLs to revoke when leaving

function choice(me) {
  if (me.role !== "admin") {
    return html`<p>${t("branch")}：<strong data-testid="kit-branch-name">${me.branch}</strong>
      <input type="hidden" name="branch" value="${me.branch_id}"></p>`;
  }
  return html`<div class="field"><label for="f-kit-branch">${t("branch")}</label>
    <select id="f-kit-branch" name="branch" data-testid="kit-branch">${(branches || []).map((b) => html`
      <option value="${b.id}">${b.name}</option>`)}</select>${errLine("branch", "kit")}</div>`;
}

async function get(box, button, path) {
  const out = box.querySelector("#kit-files");
  showErrors(box, null);
  try {
    const { blob, name } = await busy(button, () => fetchFile(path));
    const url = URL.createObjectURL(blob);
    urls.push(url);
    const li = document.createElement("li");
    mount(li, html`<a href="${url}" download="${name}" data-testid="kit-file">${t("adm.kit.save", { name })}</a>
      <span class="muted">${(blob.size / 1024 / 1024).toFixed(1)} MB</span>`);
    out.prepend(li);
    li.querySelector("a").click(); // start the download; the link stays for a second try
    announce(t("adm.kit.ready", { name }));
  } catch (error) {
    showErrors(box, error);
  }
}

export async function render(box, ctx) {
  const me = ctx.me;
  const draw = () => {
    mount(box, html`
      <section class="view adm-kits" data-testid="adm-kits">
        <h1>${t("adm.kits")}</h1>
        <p class="muted">${t("adm.kit.lead")}</p>
        <h2>${t("adm.kit.branch")}</h2>
        ${choice(me)}
        <p class="notice" data-testid="kit-slow">${t("adm.kit.slow")}</p>
        <div class="adm-row">
          <button type="button" class="btn primary small" data-fmt="pdf" data-testid="kit-pdf">${t("adm.kit.pdf")}</button>
          <button type="button" class="btn small" data-fmt="zip" data-testid="kit-zip">${t("adm.kit.zip")}</button></div>
        <h2>${t("adm.kit.mine")}</h2>
        <button type="button" class="btn small" data-testid="kit-mine">${t("adm.kit.mine.pdf")}</button>
        ${errLine("form", "kit")}
        <ul class="adm-list" id="kit-files" aria-live="polite"></ul>
      </section>`);
    const branch = box.querySelector("[name=branch]");
    box.querySelectorAll("button[data-fmt]").forEach((b) => {
      b.disabled = !branch || !branch.value;
      b.onclick = () => get(box, b, `/api/kits/branch/${encodeURIComponent(branch.value)}.${b.dataset.fmt}`);
    });
    box.querySelector("[data-testid=kit-mine]").onclick = (e) => get(box, e.currentTarget, `/api/kits/employee/${me.id}.pdf`);
  };
  draw();
  if (me.role === "admin" && !branches) {
    try {
      branches = (await call("/api/boards/branches?period=today")).rows.map((r) => ({ id: r.id, name: r.name }));
      if (box.isConnected && box.querySelector("[data-testid=adm-kits]")) draw();
    } catch (error) {
      showErrors(box, error);
    }
  }
}

export function leave() {
  urls.forEach((u) => URL.revokeObjectURL(u));
  urls = [];
}
export function reset() { leave(); branches = null; }
