"""Bass, mid and high energy of one magnitude frame, in dB relative to full scale.

With ``S`` the magnitude spectrum of a frame windowed by ``w`` (length N), band b's mean
square is ``P_b = power_scale * sum_{k in b} S_k^2``, ``power_scale = 2 / (N sum(w^2))``
(Parseval, one-sided: a sine of amplitude A inside the band gives A^2 / 2, the same scale as
`kernels.level`), and ``band_db = 10 log10(max(P_b, LEVEL_FLOOR_MS))``.

Bins (`kernels.rhythm_layout`): bass = 1 .. bass_end - 1 (DC left out), mid = bass_end ..
mid_end - 1, high = mid_end .. the last bin.
"""

from __future__ import annotations

import math

from numba import njit

from kernels.level import LEVEL_FLOOR_MS


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract", "nsz", "arcp"})
def _power_sum(mag, lo, hi):
    total = 0.0
    for k in range(lo, hi):
        s = float(mag[k])
        total += s * s
    return total


@njit(cache=True, nogil=True)
def band_db(mag, lo, hi, power_scale):
    """``10 log10(max(power_scale * sum(mag[lo:hi]^2), LEVEL_FLOOR_MS))``."""
    return 10.0 * math.log10(max(power_scale * _power_sum(mag, lo, hi), LEVEL_FLOOR_MS))


def band_edges(n_fft: int, sr_hz: float, bass_max_hz: float, mid_max_hz: float) -> tuple[int, int]:
    """First bin of mid and first bin of high: the bins whose centre is at or above each
    limit (``k * sr / n_fft >= limit``), at least 2 and 3 so every band has a bin."""
    n_bins = n_fft // 2 + 1
    bass_end = min(max(2, math.ceil(bass_max_hz * n_fft / sr_hz)), n_bins - 2)
    mid_end = min(max(bass_end + 1, math.ceil(mid_max_hz * n_fft / sr_hz)), n_bins - 1)
    return bass_end, mid_end
