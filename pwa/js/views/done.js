// The confirmation: reference, time, manager, the private status link, add to home screen.
import { html, mount, safeUrl } from "../html.js";
import { t } from "../i18n.js";
import { remembered } from "../bookings.js";
import { announce, focusView, speakButton } from "../app.js";
import { installBlock } from "../install.js";
import { local } from "./card.js";
import { summary } from "./summary.js";

function absolute(url) {
  try { return new URL(url, location.href).href; } catch { return url; }
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch { // plain http, old WebViews: the old way
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

// What happens next, in words: who calls, from which number, within what time, and why them.
export const nextSteps = (b) => html`
  <div class="next" data-testid="next-steps">
    <h2>${t("next.title")}</h2>
    <p>${t("next.call", { name: b.manager, phone: b.manager_phone || "", h: b.contact_within_hours || 2 })}</p>
    ${b.slot_start ? html`<p>${t("next.visit", { branch: local(b, "branch") })}</p>` : ""}
    <p class="muted" data-testid="why">${t("next.why", { name: b.manager, why: t("why." + (b.reason || "new_customer")) })}</p>
  </div>`;

export function render(root, ctx) {
  const b = remembered().find((x) => x.reference === ctx.arg);
  if (!b) return ctx.go("");
  const url = absolute(safeUrl(b.status_url));
  const canShare = typeof navigator.share === "function";
  mount(root, html`
    <section class="view" data-testid="confirmation">
      <h1>${t("done.title")}</h1>
      <p class="ref">${t("done.ref")} <strong data-testid="reference">${b.reference}</strong></p>
      <div class="spoken">${nextSteps(b)}${summary(b)}</div>
      ${speakButton("[data-testid=confirmation] .spoken", "speak-confirmation")}
      <div class="linkbox">
        <h2>${t("done.link")}</h2>
        <p class="muted">${t("done.link.hint")}</p>
        <button type="button" class="btn primary" data-testid="copy-link">${canShare ? t("share") : t("copy")}</button>
        <a class="btn" href="${url}" data-testid="status-link">${t("done.open")}</a>
      </div>
      <div class="install" data-testid="install"></div>
      <a class="btn" href="#">${t("done.home")}</a>
    </section>`);
  installBlock(root.querySelector(".install"));
  import("./remind.js").then((m) => m.remindBlock(root.querySelector(".linkbox"), b, b.status_token || url.split("#")[1]), () => {}); // loaded when shown: not in the shop's first bytes
  root.querySelector("[data-testid=copy-link]").addEventListener("click", async (e) => {
    if (canShare) {
      try { await navigator.share({ title: t("done.link"), url }); return; } catch { /* dismissed: copy instead */ }
    }
    const ok = await copy(url);
    e.target.textContent = ok ? t("copied") : t("copy.fail");
    announce(ok ? t("copied") : t("copy.fail"));
  });
  focusView(root);
}
