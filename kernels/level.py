"""RMS level of one hop, in dB relative to full scale.

``level_db = 10 log10(max(mean(x^2), LEVEL_FLOOR_MS))`` over the hop's ``hop`` newest samples
(not windowed): a full-scale sine gives -3.01 dBFS, digital silence ``LEVEL_FLOOR_DB``. The
logarithm is `kernels.fast_log`'s (within 1.3e-4 dB): no call into libm in the callback.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from kernels.fast_log import fast_ln

LEVEL_FLOOR_DB = -120.0
LEVEL_FLOOR_MS = 1e-12
"""Mean square of ``LEVEL_FLOOR_DB``: what digital silence reads as."""
_DB_PER_NEPER = 10.0 / math.log(10.0)


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract", "nsz", "arcp"})
def hop_mean_square(samples, begin, count):
    """``mean(samples[begin:begin+count]^2)`` (a float32 sum, reassociated: LLVM may vectorise it)."""
    total = np.float32(0.0)
    for i in range(begin, begin + count):
        total += samples[i] * samples[i]
    return np.float64(total) / count


@njit(cache=True, nogil=True, inline="always")
def db_of_mean_square(mean_square):
    """``10 log10(max(mean_square, LEVEL_FLOOR_MS))``, through `kernels.fast_log` (to 1.3e-4 dB)."""
    if mean_square <= LEVEL_FLOOR_MS:
        return LEVEL_FLOOR_DB  # exactly: silence reads -120
    return _DB_PER_NEPER * fast_ln(mean_square)


@njit(cache=True, nogil=True)
def hop_level_db(samples, begin, count):
    """The hop's level in dBFS: `db_of_mean_square` of `hop_mean_square`."""
    return db_of_mean_square(hop_mean_square(samples, begin, count))
