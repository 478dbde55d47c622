"""Room and noise augmentation of a rendered piece: a synthetic reverb plus coloured noise.

A piece's ``room`` render is one of its training renders (``fluid``, ``musescore``,
``fluid_prog``, drawn per piece) passed through:

1. a synthetic room impulse response ``h = δ(t) + g · n(t − d) · 10^(−3 (t − d) / RT60)``,
   ``n`` white noise through a one-pole low-pass (cutoff ``fc``), pre-delay ``d``, and ``g``
   set so that the direct-to-reverberant energy ratio is ``DRR`` dB;
2. additive noise of slope ``β`` (power ∝ f^−β: 0 white, 1 pink, 2 brown) at ``SNR`` dB
   relative to the mean power of the piece's audible part (frames above −60 dB re the max).

Parameters per piece, uniform: ``RT60`` 0.3–2.5 s, ``DRR`` −6…+9 dB, ``d`` 5–30 ms,
``fc`` 2–10 kHz, ``β`` 0–2, ``SNR`` 12–40 dB. Deterministic: the generator is seeded from the
piece id. Level augmentation is not done here (the training applies ±12 dB gains).
"""

from __future__ import annotations

import numpy as np


def room_impulse(sr_hz: float, rng: np.random.Generator) -> np.ndarray:
    """``float64[n]``: direct path at 0 plus a decaying, low-passed noise tail."""
    from scipy.signal import lfilter

    rt60 = rng.uniform(0.3, 2.5)
    drr_db = rng.uniform(-6.0, 9.0)
    delay = int(rng.uniform(0.005, 0.030) * sr_hz)
    fc = rng.uniform(2000.0, 10000.0)
    n = int(rt60 * 1.2 * sr_hz)
    tail = rng.standard_normal(n)
    a = np.exp(-2 * np.pi * fc / sr_hz)  # one-pole low-pass y[i] = (1−a)·x[i] + a·y[i−1]
    tail = lfilter([1 - a], [1, -a], tail)
    tail *= 10.0 ** (-3.0 * np.arange(n) / (rt60 * sr_hz))
    tail *= np.sqrt(10.0 ** (-drr_db / 10.0) / np.sum(tail ** 2))
    h = np.zeros(delay + n)
    h[0] = 1.0
    h[delay:] += tail
    return h


def coloured_noise(n: int, beta: float, rng: np.random.Generator) -> np.ndarray:
    """``float64[n]`` of unit power with a power spectrum ∝ f^−β (DC removed)."""
    from scipy.fft import irfft, next_fast_len, rfft
    m = next_fast_len(n, real=True)
    spec = rfft(rng.standard_normal(m))
    f = np.arange(spec.size, dtype=np.float64)
    f[0] = 1.0
    spec *= f ** (-beta / 2.0)
    spec[0] = 0.0
    x = irfft(spec, m)[:n]
    return x / (np.sqrt(np.mean(x ** 2)) + 1e-30)


def audible_power(x: np.ndarray, sr_hz: float) -> float:
    """Mean power of the 50 ms frames within 60 dB of the loudest one."""
    m = int(0.05 * sr_hz)
    k = x.size // m
    if k == 0:
        return float(np.mean(x ** 2)) if x.size else 0.0
    p = np.mean(x[:k * m].astype(np.float64).reshape(k, m) ** 2, axis=1)
    return float(p[p >= 1e-6 * p.max()].mean()) if p.max() > 0 else 0.0


def room_and_noise(x: np.ndarray, sr_hz: float, rng: np.random.Generator) -> np.ndarray:
    """``float32``: ``x`` reverberated (same length) plus noise at a random SNR."""
    from scipy.signal import fftconvolve
    y = fftconvolve(x.astype(np.float64), room_impulse(sr_hz, rng))[:x.size]
    beta = rng.uniform(0.0, 2.0)
    snr_db = rng.uniform(12.0, 40.0)
    y += coloured_noise(y.size, beta, rng) * np.sqrt(audible_power(y, sr_hz) * 10 ** (-snr_db / 10))
    return y.astype(np.float32)
