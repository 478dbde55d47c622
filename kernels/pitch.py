"""The four most prominent pitches of one magnitude frame (librosa ``piptrack``, one frame).

A bin k is a peak when ``fmin <= f_k < fmax`` (fmax clipped to sr/2) and, on the thresholded
spectrum ``T = S * (S > 0.1 max S)``, ``T_k > T_{k-1}`` and ``T_k >= T_{k+1}`` (the last bin
only needs the left test; the first is never a peak). Parabolic interpolation on S::

    a = S[k+1] + S[k-1] - 2 S[k]      b = (S[k+1] - S[k-1]) / 2
    shift = -b / a   (0 if |b| >= |a|, or k is the first or last bin)
    pitch_hz = (k + shift) sr / n_fft      magnitude = S[k] + b shift / 2

The 4 peaks of largest interpolated magnitude are returned, largest first, 0.0 where there
are fewer. Intermediate precisions follow librosa's float32 path, so that the interpolated
frequencies agree with it to well under 0.01 Hz.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from kernels.layout import PITCH1

PITCH_THRESHOLD = 0.1


def pitch_bin_range(n_fft: int, sr_hz: float, fmin_hz: float, fmax_hz: float) -> tuple[int, int]:
    """Bins ``[lo, hi)`` with ``fmin <= f < min(fmax, sr/2)``, f = rfftfreq(n_fft, 1/sr)."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr_hz)
    inside = np.nonzero((max(fmin_hz, 0.0) <= freqs) & (freqs < min(fmax_hz, sr_hz / 2)))[0]
    if inside.size == 0:
        return 0, 0
    return int(inside[0]), int(inside[-1]) + 1


@njit(cache=True, nogil=True)
def top_pitches(mag, peak, lo_bin, hi_bin, hz_per_bin, out):
    """Write the 4 most prominent pitches (Hz) of `mag` into ``out[4:8]``.

    Parameters
    ----------
    mag : float32[n_bins]
        Magnitude spectrum of one frame.
    peak : float32
        ``max(mag)`` over all bins.
    lo_bin, hi_bin : int
        Search bins ``[lo_bin, hi_bin)`` (see `pitch_bin_range`).
    hz_per_bin : float64
        ``sr / n_fft``.
    out : float32[8]
        Output; ``out[4:8]`` receives the pitches, largest magnitude first.
    """
    n_bins = mag.size
    threshold = np.float32(PITCH_THRESHOLD) * peak
    best_mag0 = best_mag1 = best_mag2 = best_mag3 = np.float32(-1.0)
    best_hz0 = best_hz1 = best_hz2 = best_hz3 = 0.0
    for k in range(max(lo_bin, 1), hi_bin):
        s = mag[k]
        if not s > threshold:
            continue
        left = mag[k - 1]
        if left > threshold and not s > left:
            continue
        last = k == n_bins - 1
        if not last:
            right = mag[k + 1]
            if right > threshold and not s >= right:
                continue
        shift = np.float32(0.0)
        half_diff = np.float32(0.0)
        if not last:
            a = np.float64(np.float32(right + left)) - 2.0 * np.float64(s)
            b = np.float64(np.float32(right - left)) / 2.0
            if abs(b) < abs(a):
                shift = np.float32(-b / a)
            half_diff = np.float32(right - left) / np.float32(2.0)
        m = s + np.float32(0.5) * half_diff * shift
        hz = (k + np.float64(shift)) * hz_per_bin
        # Keep the four largest, in order (insertion into a sorted list of 4).
        if m > best_mag3:
            if m > best_mag2:
                best_mag3, best_hz3 = best_mag2, best_hz2
                if m > best_mag1:
                    best_mag2, best_hz2 = best_mag1, best_hz1
                    if m > best_mag0:
                        best_mag1, best_hz1 = best_mag0, best_hz0
                        best_mag0, best_hz0 = m, hz
                    else:
                        best_mag1, best_hz1 = m, hz
                else:
                    best_mag2, best_hz2 = m, hz
            else:
                best_mag3, best_hz3 = m, hz
    out[PITCH1] = best_hz0
    out[PITCH1 + 1] = best_hz1
    out[PITCH1 + 2] = best_hz2
    out[PITCH1 + 3] = best_hz3
