// Sounds of the chess page: move, capture, check, game end and low time, as small WAV files served
// by this server from /chess/sounds/ (scripts/chess-sounds.py writes them), so nothing comes from
// anywhere else. Off when the toggle says so (kept in localStorage); loaded on the first sound.

const KEY = "kibitz.chess.sound";
const NAMES = ["move", "capture", "check", "end", "low"];
const clips = new Map(); // name -> HTMLAudioElement, loaded once

export const soundOn = () => localStorage.getItem(KEY) !== "off";
export function setSound(on) {
  localStorage.setItem(KEY, on ? "on" : "off");
}

function clip(name) {
  let audio = clips.get(name);
  if (!audio) {
    audio = new Audio(new URL(`./sounds/${name}.wav`, import.meta.url).href);
    audio.preload = "auto";
    clips.set(name, audio);
  }
  return audio;
}

// Plays `name` if sounds are on; the page records what it played (data-last-sound) for tests.
// A sound still playing starts again from the beginning; a page that may not play audio yet
// (no click so far) or has no audio device stays silent.
export function play(name) {
  document.body.dataset.lastSound = name;
  if (!soundOn() || !NAMES.includes(name)) return;
  try {
    const audio = clip(name);
    audio.currentTime = 0;
    audio.play()?.catch(() => {});
  } catch {
    // no audio support: silence
  }
}
