"""The mood of a mix, streamed: mono blocks in, one (time_s, arousal, valence) row per 0.5 s.

The block-by-block form of `mirage.emotion.offline.emotion_track` (no smoothing), for offline
analysis in constant memory: the same `EmotionFeatures` (whose vectors are bit-identical for
any block size) and the same model called one step at a time, so the rows equal
``emotion_track(whole_mix, sr_hz)`` exactly. What is kept is the rows themselves: 3 float64 per
0.5 s (a 2-hour mix: 14 400 rows, 345 kB).
"""

from __future__ import annotations

import numpy as np


class MoodTrack:
    """``push(mono_block)`` as the audio comes; `rows` at the end.

    Parameters
    ----------
    sr_hz : float
        Rate of the mix (16 kHz..384 kHz; ParameterError otherwise).
    model : EmotionModel, optional
        Default: the shipped model (InputError if it cannot be loaded).
    """

    def __init__(self, sr_hz: float, *, model=None):
        from mirage.emotion.features import EmotionFeatures

        self._features = EmotionFeatures(sr_hz)
        if model is None:
            from mirage.emotion.model import EmotionModel

            model = EmotionModel()
        self._model = model
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


def mix_of(block: np.ndarray) -> np.ndarray:
    """The mono mix of a block ``[n, n_tracks]``: the mean of the tracks, float32, summed in
    track order -- the same numbers as ``audio.mean(axis=0)`` of the whole ``[n_tracks, N]``."""
    return np.ascontiguousarray(block.T).mean(axis=0)
