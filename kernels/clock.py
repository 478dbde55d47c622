"""A monotonic nanosecond clock shared by Numba kernels, ``@cfunc`` callbacks and Python.

``monotonic_ns()`` reads ``CLOCK_MONOTONIC`` through libc's ``clock_gettime``. In jitted code
it is bound by *symbol name* (``numba.types.ExternalFunction``), not by a ctypes address baked
into the machine code, so ``cache=True`` functions that call it stay valid across processes;
the ``struct timespec`` lives on the caller's stack (an entry-block ``alloca``), so a call
allocates nothing and needs no GIL. In Python, the same name is ``time.monotonic_ns``, which
CPython implements with ``clock_gettime(CLOCK_MONOTONIC)`` on Linux: timestamps taken in a
PortAudio callback and in a Python thread are directly comparable.
"""

import sys
import time

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

__all__ = ["CLOCK_MONOTONIC", "monotonic_ns"]

if not sys.platform.startswith("linux"):  # pragma: no cover - the engine targets Linux
    raise ImportError("kernels.clock needs Linux (clock_gettime with CLOCK_MONOTONIC = 1)")

CLOCK_MONOTONIC = 1
"""Linux's clock id for ``CLOCK_MONOTONIC`` (``<linux/time.h>``)."""

_clock_gettime = types.ExternalFunction("clock_gettime", types.intc(types.intc, types.voidptr))


@intrinsic
def _stack_timespec(typingctx):
    """``void*`` to 16 bytes (``struct timespec``: int64 tv_sec, int64 tv_nsec) on the stack.

    The ``alloca`` is placed in the entry block of the *calling* function (intrinsics are
    emitted inline), so calling this in a loop does not grow the stack.
    """

    def codegen(context, builder, sig, args):
        slot = cgutils.alloca_once(builder, ir.ArrayType(ir.IntType(64), 2))
        return builder.bitcast(slot, ir.IntType(8).as_pointer())

    return types.voidptr(), codegen


def monotonic_ns():
    """Nanoseconds of ``CLOCK_MONOTONIC``; the same clock in Python and in jitted code."""
    return time.monotonic_ns()


@overload(monotonic_ns, nopython=True, nogil=True)
def _monotonic_ns_jit():
    def impl():
        ts_ptr = _stack_timespec()
        _clock_gettime(CLOCK_MONOTONIC, ts_ptr)
        ts = numba.carray(ts_ptr, 2, np.int64)
        return ts[0] * 1_000_000_000 + ts[1]

    return impl
