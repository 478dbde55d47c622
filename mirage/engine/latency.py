"""A fixed-size record of recent latencies with percentiles, for the engine's statistics."""

from __future__ import annotations

import numpy as np


class LatencyLog:
    """The last `capacity` latencies (ns) plus the maximum ever seen; no growth while running."""

    def __init__(self, capacity: int = 1 << 17):
        self._values = np.zeros(capacity, dtype=np.int64)
        self.count = 0
        self.max_ns = 0

    def add(self, value_ns: int) -> None:
        self._values[self.count % self._values.size] = value_ns
        self.count += 1
        if value_ns > self.max_ns:
            self.max_ns = int(value_ns)

    def extend(self, values_ns: np.ndarray) -> None:
        for v in np.asarray(values_ns, dtype=np.int64):
            self.add(int(v))

    def recent(self) -> np.ndarray:
        return self._values[: min(self.count, self._values.size)]

    def summary_us(self) -> dict | None:
        """``{"p50", "p99", "max"}`` in µs (None before the first value)."""
        if self.count == 0:
            return None
        recent = self.recent()
        return {
            "p50": round(float(np.percentile(recent, 50)) / 1000.0, 2),
            "p99": round(float(np.percentile(recent, 99)) / 1000.0, 2),
            "max": round(self.max_ns / 1000.0, 2),
        }
