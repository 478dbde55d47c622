"""Where MIRAGE keeps what it can rebuild (demo stems, compiled kernels, FFTW wisdom): outside the repo.

In ``kernels`` (which depends on nothing in ``mirage``) because the kernels' own caches live there:
numba's (`kernels.jit_cache`) and FFTW's wisdom (`kernels.fftw`).
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """``$MIRAGE_CACHE_DIR``, else ``$XDG_CACHE_HOME/mirage``, else ``~/.cache/mirage``."""
    if os.environ.get("MIRAGE_CACHE_DIR"):
        return Path(os.environ["MIRAGE_CACHE_DIR"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "mirage"
