// 组织架构 Organisation (admins): branches, grids (with the villages / communities they cover),
// teams and products, each listed with an edit button and one add/edit form at a time; people's
// title and bio on their shop, found by staff number or name. Texts customers read have an
// English field beside them (empty: the English shop shows the Chinese).
// The server checks everything again; its 422 messages appear next to the fields.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";
import { errLine, showErrors, busy, table } from "./admin-common.js";
import { announce } from "./ui.js";

// server/models.py PRODUCT_LINES, PRODUCT_METHODS, PRODUCT_KINDS, TRACKS; server/org/service.py BRANCH_KINDS
const LINES = ["consumer", "business", "agri", "corporate"], METHODS = ["", "credit", "guarantee", "mortgage"];
const KINDS = ["matrix", "special", "smallbiz"], TRACKS = ["corporate", "microloan", "none"];
const SEP = /[、,，;；\n]+/; // a list typed in one box: one item a line, or 、-separated
const SEP_EN = /[、\n]+/; // English items may hold commas ("ID card, both sides")

let org = null; // GET /api/org
let editing = null; // { kind, row } (row null: a new one)
let people = []; // GET /api/org/employees?q=: the last search's people
let query = "";

const branchName = (id) => (org.branches.find((b) => b.id === id) || {}).name || id;
const choice = (prefix) => (v) => (v ? t(prefix + v) : t("adm.org.none"));
const yes = (v) => (v ? t("adm.yes") : t("adm.no"));

// Per kind: the table's columns [field, cell()] and the form's fields [name, type, options?].
const SPEC = {
  branches: {
    cols: [["name"], ["kind", choice("adm.org.kind.")], ["address"], ["phone"]],
    form: [["name", "text"], ["kind", "select", ["city", "rural"], "adm.org.kind."], ["address", "text"], ["phone", "text"],
      ["name_en", "text"], ["address_en", "text"]],
  },
  grids: {
    cols: [["name"], ["branch_id", branchName], ["areas", (a) => a.join("、")]],
    form: [["branch_id", "branch"], ["name", "text"], ["areas", "list"], ["name_en", "text"], ["areas_en", "list-en"]],
  },
  teams: {
    cols: [["name"], ["branch_id", branchName]],
    form: [["branch_id", "branch"], ["name", "text"]],
  },
  products: {
    cols: [["code"], ["name"], ["name_en"], ["line", choice("line.")], ["method", choice("method.")],
      ["tracks", (ts) => ts.map((x) => t("adm.org.track." + x)).join("、")], ["active", yes]],
    form: [["code", "text"], ["name", "text"], ["line", "select", LINES, "line."], ["method", "select", METHODS, "method."],
      ["kind", "select", KINDS, "adm.org.pkind."], ["summary", "text"], ["audience", "text"], ["amount", "text"],
      ["term", "text"], ["documents", "list"], ["tracks", "checks", TRACKS, "adm.org.track."], ["sort", "number"],
      ["active", "check"], ["name_en", "text"], ["summary_en", "text"], ["audience_en", "text"], ["amount_en", "text"],
      ["term_en", "text"], ["documents_en", "list-en"]],
  },
  employees: { // found by a search, edited, never added here (the roster does that)
    cols: [["staff_no"], ["name"], ["branch_id", branchName], ["title"], ["title_en"]],
    form: [["title", "text"], ["intro", "area"], ["title_en", "text"], ["intro_en", "area"]],
  },
};
const DEFAULTS = { branches: { kind: "city" }, products: { kind: "matrix", tracks: ["microloan", "none"], active: true, sort: 0 } };

