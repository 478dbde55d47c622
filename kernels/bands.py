"""Sums over a band of a magnitude frame, and the bass / mid / high energy in dB.

With ``S`` the magnitude spectrum of a frame windowed by ``w`` (length N), band b's mean
square is ``P_b = power_scale * sum_{k in b} S_k^2``, ``power_scale = 2 / (N sum(w^2))``
(Parseval, one-sided: a sine of amplitude A inside the band gives A^2 / 2, the same scale as
`kernels.level`), and ``band_db = 10 log10(max(P_b, LEVEL_FLOOR_MS))``.

Bins (`kernels.rhythm_layout`): bass = 1 .. bass_end - 1 (DC left out), mid = bass_end ..
mid_end - 1, high = mid_end .. the last bin. The onset detector's log-frequency bands
(`kernels.onset`) have edges at bass_end and mid_end too, so one pass over the spectrum
(`band_power`, band by band) gives both the detector's band energies and these three.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from kernels.level import db_of_mean_square


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract", "nsz", "arcp"}, inline="always")
def band_power(mag, lo, hi):
    """``sum(mag[lo:hi]^2)`` in float32 (reassociated: LLVM may vectorise it)."""
    q = np.float32(0.0)
    for k in range(lo, hi):
        q += mag[k] * mag[k]
    return q


@njit(cache=True, nogil=True, inline="always")
def power_db(power_sum, power_scale):
    """``10 log10(max(power_scale * power_sum, LEVEL_FLOOR_MS))`` (`kernels.level.db_of_mean_square`)."""
    return db_of_mean_square(power_scale * power_sum)


def band_edges(n_fft: int, sr_hz: float, bass_max_hz: float, mid_max_hz: float) -> tuple[int, int]:
    """First bin of mid and first bin of high: the bins whose centre is at or above each
    limit (``k * sr / n_fft >= limit``), at least 2 and 3 so every band has a bin."""
    n_bins = n_fft // 2 + 1
    bass_end = min(max(2, math.ceil(bass_max_hz * n_fft / sr_hz)), n_bins - 2)
    mid_end = min(max(bass_end + 1, math.ceil(mid_max_hz * n_fft / sr_hz)), n_bins - 1)
    return bass_end, mid_end
