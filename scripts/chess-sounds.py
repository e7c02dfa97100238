#!/usr/bin/env python3
"""Writes the chess page's sounds, web/chess/sounds/*.wav (8-bit mono PCM at 22,050 Hz), from
tones described here: move, capture, check, game end and low time. The files are committed; run
this again only to change a sound (the output is the same bytes for the same description)."""
import math
import os
import wave

RATE = 22050
# Each sound: tones of (frequency Hz, length s, wave, volume 0..1, start s).
SOUNDS = {
    "move": [(520, 0.08, "triangle", 0.5, 0.0)],
    "capture": [(300, 0.10, "square", 0.25, 0.0), (200, 0.12, "triangle", 0.45, 0.03)],
    "check": [(880, 0.09, "sine", 0.45, 0.0), (660, 0.12, "sine", 0.45, 0.10)],
    "end": [(523, 0.15, "sine", 0.4, 0.0), (659, 0.15, "sine", 0.4, 0.15), (784, 0.30, "sine", 0.4, 0.30)],
    "low": [(1000, 0.05, "square", 0.2, 0.0)],
}


def wave_at(kind, phase):
    """One sample of a unit wave at `phase` (cycles)."""
    frac = phase % 1.0
    if kind == "square":
        return 1.0 if frac < 0.5 else -1.0
    if kind == "triangle":
        return 4.0 * abs(frac - 0.5) - 1.0
    return math.sin(2 * math.pi * frac)


def render(tones):
    length = max(start + dur for _, dur, _, _, start in tones)
    samples = [0.0] * int(length * RATE + 1)
    for freq, dur, kind, volume, start in tones:
        first = int(start * RATE)
        count = int(dur * RATE)
        for i in range(count):
            t = i / RATE
            # A 2 ms attack, then an exponential decay to -60 dB at the tone's end.
            envelope = min(1.0, t / 0.002) * math.exp(-6.9 * t / dur)
            samples[first + i] += volume * envelope * wave_at(kind, freq * t)
    return bytes(max(0, min(255, int(round(128 + 127 * s)))) for s in samples)


def main():
    out = os.path.join(os.path.dirname(__file__), "..", "web", "chess", "sounds")
    os.makedirs(out, exist_ok=True)
    for name, tones in SOUNDS.items():
        with wave.open(os.path.join(out, f"{name}.wav"), "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(1)
            f.setframerate(RATE)
            f.writeframes(render(tones))


if __name__ == "__main__":
    main()