function field([name, type, options, prefix], row) {
  const id = `f-org-${name}`, v = row[name], label = html`<label for="${id}">${t("adm.org.f." + name)}</label>`;
  const aria = `e-org-${name}`;
  let input;
  if (type === "select" || type === "branch") {
    const opts = type === "branch" ? org.branches.map((b) => [b.id, b.name]) : options.map((o) => [o, o ? t(prefix + o) : t("adm.org.none")]);
    input = html`<select id="${id}" name="${name}" data-testid="org-${name}" aria-describedby="${aria}">${opts.map(([o, text]) => html`
      <option value="${o}" ${String(o) === String(v ?? "") ? html`selected` : ""}>${text}</option>`)}</select>`;
  } else if (type === "list" || type === "list-en") {
    input = html`<textarea id="${id}" name="${name}" rows="3" data-testid="org-${name}" aria-describedby="${aria}">${(v || []).join("\n")}</textarea>
      <p class="hint">${t(type === "list" ? "adm.org.list.hint" : "adm.org.list.hint.en")}</p>`;
  } else if (type === "area") {
    input = html`<textarea id="${id}" name="${name}" rows="3" data-testid="org-${name}" aria-describedby="${aria}">${v ?? ""}</textarea>`;
  } else if (type === "checks") {
    return html`<fieldset class="field" data-testid="org-${name}"><legend>${t("adm.org.f." + name)}</legend>${options.map((o) => html`
      <div class="check"><input type="checkbox" id="${id}-${o}" name="${name}" value="${o}" ${(v || []).includes(o) ? html`checked` : ""}>
        <label for="${id}-${o}">${t(prefix + o)}</label></div>`)}${errLine(name, "org")}</fieldset>`;
  } else if (type === "check") {
    return html`<div class="check"><input type="checkbox" id="${id}" name="${name}" data-testid="org-${name}" ${v ? html`checked` : ""}>
      <label for="${id}">${t("adm.org.f." + name)}</label></div>${errLine(name, "org")}`;
  } else {
    input = html`<input id="${id}" name="${name}" type="${type}" value="${v ?? ""}" data-testid="org-${name}" aria-describedby="${aria}">`;
  }
  return html`<div class="field">${label}${input}${errLine(name, "org")}</div>`;
}

// The form's values as the API wants them: ids and numbers as numbers, lists as arrays.
function values(form, kind) {
  const data = {};
  for (const [name, type] of SPEC[kind].form) {
    if (type === "checks") data[name] = [...form.querySelectorAll(`[name="${name}"]:checked`)].map((i) => i.value);
    else if (type === "check") data[name] = form[name].checked;
    else if (type === "list" || type === "list-en") {
      data[name] = form[name].value.split(type === "list" ? SEP : SEP_EN).map((s) => s.trim()).filter(Boolean);
    }
    else if (type === "branch" || type === "number") data[name] = Number(form[name].value);
    else data[name] = form[name].value.trim();
  }
  return data;
}

function editor() {
  if (!editing) return "";
  const { kind, row } = editing;
  const title = row ? t("adm.org.edit", { name: row.name }) : t("adm.org.add." + kind);
  return html`<form novalidate class="adm-result" data-testid="org-form" aria-labelledby="org-form-title">
    <h3 id="org-form-title" tabindex="-1">${title}</h3>
    <div class="adm-grid">${SPEC[kind].form.map((f) => field(f, row || DEFAULTS[kind] || {}))}</div>
    <div class="adm-row">
      <button type="submit" class="btn primary small" data-testid="org-save">${t("adm.org.save")}</button>
      <button type="button" class="btn small" data-testid="org-cancel">${t("adm.org.cancel")}</button></div>
    ${errLine("form", "org")}</form>`;
}

