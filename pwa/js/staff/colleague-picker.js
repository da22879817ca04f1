// 选同事 Colleague picker: a 工号 field that also takes a name. Typing shows the matches (name,
// 工号, branch and grid) from GET /api/staff/colleagues, which only lists the people I may pick
// there (purpose "delegate" or "manage") and never a phone number; choosing one fills the 工号.
// A typed 工号 still works as before. Keyboard: ↑/↓ move, Enter picks, Esc closes.
import { html, mount } from "../html.js";
import { t } from "../i18n.js";
import { call } from "./session.js";

const WAIT_MS = 250; // after the last key: one request per pause, not per character
let serial = 0;

export function attach(input, { purpose = "delegate" } = {}) {
  const id = `pick-${++serial}`;
  const list = document.createElement("ul");
  list.id = id;
  list.className = "picker";
  list.hidden = true;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", t("pick.results"));
  list.setAttribute("data-testid", `picker-${input.name}`);
  const note = document.createElement("p");
  note.className = "picker-note";
  note.setAttribute("aria-live", "polite");
  note.setAttribute("data-testid", `picked-${input.name}`);
  input.after(list, note);
  Object.assign(input, { autocomplete: "off", placeholder: t("pick.placeholder") });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", id);

  let people = [], active = -1, timer = 0, asked = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const draw = () => {
    mount(list, people.map((p, i) => html`
      <li role="option" id="${id}-${i}" aria-selected="${i === active}" data-i="${i}" data-testid="pick-${p.staff_no}">
        <b>${p.name}</b> <span class="pk-no">${p.staff_no}</span>
        <span class="pk-where">${[p.branch, p.grid, p.left ? t("pick.left") : ""].filter(Boolean).join(" · ")}</span></li>`));
    list.hidden = !people.length;
    input.setAttribute("aria-expanded", String(!list.hidden));
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", `${id}-${active}`);
      list.querySelector(`#${id}-${active}`).scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const pick = (p) => {
    input.value = p.staff_no;
    note.textContent = t("pick.chosen", { name: p.name, branch: p.branch });
    close();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const search = async () => {
    const q = input.value.trim();
    const mine = ++asked;
    if (!q) { people = []; note.textContent = ""; return close(); }
    let found = [];
    try {
      found = (await call(`/api/staff/colleagues?q=${encodeURIComponent(q)}&for=${purpose}`)).items;
    } catch { found = []; /* the form still takes a typed 工号; the server names a wrong one */ }
    if (mine !== asked || document.activeElement !== input) return; // a later search, or the user moved on
    people = found;
    active = people.length === 1 ? 0 : -1;
    note.textContent = people.length ? "" : t("pick.none");
    draw();
  };

  input.addEventListener("input", (e) => {
    if (e.isComposing) return; // a Chinese IME is still composing: wait for the characters
    note.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(search, WAIT_MS);
  });
  input.addEventListener("compositionend", () => { clearTimeout(timer); timer = setTimeout(search, WAIT_MS); });
  input.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      active = (active + step + people.length) % people.length;
      draw();
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault(); // picks; the next Enter submits the form
      pick(people[active]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  list.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus in the field
  list.addEventListener("click", (e) => {
    const li = e.target.closest("li[data-i]");
    if (li) pick(people[Number(li.dataset.i)]);
  });
  if (input.form) input.form.addEventListener("reset", () => { people = []; note.textContent = ""; close(); });
}
