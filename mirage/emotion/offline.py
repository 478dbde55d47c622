"""The mood of a mix offline: `MoodTrack` (blocks in, rows out, constant memory) and
`emotion_track` (a whole mix at once, optionally smoothed), for ``mirage analyze
--emotion-out``, ``mirage batch --emotion`` and `mirage.mood`.

Same features and model as the live worker: `EmotionFeatures`, whose vectors are bit-identical
to the live ones for any block size, and the model called one step at a time (the int8 model
quantizes its activations dynamically, per call, so a batch would not give the live values).
What is kept is the rows: 3 float64 per 0.5 s (a 2-hour mix: 14 400 rows, 345 kB).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirage.emotion.features import EmotionFeatures
from mirage.emotion.model import EmotionModel
from mirage.emotion.smoothing import smooth


class MoodTrack:
    """``push(mono_block)`` as the audio comes; `rows` at the end.

    Parameters
    ----------
    sr_hz : float
        Rate of the mix (16 kHz..384 kHz; ParameterError otherwise).
    model : EmotionModel, optional
        Default: the shipped model (InputError if it cannot be loaded).
    """

    def __init__(self, sr_hz: float, *, model: EmotionModel | None = None):
        self._features = EmotionFeatures(sr_hz)
        self._model = EmotionModel() if model is None else model
        self._rows: list[tuple[float, float, float]] = []

    def push(self, mono: np.ndarray) -> None:
        """Feed float32 mono samples ``[n]``."""
        feats, times = self._features.push(mono)
        for f, t in zip(feats, times):
            a, v = np.asarray(self._model.predict(f), dtype=np.float64).reshape(2)
            self._rows.append((float(t), float(a), float(v)))

    def rows(self) -> np.ndarray:
        """float64 ``[n_steps, 3]``: time_s (end of the analysed window), arousal, valence."""
        return np.array(self._rows, dtype=np.float64).reshape(-1, 3)


def emotion_track(mix: np.ndarray, sr: float, model_path: str | Path | None = None, *,
                  smoothing_s: float = 0.0, model: EmotionModel | None = None) -> np.ndarray:
    """``float64[K, 3]`` rows (time_s, arousal, valence), one per 0.5 s of ``mix``.

    ``mix`` is mono (``[N]``) or ``[N, tracks]`` (averaged to mono, as the live mix).
    ``time_s`` is the end of the analysed window; the first row is at 0.5 s. Optional
    smoothing: `mirage.emotion.smoothing`, the same as the live worker's. Written as CSV by
    `mirage.emotion.mood_csv`.
    """
    x = np.asarray(mix, np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1)
    track = MoodTrack(sr, model=EmotionModel(model_path) if model is None else model)
    track.push(x)
    rows = track.rows()
    rows[:, 1:] = smooth(rows[:, 1:], smoothing_s)
    return rows
