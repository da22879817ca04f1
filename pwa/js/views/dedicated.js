// "Already a customer?": a returning customer proves their number with a text-message code and
// the form then shows who will serve them, why, and that person's open times, before they commit.
// Without the proof, the booking goes to the person the shop shows: never a silent switch.
import { t, add } from "../i18n.js";
import { api } from "../api.js";
import { announce } from "../app.js";
import { proveWidget } from "../prove.js";
import { local } from "./card.js";

add({ "ded.loading": "正在查询为您服务的客户经理…" }, { "ded.loading": "Finding who will serve you…" });

// Open the code widget in `slot`; once proven, fill `draft` with who serves and their times.
export function prove(slot, ctx, draft, redraw) {
  proveWidget(slot, { phone: draft.phone, onProven: (phone, proof) => serving(ctx, draft, phone, proof, redraw) });
}

async function serving(ctx, draft, phone, proof, redraw) {
  announce(t("ded.loading"));
  try {
    const s = await api(`/api/phone/serving/${encodeURIComponent(ctx.code)}`, {
      method: "POST", body: { phone }, headers: { "X-Phone-Proof": proof } });
    Object.assign(draft, { serving: { manager: s.manager, reason: s.reason }, proof, phone, provenPhone: phone,
      proving: false, days: s.days });
    if (!s.days.some((d) => d.slots.some((x) => x.start === draft.slot))) draft.slot = "";
    announce(t("ded.who", { name: s.manager.name, branch: local(s.manager, "branch") }) + " " + t("why." + s.reason));
  } catch (err) {
    draft.proving = false;
    announce((err.body && err.body.message) || err.message);
  }
  redraw("[data-testid=serving]");
}
