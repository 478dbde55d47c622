"""OSC's 4-byte words in native ``uint32`` buffers: the view and the byte swap.

Every OSC field is 4-byte aligned and big-endian. The jitted writers (`mirage.osc.bundle`,
`mirage.osc.fixed_template`, `mirage.osc.hop_encoder`) therefore work on a byte buffer viewed
as native ``uint32`` words and store each value byte-swapped: one aligned store per field
instead of four byte stores.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["as_words", "bswap32"]


def as_words(buffer_bytes: np.ndarray) -> np.ndarray:
    """Native-endian uint32 view of a byte buffer (every OSC field is 4-byte aligned)."""
    return buffer_bytes.view(np.uint32)


@nb.njit("uint32(uint32)", cache=True, nogil=True)
def bswap32(word):
    """Reverse the byte order of a 32-bit word (LLVM lowers this to one bswap)."""
    return (
        ((word >> np.uint32(24)) & np.uint32(0xFF))
        | ((word >> np.uint32(8)) & np.uint32(0xFF00))
        | ((word << np.uint32(8)) & np.uint32(0xFF0000))
        | (word << np.uint32(24))
    )
