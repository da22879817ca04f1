// "Add to home screen": the browser's prompt where it offers one, text guidance elsewhere.
import { html, mount } from "./html.js";
import { t } from "./i18n.js";

let deferred = null;
let installed = matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
const listeners = new Set();
const changed = () => listeners.forEach((fn) => fn());

addEventListener("beforeinstallprompt", (e) => { e.preventDefault(); deferred = e; changed(); });
addEventListener("appinstalled", () => { installed = true; deferred = null; changed(); });

function how() {
  const ua = navigator.userAgent;
  if (/MicroMessenger/i.test(ua)) return "install.wechat";
  if (/iPhone|iPad|iPod/i.test(ua)) return "install.ios";
  return "install.other";
}

function view() {
  if (installed) return html`<p>${t("install.done")}</p>`;
  if (deferred) return html`<button type="button" class="btn" data-testid="install-button">${t("install.button")}</button>`;
  return html`<p>${t(how())}</p>`;
}

// The guidance block, kept current while it is on screen.
export function installBlock(root) {
  const draw = () => {
    if (!root.isConnected) return listeners.delete(draw);
    mount(root, html`<h2>${t("install.title")}</h2>${view()}`);
  };
  root.addEventListener("click", async (e) => {
    if (!e.target.closest("[data-testid=install-button]") || !deferred) return;
    const prompt = deferred;
    deferred = null;
    prompt.prompt();
    const choice = await prompt.userChoice.catch(() => null);
    if (choice && choice.outcome === "accepted") installed = true;
    changed();
  });
  listeners.add(draw);
  draw();
}
