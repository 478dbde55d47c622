"""Cases whose features are known by hand, bad samples, and block-size invariance."""

from __future__ import annotations

import numpy as np
import pytest

from kernels.analyzer import TrackAnalyzer, analyze_tracks, frames_in
from kernels.analyzer_counters import FRAMES, PENDING_END, PENDING_TRACK, TRACK_FRAMES
from kernels.stft import magnitude_frames
from tests.signals import SR_HZ, synthetic_set

N_FFT, HOP = 2048, 512
BIN_HZ = SR_HZ / N_FFT


def features_of(y, **kw):
    return analyze_tracks(np.asarray(y, np.float32)[None, :], SR_HZ, **kw)[:, 0, :].astype(np.float64)


def test_cosine_on_a_bin_has_its_frequency_as_centroid_and_pitch():
    # A periodic Hann turns a cosine on bin k into bins k-1, k, k+1 weighted 1/4, 1/2, 1/4.
    # k = n_fft / 4: the samples are 1, 0, -1, 0, ... (exact in float32, no noise floor).
    k = N_FFT // 4
    t = np.arange(SR_HZ) / SR_HZ
    f = np.mean(features_of(np.cos(2 * np.pi * k * BIN_HZ * t), pitch_ranges_hz=[[20.0, 20000.0]]), axis=0)
    assert f[0] == pytest.approx(k * BIN_HZ, rel=1e-6)
    assert f[1] == pytest.approx(BIN_HZ * np.sqrt(0.5), rel=1e-4)  # sqrt((2 * 1/4 * df^2) / 1)
    assert f[3] == pytest.approx((k + 1) * BIN_HZ)  # cumulative 1/4, 3/4, then 1 >= 0.85
    assert f[4] == pytest.approx(k * BIN_HZ, abs=1e-3)
    assert 0 < f[2] < 1e-3  # three bins out of 1025: far from flat
    assert np.all(f[5:] == 0.0)


def test_pure_tone_pitch_between_bins():
    for freq in (220.0, 440.0, 1234.5):
        f = features_of(np.sin(2 * np.pi * freq * np.arange(SR_HZ) / SR_HZ))
        # parabolic interpolation on a Hann main lobe: within a few Hz of the truth
        assert np.all(np.abs(f[:, 4] - freq) < 0.1 * BIN_HZ)


def test_silence_gives_librosa_silence_values():
    f = features_of(np.zeros(SR_HZ))
    assert np.all(f[:, :4] == [0.0, 0.0, 1.0, 0.0])
    assert np.all(f[:, 4:] == 0.0)


def test_dc_is_a_third_of_a_bin():
    # DC through a periodic Hann: bin 0 gets 1/2, bin 1 gets 1/4 -> centroid = df/3, roll-off at bin 1.
    f = features_of(np.full(SR_HZ, 0.25))
    assert np.allclose(f[:, 0], BIN_HZ / 3, rtol=1e-5)
    assert np.allclose(f[:, 3], BIN_HZ)
    assert np.all(f[:, 4:] == 0.0)


def test_white_noise_flatness_is_exp_minus_euler_gamma():
    # |X|^2 of white Gaussian noise is exponential: E ln P = ln E P - gamma.
    rng = np.random.default_rng(7)
    f = features_of(rng.standard_normal(SR_HZ * 4))
    assert np.median(f[:, 2]) == pytest.approx(np.exp(-np.euler_gamma), rel=0.05)
    assert np.median(f[:, 0]) == pytest.approx(SR_HZ / 4, rel=0.03)


def test_clipping_does_not_break_anything():
    f = features_of(np.clip(10 * np.sin(2 * np.pi * 300 * np.arange(SR_HZ) / SR_HZ), -1, 1))
    assert np.all(np.isfinite(f))
    assert np.all(np.abs(f[:, 4] - 300) < 3)


def test_nan_and_inf_are_counted_and_treated_as_zero():
    y = synthetic_set()["chord"].copy()
    bad = np.arange(1000, 30000, 997)
    y_bad = y.copy()
    y_bad[bad[0::3]] = np.nan
    y_bad[bad[1::3]] = np.inf
    y_bad[bad[2::3]] = -np.inf
    y_zero = y.copy()
    y_zero[bad] = 0.0
    analyzer = TrackAnalyzer(1, SR_HZ)
    got = analyzer.process(y_bad[:, None]).copy()
    assert analyzer.nonfinite_samples == bad.size
    assert np.all(np.isfinite(got))
    assert np.array_equal(got, analyze_tracks(y_zero[None, :], SR_HZ)[: len(got), 0][:, None, :].reshape(got.shape))


def test_huge_values_stay_finite():
    y = (1e8 * synthetic_set()["white_noise"]).astype(np.float32)
    assert np.all(np.isfinite(features_of(y)))


