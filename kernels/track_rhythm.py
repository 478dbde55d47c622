"""The rhythm values of one track-frame, fused: level, bands, onset (`kernels.rhythm_layout`).

Called by `kernels.analyzer` right after a track-frame's features, on the magnitude spectrum
the features were computed from, so offline analysis and the real-time callback run the same
code on the same numbers. Allocates nothing: the per-track state (range followers, smoothed
values, novelty history and peak, the previous log spectra) lives in preallocated arrays
made by `RhythmArrays`.

Time constants (per hop, ``hop_s = hop / sr``): the range followers of `kernels.adaptive_range`
(attack at once, release ``RANGE_RELEASE_S`` = 5 s, floors), the level smoothing
(``attack_ms``/``release_ms``, default `DEFAULT_ATTACK_MS`/`DEFAULT_RELEASE_MS`), the onset
detector's of `kernels.onset`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from kernels.adaptive_range import (
    BAND_SPAN_DB, LEVEL_TOP_FLOOR_DB, RANGE_RELEASE_S, coefficient, follow_top, normalise, smooth,
)
from kernels.bands import band_edges, power_db
from kernels.errors import ParameterError
from kernels.fast_log import fast_ln
from kernels.level import LEVEL_FLOOR_DB, db_of_mean_square, hop_mean_square
from kernels.onset import (
    LOG_GAIN, NOVELTY_PEAK_RELEASE_S, ONSET_DELTA, energy_rise, ONSET_HISTORY_S, ONSET_MIN_IOI_S, filterbank_edges, flux_lag,
    log_band_flux, pick_onset,
)
from kernels.rhythm_layout import (
    DEFAULT_ATTACK_MS, DEFAULT_RELEASE_MS, MAX_SMOOTHING_MS, BASS_MAX_HZ, MID_MAX_HZ, N_BANDS3, N_ENERGY_HISTORY, N_RHYTHM, N_RP, RE_BASS_END, RE_FB0, RE_MID_END, RH_BASS, RH_LEVEL,
    RH_LEVEL_DB, RH_NOVELTY, RH_ONSET, RP_ENABLED, RP_LAG, RP_MIN_IOI_HOPS, RP_NOVELTY_RELEASE,
    RP_ONSET_DELTA, RP_POWER_SCALE, RP_RANGE_RELEASE, RP_SMOOTH_ATTACK, RP_SMOOTH_RELEASE, RS_BASS_SMOOTH,
    RS_BASS_TOP, RS_ENERGY0, RS_FRAMES, RS_LEVEL_SMOOTH, RS_LEVEL_TOP, RS_NOVELTY0, RS_NOVELTY_PEAK, RS_SINCE_ONSET,
)



@njit(cache=True, nogil=True)
def track_rhythm(samples, hop_begin, hop, mag, edges, params, state, prev, out):
    """Rhythm values of one track-frame into ``out[N_RHYTHM]``.

    samples[hop_begin : hop_begin + hop] : the hop's newest samples (the level);
    mag : the frame's magnitude spectrum; edges, params : `RhythmArrays`' (shared by the
    tracks); state : this track's float64 row; prev : this track's float32[lag, n_bands]
    log spectra.
    """
    lag = prev.shape[0]
    frames = np.int64(state[RS_FRAMES])
    range_release = params[RP_RANGE_RELEASE]
    attack = params[RP_SMOOTH_ATTACK]
    release = params[RP_SMOOTH_RELEASE]

    mean_square = hop_mean_square(samples, hop_begin, hop)
    level_db = db_of_mean_square(mean_square)
    top = follow_top(level_db, state[RS_LEVEL_TOP], range_release, LEVEL_TOP_FLOOR_DB)
    state[RS_LEVEL_TOP] = top
    y = smooth(state[RS_LEVEL_SMOOTH], normalise(level_db, top), attack, release)
    state[RS_LEVEL_SMOOTH] = y
    out[RH_LEVEL] = y
    out[RH_LEVEL_DB] = level_db

    novelty, bass, mid, high = log_band_flux(mag, edges, RE_FB0, params[RP_POWER_SCALE], prev[frames % lag],
                                             edges[RE_BASS_END], edges[RE_MID_END])
    band_floor_db = max(LEVEL_TOP_FLOOR_DB, top - BAND_SPAN_DB)
    power_scale = params[RP_POWER_SCALE]
    for b in range(N_BANDS3):
        x_db = power_db(bass if b == 0 else (mid if b == 1 else high), power_scale)
        band_top = follow_top(x_db, state[RS_BASS_TOP + b], range_release, LEVEL_TOP_FLOOR_DB)
        state[RS_BASS_TOP + b] = band_top
        y = smooth(state[RS_BASS_SMOOTH + b], normalise(x_db, max(band_top, band_floor_db)), attack, release)
        state[RS_BASS_SMOOTH + b] = y
        out[RH_BASS + b] = y

    log_energy = 0.5 * fast_ln(1.0 + LOG_GAIN * LOG_GAIN * mean_square)
    novelty += energy_rise(log_energy, state[RS_ENERGY0:RS_ENERGY0 + N_ENERGY_HISTORY], frames)
    history = state[RS_NOVELTY0:]
    since = state[RS_SINCE_ONSET] + 1.0
    is_onset = pick_onset(novelty, history, frames, since, params[RP_ONSET_DELTA], params[RP_MIN_IOI_HOPS])
    peak = follow_top(novelty, state[RS_NOVELTY_PEAK], params[RP_NOVELTY_RELEASE], params[RP_ONSET_DELTA])
    state[RS_NOVELTY_PEAK] = peak
    if is_onset:
        out[RH_ONSET] = min(1.0, novelty / peak)
        since = 0.0
    else:
        out[RH_ONSET] = 0.0
    state[RS_SINCE_ONSET] = since
    out[RH_NOVELTY] = novelty
    state[RS_FRAMES] = frames + 1


class RhythmArrays:
    """The rhythm kernels' parameters and per-track state for one analyzer.

    Parameters
    ----------
    n_tracks, sr_hz, n_fft, hop, window
        As the analyzer's (`window`: its float64 analysis window).
    enabled : bool
        False: the kernels are skipped (the values stay 0; the cost of the callback without
        rhythm).
    attack_ms, release_ms : float
        Smoothing of the normalised level and bands (0: none).
    """

    def __init__(self, n_tracks: int, sr_hz: float, n_fft: int, hop: int, window: np.ndarray, *,
                 enabled: bool = True, attack_ms: float = DEFAULT_ATTACK_MS,
                 release_ms: float = DEFAULT_RELEASE_MS):
        for name, value in (("level attack", attack_ms), ("level release", release_ms)):
            if not (math.isfinite(value) and 0.0 <= value <= MAX_SMOOTHING_MS):
                raise ParameterError(f"{name} must be within 0..{MAX_SMOOTHING_MS:g} ms, got {value:g}")
        hop_s = hop / sr_hz
        self.hop_s = hop_s
        self.params = np.zeros(N_RP, dtype=np.float64)
        p = self.params
        p[RP_ENABLED] = 1.0 if enabled else 0.0
        p[RP_LAG] = flux_lag(n_fft, hop)
        p[RP_POWER_SCALE] = 2.0 / (n_fft * float(np.sum(window * window)))
        p[RP_RANGE_RELEASE] = coefficient(RANGE_RELEASE_S, hop_s)
        p[RP_SMOOTH_ATTACK] = coefficient(attack_ms / 1000.0, hop_s)
        p[RP_SMOOTH_RELEASE] = coefficient(release_ms / 1000.0, hop_s)
        p[RP_ONSET_DELTA] = ONSET_DELTA
        p[RP_MIN_IOI_HOPS] = max(1, int(math.ceil(ONSET_MIN_IOI_S / hop_s)))
        p[RP_NOVELTY_RELEASE] = coefficient(NOVELTY_PEAK_RELEASE_S, hop_s)
        splits = band_edges(n_fft, sr_hz, BASS_MAX_HZ, MID_MAX_HZ)
        fb = filterbank_edges(n_fft, sr_hz, splits)
        self.edges = np.zeros(RE_FB0 + fb.size, dtype=np.int64)
        self.edges[RE_BASS_END], self.edges[RE_MID_END] = splits
        self.edges[RE_FB0:] = fb
        n_history = max(1, int(round(ONSET_HISTORY_S / hop_s)))
        self.state = np.zeros((n_tracks, RS_NOVELTY0 + n_history), dtype=np.float64)
        self.prev = np.zeros((n_tracks, int(p[RP_LAG]), fb.size - 1), dtype=np.float32)
        self.pending = np.zeros((n_tracks, N_RHYTHM), dtype=np.float32)
        self.reset()

    @property
    def enabled(self) -> bool:
        return bool(self.params[RP_ENABLED])

    def reset(self) -> None:
        """Forget the audio seen: followers at their floors, no history."""
        forget_rhythm(self.state, self.prev.reshape(-1))


@njit(cache=True, nogil=True)
def forget_rhythm(state, prev_flat):
    """Every track's rhythm state as before any audio: followers at their floors
    (`LEVEL_FLOOR_DB`), no onset for ages, no novelty or spectrum history. No allocation:
    the callback calls it at a new song (`mirage.engine.callback`)."""
    for c in range(state.shape[0]):
        for k in range(state.shape[1]):
            state[c, k] = 0.0
        for k in range(RS_LEVEL_TOP, RS_LEVEL_TOP + 1 + N_BANDS3):
            state[c, k] = LEVEL_FLOOR_DB
        state[c, RS_SINCE_ONSET] = 1e9
    for i in range(prev_flat.shape[0]):
        prev_flat[i] = 0.0
