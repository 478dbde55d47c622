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
from mirage.errors import ParameterError


def smooth(va: np.ndarray, smoothing_s: float, step_s: float = 0.5) -> np.ndarray:
    """Causal exponential smoothing, time constant ``smoothing_s``, started at the first value.

    ``y[0] = x[0]``; ``y[k] = y[k-1] + a·(x[k] − y[k-1])`` with ``a = 1 − exp(−step/τ)``.
    """
    if smoothing_s < 0:
        raise ParameterError(f"smoothing_s must be >= 0, got {smoothing_s!r}")
    if smoothing_s == 0 or len(va) == 0:
        return va.copy()
    a = 1.0 - np.exp(-step_s / smoothing_s)
    out = np.empty_like(va)
    out[0] = va[0]
    for k in range(1, len(va)):
        out[k] = out[k - 1] + a * (va[k] - out[k - 1])
    return out


def emotion_track(mix: np.ndarray, sr: float, model_path: str | Path | None = None, *,
                  smoothing_s: float = 0.0, model: EmotionModel | None = None) -> np.ndarray:
    """``float64[K, 3]`` rows (time_s, arousal, valence), one per 0.5 s of ``mix``.

    ``mix`` is mono (``[N]``) or ``[N, tracks]`` (averaged to mono, as the live mix).
    ``time_s`` is the end of the analysed window; the first row is at 0.5 s.
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


def write_csv(path: str | Path, track: np.ndarray) -> None:
    """``time_s,arousal,valence`` with a header line."""
    np.savetxt(path, track, fmt=["%.3f", "%.4f", "%.4f"], delimiter=",",
               header="time_s,arousal,valence", comments="")
