"""Pulse clarity and beat period of a spectral-flux curve, from its autocorrelation.

With ``f`` the flux minus its mean and ``r(L) = Σ_k f[k]·f[k+L] / Σ_k f[k]²`` (computed by
FFT, zero-padded to twice the length, so no wrap-around)::

    clarity = max r(L)  over lags L of 0.25–1.5 s;   beat_period_s = that L / frames_per_s
"""

from __future__ import annotations

import numpy as np

PULSE_MIN_S, PULSE_MAX_S = 0.25, 1.5


def pulse(flux: np.ndarray, frames_per_s: float) -> tuple[float, float]:
    """(pulse clarity, beat period in s) of ``flux`` (one value per frame, ``frames_per_s``
    frames per second); (0, 0) when the curve is too short or flat to measure one."""
    lo = int(round(PULSE_MIN_S * frames_per_s))
    hi = int(round(PULSE_MAX_S * frames_per_s))
    if flux.size < hi + 4:
        return 0.0, 0.0
    f = flux - flux.mean()
    den = float(f @ f)
    if den < 1e-12:
        return 0.0, 0.0
    n = f.size
    spec = np.fft.rfft(f, 2 * n)
    ac = np.fft.irfft(spec * np.conj(spec), 2 * n)[lo:hi + 1] / den
    k = int(np.argmax(ac))
    return float(ac[k]), (lo + k) / frames_per_s
