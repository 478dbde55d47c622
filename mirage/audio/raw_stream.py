"""PortAudio streams whose callback is a Numba ``@cfunc``: no Python, no GIL, no allocation.

PortAudio calls the callback on its audio thread with the C signature::

    int callback(const void *input, void *output, unsigned long frameCount,
                 const PaStreamCallbackTimeInfo *timeInfo,
                 PaStreamCallbackFlags statusFlags, void *userData);

`RawStream` hands the ``@cfunc``'s address straight to ``Pa_OpenStream`` through
sounddevice's low-level ``_StreamBase`` (``wrap_callback=None``), so no Python frame and no
GIL acquisition ever happens per block: other Python threads may spin without moving the
callback's timing. Samples are interleaved float32: ``input[frames, channels_in]``,
``output[frames, channels_out]``.

State table
-----------
``userData`` is the address of a `StateTable`: an int64 array from which the callback
rebuilds every array it needs with ``numba.carray(address_as_voidptr(table[i]), shape,
dtype)``. Its layout — every slot, who writes it, who reads it — is
`mirage.audio.state_table_layout`: the stream's own slots (geometry, the address of the stats
array and of the timing ring of one ``(start_ns, duration_ns, frames, status_flags)`` record
per callback), then from ``ST_USER`` on the callback's own entries (ring addresses, array
addresses, parameters), which `StateTable.set` stores, keeping the objects alive as long as
the table. PortAudio's return codes and status flags are in `mirage.audio.portaudio_codes`.

A callback is built with `make_callback(process)` from an ``@njit`` kernel
``process(table, inp, out)``; the generated ``@cfunc`` wraps it with `callback_views` (the
arguments as arrays), `callback_begin` (counts the callback and the xrun flags, takes the
start time) and `callback_end` (duration into the histogram and the timing ring).
`make_callback` compiles in every process; a callback used on every run is a closure-free
``@cfunc`` with the same four-line body, which numba's disk cache finds again (see
`make_callback` for why).
`capture_callback()` is the reusable demonstration: it copies each input block into a ring
of hops (``table[CAPTURE_RING]``) and writes pass-through or silence to the output.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numba
import numpy as np
from numba import cfunc, njit, types

from kernels.atomics import address_as_voidptr, store_release
from kernels.clock import monotonic_ns
from kernels.ring import Ring, ring_pop, ring_publish, ring_reserve, ring_view_2d, ring_view_3d
from mirage.audio.portaudio_codes import (
    PA_CONTINUE, PA_INPUT_OVERFLOW, PA_INPUT_UNDERFLOW, PA_OUTPUT_OVERFLOW, PA_OUTPUT_UNDERFLOW, PA_PRIMING_OUTPUT,
    PA_XRUN_MASK,
)
from mirage.audio.portaudio_reload import JACK_HOSTAPI_NAME
from mirage.audio.state_table_layout import (
    CAPTURE_PASS_THROUGH, CAPTURE_RING, HIST_BINS, S_CALLBACKS, S_FRAMES, S_HIST, S_INPUT_OVERFLOW,
    S_INPUT_UNDERFLOW, S_LAST_START_NS, S_MAX_DURATION_NS, S_ODD_BLOCKS, S_OUTPUT_OVERFLOW, S_OUTPUT_UNDERFLOW,
    S_PRIMING, S_XRUN_CALLBACKS, ST_BLOCKSIZE, ST_CH_IN, ST_CH_OUT, ST_MAGIC, ST_SAMPLERATE, ST_STATS, ST_TIMING,
    ST_USER, STATE_MAGIC, STATE_TABLE_LEN, STATS_LEN, T_DURATION_NS, T_FRAMES, T_START_NS, T_STATUS, TIMING_LEN,
)
from mirage.errors import InputError, ParameterError

if TYPE_CHECKING:
    import sounddevice

__all__ = [
    "PA_CALLBACK_SIG",
    "RawStream",
    "StateTable",
    "make_callback",
    "callback_views",
    "callback_begin",
    "callback_end",
    "capture_callback",
    "reinitialize_portaudio",
    "find_jack_device",
    "JACK_HOSTAPI_NAME",
]

PA_CALLBACK_SIG = types.intc(types.voidptr, types.voidptr, types.ulong, types.voidptr, types.ulong, types.voidptr)
"""Numba signature of ``PaStreamCallback``."""


# --------------------------------------------------------------------------- jitted helpers


@njit(cache=True, nogil=True)
def _bump(stats, index, amount):
    store_release(stats, index, stats[index] + amount)


@njit(cache=True, nogil=True)
def callback_begin(table, status_flags):
    """First call of a callback: count it and its xrun flags; return the start time (ns)."""
    t0 = monotonic_ns()
    stats = numba.carray(address_as_voidptr(table[ST_STATS]), STATS_LEN, np.int64)
    flags = np.int64(status_flags)
    if flags & PA_INPUT_UNDERFLOW:
        _bump(stats, S_INPUT_UNDERFLOW, 1)
    if flags & PA_INPUT_OVERFLOW:
        _bump(stats, S_INPUT_OVERFLOW, 1)
    if flags & PA_OUTPUT_UNDERFLOW:
        _bump(stats, S_OUTPUT_UNDERFLOW, 1)
    if flags & PA_OUTPUT_OVERFLOW:
        _bump(stats, S_OUTPUT_OVERFLOW, 1)
    if flags & PA_PRIMING_OUTPUT:
        _bump(stats, S_PRIMING, 1)
    if flags & PA_XRUN_MASK:
        _bump(stats, S_XRUN_CALLBACKS, 1)
    store_release(stats, S_LAST_START_NS, t0)
    return t0


@njit(cache=True, nogil=True)
def callback_end(table, t0_ns, frames, status_flags):
    """Last call of a callback: record duration (histogram, max, timing ring) and count it."""
    t1 = monotonic_ns()
    duration = t1 - t0_ns
    stats = numba.carray(address_as_voidptr(table[ST_STATS]), STATS_LEN, np.int64)
    us = duration // 1000
    b = 0
    while us > 0 and b < HIST_BINS - 1:
        us >>= 1
        b += 1
    _bump(stats, S_HIST + b, 1)
    if duration > stats[S_MAX_DURATION_NS]:
        store_release(stats, S_MAX_DURATION_NS, duration)
    if frames != table[ST_BLOCKSIZE]:
        _bump(stats, S_ODD_BLOCKS, 1)
    header, data = ring_view_2d(table[ST_TIMING], np.int64)
    slot = ring_reserve(header, data)
    data[slot, T_START_NS] = t0_ns
    data[slot, T_DURATION_NS] = duration
    data[slot, T_FRAMES] = frames
    data[slot, T_STATUS] = status_flags
    ring_publish(header)
    _bump(stats, S_FRAMES, frames)
    _bump(stats, S_CALLBACKS, 1)


@njit(cache=True, nogil=True)
def callback_views(input_ptr, output_ptr, frames, user_data):
    """The callback's arguments as arrays: ``(table, inp, out)``, views, nothing allocated.

    ``table`` = int64[STATE_TABLE_LEN] at ``userData``; ``inp`` = float32[frames, channels_in]
    at ``input``; ``out`` = float32[frames, channels_out] at ``output``.
    """
    table = numba.carray(user_data, STATE_TABLE_LEN, np.int64)
    n = np.int64(frames)
    inp = numba.carray(input_ptr, (n, table[ST_CH_IN]), np.float32)
    out = numba.carray(output_ptr, (n, table[ST_CH_OUT]), np.float32)
    return table, inp, out


def make_callback(process):
    """Build a PortAudio ``@cfunc`` around ``process(table, inp, out) -> int`` (``@njit``).

    ``inp`` is ``float32[frames, channels_in]`` (read-only by convention), ``out`` is
    ``float32[frames, channels_out]`` and must be fully written by ``process``, which
    returns PortAudio's callback result (``PA_CONTINUE``, or ``PA_COMPLETE`` after this
    block: `mirage.audio.portaudio_codes`). ``process`` must not allocate, raise or touch Python objects; the callback's
    start time is in ``stats[S_LAST_START_NS]``.

    The result is compiled in this process and never cached on disk (about a second per
    call). Numba keys the cache of a closure by the pickled closure variables, and a
    dispatcher pickles with a random per-process id, so a cached closure over ``process``
    would be compiled again and add an index entry to the cache on every run. A callback
    used on every run is instead written once at module level, closure-free, with the very
    same body (`capture_callback`, `mirage.engine.callback.engine_callback`): its cache key
    is stable.
    """

    @cfunc(PA_CALLBACK_SIG, nogil=True, error_model="numpy")
    def callback(input_ptr, output_ptr, frames, time_info, status_flags, user_data):
        table, inp, out = callback_views(input_ptr, output_ptr, frames, user_data)
        t0 = callback_begin(table, status_flags)
        result = process(table, inp, out)
        callback_end(table, t0, inp.shape[0], np.int64(status_flags))
        return result

    return callback


# --------------------------------------------------------------------------- demonstration kernel

# Its state-table slots: CAPTURE_RING, CAPTURE_PASS_THROUGH (mirage.audio.state_table_layout).


@njit(cache=True, nogil=True)
def capture_process(table, inp, out):
    """Copy the input block into the hop ring; pass-through or silence to the output."""
    header, data = ring_view_3d(table[CAPTURE_RING], np.float32)
    slot = ring_reserve(header, data)
    hop = data[slot]
    frames = min(inp.shape[0], hop.shape[0])
    channels = min(inp.shape[1], hop.shape[1])
    for i in range(frames):
        for c in range(channels):
            hop[i, c] = inp[i, c]
    for i in range(frames, hop.shape[0]):
        for c in range(hop.shape[1]):
            hop[i, c] = 0.0
    ring_publish(header)
    through = table[CAPTURE_PASS_THROUGH] != 0
    for i in range(out.shape[0]):
        for c in range(out.shape[1]):
            if through and c < inp.shape[1]:
                out[i, c] = inp[i, c]
            else:
                out[i, c] = 0.0
    return PA_CONTINUE


@functools.cache
def capture_callback():
    """The demonstration ``@cfunc``: `capture_process` wrapped as in `make_callback`.

    Defined here, closure-free, so that numba's disk cache finds it again in the next process
    (see `make_callback`); built on the first call (a ``@cfunc`` compiles when defined).
    """

    @cfunc(PA_CALLBACK_SIG, nogil=True, error_model="numpy", cache=True)
    def capture_cfunc(input_ptr, output_ptr, frames, time_info, status_flags, user_data):
        table, inp, out = callback_views(input_ptr, output_ptr, frames, user_data)
        t0 = callback_begin(table, status_flags)
        result = capture_process(table, inp, out)
        callback_end(table, t0, inp.shape[0], np.int64(status_flags))
        return result

    return capture_cfunc


# --------------------------------------------------------------------------- Python side


class StateTable:
    """The int64 table whose address is the callback's ``userData`` (layout: module docstring).

    Allocates the stats array and the timing ring; `set` adds the callback's own entries and
    keeps what they point to alive as long as the table.
    """

    def __init__(self, *, timing_capacity: int = 4096):
        self.array = np.zeros(STATE_TABLE_LEN, dtype=np.int64)
        self.array[ST_MAGIC] = STATE_MAGIC
        self.stats = np.zeros(STATS_LEN, dtype=np.int64)
        self.timing = Ring.create(timing_capacity, TIMING_LEN, np.int64)
        self.array[ST_STATS] = self.stats.ctypes.data
        self.array[ST_TIMING] = self.timing.address
        self._keep = {}

    @property
    def address(self) -> int:
        return int(self.array.ctypes.data)

    def set(self, index: int, value) -> None:
        """``table[index]`` = an int, or the address of a `Ring` / C-contiguous ndarray."""
        if not ST_USER <= index < STATE_TABLE_LEN:
            raise ParameterError(f"state-table index must be in [{ST_USER}, {STATE_TABLE_LEN}), got {index}")
        if isinstance(value, Ring):
            self.array[index] = value.address
        elif isinstance(value, np.ndarray):
            if not value.flags.c_contiguous:
                raise ParameterError(f"state-table array at {index} must be C-contiguous")
            self.array[index] = value.ctypes.data
        else:
            self.array[index] = int(value)
            self._keep.pop(index, None)
            return
        self._keep[index] = value

    def buffers(self, *, exclude=()) -> list[np.ndarray]:
        """Every buffer the callback reaches through this table (a ring: its header and its
        records), but the entries in ``exclude``."""
        out = [self.array, self.stats, self.timing.header, self.timing.data]
        for index, value in self._keep.items():
            if index in exclude:
                continue
            out += [value.header, value.data] if isinstance(value, Ring) else [value]
        return out

    def configure(self, blocksize: int, channels_in: int, channels_out: int, samplerate_hz: int) -> None:
        self.array[ST_BLOCKSIZE] = blocksize
        self.array[ST_CH_IN] = channels_in
        self.array[ST_CH_OUT] = channels_out
        self.array[ST_SAMPLERATE] = samplerate_hz

    def drain_timing(self) -> np.ndarray:
        """Timing records since the last drain: int64[n, 4] (start_ns, duration_ns, frames, flags)."""
        out = np.empty(TIMING_LEN, np.int64)
        rows = []
        while self.timing.pop(out):
            rows.append(out.copy())
        return np.array(rows, dtype=np.int64).reshape(-1, TIMING_LEN)

    def counters(self) -> dict[str, int]:
        """A snapshot of the callback's counters."""
        s = self.stats
        return {
            "callbacks": int(s[S_CALLBACKS]),
            "frames": int(s[S_FRAMES]),
            "input_underflow": int(s[S_INPUT_UNDERFLOW]),
            "input_overflow": int(s[S_INPUT_OVERFLOW]),
            "output_underflow": int(s[S_OUTPUT_UNDERFLOW]),
            "output_overflow": int(s[S_OUTPUT_OVERFLOW]),
            "priming": int(s[S_PRIMING]),
            "xrun_callbacks": int(s[S_XRUN_CALLBACKS]),
            "odd_blocks": int(s[S_ODD_BLOCKS]),
            "max_duration_ns": int(s[S_MAX_DURATION_NS]),
            "timing_dropped": self.timing.dropped,
        }

    def duration_histogram(self) -> np.ndarray:
        """Callback durations: counts per bin (bin 0 = [0, 1) µs, bin b = [2**(b-1), 2**b) µs)."""
        return self.stats[S_HIST : S_HIST + HIST_BINS].copy()


