// A shop code that leads nowhere (unknown, mistyped, its owner gone, a poster's code retired):
// never a dead end. The 404 of GET /api/shops/<code> says where to go: the code probably meant,
// the successor's shop (or, for a retired code, its owner's own shop), the hotline (one tap) and
// every branch with its address and phone. Loaded only when needed.
import { html, mount, safeUrl } from "./html.js";
import { t, add, getLang } from "./i18n.js";

add({
  "dead.title": "这个店铺链接打不开",
  "dead.text": "链接可能抄错了，或这位客户经理已不再使用它。您可以：",
  "dead.meant": "您要找的是不是这个店铺？",
  "dead.successor": "原客户经理已离职，现由{name}为您服务。",
  "dead.retired": "这张海报上的二维码已停用。{name}仍在为您服务，可以直接进入其微店预约。",
  "dead.retired.title": "这个二维码已停用",
  "dead.open": "进入{name}的店铺",
  "dead.open.code": "打开店铺 {code}",
  "dead.call": "拨打客服热线 {hotline}",
  "dead.branches": "到就近的网点办理",
  "dead.branch.call": "致电{name} {phone}",
}, {
  "dead.title": "This shop link leads nowhere",
  "dead.text": "The link may have been copied wrongly, or this account manager no longer uses it. You can:",
  "dead.meant": "Did you mean this shop?",
  "dead.successor": "Your account manager has left the bank; {name} serves you now.",
  "dead.retired": "The QR code on this poster is no longer in use. {name} still serves you: book in their shop.",
  "dead.retired.title": "This QR code is no longer in use",
  "dead.open": "Open {name}'s shop",
  "dead.open.code": "Open shop {code}",
  "dead.call": "Call the hotline {hotline}",
  "dead.branches": "Or visit a branch near you",
  "dead.branch.call": "Call {name} {phone}",
});

const tel = (phone) => "tel:" + String(phone || "").replace(/[^\d+-]/g, "");

// body: the 404's JSON ({bank, hotline, branches, successor, retired, suggestion}); hotline: the page's
// fallback when the body has none (an old server, a proxy's error page).
export function render(root, body = {}, { hotline = "" } = {}) {
  const en = getLang() === "en";
  const line = body.hotline || hotline;
  if (body.bank) document.getElementById("brand").textContent = body.bank;
  const next = body.successor || body.suggestion;
  mount(root, html`
    <section class="view deadend" data-testid="shop-error">
      <h1>${t(body.retired ? "dead.retired.title" : "dead.title")}</h1>
      ${body.retired ? "" : html`<p class="notice error" data-testid="dead-reason">${t("err.shop")}</p>
      <p>${t("dead.text")}</p>`}
      ${next ? html`
        <div class="notice" data-testid="dead-next">
          <p>${body.successor ? t(body.retired ? "dead.retired" : "dead.successor", { name: body.successor.name }) : t("dead.meant")}</p>
          <a class="btn primary" href="${safeUrl(next.url)}" data-testid="${body.successor ? "successor-link" : "suggestion-link"}">
            ${body.successor ? t("dead.open", { name: body.successor.name }) : t("dead.open.code", { code: next.code })}</a>
        </div>` : ""}
      ${line ? html`<p><a class="btn ${next ? "" : "primary"}" href="${tel(line)}" data-testid="hotline-call">${t("dead.call", { hotline: line })}</a></p>` : ""}
      ${(body.branches || []).length ? html`
        <h2>${t("dead.branches")}</h2>
        <ul class="branches" data-testid="branches">${body.branches.map((b) => {
          const name = en ? b.name_en || b.name : b.name;
          return html`<li data-testid="branch">
            <strong>${name}</strong>
            ${b.address ? html`<span class="muted">${en ? b.address_en || b.address : b.address}</span>` : ""}
            ${b.phone ? html`<a href="${tel(b.phone)}" data-testid="branch-call">${t("dead.branch.call", { name, phone: b.phone })}</a>` : ""}
          </li>`;
        })}</ul>` : ""}
    </section>`);
}
