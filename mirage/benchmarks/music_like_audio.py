"""The benchmarks' test signal: deterministic, music-like audio (harmonic tones plus noise)."""

from __future__ import annotations

import numpy as np


def music_like_audio(n_tracks: int, n_samples: int, sr_hz: int) -> np.ndarray:
    """Deterministic music-like test audio [n_samples, n_tracks]: harmonic tones plus noise."""
    rng = np.random.default_rng(2023)
    t = np.arange(n_samples) / sr_hz
    audio = np.empty((n_samples, n_tracks), dtype=np.float32)
    for c in range(n_tracks):
        f0 = 110.0 * 2 ** (rng.integers(0, 36) / 12)
        tone = sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 6))
        audio[:, c] = 0.2 * tone + 0.02 * rng.standard_normal(n_samples)
    return audio
