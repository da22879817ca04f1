// 管理 Head office: the admin screens under #admin/<section>, each shown only to the roles it
// names (the server checks again). Out-of-office is also a tab of its own for everyone else.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { focusView } from "./ui.js";
import * as roster from "./admin-roster.js";
import * as handover from "./admin-handover.js";
import * as away from "./admin-away.js";
import * as audit from "./admin-audit.js";
import * as customer from "./admin-customer.js";
import * as kits from "./admin-kits.js";
import * as flagged from "./admin-flagged.js";
import * as org from "./admin-org.js";
import * as targets from "./admin-targets.js";
import * as downloads from "./downloads.js";
import * as walls from "./admin-walls.js";

const ADMIN = ["admin"], MANAGERS = ["admin", "branch_manager"];
const SECTIONS = [
  ["roster", roster, ADMIN], ["handover", handover, MANAGERS], ["away", away, MANAGERS],
  ["audit", audit, MANAGERS], ["customer", customer, ADMIN], ["kits", kits, MANAGERS], ["flagged", flagged, MANAGERS],
  ["org", org, ADMIN], ["targets", targets, ADMIN], ["reports", downloads, MANAGERS],
  ["walls", walls, MANAGERS],
];
let shown = null;

const mine = (me) => SECTIONS.filter(([, , roles]) => me && roles.includes(me.role));

// Who gets the 管理 tab at all.
export const visible = (me) => mine(me).length > 0;

export function render(root, ctx) {
  const list = mine(ctx.me);
  const entry = list.find(([key]) => key === ctx.sub) || list[0];
  const [key, mod] = entry;
  if (shown && shown !== mod && shown.leave) shown.leave();
  shown = mod;
  mount(root, html`
    <div class="adm" data-testid="admin">
      <nav class="adm-nav" aria-label="${t("tab.admin")}"><ul>${list.map(([k]) => html`
        <li><a href="#admin/${k}" data-testid="adm-nav-${k}" ${k === key ? html`aria-current="page"` : ""}>${t("adm." + k)}</a></li>`)}</ul></nav>
      <div class="adm-body" id="adm-body"></div>
    </div>`);
  mod.render(root.querySelector("#adm-body"), ctx);
  focusView(root);
}

export function leave() {
  if (shown && shown.leave) shown.leave();
  shown = null;
}

export function reset() { SECTIONS.forEach(([, mod]) => mod.reset && mod.reset()); }

// The out-of-office screen as its own tab, for those without the 管理 tab (staff, grid leaders).
export const awayTab = {
  render: (root, ctx) => { away.render(root, ctx); focusView(root); },
  reset: away.reset,
  visible: (me) => !visible(me),
};
