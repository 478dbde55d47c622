"""Whose xrun was it? The engine's (a callback ran past its block) or the machine's.

PortAudio flags an xrun in the callback *after* the JACK cycle that missed its deadline, and
JACK reports every xrun of its graph to every client, whoever caused it. The engine's own
share is the xruns that follow a callback of its own that ran longer than its block:

    own xrun  ⇔  flagged(k) and duration(j) > frames(j) / sr for j = k−1 or k−2

(the two callbacks before the flagged one: the cycle that missed, and the one before it in
case the flag came a cycle late). An xrun after two callbacks that finished within their
block was the host's — a late timer, a preempted vCPU, another client — which the do-nothing
floor client of `mirage bench --realtime` sees too. Counting both ways keeps the engine's
figure honest on a machine whose own xruns are not zero.
"""

from __future__ import annotations

import numpy as np

LOOKBACK_CALLBACKS = 2
"""How many callbacks before a flagged one may have caused its xrun."""


class XrunAttribution:
    """Counts xruns by cause over successive drains of the callback timing records."""

    def __init__(self, sr_hz: float):
        self.ns_per_frame = 1e9 / float(sr_hz)
        self.xruns = 0
        self.after_overrun = 0
        self._previous_over = np.zeros(LOOKBACK_CALLBACKS, dtype=bool)  # the last callbacks: over budget?

    def add(self, durations_ns: np.ndarray, frames: np.ndarray, flagged: np.ndarray) -> None:
        """One drain: each callback's duration (ns), its block (frames) and whether PortAudio
        flagged it with an xrun, in callback order, continuing the previous drain."""
        over = np.asarray(durations_ns, dtype=np.float64) > np.asarray(frames, dtype=np.float64) * self.ns_per_frame
        history = np.concatenate([self._previous_over, over])
        for k in np.flatnonzero(np.asarray(flagged, dtype=bool)):
            self.xruns += 1
            if history[k:k + LOOKBACK_CALLBACKS].any():  # the LOOKBACK_CALLBACKS callbacks before k
                self.after_overrun += 1
        self._previous_over = history[-LOOKBACK_CALLBACKS:]

    @property
    def machine(self) -> int:
        """Xruns that followed callbacks within their block: the host's."""
        return self.xruns - self.after_overrun
