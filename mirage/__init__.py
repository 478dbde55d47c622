"""MIRAGE: a real-time music information retrieval engine for live art."""

import sys as _sys

from mirage.lifecycle import install_if_running_the_engine as _install

_install(_sys.argv)  # `mirage run`: Ctrl-C during the imports below is a stop request (mirage.lifecycle)

from kernels import jit_cache  # noqa: F401  (numba's cache, keyed by source: see kernels.jit_cache)

__version__ = "0.1.0"
