// Sounds of the chess page, synthesized with WebAudio (nothing downloaded): move, capture,
// check, game end and low time. Off when the toggle says so (kept in localStorage).

const KEY = "kibitz.chess.sound";
let ctx = null;

export const soundOn = () => localStorage.getItem(KEY) !== "off";
export function setSound(on) {
  localStorage.setItem(KEY, on ? "on" : "off");
}

// One short tone: frequency, length (s), wave, volume, start offset (s).
function tone(freq, len, type = "sine", gain = 0.2, at = 0) {
  ctx ??= new AudioContext();
  const t = ctx.currentTime + at;
  const osc = ctx.createOscillator();
  const amp = ctx.createGain();
  osc.type = type;
  osc.frequency.setValueAtTime(freq, t);
  amp.gain.setValueAtTime(gain, t);
  amp.gain.exponentialRampToValueAtTime(0.001, t + len);
  osc.connect(amp).connect(ctx.destination);
  osc.start(t);
  osc.stop(t + len);
}

const SOUNDS = {
  move: () => tone(520, 0.08, "triangle", 0.25),
  capture: () => { tone(300, 0.1, "square", 0.12); tone(200, 0.12, "triangle", 0.2, 0.03); },
  check: () => { tone(880, 0.09, "sine", 0.2); tone(660, 0.12, "sine", 0.2, 0.1); },
  end: () => { tone(523, 0.15); tone(659, 0.15, "sine", 0.2, 0.15); tone(784, 0.3, "sine", 0.2, 0.3); },
  low: () => tone(1000, 0.05, "square", 0.08),
};

// Plays `name` if sounds are on; the page records what it played (data-last-sound) for tests.
export function play(name) {
  document.body.dataset.lastSound = name;
  if (!soundOn() || !SOUNDS[name]) return;
  try { SOUNDS[name](); } catch { /* no audio device: silence */ }
}
