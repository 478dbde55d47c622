"""Spectral peaks on a semitone grid (55 Hz–4 kHz) and the pitched-peak statistics of a frame.

Read from peak positions rather than band energies, these depend less on the instrument's
timbre than the mel shape does. Per frame (``P`` = power spectrum)::

    semi_db[m]  = 10·log10 of the strongest peak at semitone m (0 = A1 = 55 Hz), peaks within
                  SEMI_FLOOR_DB of the frame's strongest bin, floored SEMI_FLOOR_DB below the
                  frame's strongest semitone
    peak_onsets = #{m : semi_db[m] − max(semi_db_{k−1}[m], semi_db_{k−2}[m]) > PEAK_RISE_DB
                        and semi_db[m] > top − PEAK_GATE_DB}
    height, spread = power-weighted mean and std of m over the semitones within ACTIVE_DB of
                  the top;  peak_count = how many semitones are within ACTIVE_DB of the top

(partials count as well as fundamentals: these are pitched-peak statistics, not a
transcription — in rendered piano pieces ``peak_count`` is typically 20–25).
"""

from __future__ import annotations

import numpy as np

PEAKS_FMIN_HZ, PEAKS_FMAX_HZ = 55.0, 4000.0   # semitone 0 = A1 = 55 Hz
N_SEMITONES = 72
PEAK_RISE_DB, PEAK_GATE_DB, ACTIVE_DB, SEMI_FLOOR_DB = 4.0, 25.0, 30.0, 60.0
NO_PEAK_DB = -240.0
"""A frame whose strongest semitone is below this has no peak at all (an empty semitone
reads ``10·log10(1e-30)`` = −300 dB)."""


def semitone_db(P: np.ndarray, freqs: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``float64[K, N_SEMITONES]``: dB of the strongest spectral peak per semitone.

    ``P`` is ``[K, F]`` power, ``freqs`` the ``F`` bin frequencies (Hz). Peaks of bins
    ``[lo, hi)`` within :data:`SEMI_FLOOR_DB` of the frame's strongest bin,
    parabolic-interpolated in log power; semitone ``m = round(12·log2(f / 55 Hz))``.
    Every value is floored :data:`SEMI_FLOOR_DB` below the frame's strongest semitone, so
    the result shifts with the gain and nothing else.
    """
    K = P.shape[0]
    L = np.log(P[:, lo - 1:hi + 1].astype(np.float64) + 1e-30)
    c, left, right = L[:, 1:-1], L[:, :-2], L[:, 2:]
    thr = L.max(axis=1, keepdims=True) - SEMI_FLOOR_DB * np.log(10) / 10
    k, b = np.nonzero((c > left) & (c >= right) & (c > thr))
    semi = np.full((K, N_SEMITONES), 1e-30)
    if k.size:
        den = left[k, b] - 2 * c[k, b] + right[k, b]
        delta = np.where(np.abs(den) > 1e-12, 0.5 * (left[k, b] - right[k, b]) / den, 0.0)
        f = freqs[lo + b] + np.clip(delta, -0.5, 0.5) * (freqs[1] - freqs[0])
        m = np.clip(np.round(12 * np.log2(f / PEAKS_FMIN_HZ)).astype(np.int64), 0, N_SEMITONES - 1)
        np.maximum.at(semi, (k, m), np.exp(c[k, b]))
    db = 10 * np.log10(semi)
    return np.maximum(db, db.max(axis=1, keepdims=True) - SEMI_FLOOR_DB)


def peak_statistics(semi: np.ndarray, past: np.ndarray) -> np.ndarray:
    """``float64[K, 4]`` per frame: peak onsets, height, spread (semitones), peak count.

    ``semi`` is :func:`semitone_db` of ``K`` frames, ``past`` that of the two frames before
    them. An onset is a semitone ``PEAK_RISE_DB`` above its level in both previous frames
    and within ``PEAK_GATE_DB`` of the frame's strongest; height and spread are the
    power-weighted mean and std of the semitones within ``ACTIVE_DB`` of the strongest.
    """
    both = np.vstack([past, semi])
    top = semi.max(axis=1, keepdims=True)
    onsets = ((semi - np.maximum(both[1:-1], both[:-2]) > PEAK_RISE_DB)
              & (semi > top - PEAK_GATE_DB)).sum(axis=1)
    w = np.where(semi > top - ACTIVE_DB, 10 ** ((semi - top) / 10), 0.0)
    wsum = w.sum(axis=1)
    st = np.arange(N_SEMITONES, dtype=np.float64)
    height = (w @ st) / wsum
    spread = np.sqrt(np.maximum((w @ (st * st)) / wsum - height * height, 0.0))
    return np.column_stack([onsets, height, spread, (w > 0).sum(axis=1)])
