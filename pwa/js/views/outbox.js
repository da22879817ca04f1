// Bookings from this shop still in the outbox: waiting for the network, or refused later.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { all, remove } from "../bookings.js";

// The first field message says more than the general "please check the fields".
const reason = (body) => (body && ((body.fields && Object.values(body.fields)[0]) || body.message)) || t("err.server");

export async function outboxNotice(root, ctx) {
  const entries = ((await all()) || []).filter((e) => e.code === ctx.code);
  const pending = entries.filter((e) => e.state === "pending");
  const failed = entries.filter((e) => e.state === "failed");
  mount(root, html`
    ${pending.length ? html`<p class="notice" data-testid="outbox-pending">${t("outbox.pending", { n: pending.length })}</p>` : ""}
    ${failed.map((e) => html`<div class="notice error" data-testid="outbox-failed">
      <p>${t("outbox.failed", { msg: reason(e.error) })}</p>
      <button type="button" class="btn" data-key="${e.key}">${t("outbox.edit")}</button></div>`)}`);
  // A refusal is final: once shown, it leaves the phone (its name, number and note with it);
  // this page keeps it in memory only, so "edit" can still fill the form in.
  for (const e of failed) remove(e.key).catch(() => {});
  root.onclick = (ev) => {
    const btn = ev.target.closest("button[data-key]");
    const entry = btn && failed.find((e) => e.key === btn.dataset.key);
    if (entry) ctx.edit(entry);
  };
}
