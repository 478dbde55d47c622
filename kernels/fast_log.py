"""A fast natural logarithm for the onset detector's log compression (about 3e-5 absolute error).

``x = m 2^e`` (`math.frexp`, m in [0.5, 1)), ``u = 2 m - 1`` in [0, 1)::

    ln x = ln 2 * (e - 1 + P(u)),   P: the degree-5 least-squares fit of log2(1 + u) on [0, 1]

(max |P(u) - log2(1 + u)| = 3.2e-5). About 4x faster than ``math.log1p`` in the per-band
loop; the detector only compares these values, so the error does not matter, and offline and
live run the same code.
"""

from __future__ import annotations

import math

from numba import njit

_LN2 = math.log(2.0)
_P5, _P4, _P3, _P2, _P1, _P0 = (
    4.34289078e-02, -1.87722635e-01, 4.08721744e-01, -7.05704158e-01, 1.44126742e+00, 3.19081312e-05,
)


@njit(cache=True, nogil=True, inline="always")
def fast_ln(x):
    """ln(x) for x > 0, to about 3e-5."""
    m, e = math.frexp(x)
    u = 2.0 * m - 1.0
    p = ((((_P5 * u + _P4) * u + _P3) * u + _P2) * u + _P1) * u + _P0
    return _LN2 * (e - 1 + p)
