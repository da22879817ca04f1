// Every user-visible string goes through t("key", {var}). Only the chosen language's
// dictionary is loaded (lang/zh.js or lang/en.js): the other would be dead weight.
// A page with many strings of its own (the staff app) adds its own dictionary: extend().
import { storedLang, saveLang } from "./prefs.js";

let lang = storedLang();
let table = {};
const extra = { "zh-CN": {}, en: {} }; // strings only one page needs, see add()
const more = []; // loaders of extra dictionaries, see extend()

export const getLang = () => lang;

// The dictionary a page may carry for its language (the shop page carries the Chinese one, see
// server/pages.py): on a slow link, one file fewer to fetch before anything is drawn.
function carried() {
  const words = document.getElementById("words");
  if (!words || words.dataset.lang !== lang) return null;
  try {
    return { default: JSON.parse(words.textContent) };
  } catch {
    return null;
  }
}

// Load the chosen language's dictionary; await it before drawing anything.
export async function ready() {
  const base = carried() || (lang === "en" ? import("./lang/en.js") : import("./lang/zh.js"));
  const mods = await Promise.all([base, ...more.map((load) => load(lang))]);
  table = Object.assign({}, ...mods.map((m) => m.default), extra[lang]);
}

// Call before ready(): load(lang) imports that page's dictionary for "zh-CN" or "en",
// so only the chosen language is fetched, also after a language switch.
export function extend(load) { more.push(load); }

// Own keys only: a key or a {name} built from what a customer typed (a channel tag such as
// "{constructor}") must come out as typed, never as something inherited from Object.
const own = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

export function t(key, vars = {}) {
  const text = own(table, key) ? table[key] : String(key);
  return text.replace(/\{(\w+)\}/g, (m, name) => (own(vars, name) ? vars[name] : m));
}

// Strings only one page needs (the status page) are added by that page.
export function add(zh, en) {
  Object.assign(extra["zh-CN"], zh);
  Object.assign(extra.en, en);
  Object.assign(table, extra[lang]);
}

// <html lang> changes once the new dictionary is in, just before the page redraws.
export async function setLang(next) {
  lang = next === "en" ? "en" : "zh-CN";
  saveLang(lang);
  await ready();
  document.documentElement.lang = lang;
}
