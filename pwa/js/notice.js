// The privacy notice above the consent box (customer and staff forms). Its words and version
// come from the server together: the consent_version sent is that of the words on screen.
// Without a copy (offline, none saved by the service worker) nobody can consent.
import { html } from "./html.js";
import { t, getLang } from "./i18n.js";
import { api } from "./api.js";

const loaded = {}; // language → notice
const pending = {}; // language → request in flight
const valid = (n) => !!n && typeof n.version === "string" && !!n.version && Array.isArray(n.sections);

// The notice loaded in the current language, or null.
export const shownNotice = () => loaded[getLang()] || null;

export function loadNotice() {
  const lang = getLang();
  if (loaded[lang]) return Promise.resolve(loaded[lang]);
  const done = (data) => { delete pending[lang]; if (!valid(data)) throw data; return (loaded[lang] = data); };
  return (pending[lang] = pending[lang] || api(`/api/privacy-notice?lang=${lang}`).then(done, done));
}

// After the server said the notice changed: read it again.
export function forgetNotice() { for (const k in loaded) delete loaded[k]; }

const sections = (n) => n.sections.map((s) => html`<h3>${s.heading}</h3><p>${s.text}</p>`);

// The notice as a few lines, with the full text one tap away (consent is to the full text).
// state: a notice, "loading" or "missing" (then: what to do, and a retry button).
export function noticeBlock(state, { heading, hotline } = {}) {
  const n = valid(state) ? state : null;
  return html`<div class="privacy" data-testid="privacy"${n ? html` lang="${n.lang}"` : ""}>
    <h2>${heading || (n ? n.title : t("notice.title"))}</h2>
    ${n ? html`${heading ? html`<p><strong>${n.title}</strong></p>` : ""}
      ${n.summary && n.summary.length ? html`<ul class="gist" data-testid="notice-summary">${n.summary.map((line) => html`<li>${line}</li>`)}</ul>
        <details data-testid="notice-full"><summary>${t("notice.full")}</summary>${sections(n)}</details>` : sections(n)}
      <p class="muted" data-testid="notice-version">${t("notice.version", { v: n.version })}</p>`
    : state === "missing" ? html`<p class="notice error" data-testid="notice-missing">${t("notice.missing", { hotline })}</p>
      <button type="button" class="btn" data-testid="notice-retry">${t("retry")}</button>`
    : html`<p class="muted">${t("notice.loading")}</p>`}
  </div>`;
}
