// html`...`: a tagged template that escapes every interpolated value.
// Nest already-safe fragments (another html`` result, or raw()) and arrays of them.

class Safe {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

export function escape(value) {
  return String(value).replace(/[&<>"'`]/g, (c) => ESC[c]);
}

function part(value) {
  if (value == null || value === false) return "";
  if (value instanceof Safe) return value.text;
  if (Array.isArray(value)) return value.map(part).join("");
  return escape(value);
}

export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((v, i) => { out += part(v) + strings[i + 1]; });
  return new Safe(out);
}

// Trusted markup written in our own code (never data from the server or the user).
export const raw = (text) => new Safe(text);

// Replace root's content with a fragment; returns root for chaining.
export function mount(root, fragment) {
  root.innerHTML = part(fragment);
  return root;
}

// Only http(s) and same-site paths may become a link target.
export const safeUrl = (u) => (/^(https?:\/\/|\/(?!\/))/i.test(String(u)) ? String(u) : "#");
