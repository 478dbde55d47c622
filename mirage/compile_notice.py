"""The one line a cold start prints: ``mirage: compiling the audio kernels, once: ~N s``.

`compile_notice` keeps a marker per command in numba's cache folder for this source version
(`kernels.jit_cache.cache_folder`) after a run whose kernels all compiled (or loaded), and the
last measured compile time per command beside the folders, for the next estimate.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

from kernels.jit_cache import cache_folder

COMPILE_ESTIMATE_S = {"run": 25.0, "analyze": 12.0}
"""First-compile time per command when none was measured yet (2-core shared machine,
2026-12-01: ``mirage run`` ~20-30 s, ``mirage analyze`` ~10-14 s). Replaced by the last
measured compile time once a run has compiled (`compile_notice`)."""
ESTIMATES_FILE = "compile-seconds.json"
MIN_COMPILE_S = 2.0
"""A cold start shorter than this loaded the kernels from numba's cache (its marker was gone,
not its index): it is not kept as the next estimate, which would then read ``~0 s``."""


def _estimates_path() -> Path:
    from kernels.cache_dir import cache_root

    return cache_root() / "numba" / ESTIMATES_FILE


def _estimate_s(command: str) -> float:
    """The last measured compile time of ``command`` (any source version), else the default."""
    try:
        measured = json.loads(_estimates_path().read_text())
        return float(measured[command])
    except (OSError, ValueError, KeyError, TypeError):
        return COMPILE_ESTIMATE_S[command]


class compile_notice:
    """Tell the user, once, that ``command`` ("run", "analyze") is compiling its kernels.

    Create it just before the code that compiles (or loads) the kernels of ``command`` and
    call `done` once they are all built. When this source version has not built them yet
    (no marker in the cache folder), the constructor prints ``mirage: compiling the audio
    kernels, once: ~N s`` to stderr, N being the last measured compile time of ``command``
    (`COMPILE_ESTIMATE_S` before any); `done` then writes the marker and the measured time.
    Warm (marker present): silent, and `done` writes nothing. Also a context manager.
    """

    def __init__(self, command: str, *, stream=None):
        self.command = command
        self.marker = cache_folder() / f"compiled-{command}"
        self.cold = not self.marker.exists()
        self._t0 = time.perf_counter()
        if self.cold:
            print(f"mirage: compiling the audio kernels, once: ~{_estimate_s(command):.0f} s",
                  file=stream or sys.stderr, flush=True)

    def done(self) -> None:
        """The kernels are built: on a cold start, record the marker and the compile time."""
        if not self.cold:
            return
        self.cold = False
        elapsed_s = time.perf_counter() - self._t0
        with contextlib.suppress(OSError):
            self.marker.parent.mkdir(parents=True, exist_ok=True)
            self.marker.write_text(f"{elapsed_s:.1f}\n")
            if elapsed_s < MIN_COMPILE_S:  # loaded from numba's cache, not compiled: no estimate
                return
            path = _estimates_path()
            try:
                measured = json.loads(path.read_text())
                measured = measured if isinstance(measured, dict) else {}
            except (OSError, ValueError):
                measured = {}
            measured[self.command] = round(elapsed_s, 1)
            path.write_text(json.dumps(measured, sort_keys=True) + "\n")

    def __enter__(self) -> "compile_notice":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.done()
