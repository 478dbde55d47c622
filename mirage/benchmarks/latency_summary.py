"""p50 / p99 / max of a set of timings, the summary every benchmark table reports."""

from __future__ import annotations

import numpy as np


def percentiles_us(times_ns: np.ndarray) -> dict:
    """``{"p50_us", "p99_us", "max_us"}`` of timings given in nanoseconds."""
    us = times_ns / 1000.0
    return {"p50_us": float(np.percentile(us, 50)), "p99_us": float(np.percentile(us, 99)), "max_us": float(us.max())}
