"""pytest-benchmark timings of each kernel on one 2048-sample frame at 48 kHz, next to librosa.

Run with ``make bench`` (``pytest bench/ --benchmark-only``). Each kernel is called through
a small jitted loop so that the figures exclude Python's call overhead; the librosa rows
show the same work done by the oracle.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from kernels.analyzer import TrackAnalyzer
from kernels.fftw import execute_r2c
from kernels.frame import frame_features
from kernels.pitch import top_pitches
from kernels.spectral import magnitude, spectral_features
from kernels.window import window_from_history

SR_HZ, N_FFT, HOP = 48000, 2048, 512
REPEAT = 200


@pytest.fixture(scope="module")
def analyzer():
    rng = np.random.default_rng(5)
    t = np.arange(SR_HZ) / SR_HZ
    y = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(SR_HZ)).astype(np.float32)
    an = TrackAnalyzer(1, SR_HZ, n_fft=N_FFT, hop=HOP)
    an.process(y[:, None])
    return an


@njit(cache=True)
def _repeat_window(n, history, window, fft_in):
    for _ in range(n):
        window_from_history(history, 100, window, fft_in)


@njit(cache=True)
def _repeat_fft(n, plan_address, fft_in, fft_out):
    for _ in range(n):
        execute_r2c(plan_address, fft_in, fft_out)


@njit(cache=True)
def _repeat_magnitude(n, fft_out, mag):
    for _ in range(n):
        magnitude(fft_out, mag)


@njit(cache=True)
def _repeat_spectral(n, mag, bin_hz, out):
    for _ in range(n):
        spectral_features(mag, bin_hz, out)


@njit(cache=True)
def _repeat_pitch(n, mag, peak, lo, hi, hz_per_bin, out):
    for _ in range(n):
        top_pitches(mag, peak, lo, hi, hz_per_bin, out)


@njit(cache=True)
def _repeat_frame(n, history, window, plan_address, fft_in, fft_out, mag, bin_hz, lo, hi, hz_per_bin, out):
    for _ in range(n):
        frame_features(history, 100, window, plan_address, fft_in, fft_out, mag, bin_hz, lo, hi, hz_per_bin, out)


def _per_call(benchmark, fn, *args):
    fn(1, *args)
    benchmark.extra_info["calls_per_round"] = REPEAT
    benchmark(fn, REPEAT, *args)


def test_window(benchmark, analyzer):
    _per_call(benchmark, _repeat_window, analyzer.history[0], analyzer.window, analyzer.fft_in)


def test_fft(benchmark, analyzer):
    _per_call(benchmark, _repeat_fft, analyzer.plan.address, analyzer.fft_in, analyzer.fft_out)


def test_magnitude(benchmark, analyzer):
    _per_call(benchmark, _repeat_magnitude, analyzer.fft_out, analyzer.mag)


def test_spectral_features(benchmark, analyzer):
    out = np.zeros(8, np.float32)
    _per_call(benchmark, _repeat_spectral, analyzer.mag, analyzer.bin_hz, out)


def test_pitches(benchmark, analyzer):
    out = np.zeros(8, np.float32)
    lo, hi = analyzer.pitch_bins[0]
    _per_call(benchmark, _repeat_pitch, analyzer.mag, analyzer.mag.max(), lo, hi, analyzer.hz_per_bin, out)


def test_channel_frame(benchmark, analyzer):
    """Window + FFT + all features + pitches of one track's frame (target: <= 8 µs)."""
    out = np.zeros(8, np.float32)
    lo, hi = analyzer.pitch_bins[0]
    _per_call(benchmark, _repeat_frame, analyzer.history[0], analyzer.window, analyzer.plan.address,
              analyzer.fft_in, analyzer.fft_out, analyzer.mag, analyzer.bin_hz, lo, hi, analyzer.hz_per_bin, out)


def test_librosa_channel_frame(benchmark):
    """The same job done by librosa, for the ratio (called REPEAT times per round too)."""
    import librosa

    y = np.random.default_rng(3).standard_normal(N_FFT).astype(np.float32)

    def repeat(n):
        for _ in range(n):
            S = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP, center=False))
            librosa.feature.spectral_centroid(S=S, sr=SR_HZ)
            librosa.feature.spectral_bandwidth(S=S, sr=SR_HZ)
            librosa.feature.spectral_flatness(S=S)
            librosa.feature.spectral_rolloff(S=S, sr=SR_HZ)
            librosa.piptrack(S=S, sr=SR_HZ)

    repeat(1)
    benchmark.extra_info["calls_per_round"] = 10
    benchmark.pedantic(repeat, args=(10,), rounds=10, iterations=1)
