"""Magnitude STFT of one signal with the engine's framing, window and FFT.

``S[k] = |rfft(periodic_hann * x[k*hop : k*hop + n_fft])|`` (librosa ``center=False``),
computed with the same FFTW plan and magnitude kernel as the per-track features.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from kernels.analyzer import frames_in
from kernels.fftw import R2CPlan, aligned_empty, execute_r2c
from kernels.spectral import magnitude
from kernels.window import periodic_hann


@njit(cache=True, nogil=True)
def magnitude_frames_into(x, hop, window, plan_address, fft_in, fft_out, out):
    """Fill ``out[K, n_fft//2 + 1]`` with the magnitude spectra of the frames of `x`."""
    n_fft = window.size
    for k in range(out.shape[0]):
        begin = k * hop
        for i in range(n_fft):
            fft_in[i] = window[i] * x[begin + i]
        execute_r2c(plan_address, fft_in, fft_out)
        magnitude(fft_out, out[k])


_plans: dict[int, R2CPlan] = {}


def magnitude_frames(x: np.ndarray, n_fft: int = 2048, hop: int = 512) -> np.ndarray:
    """Magnitude spectrogram of mono `x`: float32 [K, n_fft//2 + 1], K = complete frames.

    NaN/Inf samples are treated as 0.
    """
    x = np.nan_to_num(np.ascontiguousarray(x, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    plan = _plans.get(n_fft)
    if plan is None:
        plan = _plans[n_fft] = R2CPlan(n_fft)
    out = np.empty((frames_in(x.size, n_fft, hop), n_fft // 2 + 1), dtype=np.float32)
    fft_in = aligned_empty(plan.fft_in.size, plan.fft_in.dtype)
    fft_out = aligned_empty(plan.fft_out.size, plan.fft_out.dtype)
    magnitude_frames_into(x, hop, periodic_hann(n_fft), plan.address, fft_in, fft_out, out)
    return out
