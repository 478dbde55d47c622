"""Callback timing checks a loaded machine cannot fail: the GIL held on purpose, counts on
the callback's own clock, waits on conditions.

A test that wants to show the audio callback does not need the GIL should not hope that busy
Python threads happen to hold it at the right moments; it holds it itself, for a known
window, and counts the callbacks that *started* inside that window by the callback's own
timestamps (``kernels.clock``: ``CLOCK_MONOTONIC``, the clock of ``time.monotonic_ns``).
A callback that needs the GIL cannot start in a window where the GIL is certainly held,
whatever the load; one that does not need it starts about ``window / period`` times.
"""

from __future__ import annotations

import ctypes
import time

import numpy as np

from kernels.clock import CLOCK_MONOTONIC
from tests.osc_receivers import HANG_S

# ctypes.PyDLL calls foreign functions *without* releasing the GIL (ctypes.CDLL releases it):
# a C-level sleep through it blocks every other Python thread of the process.
_LIBC_HOLDING_THE_GIL = ctypes.PyDLL(None)
_clock_nanosleep = _LIBC_HOLDING_THE_GIL.clock_nanosleep
_clock_nanosleep.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
_clock_nanosleep.restype = ctypes.c_int


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_int64), ("tv_nsec", ctypes.c_int64)]


def hold_gil(seconds: float, *, attempts: int = 3) -> tuple[int, int]:
    """Sleep in C for ``seconds`` with the GIL held; return a window ``(from_ns, to_ns)`` on
    ``time.monotonic_ns``'s clock during which the GIL was held *for certain*.

    The sleep began after ``t0`` and ended before ``t1`` (both read around it) and lasted at
    least ``seconds`` (``clock_nanosleep`` on ``CLOCK_MONOTONIC``), so it covers
    ``[t1 − seconds, t0 + seconds]`` whatever happened around it: a GIL handover just before
    or after the sleep is outside that window. A machine that stalls this thread for more
    than ``seconds / 2`` around the sleep would leave less than half of it: the hold is then
    repeated (``attempts`` in all), so only a machine that does so every time fails.
    """
    hold_ns = int(seconds * 1e9)
    request = _Timespec(hold_ns // 1_000_000_000, hold_ns % 1_000_000_000)
    for _ in range(attempts):
        t0 = time.monotonic_ns()
        error = _clock_nanosleep(CLOCK_MONOTONIC, 0, ctypes.byref(request), None)
        t1 = time.monotonic_ns()
        window = (t1 - hold_ns, t0 + hold_ns)
        if error == 0 and window[1] - window[0] >= hold_ns // 2:
            return window
    raise AssertionError(f"could not hold the GIL for {seconds} s in {attempts} attempts (last: error {error}, "
                         f"{(t1 - t0) / 1e6:.1f} ms around a {seconds * 1e3:.0f} ms sleep)")


def starts_within(start_ns: np.ndarray, window: tuple[int, int]) -> int:
    """How many of the timestamps ``start_ns`` fall inside ``window`` (inclusive)."""
    start_ns = np.asarray(start_ns, dtype=np.int64)
    return int(np.count_nonzero((start_ns >= window[0]) & (start_ns <= window[1])))


def wait_for_callbacks(counters, n: int, timeout_s: float = HANG_S) -> None:
    """Wait until ``counters()["callbacks"] >= n`` (a running stream); fail only on a hang."""
    deadline = time.monotonic() + timeout_s
    while counters()["callbacks"] < n:
        assert time.monotonic() < deadline, f"fewer than {n} callbacks in {timeout_s:.0f} s: {counters()}"
        time.sleep(0.01)


def assert_nominal_mean_period(start_ns: np.ndarray, nominal_period_ms: float) -> float:
    """The mean period of a run, from the callback's own start times, is the device's.

    Loose on purpose, in the direction load can push it. JACK's dummy driver never runs ahead
    of its clock, so the mean can be short of nominal only by the first start's lateness
    spread over the run (−3 %: 90 ms of lateness over 300 periods). A cycle that a loaded
    machine makes late costs time that is never made up, so the mean only grows with load:
    +10 % (a tenth of the run lost) is far past anything seen here. What it catches is gross:
    callbacks skipped or doubled, a stream at another block size or rate class (the server
    fixes the rate; the exact jitter figures are `mirage bench`'s job, not a test's).
    Returns the mean period in ms.
    """
    start_ns = np.asarray(start_ns, dtype=np.int64)
    mean_ms = (start_ns[-1] - start_ns[0]) / 1e6 / (len(start_ns) - 1)
    assert 0.97 * nominal_period_ms <= mean_ms <= 1.10 * nominal_period_ms, (mean_ms, nominal_period_ms)
    return mean_ms
