"""A causal onset detector: SuperFlux-like spectral flux with an adaptive threshold.

Per track and per frame t (the frame that ends with the hop just received)::

    L_t[i]  = ln(1 + LOG_GAIN^2 * power_scale * sum_{k in band i} S_t[k]^2) / 2
    M[i]    = max(L_{t-lag}[i-1], L_{t-lag}[i], L_{t-lag}[i+1])
    E_t     = ln(1 + LOG_GAIN^2 * mean square of the hop's newest samples) / 2
    novelty = sum_i max(0, L_t[i] - M[i]) / n_bands
              + ENERGY_WEIGHT * max(0, E_t - max(E_{t-1}, E_{t-2}, E_{t-3}))
    onset   if novelty > mean(novelty over the last n_history frames) + delta
            and novelty > delta and at least min_ioi hops since the last onset
    strength = min(1, novelty / peak),  peak: instant attack, exponential release

``L``: log-compressed band energies (for a loud band about ln(LOG_GAIN * rms); logarithms by
`kernels.fast_log`); ``M``: the max filter over frequency on the earlier frame (vibrato
suppression); ``E``: the hop's energy, unwindowed (a hit at the hop's end counts in full).

Bands: ``ONSET_BANDS_PER_OCTAVE`` per octave from ``ONSET_FMIN_HZ`` to ``ONSET_FMAX_HZ``,
rectangular, merged where narrower than a bin, split at the bass/mid/high limits (whose
energies the same pass sums, `kernels.bands`). ``lag`` = about half a frame (``round(n_fft / 2
/ hop)``, at least 1): the two spectra compared barely overlap in time, as SuperFlux does.
The energy term is what lets a hit in the last samples of a hop, where the Hann window of
the spectrum is near 0, be reported in that hop; comparing with the maximum of the three
previous hops keeps the slow beating of a steady bass note out of it.
Nothing waits for a later frame: the onset is reported in the hop in which its energy first
raises the novelty over the threshold (SuperFlux's online mode, no look-ahead).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from kernels.bands import band_power
from kernels.fast_log import fast_ln

ONSET_FMIN_HZ = 30.0
ONSET_FMAX_HZ = 17000.0
ONSET_BANDS_PER_OCTAVE = 6
LOG_GAIN = 100.0
"""The log compression's gain on RMS units: ``ln(1 + (100 rms)^2) / 2`` turns from quadratic
to logarithmic at rms = 0.01 (-40 dBFS)."""
ONSET_DELTA = 0.05
"""Novelty over the recent mean needed for an onset (mean log-magnitude rise per band)."""
ONSET_HISTORY_S = 0.1
"""Length of the recent-novelty mean (s)."""
ONSET_MIN_IOI_S = 0.05
"""Shortest time between two onsets of one track (s)."""
ENERGY_WEIGHT = 0.25
"""Weight of the hop-energy rise in the novelty."""
NOVELTY_PEAK_RELEASE_S = 10.0
"""Time constant of the novelty peak's fall, for the strength (s)."""


def filterbank_edges(n_fft: int, sr_hz: float, splits=()) -> np.ndarray:
    """Bin edges of the log-frequency bands: int64[n_bands + 1], strictly increasing, from
    bin 1 to the last bin + 1 (below ONSET_FMIN_HZ and above ONSET_FMAX_HZ: one band each),
    with an edge at every bin of `splits` (the bass/mid/high limits)."""
    n_bins = n_fft // 2 + 1
    fmax = min(ONSET_FMAX_HZ, sr_hz / 2)
    n_oct = math.log2(fmax / ONSET_FMIN_HZ)
    freqs = ONSET_FMIN_HZ * 2.0 ** (np.arange(int(n_oct * ONSET_BANDS_PER_OCTAVE) + 1) / ONSET_BANDS_PER_OCTAVE)
    bins = np.round(freqs * n_fft / sr_hz).astype(np.int64)
    return np.unique(np.clip(np.concatenate([[1, n_bins], bins, np.asarray(splits, np.int64)]), 1, n_bins))


def flux_lag(n_fft: int, hop: int) -> int:
    """Frames between the compared spectra: ``max(1, round(n_fft / 2 / hop))``."""
    return max(1, int(round(n_fft / 2 / hop)))


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract", "nsz", "arcp"})
def log_band_flux(mag, edges, first_edge, power_scale, prev, bass_end, mid_end):
    """One pass over the bands of ``edges[first_edge:]``: returns ``(novelty part of the
    flux, bass, mid, high power sums)`` (`kernels.bands`); `prev` (the log bands of frame
    t - lag) then holds this frame's log bands. `bass_end`, `mid_end`: bins that are edges."""
    n_bands = edges.size - first_edge - 1
    gain = LOG_GAIN * LOG_GAIN * power_scale
    flux = 0.0
    bass = mid = high = 0.0
    left = prev[0]  # prev[i - 1] before it was overwritten (band 0: its own)
    for i in range(n_bands):
        lo = edges[first_edge + i]
        power = np.float64(band_power(mag, lo, edges[first_edge + i + 1]))
        if lo < bass_end:
            bass += power
        elif lo < mid_end:
            mid += power
        else:
            high += power
        cur = 0.5 * fast_ln(1.0 + gain * power)
        old = prev[i]
        ref = max(left, old)
        if i + 1 < n_bands:
            ref = max(ref, prev[i + 1])
        if cur > ref:
            flux += cur - ref
        left = old
        prev[i] = cur
    return flux / n_bands, bass, mid, high


@njit(cache=True, nogil=True)
def energy_rise(log_energy, recent, frames):
    """``ENERGY_WEIGHT * max(0, log_energy - max(recent))`` (over the filled part of the
    circular `recent`, none at first: 0 stands for silence); stores `log_energy` in `recent`."""
    n = recent.size
    ref = 0.0
    for j in range(min(frames, n)):
        ref = max(ref, recent[j])
    recent[frames % n] = log_energy
    return ENERGY_WEIGHT * max(0.0, log_energy - ref)


@njit(cache=True, nogil=True)
def pick_onset(novelty, history, frames, since_onset, delta, min_ioi_hops):
    """True if `novelty` is an onset: over the mean of the recent novelties (`history`, a
    circular buffer of which ``min(frames, size)`` are filled) by more than `delta`, and at
    least `min_ioi_hops` since the last onset. Stores `novelty` in `history`."""
    n = history.size
    filled = min(frames, n)
    mean = 0.0
    for j in range(filled):
        mean += history[j]
    if filled > 0:
        mean /= filled
    history[frames % n] = novelty
    return novelty > delta and novelty > mean + delta and since_onset >= min_ioi_hops