@pytest.mark.parametrize("block", [1, 64, 65, 511, 4096, 4097])
def test_any_block_size_gives_identical_frames(block):
    signals = synthetic_set()
    audio = np.stack([signals["chord"], signals["white_noise"], signals["clicks"]])
    whole = analyze_tracks(audio, SR_HZ)
    analyzer = TrackAnalyzer(3, SR_HZ, max_block=block)
    interleaved = np.ascontiguousarray(audio.T)  # [N, C], as PortAudio delivers it
    parts = [analyzer.process(interleaved[i : i + block]).copy() for i in range(0, interleaved.shape[0], block)]
    streamed = np.concatenate(parts)
    assert streamed.shape == whole.shape
    assert np.array_equal(streamed, whole)


@pytest.mark.parametrize("block", [1, 64, 65, 127, 256])
def test_bounded_work_per_block_gives_identical_frames(block):
    """The callback's schedule: at most ceil(C * block / hop) track-frames per call, never a
    whole hop of 16 tracks at once for small blocks, and still every frame, bit for bit."""
    n_tracks = 16
    signals = synthetic_set()
    audio = np.stack([signals[name] for name in ("chord", "white_noise", "clicks", "a440")] * 4)
    audio *= np.linspace(0.25, 1.0, n_tracks, dtype=np.float32)[:, None]  # 16 different tracks
    whole = analyze_tracks(audio, SR_HZ)
    analyzer = TrackAnalyzer(n_tracks, SR_HZ, max_block=block)
    interleaved = np.ascontiguousarray(audio.T)
    quota = -(-n_tracks * block // HOP)
    parts, per_call = [], []
    for i in range(0, interleaved.shape[0], block):
        before = analyzer.counters[TRACK_FRAMES]
        parts.append(analyzer.process(interleaved[i : i + block], min_track_frames=quota).copy())
        per_call.append(analyzer.counters[TRACK_FRAMES] - before)
    parts.append(analyzer.process(interleaved[:0]).copy())  # the last frame, finished on demand
    streamed = np.concatenate(parts)
    assert np.array_equal(streamed, whole)
    assert max(per_call) <= quota < n_tracks


def test_time_left_before_the_deadline_finishes_frames_early():
    """One track-frame is the minimum; with time left (a deadline far ahead) the call that
    completes a frame also finishes it, and with none (deadline 0) only the minimum is done."""

    audio = np.tile(synthetic_set()["chord"][: 4 * 2048], (4, 1))
    interleaved = np.ascontiguousarray(audio.T)
    for deadline_ns, pending_after in ((1 << 62, 0), (0, 3)):  # never reached; already past
        analyzer = TrackAnalyzer(4, SR_HZ, max_block=64)
        left = []
        for i in range(0, interleaved.shape[0], 64):
            completed = analyzer.counters[FRAMES]
            analyzer.process(interleaved[i : i + 64], min_track_frames=1, deadline_ns=deadline_ns)
            if analyzer.counters[FRAMES] > completed:
                left.append(4 - analyzer.counters[PENDING_TRACK] if analyzer.counters[PENDING_END] else 0)
        assert set(left) == {pending_after}


def test_channel_map_picks_input_columns():
    signals = synthetic_set()
    block = np.stack([signals["clicks"], signals["chord"], signals["white_noise"]], axis=1)
    analyzer = TrackAnalyzer(2, SR_HZ, channel_map=[2, 0], max_block=block.shape[0])
    got = analyzer.process(block)
    expected = analyze_tracks(np.stack([signals["white_noise"], signals["clicks"]]), SR_HZ)
    assert np.array_equal(got, expected)


def test_frame_count_and_short_input():
    assert frames_in(2047, N_FFT, HOP) == 0
    assert frames_in(2048, N_FFT, HOP) == 1
    assert frames_in(2048 + 511, N_FFT, HOP) == 1
    assert frames_in(2048 + 512, N_FFT, HOP) == 2
    assert analyze_tracks(np.zeros((2, 100), np.float32), SR_HZ).shape == (0, 2, 8)


def test_bad_parameters_are_parameter_errors():
    from mirage.errors import ParameterError

    for kwargs in (dict(n_fft=8), dict(hop=0), dict(hop=2049), dict(pitch_ranges_hz=np.zeros((3, 2)))):
        with pytest.raises(ParameterError):
            TrackAnalyzer(2, SR_HZ, **kwargs)
    with pytest.raises(ParameterError):
        TrackAnalyzer(0, SR_HZ)


def test_magnitude_frames_match_numpy():
    y = synthetic_set()["chord"]
    S = magnitude_frames(y, 2048, 512)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(2048) / 2048)
    k = 7
    ref = np.abs(np.fft.rfft(window * y[k * 512 : k * 512 + 2048]))
    assert np.allclose(S[k], ref, rtol=1e-5, atol=1e-6 * ref.max())
