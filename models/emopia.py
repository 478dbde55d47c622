"""EMOPIA clips (auxiliary data): quadrant labels → weak arousal/valence targets.

EMOPIA (Hung et al., ISMIR 2021; CC BY-NC-SA 4.0) is 1,078 piano clips transcribed from pop
songs, labelled by quadrant in the file name: ``Q1`` = +valence +arousal, ``Q2`` = −valence
+arousal, ``Q3`` = −valence −arousal, ``Q4`` = +valence −arousal. A clip has one label, no
time course, and no rater spread, so its targets are *weak*: every 0.5 s step of the clip gets
``(±WEAK_LEVEL, ±WEAK_LEVEL)`` by quadrant. ``WEAK_LEVEL`` is chosen near the spread of the
VGMIDI pieces' means (standard deviation ≈ 0.24 for both dimensions, ``models.data``).

Clips are grouped by their source song (the YouTube id in ``Qn_<id>_<k>.mid``): clips of one
song never sit on both sides of a split. The MIDI files are extracted from the shared zip into
``~/.cache/mirage/emotion/emopia/`` (nothing goes into the repository).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mirage.emotion.feature_layout import STEP_S
from models.cache import CACHE
from models.data import DATA_ROOT

ZIP_PATH = DATA_ROOT.parent / "emopia" / "midis.zip"
WEAK_LEVEL = 0.3
QUADRANT_SIGNS = {1: (1.0, 1.0), 2: (1.0, -1.0), 3: (-1.0, -1.0), 4: (-1.0, 1.0)}  # (A, V)


@dataclass(frozen=True)
class Clip:
    """One EMOPIA clip: ``pid`` ``emopia:<file stem>``, its quadrant and source song."""

    pid: str
    midi_path: Path
    quadrant: int
    song: str
    duration_s: float

    def step_times(self) -> np.ndarray:
        n = int(np.floor(self.duration_s / STEP_S + 1e-9))
        return STEP_S * np.arange(1, n + 1, dtype=np.float64)

    def targets(self) -> np.ndarray:
        """``float32[K, 2]``: the quadrant's weak (arousal, valence) at every step."""
        a, v = QUADRANT_SIGNS[self.quadrant]
        out = np.empty((self.step_times().size, 2), np.float32)
        out[:, 0] = a * WEAK_LEVEL
        out[:, 1] = v * WEAK_LEVEL
        return out


def load_clips(cache: Path | None = None) -> list[Clip]:
    """Every clip of the zip, extracted once into ``cache``, sorted by id."""
    import mido

    cache = cache or CACHE / "emopia"
    cache.mkdir(parents=True, exist_ok=True)
    clips = []
    with zipfile.ZipFile(ZIP_PATH) as z:
        for name in sorted(z.namelist()):
            if not name.endswith(".mid"):
                continue
            stem = Path(name).stem
            path = cache / (stem + ".mid")
            if not path.exists():
                path.write_bytes(z.read(name))
            quadrant = int(stem[1])
            song = stem[3:].rsplit("_", 1)[0]
            clips.append(Clip(pid=f"emopia:{stem}", midi_path=path, quadrant=quadrant,
                              song=song, duration_s=float(mido.MidiFile(path).length)))
    return clips