def reinitialize_portaudio() -> None:
    """Terminate (if initialised) and initialise PortAudio so it sees servers started after
    import (JACK): afterwards it is initialised exactly once, whatever it was before."""
    import sounddevice as sd

    while sd._initialized:
        sd._terminate()
    sd._initialize()


def find_jack_device(name_contains: str = "system") -> int:
    """Index of the PortAudio device of the JACK host API whose name contains ``name_contains``."""
    import sounddevice as sd

    for api in sd.query_hostapis():
        if api["name"] == JACK_HOSTAPI_NAME:
            for index in api["devices"]:
                if name_contains in sd.query_devices(index)["name"]:
                    return index
    raise InputError(
        f"no JACK device named like {name_contains!r}: is jackd running, JACK_DEFAULT_SERVER set, "
        "and PortAudio re-initialised since (reinitialize_portaudio())?"
    )


class RawStream:
    """A PortAudio stream driven by a Numba ``@cfunc`` (see the module docstring).

    Parameters
    ----------
    device : int or str or None
        PortAudio device (same device for input and output).
    samplerate : int
        Frames per second.
    blocksize : int
        Frames per callback (fixed).
    channels_in, channels_out : int
        Interleaved float32 channels; 0 makes an output-only / input-only stream.
    callback_cfunc : numba CFunc
        Compiled with `PA_CALLBACK_SIG` (e.g. `make_callback` or `capture_callback`).
    state_table : StateTable
        Its address is ``userData``; RawStream writes the stream geometry into it.

    Use as a context manager (starts on enter; stops and closes on exit) or call
    `start`/`stop`/`close`.
    """

    def __init__(self, device, samplerate, blocksize, channels_in, channels_out, callback_cfunc, state_table, *,
                 latency=None):  # fmt: skip
        if int(blocksize) <= 0:
            raise ParameterError(f"blocksize must be > 0 frames, got {blocksize}")
        if channels_in < 0 or channels_out < 0 or channels_in + channels_out == 0:
            raise ParameterError(f"need channels_in >= 0, channels_out >= 0, not both 0; got {channels_in}, {channels_out}")
        if not isinstance(state_table, StateTable) or state_table.array[ST_MAGIC] != STATE_MAGIC:
            raise ParameterError("state_table must be a StateTable")
        if getattr(callback_cfunc, "_sig", None) != PA_CALLBACK_SIG:
            raise ParameterError("callback_cfunc must be a numba cfunc with signature PA_CALLBACK_SIG")
        state_table.configure(int(blocksize), int(channels_in), int(channels_out), int(samplerate))
        self.state_table = state_table
        self._cfunc = callback_cfunc  # keeps the machine code alive
        import sounddevice as sd  # here, not at import: the clock driver needs no PortAudio

        callback_ptr = sd._ffi.cast("PaStreamCallback *", callback_cfunc.address)
        userdata = sd._ffi.cast("void *", state_table.address)
        if channels_in and channels_out:
            kind, channels, dtype = "duplex", (channels_in, channels_out), ("float32", "float32")
            device = device if isinstance(device, (tuple, list)) else (device, device)
        elif channels_in:
            kind, channels, dtype = "input", channels_in, "float32"
        else:
            kind, channels, dtype = "output", channels_out, "float32"
        self._stream = sd._StreamBase(
            kind=kind, samplerate=samplerate, blocksize=int(blocksize), device=device, channels=channels,
            dtype=dtype, latency=latency, callback=callback_ptr, userdata=userdata, wrap_callback=None,
        )  # fmt: skip
        self.samplerate = self._stream.samplerate
        self.blocksize = int(blocksize)

    @property
    def stream(self) -> "sounddevice._StreamBase":
        """The underlying sounddevice stream (latency, cpu_load, ...)."""
        return self._stream

    @property
    def active(self) -> bool:
        return self._stream.active

    def start(self) -> None:
        self._stream.start()

    def stop(self) -> None:
        self._stream.stop()

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> "RawStream":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            self.close()

    def counters(self) -> dict[str, int]:
        return self.state_table.counters()

    def drain_timing(self) -> np.ndarray:
        return self.state_table.drain_timing()


def drain_hops(ring: Ring) -> np.ndarray:
    """All hops waiting in a capture ring, concatenated: float32[n_hops * blocksize, channels]."""
    out = np.empty(ring.record_shape, ring.dtype)
    hops = []
    while ring_pop(ring.header, ring.data, out):
        hops.append(out.copy())
    if not hops:
        return np.empty((0, ring.record_shape[1]), ring.dtype)
    return np.concatenate(hops, axis=0)
