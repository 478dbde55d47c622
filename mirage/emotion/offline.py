"""Offline mood track of a mix, for ``mirage analyze --emotion-out FILE.csv``.

Same features and model as the live worker: the signal goes through one
:class:`~mirage.emotion.features.EmotionFeatures` in a single ``push``; its vectors are
bit-identical to the live ones for any block size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirage.emotion.features import EmotionFeatures
from mirage.emotion.model import EmotionModel
from mirage.emotion.smoothing import smooth


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
    if model is None:
        model = EmotionModel(model_path)
    feats, times = EmotionFeatures(sr).push(x)
    # One step at a time, as the live worker does: the int8 model quantizes its activations
    # dynamically, per call, so a batch would not give the live values.
    va = np.array([model.predict(f) for f in feats], dtype=np.float64).reshape(-1, 2)
    va = smooth(va, smoothing_s)
    return np.column_stack([times, va]) if len(times) else np.zeros((0, 3))

