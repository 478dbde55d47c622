"""The feature CSV of `mirage analyze`, formatted by a compiled kernel (no Python loop per row).

Columns (`HEADER`)::

    track,frame,time_s,centroid_hz,bandwidth_hz,flatness,rolloff_hz,pitch1_hz,...,pitch4_hz

Rows are ordered by frame, then track -- the order in which the real-time engine emits them.
``track`` is the 0-based track index (the n of ``/Lfmsg_ch{n}``), ``frame`` is k (librosa's
``center=False`` frame starting at sample k*hop), ``time_s = k*hop/sr`` with 12 significant
digits, the features with 9 significant digits, which is enough to read back the exact float32
(``%.9g`` round-trips every float32).

Why not `np.savetxt` or `csv.writer`: both format one Python float at a time (about 0.5 µs
each, ~6 µs per row), so a one-hour, 16-track analysis (5.4 M rows) would spend half a minute
writing text after a few seconds of analysis. A numpy-vectorised formatter was tried and was
no faster (it makes ~40 passes over a [rows, 17] byte matrix). `_format_block` is a numba
kernel that writes the bytes of a block of rows into a preallocated buffer, producing exactly
the text of Python's ``'%.{P}g' % value`` (tested against it on random float32 bit patterns).
"""

from __future__ import annotations

import math
from typing import BinaryIO

import numba
import numpy as np

from kernels.layout import FEATURE_NAMES, N_FEATURES

HEADER = "track,frame,time_s," + ",".join(FEATURE_NAMES)
"""The header of the features alone (`header_for` other columns)."""
FEATURE_DIGITS = 9   # round-trips float32
TIME_DIGITS = 12
ROWS_PER_CHUNK = 1 << 15
MAX_PRECISION = 12   # float64 arithmetic keeps the digits exact up to here (see _put_g)
_MAX_FIELD_BYTES = MAX_PRECISION + 9  # "-0.0000" + 12 digits, or "-d.ddd…e-308"


def _max_row_bytes(n_values: int) -> int:
    return 2 * 21 + (1 + n_values) * _MAX_FIELD_BYTES + 11


_MAX_ROW_BYTES = _max_row_bytes(N_FEATURES)


def header_for(columns=FEATURE_NAMES) -> str:
    """The header line (without newline) for rows of `columns` after track, frame, time_s."""
    return "track,frame,time_s," + ",".join(columns)

