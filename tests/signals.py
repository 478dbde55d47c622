"""Test signals whose features are known, and real material found on the machine."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

SR_HZ = 48000


def tone(freq_hz: float, seconds: float = 1.0, amplitude: float = 0.5, sr_hz: int = SR_HZ) -> np.ndarray:
    t = np.arange(int(seconds * sr_hz)) / sr_hz
    return (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def synthetic_set(seed: int = 1234) -> dict[str, np.ndarray]:
    """Named mono float32 signals at 48 kHz covering the feature definitions' corners."""
    rng = np.random.default_rng(seed)
    n = SR_HZ
    t = np.arange(n) / SR_HZ
    chord = sum(0.2 * np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0, 523.25, 659.26))
    chirp = 0.5 * np.sin(2 * np.pi * (50 * t + 0.5 * 4000 * t**2))
    clicks = np.zeros(n)
    clicks[:: SR_HZ // 10] = 1.0
    harmonic = sum((0.5 / h) * np.sin(2 * np.pi * 110.0 * h * t) for h in range(1, 30))
    signals = {
        "a440": tone(440.0),
        "chord": chord,
        "chirp": chirp,
        "white_noise": 0.1 * rng.standard_normal(n),
        "pink_ish": np.cumsum(rng.standard_normal(n)) * 1e-3,
        "clicks": clicks,
        "harmonic_110": harmonic,
        "clipped": np.clip(3.0 * np.sin(2 * np.pi * 220 * t), -1.0, 1.0),
        "dc": np.full(n, 0.25),
        "quiet_tone": tone(1000.0, amplitude=1e-6),
        "silence_then_tone": np.concatenate([np.zeros(n // 2), tone(700.0, 0.5)]),
        "am_noise": 0.3 * rng.standard_normal(n) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)),
    }
    return {k: np.asarray(v, dtype=np.float32) for k, v in signals.items()}


ALSA_SOUNDS = Path("/usr/share/sounds/alsa")


def recorded_files() -> list[Path]:
    """Real recordings shipped by Debian's alsa-utils (speech and noise, 48 kHz)."""
    return sorted(ALSA_SOUNDS.glob("*.wav"))


def _write_midi(path: Path) -> None:
    import mido

    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=500000))
    track.append(mido.Message("program_change", program=0, time=0))
    melody = [60, 64, 67, 72, 71, 67, 65, 62, 60, 55, 57, 59, 60]
    for i, note in enumerate(melody):
        chord = [note, note - 12] if i % 2 == 0 else [note]
        for n in chord:
            track.append(mido.Message("note_on", note=n, velocity=90 - 3 * i, time=0))
        track.append(mido.Message("note_off", note=chord[0], velocity=0, time=360))
        for n in chord[1:]:
            track.append(mido.Message("note_off", note=n, velocity=0, time=0))
    mid.save(str(path))


def rendered_piano(folder: Path) -> Path | None:
    """A short MIDI phrase rendered with fluidsynth and FluidR3_GM (None if unavailable)."""
    soundfont = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
    if shutil.which("fluidsynth") is None or not soundfont.exists():
        return None
    midi = folder / "phrase.mid"
    wav = folder / "phrase.wav"
    _write_midi(midi)
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-F", str(wav), "-r", "44100", str(soundfont), str(midi)],
        check=True, capture_output=True, timeout=60,
    )
    return wav
