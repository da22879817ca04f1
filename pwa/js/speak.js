// Read aloud (适老化 朗读): a button that speaks a part of the page in the page's language through
// the browser's own speech synthesis. Where the browser has none, there is no button at all.
import { html } from "./html.js";
import { t, getLang } from "./i18n.js";

export const canSpeak = () => typeof window.speechSynthesis === "object" && window.speechSynthesis !== null
  && typeof window.SpeechSynthesisUtterance === "function";

// A button reading the element `target` (a CSS selector) aloud.
export const speakButton = (target, testid) => (canSpeak() ? html`<button type="button" class="btn quiet speak"
  data-speak="${target}" data-testid="${testid}">${t("speak")}</button>` : "");

document.addEventListener("click", (e) => {
  const button = e.target.closest("[data-speak]");
  const el = button && document.querySelector(button.dataset.speak);
  if (!el || !canSpeak()) return;
  speechSynthesis.cancel(); // a second tap starts over rather than queueing
  const words = new SpeechSynthesisUtterance(el.innerText.replace(/\s+/g, " "));
  words.lang = getLang() === "en" ? "en-US" : "zh-CN";
  words.rate = 0.9; // a little slower than the default, for older listeners
  speechSynthesis.speak(words);
});
