// A short beep and a buzz when a new booking of mine arrives, if the employee turned it on.
// The beep is synthesised (Web Audio): no sound file to download.
import { load, save } from "../prefs.js";

const KEY = "yryd.staff.alert";
let audio = null;

export const alertsOn = () => load(KEY) === "1";

// Browsers start audio only after a tap: the tap on the switch, or any later one.
function unlock() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  if (!audio) audio = new Context();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

export function setAlerts(on) {
  save(KEY, on ? "1" : null);
  if (!on) return;
  const a = unlock(); // then a sample, so they know what to listen for
  if (a) a.resume().then(ring, () => {});
  else ring();
}

addEventListener("pointerdown", () => { if (alertsOn()) unlock(); });

export function ring() {
  if (!alertsOn()) return;
  if (navigator.vibrate && navigator.userActivation && navigator.userActivation.hasBeenActive) {
    navigator.vibrate([150, 80, 150]);
  }
  if (!audio || audio.state !== "running") return;
  const now = audio.currentTime;
  [0, 0.18].forEach((at, i) => { // two rising tones
    const osc = audio.createOscillator(), gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = i ? 1175 : 880;
    gain.gain.setValueAtTime(0.0001, now + at);
    gain.gain.exponentialRampToValueAtTime(0.25, now + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.16);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + at);
    osc.stop(now + at + 0.17);
  });
}

// "您的客户已到店": a customer checked in with their own phone at the branch's QR. Shown on screen
// whatever the sound setting (a banner for a few seconds), with the beep when alerts are on.
let bannerTimer = null;
export function arrivedBanner(text) {
  let el = document.getElementById("ci-alert");
  if (!el) {
    el = document.createElement("p");
    el.id = "ci-alert";
    el.className = "ci-alert";
    el.setAttribute("role", "alert");
    el.dataset.testid = "checkin-alert";
    document.body.append(el);
  }
  el.textContent = text;
  el.hidden = false;
  clearTimeout(bannerTimer);
  bannerTimer = setTimeout(() => { el.hidden = true; }, 8000);
  ring();
}
