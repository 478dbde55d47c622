"""The per-track rhythm layer's kernels: hand cases, formulas against numpy, block-size invariance.

Clicks at known times give onsets in the hop in which each click arrives; silence gives no
onset and level 0; a 100 Hz tone is bass only; the values do not depend on how the audio is
cut into blocks (the property that makes ``mirage analyze`` equal the callback).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from kernels.analyzer import TrackAnalyzer
from kernels.bands import band_edges, band_power, power_db
from kernels.fast_log import fast_ln
from kernels.level import LEVEL_FLOOR_DB, hop_level_db
from kernels.onset import filterbank_edges
from kernels.rhythm_layout import (
    N_RHYTHM, RH_BASS, RH_HIGH, RH_LEVEL, RH_LEVEL_DB, RH_MID, RH_NOVELTY, RH_ONSET,
)
from kernels.stft import magnitude_frames
from kernels.window import periodic_hann
from mirage.errors import ParameterError
from mirage.rhythm.onsets import ONSET_DTYPE, detect_onsets

SR_HZ = 48000
N_FFT, HOP = 2048, 512


def rhythm_of(y, block=4096, n_tracks=1, **kw):
    """(rhythm [K, C, N_RHYTHM], frame ends [K]) of ``y[N, C]`` fed in blocks of `block`."""
    y = np.asarray(y, np.float32).reshape(len(y), -1)
    a = TrackAnalyzer(y.shape[1], SR_HZ, n_fft=N_FFT, hop=HOP, rhythm=True, max_block=block, **kw)
    parts, ends = [np.zeros((0, y.shape[1], N_RHYTHM), np.float32)], [np.zeros(0, np.int64)]
    for b in range(0, len(y), block):
        n = len(a.process(y[b:b + block]))
        parts.append(a.rhythm_out.copy())
        ends.append(a.out_end[:n].copy())
    return np.concatenate(parts), np.concatenate(ends)


def clicks_at(times_s, seconds, amplitude=0.5):
    y = np.zeros(int(seconds * SR_HZ), np.float32)
    for t in times_s:
        i = int(round(t * SR_HZ))
        y[i:i + 48] += amplitude * np.hanning(48)
    return y


CLICK_TIMES_S = (0.5, 1.0, 1.37, 2.0, 2.61, 3.1)


def test_clicks_give_one_onset_each_in_the_hop_where_the_click_arrives():
    onsets = detect_onsets(clicks_at(CLICK_TIMES_S, 4.0), SR_HZ, hop=HOP, n_fft=N_FFT)
    assert onsets.dtype == ONSET_DTYPE
    assert len(onsets) == len(CLICK_TIMES_S)
    delay_s = onsets["time_s"] - np.array(CLICK_TIMES_S)
    # reported at the end of the hop holding the click's first sample: 0 <= delay < one hop
    assert np.all(delay_s >= 0) and np.all(delay_s < HOP / SR_HZ), delay_s
    assert np.all((onsets["strength"] > 0) & (onsets["strength"] <= 1))


def test_a_click_at_the_very_end_of_a_hop_is_still_reported_in_that_hop():
    # the hop ending at sample N_FFT + 40 * HOP; the click's 48 samples fill its last 48
    end = N_FFT + 40 * HOP
    t = (end - 48) / SR_HZ
    onsets = detect_onsets(clicks_at([t], 2.0), SR_HZ, hop=HOP, n_fft=N_FFT)
    assert onsets["time_s"].tolist() == [end / SR_HZ]


def test_silence_has_no_onset_and_level_zero():
    r, _ = rhythm_of(np.zeros(SR_HZ * 2))
    assert np.count_nonzero(r[:, 0, RH_ONSET]) == 0
    assert np.all(r[:, 0, [RH_LEVEL, RH_BASS, RH_MID, RH_HIGH]] == 0.0)
    assert np.all(r[:, 0, RH_LEVEL_DB] == LEVEL_FLOOR_DB)
    assert len(detect_onsets(np.zeros(SR_HZ), SR_HZ)) == 0


def test_a_100_hz_tone_is_bass_only():
    t = np.arange(3 * SR_HZ) / SR_HZ
    r, _ = rhythm_of(0.5 * np.sin(2 * np.pi * 100.0 * t))
    steady = r[20:, 0]  # after the first frames
    assert np.all(steady[:, RH_BASS] > 0.95)
    assert np.all(steady[:, RH_MID] < 0.05) and np.all(steady[:, RH_HIGH] < 0.05)
    assert np.all(steady[:, RH_LEVEL] > 0.95)
    # a hop (10.7 ms) holds 1.07 periods: its RMS moves within 0.3 dB of the sine's
    assert steady[:, RH_LEVEL_DB] == pytest.approx(20 * math.log10(0.5 / math.sqrt(2)), abs=0.3)
    assert np.mean(steady[:, RH_LEVEL_DB]) == pytest.approx(20 * math.log10(0.5 / math.sqrt(2)), abs=0.05)
    # a steady tone is no onset after its start
    assert np.count_nonzero(r[4:, 0, RH_ONSET]) == 0


def test_a_5_khz_tone_is_high_only_and_a_1_khz_tone_mid_only():
    t = np.arange(2 * SR_HZ) / SR_HZ
    high, _ = rhythm_of(0.5 * np.sin(2 * np.pi * 5000.0 * t))
    mid, _ = rhythm_of(0.5 * np.sin(2 * np.pi * 1000.0 * t))
    assert np.all(high[20:, 0, RH_HIGH] > 0.95) and np.all(high[20:, 0, [RH_BASS, RH_MID]] < 0.05)
    assert np.all(mid[20:, 0, RH_MID] > 0.95) and np.all(mid[20:, 0, [RH_BASS, RH_HIGH]] < 0.05)


def test_the_level_follows_a_quieter_passage_and_silence_stays_zero():
    # loud, then 20 dB quieter: the range follows (5 s release) so the quiet part rises again
    t = np.arange(12 * SR_HZ) / SR_HZ
    y = np.sin(2 * np.pi * 440.0 * t) * np.where(t < 2, 0.5, 0.05)
    r, _ = rhythm_of(y)
    hop_s = HOP / SR_HZ
    at = lambda s: r[int((s - N_FFT / SR_HZ) / hop_s), 0, RH_LEVEL]  # noqa: E731
    assert at(1.5) > 0.95
    assert 0.3 < at(2.5) < 0.6          # 20 dB down in a 36 dB range, the top not yet moved
    assert at(11.5) > 0.9               # after two time constants the range has followed
    # a -90 dBFS hum is below every floor: 0
    r, _ = rhythm_of(10 ** (-90 / 20) * np.sin(2 * np.pi * 440.0 * t[:SR_HZ]))
    assert np.all(r[:, 0, [RH_LEVEL, RH_BASS, RH_MID, RH_HIGH]] == 0.0)


def test_level_smoothing_options_slow_the_fall():
    y = np.concatenate([0.5 * np.ones(SR_HZ, np.float32), np.zeros(SR_HZ, np.float32)])
    fast, _ = rhythm_of(y, level_release_ms=0.0)
    slow, _ = rhythm_of(y, level_release_ms=300.0)
    after = int((1.0 - N_FFT / SR_HZ) * SR_HZ / HOP) + 5  # a few hops into the silence
    assert fast[after, 0, RH_LEVEL] == 0.0
    assert 0.5 < slow[after, 0, RH_LEVEL] < 1.0
    with pytest.raises(ParameterError):
        TrackAnalyzer(1, SR_HZ, rhythm=True, level_attack_ms=-1.0)


@pytest.mark.parametrize("block", [1, 64, 511, 512, 4097])
def test_rhythm_does_not_depend_on_the_block_size(block):
    rng = np.random.default_rng(3)
    y = np.stack([clicks_at(CLICK_TIMES_S[:3], 1.5), 0.1 * rng.standard_normal(int(1.5 * SR_HZ))], 1)
    reference, ends = rhythm_of(y, block=SR_HZ, n_tracks=2)
    got, got_ends = rhythm_of(y, block=block, n_tracks=2)
    assert np.array_equal(got, reference) and np.array_equal(got_ends, ends)


def test_rhythm_off_leaves_the_values_zero_and_the_features_unchanged():
    y = clicks_at(CLICK_TIMES_S[:2], 1.2)[:, None]
    on = TrackAnalyzer(1, SR_HZ, rhythm=True)
    off = TrackAnalyzer(1, SR_HZ, rhythm=False)
    f_on, f_off = on.process(y).copy(), off.process(y).copy()
    assert np.array_equal(f_on, f_off)
    assert np.all(off.rhythm_out == 0) and np.any(on.rhythm_out[:, 0, RH_ONSET] > 0)


@njit
def _band_power(mag, lo, hi):
    return band_power(mag, lo, hi)


@njit
def _power_db(power, scale):
    return power_db(power, scale)


def test_level_and_band_formulas_match_numpy():
    rng = np.random.default_rng(7)
    x = (0.3 * rng.standard_normal(N_FFT)).astype(np.float32)
    assert hop_level_db(x, N_FFT - HOP, HOP) == pytest.approx(  # float32 sum, fast log: 1e-3 dB
        10 * np.log10(np.mean(x[-HOP:].astype(np.float64) ** 2)), abs=1e-3)
    mag = magnitude_frames(x, N_FFT, HOP)[0]
    w = periodic_hann(N_FFT)
    scale = 2.0 / (N_FFT * np.sum(w * w))
    bass_end, mid_end = band_edges(N_FFT, SR_HZ, 250.0, 4000.0)
    assert bass_end == 11 and mid_end == 171  # first bins at or above 250 and 4000 Hz (23.4 Hz bins)
    for lo, hi in ((1, bass_end), (bass_end, mid_end), (mid_end, mag.size), (5, 7)):
        power = _band_power(mag, lo, hi)
        assert power == pytest.approx(np.sum(mag[lo:hi].astype(np.float64) ** 2), rel=1e-5)  # a float32 sum
        expected = 10 * np.log10(scale * np.sum(mag[lo:hi].astype(np.float64) ** 2))
        assert _power_db(power, scale) == pytest.approx(expected, abs=1e-4)
    # noise: the mean square over all bands is about the signal's (Parseval, windowed)
    total = 10 * np.log10(scale * np.sum(mag[1:].astype(np.float64) ** 2))
    assert total == pytest.approx(10 * np.log10(np.mean(x.astype(np.float64) ** 2)), abs=0.5)


def test_fast_ln_is_within_4e_5_of_log():
    @njit
    def many(xs, out):
        for i in range(xs.size):
            out[i] = fast_ln(xs[i])

    xs = np.concatenate([1.0 + np.linspace(0, 1, 1001), np.geomspace(1.0, 1e6, 5001)])
    out = np.empty_like(xs)
    many(xs, out)
    assert np.max(np.abs(out - np.log(xs))) < 4e-5


def test_novelty_is_zero_for_a_steady_spectrum_and_rises_with_a_new_note():
    t = np.arange(2 * SR_HZ) / SR_HZ
    y = 0.3 * np.sin(2 * np.pi * 440.0 * t) + np.where(t >= 1.0, 0.3 * np.sin(2 * np.pi * 660.0 * t), 0.0)
    r, ends = rhythm_of(y)
    before = (ends > 0.3 * SR_HZ) & (ends < 0.95 * SR_HZ)
    assert np.max(r[before, 0, RH_NOVELTY]) < 0.01  # far below ONSET_DELTA (0.05)
    # the note starts 128 samples before the end of a hop (sample 48128); a tone's energy,
    # unlike a click's, is mostly in the next hop, where it is reported: within one hop
    onset_hops = ends[r[:, 0, RH_ONSET] > 0]
    assert np.any((onset_hops >= SR_HZ) & (onset_hops < SR_HZ + 2 * HOP))
    assert not np.any((onset_hops > 0.3 * SR_HZ) & (onset_hops < SR_HZ))


def test_detect_onsets_refuses_what_it_cannot_analyse():
    with pytest.raises(ParameterError):
        detect_onsets(np.zeros((2, 100)), SR_HZ)
    with pytest.raises(ParameterError):
        detect_onsets(np.zeros(100), SR_HZ, hop=4096, n_fft=2048)


def test_the_onset_bands_cover_every_bin_but_dc_and_split_at_the_band_limits():
    splits = band_edges(N_FFT, SR_HZ, 250.0, 4000.0)
    edges = filterbank_edges(N_FFT, SR_HZ, splits)
    assert edges[0] == 1 and edges[-1] == N_FFT // 2 + 1 and np.all(np.diff(edges) > 0)
    assert set(splits) <= set(edges.tolist())
    assert 30 < edges.size < 60  # 6 per octave, merged where narrower than a bin
