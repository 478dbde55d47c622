"""MIDI → audio with fluidsynth (Debian's ``fluidsynth`` and its free GM soundfonts)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

SOUNDFONTS = {
    "FluidR3": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "TimGM6mb": "/usr/share/sounds/sf2/TimGM6mb.sf2",
}


def available_soundfonts() -> dict[str, str]:
    return {name: path for name, path in SOUNDFONTS.items() if Path(path).exists()}


def render(midi_path: Path, soundfont: str, out_wav: Path, sr_hz: int, duration_s: float) -> np.ndarray:
    """Render, return the first ``duration_s`` as mono float32 (zero-padded)."""
    import soundfile

    if shutil.which("fluidsynth") is None:
        raise RuntimeError("fluidsynth is not installed (apt-get install fluidsynth fluid-soundfont-gm)")
    subprocess.run(["fluidsynth", "-ni", "-q", "-g", "0.6", "-F", str(out_wav), "-r", str(sr_hz), soundfont,
                    str(midi_path)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    audio, sr = soundfile.read(str(out_wav), dtype="float32", always_2d=True)
    mono = audio.mean(axis=1).astype(np.float32)
    n = int(duration_s * sr_hz)
    out = np.zeros(n, dtype=np.float32)
    out[:min(n, mono.size)] = mono[:n]
    return out
