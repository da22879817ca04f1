// A wall link (/wall/t#<token>): the live wall on a TV without anyone's login. Head office or a
// branch head makes the link (管理 → 大屏链接) and may withdraw it. The token stays in the fragment
// (browsers never send it, so no server log holds it); the wall's data comes from /api/wall with
// the token in a header; its live pings from the stream URL /api/wall gives (EventSource sends no
// headers: an expiring ticket stands in for the token there, renewed by asking /api/wall again).
// A withdrawn or unknown link gets an honest page: what happened, who did it, whom to ask.
import { html, mount } from "./html.js";
import { t } from "./i18n.js";
import { api } from "./api.js";
import { dateTime } from "./format.js";

export const isLink = () => location.pathname === "/wall/t";
const token = () => {
  try { return decodeURIComponent(location.hash.slice(1)).trim(); } catch { return ""; }
};
const headers = () => ({ "X-Wall-Token": token() });

let stream = "";

// What the link shows: {label, scope: "bank" | "branch", branch_id, branch, bank, stream}.
export async function info() {
  const shows = await api("/api/wall", { headers: headers() });
  stream = shows.stream;
  return shows;
}

// The logged-in wall's /api/boards/... calls, sent to the link's own endpoints instead.
export const get = (path) => api(path.replace(/^\/api\/boards\//, "/api/wall/"), { headers: headers() });

// The live stream's URL, with the latest ticket (read at each connection).
export const streamUrl = () => stream;

// Whether an error means the link itself is over (unknown: 404, withdrawn: 410).
export const ended = (err) => !!err && (err.status === 404 || err.status === 410);

export function endedPage(root, err) {
  const b = err.body || {};
  const gone = err.status === 410;
  const who = b.revoked_by ? (b.revoked_by_branch ? `${b.revoked_by}（${b.revoked_by_branch}）` : b.revoked_by) : t("wall.link.someone");
  mount(root, html`<section class="view wall-ended" data-testid="wall-ended" data-state="${gone ? "withdrawn" : "unknown"}">
    <h1>${t(gone ? "wall.link.gone" : "wall.link.unknown")}</h1>
    ${gone ? html`<p data-testid="wall-ended-who">${t("wall.link.gone.who", { who, when: b.revoked_at ? dateTime(b.revoked_at) : "", label: b.label || "" })}</p>`
      : html`<p>${b.message || t("wall.link.unknown.why")}</p>`}
    <p data-testid="wall-ended-ask">${t("wall.link.ask", { who: gone && b.revoked_by ? who : t("wall.link.heads") })}</p>
    <p>${t("wall.link.how")}</p>
  </section>`);
}
