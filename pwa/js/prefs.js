// Preferences kept on the phone: large text (适老化) and language.
// Imported first by every page, so <html> gets its class and lang before the first render.

const KEY = { large: "yryd.large", lang: "yryd.lang" };
const root = document.documentElement;

export function load(name) {
  try { return localStorage.getItem(name); } catch { return null; }
}

export function save(name, value) {
  try {
    if (value == null) localStorage.removeItem(name);
    else localStorage.setItem(name, value);
  } catch { /* private mode or storage disabled: the choice lasts for this page only */ }
}

export const isLarge = () => root.classList.contains("lt");

export function setLarge(on) {
  root.classList.toggle("lt", on);
  save(KEY.large, on ? "1" : null);
}

export function storedLang() {
  return load(KEY.lang) === "en" ? "en" : "zh-CN";
}

export function saveLang(lang) { save(KEY.lang, lang === "en" ? "en" : null); }

root.classList.toggle("lt", load(KEY.large) === "1");
root.lang = storedLang();