function section(kind) {
  const { cols } = SPEC[kind];
  const heads = [...cols.map(([name]) => t("adm.org.f." + name)), t("adm.action")];
  const rows = (kind === "employees" ? people : org[kind]).map((r) => [...cols.map(([name, show]) => (show ? show(r[name]) : r[name])),
    html`<button type="button" class="btn small" data-edit="${kind}" data-id="${r.id}" data-testid="org-edit-${kind}-${r.id}">${t("adm.org.editbtn")}</button>`]);
  return html`<section data-testid="org-${kind}">
    <h2>${t("adm.org." + kind)}</h2>
    ${kind === "employees" ? search() : ""}
    ${rows.length ? table(t("adm.org." + kind), heads, rows, `org-table-${kind}`)
      : html`<p class="muted">${t(kind === "employees" ? (query ? "adm.org.people.none" : "adm.org.people.first") : "adm.org.empty")}</p>`}
    ${kind === "employees" ? "" : html`<button type="button" class="btn small" data-add="${kind}" data-testid="org-add-${kind}">${t("adm.org.add." + kind)}</button>`}
    <div class="org-editor">${editing && editing.kind === kind ? editor() : ""}</div>
  </section>`;
}

const search = () => html`<form class="adm-row" data-testid="org-people-search" role="search">
  <label for="f-org-q">${t("adm.org.people.q")}</label>
  <input id="f-org-q" name="q" value="${query}" data-testid="org-people-q" maxlength="40">
  <button type="submit" class="btn small" data-testid="org-people-find">${t("adm.org.people.find")}</button></form>`;

async function find(box, q) {
  query = q.trim();
  try {
    people = query ? (await call(`/api/org/employees?q=${encodeURIComponent(query)}`)).items : [];
  } catch (error) {
    announce(error.message);
  }
  if (editing && editing.kind === "employees") editing = null;
  draw(box);
  announce(t("adm.org.people.found", { n: people.length }));
}

function draw(box) {
  mount(box, html`
    <section class="view adm-org" data-testid="adm-org">
      <h1>${t("adm.org")}</h1>
      <p class="muted">${t("adm.org.lead")}</p>
      ${errLine("load", "org")}
      ${org ? Object.keys(SPEC).map(section) : html`<p class="muted">${t("inbox.loading")}</p>`}
    </section>`);
  box.querySelectorAll("[data-add]").forEach((b) => { b.onclick = () => edit(box, b.dataset.add, null); });
  box.querySelectorAll("[data-edit]").forEach((b) => {
    const rows = b.dataset.edit === "employees" ? people : org[b.dataset.edit];
    b.onclick = () => edit(box, b.dataset.edit, rows.find((r) => String(r.id) === b.dataset.id));
  });
  const searchForm = box.querySelector("[data-testid=org-people-search]");
  if (searchForm) searchForm.onsubmit = (e) => { e.preventDefault(); find(box, searchForm.q.value); };
  const form = box.querySelector("[data-testid=org-form]");
  if (!form) return;
  form.querySelector("[data-testid=org-cancel]").onclick = () => { editing = null; draw(box); };
  form.addEventListener("submit", (e) => save(e, box, form));
}

function edit(box, kind, row) {
  editing = { kind, row };
  draw(box);
  box.querySelector("#org-form-title").focus();
}

async function save(e, box, form) {
  e.preventDefault();
  const { kind, row } = editing;
  const path = `/api/org/${kind}` + (row ? `/${encodeURIComponent(row.id)}` : "") + (kind === "employees" ? "/profile" : "");
  try {
    const saved = await busy(form.querySelector("[data-testid=org-save]"),
      () => call(path, { method: row ? "PUT" : "POST", body: values(form, kind) }));
    if (kind === "employees") people = people.map((p) => (p.id === saved.id ? saved : p));
    else org = await call("/api/org");
    editing = null;
    draw(box);
    announce(t("adm.org.saved", { name: saved.name }));
  } catch (error) {
    showErrors(form, error);
  }
}

export async function render(box) {
  draw(box);
  try {
    org = await call("/api/org");
    if (box.isConnected && box.querySelector("[data-testid=adm-org]")) draw(box);
  } catch (error) {
    const line = box.querySelector('.err[data-field="load"]');
    if (line) line.textContent = error.message;
    announce(error.message);
  }
}

export function reset() { org = null; editing = null; people = []; query = ""; }
