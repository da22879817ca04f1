// Times in Asia/Shanghai (UTC+8 all year, no daylight saving), in the chosen language.
import { t } from "./i18n.js";

const SHANGHAI = 8 * 3600 * 1000;
const pad = (n) => String(n).padStart(2, "0");

// Date.parse reads an ISO time without an offset as *local* time; the API means UTC.
export function parseTime(iso) {
  const s = String(iso);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + "Z");
}

// The Shanghai wall clock as a Date whose UTC fields hold the local values.
const wall = (date) => new Date(date.getTime() + SHANGHAI);

function parts(d) {
  const wd = t("weekdays").split(",")[d.getUTCDay()];
  const mon = (t("months").split(",")[d.getUTCMonth()]) || "";
  return { m: d.getUTCMonth() + 1, d: d.getUTCDate(), wd, mon, time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` };
}

export function dateTime(iso) {
  return t("dateTime", parts(wall(parseTime(iso))));
}

export const todayKey = () => wall(new Date()).toISOString().slice(0, 10);

// A day button's two lines for "2026-11-30": ["11月30日", "周一" | "今天" | "明天"].
export function dayLabel(key) {
  const d = new Date(key + "T00:00:00Z");
  const p = parts(d);
  const diff = Math.round((d - new Date(todayKey() + "T00:00:00Z")) / 86400000);
  const name = diff === 0 ? t("today") : diff === 1 ? t("tomorrow") : p.wd;
  return [t("date", p), name];
}
