"""Causal exponential smoothing of the mood, written once for the live worker and offline.

Per 0.5 s step ``k`` (``x_k`` = the model's (arousal, valence), ``τ`` = ``smoothing_s``)::

    y_0 = x_0
    y_k = y_{k-1} + a · (x_k − y_{k-1}),    a = 1 − exp(−STEP_S / τ)

i.e. a one-pole low-pass with time constant ``τ`` seconds, started from the first prediction
after a (re)start, never from zeros (a zero start would drag the first ``τ`` seconds towards
neutral). ``τ = 0`` is off: ``y_k = x_k`` exactly.
"""

from __future__ import annotations

import numpy as np

from mirage.emotion.feature_layout import STEP_S
from mirage.errors import ParameterError


class MoodSmoother:
    """The smoothing above, one step at a time: ``update(x_k)`` → ``y_k``; ``reset()`` makes
    the next value the new start.

    Parameters
    ----------
    smoothing_s : float
        Time constant ``τ``, s (0 = off). Negative: :class:`~mirage.errors.ParameterError`.
    step_s : float
        Time between two values, s.
    """

    def __init__(self, smoothing_s: float, step_s: float = STEP_S):
        if not smoothing_s >= 0:
            raise ParameterError(f"smoothing_s must be >= 0, got {smoothing_s!r}")
        self.smoothing_s = smoothing_s
        self.alpha = 1.0 - np.exp(-step_s / smoothing_s) if smoothing_s > 0 else None
        self._state: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the past: the next value starts the smoothing again."""
        self._state = None

    def update(self, x: np.ndarray) -> np.ndarray:
        """``y_k`` for this step's ``x_k`` (a new array; ``x`` is not modified)."""
        if self._state is None or self.alpha is None:
            self._state = np.array(x, dtype=np.float64)
        else:
            self._state = self._state + self.alpha * (x - self._state)
        return self._state


def smooth(va: np.ndarray, smoothing_s: float, step_s: float = STEP_S) -> np.ndarray:
    """Offline driver: ``va`` ``float64[K, 2]`` (one row per step) → the smoothed rows."""
    smoother = MoodSmoother(smoothing_s, step_s)
    out = np.empty_like(va)
    for k in range(len(va)):
        out[k] = smoother.update(va[k])
    return out
