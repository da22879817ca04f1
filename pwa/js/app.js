// What every customer page shares: the toolbar (large text, language), read-aloud buttons, the
// live region, the offline banner, the service worker, and retrying the booking outbox.
import { isLarge, setLarge, load, save } from "./prefs.js";
import { html } from "./html.js";
import { t, getLang, setLang } from "./i18n.js";

// The outbox is not needed to draw a page: bookings.js (and api.js) load when it is retried.
const flush = () => import("./bookings.js").then((m) => m.flush(), () => {});

const $ = (id) => document.getElementById(id);
let fromCache = false;

// Say something to screen readers (the region is in the page from the start).
export function announce(message) {
  const live = $("live");
  live.textContent = "";
  setTimeout(() => { live.textContent = message; }, 60);
}

// Show the offline banner when the browser is offline or the data came from the cache.
export function showCached(cached) {
  fromCache = cached;
  const net = $("net");
  const show = fromCache || navigator.onLine === false;
  if (show && net.hidden) announce(t("offline"));
  net.hidden = !show;
  net.textContent = t("offline");
}

function label() {
  const large = $("large"), lang = $("lang");
  const offer = document.querySelector("[data-testid=large-text-offer]");
  if (offer) { // asked in one language, the answer switched to the other: say it again
    offer.setAttribute("aria-label", t("large.offer"));
    offer.querySelector("p").textContent = t("large.offer");
    offer.querySelector("[data-testid=large-text-yes]").textContent = t("large.yes");
    offer.querySelector("[data-testid=large-text-no]").textContent = t("large.no");
  }
  large.textContent = t("large");
  large.setAttribute("aria-pressed", String(isLarge()));
  lang.textContent = t("lang.other");
  lang.lang = getLang() === "en" ? "zh-CN" : "en";
  showCached(fromCache);
}

// Read aloud (适老化 朗读): a button that speaks a part of the page in the page's language through
// the browser's own speech synthesis. Where the browser has none, there is no button at all.
export const canSpeak = () => typeof window.speechSynthesis === "object" && window.speechSynthesis !== null
  && typeof window.SpeechSynthesisUtterance === "function";

// A button reading the element `target` (a CSS selector) aloud.
export const speakButton = (target, testid) => (canSpeak() ? html`<button type="button" class="btn quiet speak"
  data-speak="${target}" data-testid="${testid}">${t("speak")}</button>` : "");

document.addEventListener("click", (e) => {
  const button = e.target.closest("[data-speak]");
  const el = button && document.querySelector(button.dataset.speak);
  if (!el || !canSpeak()) return;
  speechSynthesis.cancel(); // a second tap starts over rather than queueing
  const words = new SpeechSynthesisUtterance(el.innerText.replace(/\s+/g, " "));
  words.lang = getLang() === "en" ? "en-US" : "zh-CN";
  words.rate = 0.9; // a little slower than the default, for older listeners
  speechSynthesis.speak(words);
});

// First visit: a prominent offer of large text (适老化), inline (never a pop-up), asked once.
function offerLargeText() {
  if (isLarge() || load("yryd.large-asked")) return;
  const box = document.createElement("div");
  box.className = "first-visit";
  box.dataset.testid = "large-text-offer";
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", t("large.offer"));
  const text = document.createElement("p");
  text.textContent = t("large.offer");
  const yes = Object.assign(document.createElement("button"), { type: "button", className: "btn primary", textContent: t("large.yes") });
  const no = Object.assign(document.createElement("button"), { type: "button", className: "btn", textContent: t("large.no") });
  yes.dataset.testid = "large-text-yes";
  no.dataset.testid = "large-text-no";
  const done = (on) => { save("yryd.large-asked", "1"); if (on) { setLarge(true); label(); } box.remove(); };
  yes.onclick = () => done(true);
  no.onclick = () => done(false);
  box.append(text, yes, no);
  $("app").before(box);
}

// Call after i18n's ready(). rerender(): draw the current view again after a language change.
export function boot(rerender) {
  label();
  offerLargeText();
  $("large").addEventListener("click", () => {
    setLarge(!isLarge());
    save("yryd.large-asked", "1"); // found the switch: the offer has done its job
    const offer = document.querySelector("[data-testid=large-text-offer]");
    if (offer) offer.remove();
    label();
  });
  $("lang").addEventListener("click", async () => {
    await setLang(getLang() === "en" ? "zh-CN" : "en");
    label();
    rerender();
  });
  addEventListener("offline", () => showCached(fromCache));
  addEventListener("online", () => { showCached(false); flush(); });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) flush(); });
  setInterval(() => { if (!document.hidden) flush(); }, 30000);
  flush();
  if ("serviceWorker" in navigator) { // after the page's own loading, not competing with it
    const register = () => navigator.serviceWorker.register("/sw.js").catch(() => {});
    if (document.readyState === "complete") register();
    else addEventListener("load", register);
  }
}

// Move focus to a new view's heading so screen readers and keyboards start there.
export function focusView(root) {
  scrollTo(0, 0);
  const h = root.querySelector("h1");
  if (h) { h.tabIndex = -1; h.focus({ preventScroll: true }); }
}
