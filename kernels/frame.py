"""One channel-frame: window, FFT and every feature of one track's frame, fused."""

from __future__ import annotations

from numba import njit

from kernels.fftw import execute_r2c
from kernels.pitch import top_pitches
from kernels.spectral import magnitude, spectral_features
from kernels.window import window_from_history


@njit(cache=True, nogil=True)
def frame_features(
    history, start, window, plan_address, fft_in, fft_out, mag, bin_hz, lo_bin, hi_bin, hz_per_bin, out
):
    """All 8 features (`kernels.layout`) of the frame held in `history`, into `out`.

    ``S = |rfft(window * frame)|`` through FFTW, then `spectral_features` and `top_pitches`.
    `fft_in`, `fft_out` and `mag` are scratch buffers (aligned like the plan's); `bin_hz`
    is `kernels.spectral.bin_width_hz`, `hz_per_bin` is sr / n_fft (librosa's pitch scale).
    """
    window_from_history(history, start, window, fft_in)
    execute_r2c(plan_address, fft_in, fft_out)
    peak = magnitude(fft_out, mag)
    spectral_features(mag, bin_hz, out)
    top_pitches(mag, peak, lo_bin, hi_bin, hz_per_bin, out)
