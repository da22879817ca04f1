// The confirmation: reference, time, manager, the private status link, add to home screen.
import { html, mount, safeUrl } from "../html.js";
import { t } from "../i18n.js";
import { remembered } from "../bookings.js";
import { announce, focusView } from "../app.js";
import { installBlock } from "../install.js";
import { summary } from "./card.js";

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

export function render(root, ctx) {
  const b = remembered().find((x) => x.reference === ctx.arg);
  if (!b) return ctx.go("");
  const url = absolute(safeUrl(b.status_url));
  mount(root, html`
    <section class="view" data-testid="confirmation">
      <h1>${t("done.title")}</h1>
      <p class="ref">${t("done.ref")} <strong data-testid="reference">${b.reference}</strong></p>
      ${summary(b)}
      <div class="linkbox">
        <h2>${t("done.link")}</h2>
        <p class="muted">${t("done.link.hint")}</p>
        <p><a class="url" href="${url}" data-testid="status-link">${url}</a></p>
        <button type="button" class="btn" data-testid="copy-link">${t("copy")}</button>
      </div>
      <div class="install" data-testid="install"></div>
      <a class="btn" href="#">${t("done.home")}</a>
    </section>`);
  installBlock(root.querySelector(".install"));
  import("./remind.js").then((m) => m.remindBlock(root.querySelector(".linkbox"), b, b.status_token || url.split("#")[1]), () => {}); // loaded when shown: not in the shop's first bytes
  root.querySelector("[data-testid=copy-link]").addEventListener("click", async (e) => {
    const ok = await copy(url);
    e.target.textContent = ok ? t("copied") : t("copy.fail");
    announce(ok ? t("copied") : t("copy.fail"));
  });
  focusView(root);
}
