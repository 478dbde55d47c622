"""A fast natural logarithm for the onset detector's log compression (about 3e-5 absolute error).

``x = 2^e m`` read from the float64's bits (m in [1, 2), ``u = m - 1``)::

    ln x = ln 2 * (e + P(u)),   P: the degree-5 least-squares fit of log2(1 + u) on [0, 1]

(max |P(u) - log2(1 + u)| = 3.2e-5). No call into libm, so the per-band loop stays cheap;
the detector only compares these values, so the error does not matter, and offline and
live run the same code. For positive normal x only (the detector passes ``1 + a``, a >= 0).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_LN2 = math.log(2.0)
_P5, _P4, _P3, _P2, _P1, _P0 = (
    4.34289078e-02, -1.87722635e-01, 4.08721744e-01, -7.05704158e-01, 1.44126742e+00, 3.19081312e-05,
)
_MANTISSA = np.int64((1 << 52) - 1)
_ONE_BITS = np.int64(1023 << 52)


@njit(cache=True, nogil=True, inline="always")
def fast_ln(x):
    """ln(x) for positive normal x, to about 3e-5."""
    bits = np.float64(x).view(np.int64)
    e = (bits >> 52) - 1023
    mantissa_bits = np.int64((bits & _MANTISSA) | _ONE_BITS)
    u = mantissa_bits.view(np.float64) - 1.0
    p = ((((_P5 * u + _P4) * u + _P3) * u + _P2) * u + _P1) * u + _P0
    return _LN2 * (e + p)
