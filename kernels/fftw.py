"""FFTW's real FFT, callable from nopython code and from a ``@cfunc``.

pyfftw's Python objects cannot be called from a GIL-free callback, so this module binds
FFTW's C API directly, from the very FFTW library pyfftw itself loads (its bundled
``libfftw3``; Debian's ``libfftw3-double3`` as a fallback):

* planning (not thread-safe in FFTW, done once at start-up, under a lock) goes through
  ``ctypes``: ``fftw_plan_dft_r2c_1d(n, in, out, FFTW_MEASURE)`` on preallocated,
  SIMD-aligned buffers;
* execution (thread-safe in FFTW) goes through ``fftw_execute_dft_r2c(plan, in, out)``,
  declared to numba as an external symbol resolved by *name*, so jitted code that calls it
  can be cached on disk (a baked-in ctypes address could not).

Because pyfftw and this module share one library, pyfftw's wisdom (``pyfftw.import_wisdom``)
also serves these plans. The wisdom ``FFTW_MEASURE`` planning learns is kept in MIRAGE's cache
folder (`wisdom_path`), so a warm start plans instantly.

Precision: double. The transform of a float32 frame is computed in float64 and its
magnitude rounded to float32, exactly librosa's path (float64 window x float32 samples,
float64 FFT, complex64 result). Single-precision FFTW was measured first: ~0.8 µs faster
per 2048-point frame, but its round-off floor (~1e-7 of the peak in every bin) moved the
bandwidth of a pure tone by 6e-4 relative to librosa, over the 1e-4 parity target.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import importlib.util
import os
import platform
import threading
from pathlib import Path

import llvmlite.binding as llvm
import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

FFTW_MEASURE = 0
FFTW_ESTIMATE = 1 << 6


def _find_libfftw3() -> str:
    """Path of the (double-precision) libfftw3 that pyfftw loads, else the system's.

    pyfftw is located, not imported: importing it costs ~0.3-1.5 s of start-up here (its
    interfaces pull in scipy) and nothing of it is used at run time.
    """
    spec = importlib.util.find_spec("pyfftw")
    if spec is not None and spec.origin:
        here = os.path.dirname(os.path.dirname(spec.origin))
        bundled = sorted(glob.glob(os.path.join(here, "pyfftw.libs", "libfftw3-*.so*")))
        if bundled:
            return bundled[0]
    found = ctypes.util.find_library("fftw3")
    if found is None:
        raise ImportError("FFTW not found: install pyfftw or libfftw3-double3")
    return found


LIBRARY_PATH = _find_libfftw3()
_lib = ctypes.CDLL(LIBRARY_PATH)
llvm.load_library_permanently(LIBRARY_PATH)

_lib.fftw_plan_dft_r2c_1d.restype = ctypes.c_void_p
_lib.fftw_plan_dft_r2c_1d.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint]
_lib.fftw_alignment_of.restype = ctypes.c_int
_lib.fftw_alignment_of.argtypes = [ctypes.c_void_p]
_lib.fftw_import_wisdom_from_string.restype = ctypes.c_int
_lib.fftw_import_wisdom_from_string.argtypes = [ctypes.c_char_p]
_lib.fftw_export_wisdom_to_string.restype = ctypes.c_void_p
_lib.fftw_export_wisdom_to_string.argtypes = []
_lib.fftw_free.restype = None
_lib.fftw_free.argtypes = [ctypes.c_void_p]
_plan_lock = threading.Lock()
_wisdom = {"loaded": False, "text": b""}


def wisdom_path() -> Path:
    """FFTW's wisdom for this library, in MIRAGE's cache folder (`kernels.cache_dir`).

    ``FFTW_MEASURE`` planning times real transforms (~0.5 s for n_fft 2048 here); the wisdom
    it learns makes the same plan instant in the next process. Named after the library file
    (its version and build) and the machine type, since wisdom is valid for one FFTW build
    on one kind of CPU.
    """
    from kernels.cache_dir import cache_root

    return cache_root() / "fftw" / f"{os.path.basename(LIBRARY_PATH)}-{platform.machine()}.wisdom"


def _load_wisdom() -> None:
    """Import the saved wisdom once per process (under `_plan_lock`); a bad file is ignored."""
    if _wisdom["loaded"]:
        return
    _wisdom["loaded"] = True
    try:
        text = wisdom_path().read_bytes()
    except OSError:
        return
    if b"\0" not in text and _lib.fftw_import_wisdom_from_string(text):
        _wisdom["text"] = text


def _entries(wisdom: bytes) -> set[bytes]:
    """The lines of a wisdom text, as a set: what it knows, whatever the order."""
    return {line.strip() for line in wisdom.splitlines()}


def _save_wisdom() -> None:
    """Write FFTW's wisdom back when planning learned something (under `_plan_lock`)."""
    pointer = _lib.fftw_export_wisdom_to_string()
    if not pointer:
        return
    try:
        text = ctypes.string_at(pointer)
    finally:
        _lib.fftw_free(pointer)
    if _entries(text) == _entries(_wisdom["text"]):  # FFTW exports in no fixed order
        return
    path = wisdom_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(text)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old or the new file
        _wisdom["text"] = text
    except OSError:
        pass  # a read-only cache only costs planning time

