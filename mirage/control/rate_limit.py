"""A token bucket: how many control datagrams a second the receiver reads.

A control surface sends a few commands a second (a fader dragged: ~60/s). A flood (tens of
thousands of datagrams a second, a patch in a feedback loop or an attack) must not make the
control thread take the GIL all the time: the OSC writer, a Python thread too, needs it every
hop. So the receiver reads at most ``rate_per_s`` datagrams a second on average, in bursts of
at most ``burst``; beyond that it sleeps and the kernel drops the excess from the socket's
receive buffer (counted by the kernel, read with ``SO_RXQ_OVFL``; see
`mirage.control.osc_receiver`).

Tokens: ``tokens(t) = min(burst, tokens(t0) + (t - t0) · rate_per_s)``; one datagram costs one.
"""

from __future__ import annotations

import time

DEFAULT_RATE_PER_S = 500.0
DEFAULT_BURST = 100


class TokenBucket:
    def __init__(self, rate_per_s: float = DEFAULT_RATE_PER_S, burst: int = DEFAULT_BURST, clock=time.monotonic):
        self.rate_per_s, self.burst, self._clock = float(rate_per_s), float(burst), clock
        self._tokens = self.burst
        self._t_s = clock()

    def take(self) -> float:
        """Take one token: 0.0 if there was one, else the seconds until there will be one
        (nothing taken; the caller waits that long and asks again)."""
        now_s = self._clock()
        self._tokens = min(self.burst, self._tokens + (now_s - self._t_s) * self.rate_per_s)
        self._t_s = now_s
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate_per_s
