"""Keep the audio callback's memory in RAM before the stream starts: no page fault in the callback.

``np.zeros`` of more than ~128 kB is a fresh anonymous mapping whose pages the kernel provides
on first write: the callback would take those faults itself, one per 4 kB page, in its first
seconds (measured: 320 minor faults in the JACK thread of a 64-track engine, the tracks'
1.3 MB sample history, and none once every page had been written). Here each region the
callback reaches through its state table is

- locked with ``mlock(2)`` — which makes its pages present now and keeps them from being
  swapped out during the show (what JACK and Ardour do for their buffers); where the memory
  lock limit (``ulimit -l``, RLIMIT_MEMLOCK) refuses it,
- written in place, one byte per page (the byte it already holds): present now, but
  swappable under memory pressure.

Locking is per region, not ``mlockall``: the whole process (numba, LLVM, numpy) would pin
~300 MB to protect a few MB.
"""

from __future__ import annotations

import ctypes
import mmap
from dataclasses import dataclass

import numpy as np

PAGE_BYTES = mmap.PAGESIZE


@dataclass
class Residency:
    """What `keep_resident` did: bytes locked, bytes only touched, regions seen."""

    locked_bytes: int = 0
    touched_bytes: int = 0
    regions: int = 0

    def describe(self) -> str:
        """One line for the log."""
        mb = 1024 * 1024
        if self.touched_bytes == 0:
            return f"the callback's memory is locked in RAM ({self.locked_bytes / mb:.1f} MB in {self.regions} regions)"
        return (f"the callback's memory is in RAM but not locked ({self.touched_bytes / mb:.1f} MB; "
                f"mlock refused, see `ulimit -l`): it may be swapped out under memory pressure")


def _libc_mlock():
    try:
        mlock = ctypes.CDLL(None, use_errno=True).mlock
    except (OSError, AttributeError):
        return None
    mlock.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
    mlock.restype = ctypes.c_int
    return mlock


def _touch_pages(array: np.ndarray) -> None:
    """Write every page of ``array``'s buffer with the byte it holds (a write fault now)."""
    raw = array.reshape(-1).view(np.uint8)
    first = (-array.ctypes.data) % PAGE_BYTES  # the first byte of each page the buffer spans
    raw[first::PAGE_BYTES] = raw[first::PAGE_BYTES].copy()  # a copy: numpy skips assigning a view to itself
    if first:
        raw[0] = raw[0]


def keep_resident(arrays) -> Residency:
    """Lock (or, where refused, pre-fault) the buffers of ``arrays`` (C-contiguous ndarrays)."""
    mlock = _libc_mlock()
    result = Residency()
    for array in arrays:
        if array.nbytes == 0:
            continue
        result.regions += 1
        if mlock is not None and mlock(array.ctypes.data, array.nbytes) == 0:
            result.locked_bytes += array.nbytes
        else:
            _touch_pages(array)
            result.touched_bytes += array.nbytes
    return result
