"""MIRAGE: a real-time music information retrieval engine for live art."""

from kernels import jit_cache  # noqa: F401  (numba's cache, keyed by source: see kernels.jit_cache)

__version__ = "0.1.0"