_execute_dft_r2c = types.ExternalFunction(
    "fftw_execute_dft_r2c", types.void(types.voidptr, types.voidptr, types.voidptr)
)


@intrinsic
def _as_voidptr(typingctx, address):
    """Reinterpret an integer address as ``void *`` (LLVM ``inttoptr``)."""
    if not isinstance(address, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], cgutils.voidptr_t)

    return types.voidptr(address), codegen


@njit(cache=True, nogil=True)
def execute_r2c(plan_address, fft_in, fft_out):
    """Run a planned real→complex FFT: ``fft_out = rfft(fft_in)`` (unnormalised).

    Parameters
    ----------
    plan_address : int64
        Address of an ``fftw_plan`` made by `plan_r2c` for ``fft_in.size``.
    fft_in : float64[n_fft], aligned like the planning input
    fft_out : complex128[n_fft // 2 + 1], aligned like the planning output
    """
    _execute_dft_r2c(
        _as_voidptr(plan_address), _as_voidptr(fft_in.ctypes.data), _as_voidptr(fft_out.ctypes.data)
    )


def aligned_empty(n: int, dtype) -> np.ndarray:
    """A zeroed 1-D array aligned to 64 bytes (enough for any SIMD FFTW uses)."""
    dtype = np.dtype(dtype)
    raw = np.zeros(n * dtype.itemsize + 64, dtype=np.uint8)
    offset = (-raw.ctypes.data) % 64
    return raw[offset : offset + n * dtype.itemsize].view(dtype)


class R2CPlan:
    """An FFTW real→complex plan of size `n_fft` with its own aligned buffers.

    ``plan.fft_in`` (float64[n_fft]) and ``plan.fft_out`` (complex128[n_fft//2+1]) are the
    buffers the plan was measured on; ``plan.address`` is passed to `execute_r2c`. Any other
    pair of buffers with the same alignment may be used too (FFTW's new-array execute).
    The plan lives as long as this object (FFTW plans are never destroyed here: a handful
    exist per process, and destroying one under a running callback would be unsafe).
    """

    def __init__(self, n_fft: int, *, measure: bool = True):
        self.n_fft = int(n_fft)
        self.fft_in = aligned_empty(self.n_fft, np.float64)
        self.fft_out = aligned_empty(self.n_fft // 2 + 1, np.complex128)
        flags = FFTW_MEASURE if measure else FFTW_ESTIMATE
        with _plan_lock:
            if measure:
                _load_wisdom()
            address = _lib.fftw_plan_dft_r2c_1d(
                self.n_fft, self.fft_in.ctypes.data, self.fft_out.ctypes.data, flags
            )
            if measure and address:
                _save_wisdom()
        if not address:
            raise RuntimeError(f"FFTW could not plan a real FFT of size {self.n_fft}")
        self.fft_in[:] = 0.0
        self.address = np.int64(address)
