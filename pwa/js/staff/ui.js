// What the staff app and the wall share: their dictionaries, the toolbar and the live region.
import * as i18n from "../i18n.js";
import { isLarge, setLarge } from "../prefs.js";

const { t, getLang, setLang } = i18n;
const $ = (id) => document.getElementById(id);
const staffStrings = (lang) => (lang === "en" ? import("../lang/staff-en.js") : import("../lang/staff-zh.js"));

// The shop's dictionary plus the staff one. An i18n.js from an older service-worker cache
// may lack extend(): then both staff dictionaries go in through add(), as before.
export async function strings() {
  if (i18n.extend) {
    i18n.extend(staffStrings);
  } else {
    const [zh, en] = await Promise.all([staffStrings("zh-CN"), staffStrings("en")]);
    i18n.add(zh.default, en.default);
  }
  await i18n.ready();
}

// Say something to screen readers (the region is in the page from the start).
export function announce(message) {
  const live = $("live");
  live.textContent = "";
  setTimeout(() => { live.textContent = message; }, 60);
}

function label() {
  const large = $("large"), lang = $("lang"), logout = $("logout");
  large.textContent = t("large");
  large.setAttribute("aria-pressed", String(isLarge()));
  lang.textContent = t("lang.other");
  lang.lang = getLang() === "en" ? "zh-CN" : "en";
  if (logout) logout.textContent = t("logout");
  const wall = document.body.classList.contains("wall");
  document.title = t(wall ? "wall.title" : "staff.title");
  $("brand").textContent = t(wall ? "wall.brand" : "staff.brand");
  const skip = document.querySelector(".skip");
  if (skip) skip.textContent = t("skip");
}

// The large-text and language buttons; rerender() draws the page again in the new language.
export function toolbar(rerender) {
  label();
  $("large").addEventListener("click", () => { setLarge(!isLarge()); label(); });
  $("lang").addEventListener("click", async () => {
    await setLang(getLang() === "en" ? "zh-CN" : "en");
    label();
    rerender();
  });
}

// Move focus to a new view's heading so screen readers and keyboards start there.
export function focusView(root) {
  const h = root.querySelector("h1");
  if (h) { h.tabIndex = -1; h.focus({ preventScroll: true }); }
}

// Redrawing a list replaces its buttons: put focus back on the same one (by its data-key).
export function keepFocus(root, redraw) {
  const el = document.activeElement;
  const key = root.contains(el) && el.dataset && el.dataset.key;
  redraw();
  const back = key && root.querySelector(`[data-key="${CSS.escape(key)}"]`);
  if (back) back.focus({ preventScroll: true });
}
