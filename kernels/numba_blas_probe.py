"""Start-up without scipy.linalg: numba's BLAS probe, loaded with it hidden.

No numba import here (this runs from `kernels.jit_cache.configure`, before numba loads), so
the module is not part of the numba cache key.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys


class _BlasProbeWithoutScipy(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Loads ``numba.np.arraymath`` with ``scipy.linalg`` hidden from its BLAS probe.

    ``numba.np.arraymath`` imports ``scipy.linalg`` when it is first loaded (on the first
    compile or cache load), only to choose how jitted ``np.correlate``/``np.convolve`` take
    inner products; that import cost 0.2-0.5 s of every start-up here. No MIRAGE kernel uses
    those two, and ``np.dot``/``np.linalg`` still import scipy themselves when typed. Acts
    once, when numba loads that module; if scipy.linalg is already imported, hides nothing.
    """

    NAME = "numba.np.arraymath"

    def __init__(self):
        self._loader = None

    def find_spec(self, name, path=None, target=None):
        if name != self.NAME or self._loader is not None:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        self._loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = module.__spec__.loader = self._loader  # the module's real loader
        hide = "scipy.linalg" not in sys.modules
        if hide:
            sys.modules["scipy.linalg"] = None  # `import scipy.linalg...` raises ImportError
        try:
            self._loader.exec_module(module)
        finally:
            if hide and sys.modules.get("scipy.linalg", 0) is None:
                del sys.modules["scipy.linalg"]


def hide_scipy_from_blas_probe() -> None:
    """Install `_BlasProbeWithoutScipy` once, unless numba's module is already loaded."""
    if not any(isinstance(f, _BlasProbeWithoutScipy) for f in sys.meta_path) and \
            _BlasProbeWithoutScipy.NAME not in sys.modules:
        sys.meta_path.insert(0, _BlasProbeWithoutScipy())
