"""Mel filter bank of the emotion features: 24 triangles from 40 Hz to 8 kHz, defined in Hz.

Band ``b`` is a triangle over the FFT bin frequencies ``f`` between the mel-spaced edges
``e[b] < e[b+1] < e[b+2]`` (``mel(f) = 2595 · log10(1 + f / 700)``, ``N_MEL + 2`` edges
equally spaced in mel), scaled to area 100 in Hz::

    M[f, b] = max(0, min((f − e[b]) / (e[b+1] − e[b]), (e[b+2] − f) / (e[b+2] − e[b+1])))
              · 2 / (e[b+2] − e[b]) · 100

Being defined in Hz, the bands are the same at every rate and ``n_fft``.
"""

from __future__ import annotations

import numpy as np

N_MEL = 24
MEL_FMIN_HZ, MEL_FMAX_HZ = 40.0, 8000.0


def mel_matrix(sr_hz: float, n_fft: int) -> np.ndarray:
    """``float32[n_fft//2 + 1, N_MEL]``: ``M`` above, so that ``P @ M`` is the band power."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr_hz)
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
    hz = lambda m: 700.0 * (10 ** (m / 2595.0) - 1.0)  # noqa: E731
    edges = hz(np.linspace(mel(MEL_FMIN_HZ), mel(MEL_FMAX_HZ), N_MEL + 2))
    m = np.zeros((N_MEL, freqs.size))
    for b in range(N_MEL):
        lo, c, hi = edges[b], edges[b + 1], edges[b + 2]
        up = (freqs - lo) / (c - lo)
        down = (hi - freqs) / (hi - c)
        m[b] = np.maximum(0.0, np.minimum(up, down)) * 2.0 / (hi - lo) * 100.0
    return m.T.astype(np.float32)
