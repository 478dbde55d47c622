"""Drive the engine callback from a clock when no audio device can be used.

Without PortAudio or without a device, files and the demo still run: a thread calls the
very same ``@cfunc`` (through its ctypes pointer, which releases the GIL for the call) once
per block, at absolute deadlines ``start + k * blocksize / sr``, with no input and a scratch
output. Nothing is played. Its pacing is a Python thread's (sleep granularity, GIL), which
is why it is only the fallback; the callback's own work is identical.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from mirage.audio.portaudio_codes import PA_COMPLETE
from mirage.audio.raw_stream import StateTable


class ClockDriver:
    """Same interface as `mirage.audio.raw_stream.RawStream` for what the engine uses."""

    def __init__(self, callback_cfunc, state_table: StateTable, *, samplerate: float, blocksize: int,
                 channels_out: int = 2):
        state_table.configure(int(blocksize), 0, int(channels_out), int(samplerate))
        self.state_table = state_table
        self.samplerate = float(samplerate)
        self.blocksize = int(blocksize)
        self._cfunc = callback_cfunc
        self._out = np.zeros((self.blocksize, channels_out), dtype=np.float32)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mirage-clock", daemon=True)
        self._active = False

    def _run(self) -> None:
        call = self._cfunc.ctypes
        out, table = self._out.ctypes.data, self.state_table.address
        period_s = self.blocksize / self.samplerate
        deadline = time.monotonic()
        while not self._stop.is_set():
            if call(None, out, self.blocksize, None, 0, table) == PA_COMPLETE:
                break
            deadline += period_s
            delay = deadline - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
            elif delay < -0.5:  # fell far behind (machine suspended): do not burst to catch up
                deadline = time.monotonic()
        self._active = False

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        self._active = True
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2.0)

    def close(self) -> None:
        self.stop()

    def counters(self) -> dict[str, int]:
        return self.state_table.counters()

    def drain_timing(self) -> np.ndarray:
        return self.state_table.drain_timing()
