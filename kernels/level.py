"""RMS level of one hop, in dB relative to full scale.

``level_db = 10 log10(max(mean(x^2), LEVEL_FLOOR_MS))`` over the hop's ``hop`` newest samples
(not windowed): a full-scale sine gives -3.01 dBFS, digital silence ``LEVEL_FLOOR_DB``.
"""

from __future__ import annotations

import math

from numba import njit

LEVEL_FLOOR_DB = -120.0
LEVEL_FLOOR_MS = 1e-12
"""Mean square of ``LEVEL_FLOOR_DB``: what digital silence reads as."""


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract", "nsz", "arcp"})
def hop_level_db(samples, begin, count):
    """``10 log10(max(mean(samples[begin:begin+count]^2), LEVEL_FLOOR_MS))`` (float64 sums)."""
    total = 0.0
    for i in range(begin, begin + count):
        v = float(samples[i])
        total += v * v
    return 10.0 * math.log10(max(total / count, LEVEL_FLOOR_MS))
