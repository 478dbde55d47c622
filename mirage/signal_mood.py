"""The mood of a signal: arousal and valence in [-1, 1] every 0.5 s, from the shipped int8 model.

The same features and model as the live emotion worker (`mirage.emotion`); the values are
those ``mirage analyze --emotion-out`` writes. Tracks are mixed to mono by their mean, as
the live mix is.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from mirage.errors import ParameterError
from mirage.feature_stream import _as_tracks, _check_rate

__all__ = ["Mood", "mood"]


class Mood(NamedTuple):
    """One row per 0.5 s step; ``time_s`` is the end of the analysed window (first: 0.5 s)."""

    time_s: np.ndarray    # float64 [n_steps]
    arousal: np.ndarray   # float64 [n_steps], -1 (calm) .. 1 (excited)
    valence: np.ndarray   # float64 [n_steps], -1 (negative) .. 1 (positive)


def mood(y, sr_hz: float, *, smoothing_s: float = 0.0, model_path: str | Path | None = None) -> Mood:
    """Arousal and valence of ``y`` every 0.5 s.

    Parameters
    ----------
    y : float ndarray [n_samples] or [n_tracks, n_samples]
    sr_hz : float
        Sample rate in Hz (resampled internally to the model's rate).
    smoothing_s : float, keyword-only
        Time constant of a causal exponential smoothing (0: none)::

            m[0] = x[0];  m[k] = m[k−1] + (1 − exp(−0.5 s / smoothing_s))·(x[k] − m[k−1])
    model_path : path, optional
        Another ONNX model with the same input; default: the shipped int8 model.

    Examples
    --------
    >>> import numpy as np, mirage
    >>> y = mirage.load("demo").audio                    # [4 tracks, 30 s]
    >>> m = mirage.mood(y, 44100)
    >>> len(m.time_s), float(m.time_s[0])
    (60, 0.5)
    >>> bool(np.all(np.abs(m.arousal) <= 1) and np.all(np.abs(m.valence) <= 1))
    True
    """
    from mirage.emotion.offline import emotion_track

    tracks = _as_tracks(y)
    sr_hz = _check_rate(sr_hz)
    if not (np.isfinite(smoothing_s) and smoothing_s >= 0):
        raise ParameterError(f"smoothing_s must be >= 0 s, got {smoothing_s!r}")
    rows = emotion_track(tracks.mean(axis=0), sr_hz, model_path, smoothing_s=smoothing_s)
    return Mood(rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy())
