"""Hand-written Numba kernels: pure functions over preallocated arrays, no I/O."""

from kernels import jit_cache  # noqa: F401  (must run before any @njit(cache=True))