_POW10 = 10 ** np.arange(19, dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def _put_uint(buf, pos, v):
    """Write the decimal digits of the non-negative integer `v` at buf[pos:]; new pos."""
    n = 1
    while n < 19 and v >= _POW10[n]:
        n += 1
    for j in range(n):
        buf[pos + j] = 48 + (v // _POW10[n - 1 - j]) % 10
    return pos + n


@numba.njit(cache=True, nogil=True)
def _put_g(buf, pos, x, p):
    """Write ``'%.{p}g' % x`` at buf[pos:] (p <= 12); return the new position.

    The p significant digits are m = rint(|x| * 10^(p-1-e)) with e = floor(log10 |x|),
    corrected when log10 or the rounding carries across a power of ten. The float64 product
    is within 2^-52 of the exact value, far inside half a unit of the 9th (or 12th) digit, so
    the digits equal the correctly rounded ones except for values within ~1e-16 of a
    rounding boundary -- none exist among float32 values at p = 9.
    """
    if x != x:
        buf[pos] = 110; buf[pos + 1] = 97; buf[pos + 2] = 110  # nan
        return pos + 3
    if math.copysign(1.0, x) < 0.0:
        buf[pos] = 45  # '-'
        pos += 1
        x = -x
    if math.isinf(x):
        buf[pos] = 105; buf[pos + 1] = 110; buf[pos + 2] = 102  # inf
        return pos + 3
    if x == 0.0:
        buf[pos] = 48
        return pos + 1
    e = int(math.floor(math.log10(x)))
    m = int(np.rint(x * 10.0 ** (p - 1 - e)))
    for _ in range(2):
        if m >= _POW10[p]:
            e += 1
        elif m < _POW10[p - 1]:
            e -= 1
        else:
            break
        m = int(np.rint(x * 10.0 ** (p - 1 - e)))
    n_sig = p
    while n_sig > 1 and m % 10 == 0:
        m //= 10
        n_sig -= 1
    if -4 <= e < p:
        if e < 0:
            buf[pos] = 48
            buf[pos + 1] = 46
            pos += 2
            for _ in range(-e - 1):
                buf[pos] = 48
                pos += 1
            for j in range(n_sig):
                buf[pos + j] = 48 + (m // _POW10[n_sig - 1 - j]) % 10
            return pos + n_sig
        for j in range(e + 1):  # integer part, zero-filled past the significant digits
            buf[pos + j] = 48 + (m // _POW10[n_sig - 1 - j]) % 10 if j < n_sig else 48
        pos += e + 1
        if n_sig > e + 1:
            buf[pos] = 46
            pos += 1
            for j in range(e + 1, n_sig):
                buf[pos] = 48 + (m // _POW10[n_sig - 1 - j]) % 10
                pos += 1
        return pos
    buf[pos] = 48 + m // _POW10[n_sig - 1]
    pos += 1
    if n_sig > 1:
        buf[pos] = 46
        pos += 1
        for j in range(1, n_sig):
            buf[pos] = 48 + (m // _POW10[n_sig - 1 - j]) % 10
            pos += 1
    buf[pos] = 101  # 'e'
    buf[pos + 1] = 45 if e < 0 else 43
    pos += 2
    ae = -e if e < 0 else e
    if ae < 10:
        buf[pos] = 48
        pos += 1
    return _put_uint(buf, pos, ae)


@numba.njit(cache=True, nogil=True)
def _format_block(buf, features, frame_offset, hop, sr_hz, time_digits, feature_digits):
    """CSV lines for features[n_frames, n_tracks, n_feat] into buf; return the byte count."""
    pos = 0
    n_frames, n_tracks, n_feat = features.shape
    for i in range(n_frames):
        k = frame_offset + i
        time_s = (k * hop) / sr_hz
        for c in range(n_tracks):
            pos = _put_uint(buf, pos, c)
            buf[pos] = 44
            pos = _put_uint(buf, pos + 1, k)
            buf[pos] = 44
            pos = _put_g(buf, pos + 1, time_s, time_digits)
            for j in range(n_feat):
                buf[pos] = 44
                pos = _put_g(buf, pos + 1, np.float64(features[i, c, j]), feature_digits)
            buf[pos] = 10
            pos += 1
    return pos


def format_g(values: np.ndarray, precision: int) -> list[str]:
    """``['%.{precision}g' % v for v in values]``, through the kernel (for tests and tools)."""
    if not 1 <= precision <= MAX_PRECISION:
        raise ValueError(f"precision must be within 1..{MAX_PRECISION}, got {precision}")
    buf = np.empty(_MAX_FIELD_BYTES, dtype=np.uint8)
    out = []
    for v in np.asarray(values, dtype=np.float64).ravel():
        n = _put_g(buf, 0, float(v), precision)
        out.append(buf[:n].tobytes().decode())
    return out


def write_features(fh: BinaryIO, features: np.ndarray, *, hop: int, sr_hz: float,
                   frame_offset: int = 0, header: bool = True, columns=FEATURE_NAMES) -> int:
    """Write feature rows to a binary file; return the number of rows written.

    Parameters
    ----------
    fh : binary file
    features : float32 [n_frames, n_tracks, N_FEATURES]
        As `kernels.analyzer` returns them; row i is frame ``frame_offset + i``.
    hop : int
        Hop in samples (for ``time_s``).
    sr_hz : float
        Sample rate (for ``time_s``).
    columns : sequence of str
        The names of the values per track (default `FEATURE_NAMES`; ``mirage analyze`` adds
        the rhythm columns).
    """
    n_frames, n_tracks, n_feat = features.shape
    if n_feat != len(columns):
        raise ValueError(f"features must have {len(columns)} values per track, got {n_feat}")
    if header:
        fh.write(header_for(columns).encode() + b"\n")
    frames_per_chunk = max(1, ROWS_PER_CHUNK // max(1, n_tracks))
    buf = np.empty(frames_per_chunk * max(1, n_tracks) * _max_row_bytes(n_feat), dtype=np.uint8)
    for f0 in range(0, n_frames, frames_per_chunk):
        block = np.ascontiguousarray(features[f0:f0 + frames_per_chunk], dtype=np.float32)
        n = _format_block(buf, block, frame_offset + f0, int(hop), float(sr_hz),
                          TIME_DIGITS, FEATURE_DIGITS)
        fh.write(memoryview(buf)[:n])
    return n_frames * n_tracks
