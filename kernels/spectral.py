"""Spectral centroid, bandwidth, flatness and roll-off of one magnitude frame.

Definitions (librosa's, with ``S`` the magnitude spectrum and ``f`` the bin frequencies)::

    centroid  = sum(f S) / sum(S)
    bandwidth = sqrt(sum(S (f - centroid)^2) / sum(S))          (p = 2, norm = True)
    flatness  = exp(mean(ln P)) / mean(P),  P = max(1e-10, S^2)
    rolloff   = min{ f_k : sum_{j<=k} S_j >= 0.85 sum(S) }

A silent frame gives centroid 0, bandwidth 0, flatness 1, roll-off 0 (librosa's values).
Sums are accumulated in float64 whatever the input precision.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from kernels.layout import BANDWIDTH, CENTROID, FLATNESS, ROLLOFF


def bin_width_hz(n_fft: int, sr_hz: float) -> float:
    """``1 / (n_fft / sr)``, computed as numpy's ``rfftfreq`` does, so ``k * bin_width_hz``
    equals ``rfftfreq(n_fft, 1 / sr)[k]`` bit for bit."""
    return 1.0 / (n_fft * (1.0 / sr_hz))

ROLLOFF_FRACTION = 0.85
FLATNESS_AMIN = 1e-10
# Products of 16 P values stay normal float64 numbers for S up to 1e9 (P up to 1e18,
# 16 * 18 < 308) and down to P = 1e-10 (16 * -10 > -308).
_BLOCK = 16
_LN2 = math.log(2.0)
_TINY32 = float(np.finfo(np.float32).tiny)
# Reassociation lets LLVM vectorise the sums (results move by float64 round-off only);
# no "finite-math" flags: inputs are finite by construction, but nothing relies on it.
_SUMS = {"reassoc", "contract", "nsz", "arcp"}


@njit(cache=True, nogil=True, fastmath=_SUMS)
def magnitude(spectrum, mag):
    """``mag[k] = |complex64(spectrum[k])|`` as float32; returns ``max(mag)``.

    The float64 spectrum is first rounded to complex64 and its modulus then rounded to
    float32, as librosa does (its STFT output is complex64).

    Parameters
    ----------
    spectrum : complex128[n_bins]
    mag : float32[n_bins], output
    """
    peak = np.float32(0.0)
    for k in range(spectrum.size):
        re = np.float64(np.float32(spectrum[k].real))
        im = np.float64(np.float32(spectrum[k].imag))
        mag[k] = np.float32(math.sqrt(re * re + im * im))
    for k in range(mag.size):
        peak = max(peak, mag[k])
    return peak


@njit(cache=True, nogil=True, fastmath=_SUMS)
def spectral_features(mag, bin_hz, out):
    """Write centroid, bandwidth, flatness and roll-off of `mag` into ``out[0:4]``.

    Parameters
    ----------
    mag : float32[n_bins]
        Magnitude spectrum of one frame.
    bin_hz : float64
        Frequency step of the bins, ``f_k = k * bin_hz``; with `bin_width_hz` this is
        bit for bit numpy's (and librosa's) ``rfftfreq(n_fft, 1 / sr)``. (A table of the
        frequencies would be 8 KB more to bring into cache per callback.)
    out : float32[>= 4]
        Output, in the order of `kernels.layout`.
    """
    n_bins = mag.size
    total = 0.0
    moment1 = 0.0  # sum S k
    moment2 = 0.0  # sum S k^2
    for k in range(n_bins):
        s = np.float64(mag[k])
        kf = np.float64(k)
        total += s
        moment1 += s * kf
        moment2 += s * kf * kf
    moment1 *= bin_hz
    moment2 *= bin_hz * bin_hz
    norm = total if total >= _TINY32 else 1.0
    centroid = moment1 / norm
    # sum S (f - c)^2 = sum S f^2 - 2 c sum S f + c^2 sum S, in float64.
    spread = (moment2 - 2.0 * centroid * moment1 + centroid * centroid * total) / norm
    out[CENTROID] = centroid
    out[BANDWIDTH] = math.sqrt(spread) if spread > 0.0 else 0.0

    # Flatness: sum ln P as the log of block products, renormalised with frexp after each
    # block so that one log serves the whole frame.
    power_sum = 0.0
    product = 1.0
    exponent_sum = 0
    k = 0
    while k < n_bins:
        stop = min(k + _BLOCK, n_bins)
        block_product = 1.0
        for j in range(k, stop):
            s = np.float64(mag[j])
            p = max(FLATNESS_AMIN, s * s)
            block_product *= p
            power_sum += p
        product, exponent = math.frexp(product * block_product)
        exponent_sum += exponent
        k = stop
    log_sum = math.log(product) + exponent_sum * _LN2
    out[FLATNESS] = math.exp(log_sum / n_bins) / (power_sum / n_bins)

    # Roll-off: skip whole blocks while the running sum stays below the threshold.
    threshold = ROLLOFF_FRACTION * total
    running = 0.0
    k = 0
    while k + _BLOCK <= n_bins:
        block_sum = 0.0
        for j in range(k, k + _BLOCK):
            block_sum += np.float64(mag[j])
        if running + block_sum >= threshold:
            break
        running += block_sum
        k += _BLOCK
    rolloff = np.float64(n_bins - 1) * bin_hz
    for j in range(k, n_bins):
        running += np.float64(mag[j])
        if running >= threshold:
            rolloff = np.float64(j) * bin_hz
            break
    out[ROLLOFF] = rolloff
