"""Emotion features: offline == live for any block size, gain/rate behaviour, edge cases."""

import numpy as np
import pytest

from kernels.stft import magnitude_frames
from mirage.emotion.feature_layout import FEATURE_NAMES, N_FEATURES
from mirage.emotion.features import EmotionFeatures, extract
from mirage.errors import ParameterError

LEVEL = [FEATURE_NAMES.index(n) for n in ("s_level_db", "l_level_db", "e_level_db")]


def music_like(sr, seconds=8.0, seed=0):
    """Deterministic tone bursts (C-major-ish) plus a little noise, defined in seconds."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    x = 0.01 * rng.standard_normal(t.size)
    notes = [261.63, 329.63, 392.0, 523.25, 293.66, 349.23]
    for i, onset in enumerate(np.arange(0, seconds, 0.25)):
        f = notes[i % len(notes)]
        env = np.where(t >= onset, np.exp(-(t - onset) * 4.0), 0.0)
        x += 0.2 * env * np.sin(2 * np.pi * f * t)
    return x.astype(np.float32)


@pytest.mark.parametrize("sr", [44100, 48000])
def test_offline_equals_live_for_odd_block_sizes(sr):
    x = music_like(sr, 5.0)
    ref, times = extract(x, sr)
    assert ref.shape == (10, N_FEATURES)
    np.testing.assert_allclose(times, 0.5 * np.arange(1, 11))
    ex = EmotionFeatures(sr)
    sizes = [1] * 3000 + [64, 65, 511, 4096, 4097, 8193]
    chunks, i, k = [], 0, 0
    while i < x.size:
        n = sizes[k % len(sizes)] if k < len(sizes) else [65, 511, 4097][k % 3]
        chunks.append(ex.push(x[i:i + n])[0])
        i += n
        k += 1
    live = np.concatenate(chunks)
    assert np.array_equal(live, ref)  # bit-identical, not merely close


def test_step_times_are_window_ends_and_partial_tail_is_not_emitted():
    sr = 44100
    f, t = extract(music_like(sr, 1.74), sr)
    np.testing.assert_array_equal(t, [0.5, 1.0, 1.5])
    assert f.shape == (3, N_FEATURES)


def test_gain_changes_only_the_level_features():
    sr = 44100
    x = music_like(sr, 6.0)
    base, _ = extract(x, sr)
    for gain_db in (12.0, -12.0):
        g, _ = extract(x * np.float32(10 ** (gain_db / 20)), sr)
        np.testing.assert_allclose(g[:, LEVEL] - base[:, LEVEL], gain_db, atol=1e-3)
        other = np.setdiff1d(np.arange(N_FEATURES), LEVEL)
        np.testing.assert_allclose(g[:, other], base[:, other], atol=2e-3, rtol=1e-3)


def test_rate_independence_44k1_vs_48k():
    """Same music at two rates: spectral shape within 1 dB, key fit within 0.05, the rest
    within 10 % of its magnitude (median over steps; frame grids differ, so not exact)."""
    a, _ = extract(music_like(44100, 8.0), 44100)
    b, _ = extract(music_like(48000, 8.0), 48000)
    names = np.array(FEATURE_NAMES)
    shape = np.char.find(names, "shape") >= 0
    key = np.char.find(names, "key_") >= 0
    d = np.median(np.abs(a - b), axis=0)
    assert d[shape].max() < 1.0
    assert d[key].max() < 0.05
    rest = ~shape & ~key
    assert (d[rest] <= 0.1 * np.maximum(np.abs(a[:, rest]).mean(axis=0), 1.0)).all()


def test_silence_and_nonfinite_samples_give_finite_features():
    sr = 48000
    ex = EmotionFeatures(sr)
    x = np.zeros(3 * sr, np.float32)
    x[1000:1010] = np.nan
    x[2000] = np.inf
    f, _ = ex.push(x)
    assert f.shape == (6, N_FEATURES) and np.isfinite(f).all()
    assert ex.nonfinite_count == 11


@pytest.mark.parametrize("sr", [8000, 0, 1e9])
def test_bad_rate_is_a_parameter_error(sr):
    with pytest.raises(ParameterError, match=str(sr)[:3]):
        EmotionFeatures(sr)


def harmonic_chord(sr, midi_notes, decay, seconds=4.0):
    """Sustained tones with 8 partials of amplitude ``decay^(h−1)`` (a timbre knob)."""
    t = np.arange(int(seconds * sr)) / sr
    x = np.zeros(t.size)
    for note in midi_notes:
        f0 = 440.0 * 2 ** ((note - 69) / 12)
        for h in range(1, 9):
            x += 0.05 * decay ** (h - 1) * np.sin(2 * np.pi * h * f0 * t + h)
    return x.astype(np.float32)


def key_mode(x, sr):
    f, _ = extract(x, sr)
    return f[-1, FEATURE_NAMES.index("s_key_mode")]


@pytest.mark.parametrize("decay", [0.5, 0.8, 0.95])
def test_key_mode_names_major_and_minor_triads_for_dull_and_bright_timbres(decay):
    # a note's 5th partial is a major third two octaves up: counted as its own pitch class it
    # would pull every chord towards major, the more so the brighter the timbre
    sr = 44100
    major = key_mode(harmonic_chord(sr, [48, 60, 64, 67], decay), sr)  # C3 C4 E4 G4
    minor = key_mode(harmonic_chord(sr, [48, 60, 63, 67], decay), sr)  # C3 C4 Eb4 G4
    assert major > 0.1 and minor < -0.1


@pytest.mark.parametrize("decay", [0.5, 0.8, 0.95])
def test_note_chroma_gives_a_lone_note_its_own_pitch_class(decay):
    # A3 with 8 partials: A A E A C# E G A. As summed peak power its own class would hold
    # 0.55 of the chroma for the bright timbre; explained by notes, most of it is A's
    from mirage.emotion.chroma import note_chroma
    from mirage.emotion.semitones import semitone_db
    sr = 44100
    x = harmonic_chord(sr, [57], decay, seconds=1.0)
    ex = EmotionFeatures(sr)
    S = magnitude_frames(x, ex.n_fft, ex.hop) / np.float32(ex._wsum)
    semi = semitone_db(S * S, ex._freqs, ex._peaks_lo, ex._peaks_hi)
    chroma = note_chroma(semi).sum(axis=0)
    assert np.argmax(chroma) == 9 and chroma[9] / chroma.sum() > 0.7


def test_the_named_slots_cover_every_feature_once():
    from mirage.emotion import feature_layout as fl

    slots = [fl.SHAPE, fl.LEVEL_DB, fl.LEVEL_STD_DB, fl.LEVEL_SLOPE_DB_S, fl.LEVEL_RANGE_DB,
             fl.FLUX_MEAN, fl.FLUX_STD, fl.ONSET_RATE_HZ, fl.PULSE_CLARITY, fl.CENTROID_LOG2HZ,
             fl.FLATNESS, fl.CHROMA_ENTROPY, fl.KEY_FIT, fl.ONSET_RATE_1DB_HZ,
             fl.ONSET_RATE_3DB_HZ, fl.BEAT_PERIOD_S, fl.PEAK_ONSET_RATE_HZ, fl.PEAK_REGISTER]
    covered = np.zeros(fl.N_SHORT, int)
    for slot in slots:
        covered[slot] += 1
    assert covered.tolist() == [1] * fl.N_SHORT
    names = np.array(FEATURE_NAMES)
    parts = {part: names[s] for part, s in fl.PARTS.items()}
    assert sum(len(p) for p in parts.values()) == N_FEATURES
    assert parts["short"].tolist() == [f"s_{n}" for n in fl.SHORT_NAMES]
    assert parts["running"].tolist() == [f"e_{n}" for n in fl.SHORT_NAMES]
    assert parts["long_key"].tolist() == ["l_key_major_r15", "l_key_minor_r15", "l_key_mode15"]
    assert names[fl.KEY_FIT].tolist() == ["s_key_major_r", "s_key_minor_r", "s_key_mode"]
    assert names[fl.PEAK_REGISTER].tolist() == ["s_peak_height_st", "s_peak_spread_st", "s_peak_count"]


def test_frame_rows_have_the_layout_width():
    from mirage.emotion import feature_layout as fl

    ex = EmotionFeatures(44100)
    ex.push(music_like(44100, 1.0))
    rows = np.asarray(ex._frame_rows)
    assert rows.shape[1] == fl.N_FRAME_COLUMNS
    assert (rows[:, fl.FRAME_PEAK_COUNT] == rows[:, fl.FRAME_PEAK_REGISTER][:, 2]).all()
