"""Numba's on-disk cache, in a folder named after the source of the jitted code only.

Why a folder per source version: numba invalidates a cached function when its *own* file
changes, not when a function it calls (and inlines) changes elsewhere. That was measured here:
after the windowing kernel was rewritten, the cached `frame_features` kept the old, inlined
loop (9.2 µs per frame against 5.5 µs for a fresh compile). Module-level constants a kernel
reads (``kernels.layout``, ``mirage.errors``...) are frozen into its machine code the same way.

What names the folder (`cache_key`): numba's and Python's versions and the text of the
*jitted modules* (`jitted_modules`), i.e. every module under ``kernels/`` and ``mirage/`` that
imports numba or llvmlite, plus every project module those import (transitively): whatever
the machine code can depend on. The list is derived from the sources each time, so it cannot
go stale; editing ``mirage/cli.py`` or any other module outside it keeps the compiled kernels.
MIRAGE caches into ``<cache_root>/numba/<key>``; folders unused for a week are removed.
Setting ``NUMBA_CACHE_DIR`` yourself bypasses all of this.

`compile_notice` tells the user, once, that the first run compiles: it keeps a marker per
command in the key's folder after a run whose kernels all compiled (or loaded).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

STALE_AFTER_S = 7 * 24 * 3600
PACKAGES = ("kernels", "mirage")
"""Top-level packages scanned for jitted code."""
JIT_LIBRARIES = ("numba", "llvmlite")
"""A module importing one of these is a jitted module (decorators, intrinsics, cfuncs)."""
COMPILE_ESTIMATE_S = {"run": 25.0, "analyze": 12.0}
"""First-compile time per command when none was measured yet (2-core shared machine,
2026-12-01: ``mirage run`` ~20-30 s, ``mirage analyze`` ~10-14 s). Replaced by the last
measured compile time once a run has compiled (`compile_notice`)."""
ESTIMATES_FILE = "compile-seconds.json"

_ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<module>\.*[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n#;]*)"
    r"|import[ \t]+(?P<modules>[^\n#;]*))",
    re.MULTILINE,
)


def _imports(text: str, module: str, is_package: bool) -> set[str]:
    """Absolute names of every module imported anywhere in ``text`` (lazy imports included).

    A line scan, not a parse (parsing every source cost ~0.3 s per start-up): an import-like
    line inside a docstring only adds a name, which can only make the key stricter.
    """
    names: set[str] = set()
    for m in _IMPORT.finditer(text):
        if m["modules"] is not None:
            names.update(part.split()[0] for part in m["modules"].split(",") if part.strip())
            continue
        prefix = m["module"]
        level = len(prefix) - len(prefix.lstrip("."))
        if level:
            base = module.split(".")
            base = base[: len(base) - level + (1 if is_package else 0)]
            prefix = ".".join(base + ([prefix[level:]] if prefix[level:] else []))
        names.add(prefix)
        for part in m["names"].strip("()").split(","):  # `from package import module`
            if part.strip():
                names.add(f"{prefix}.{part.split()[0]}")
    return names


def _scan(root: Path) -> dict[str, tuple[Path, bytes, set[str]]]:
    """``{module name: (path, text, imported module names)}`` for every source in `PACKAGES`."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            name = _module_name(path, root)
            text = path.read_bytes()
            modules[name] = (path, text, _imports(text.decode("utf-8", "replace"), name,
                                                  path.name == "__init__.py"))
    return modules


def _jitted(modules: dict[str, tuple[Path, bytes, set[str]]]) -> list[str]:
    todo = [
        name for name, (_, _, imported) in modules.items()
        if any(i == lib or i.startswith(lib + ".") for i in imported for lib in JIT_LIBRARIES)
    ]
    keyed: set[str] = set()
    while todo:
        name = todo.pop()
        if name in keyed:
            continue
        keyed.add(name)
        todo.extend(i for i in modules[name][2] if i in modules and i not in keyed)
    return sorted(keyed)


def jitted_modules(root: Path = _ROOT) -> list[str]:
    """The modules the machine code can depend on, sorted.

    Every module under ``kernels/`` and ``mirage/`` that imports numba or llvmlite (anywhere
    in its text), plus the project modules that these import, transitively (their constants
    and the functions they inline are compiled in). Derived by parsing the sources, so a new
    jitted module is covered the day it is written.
    """
    return _jitted(_scan(root))


def cache_key(root: Path = _ROOT) -> str:
    """16 hex digits: numba's and Python's versions and the text of `jitted_modules`.

    Costs a few ms (read and line-scan ~100 sources); computed once per process for the
    installed sources.
    """
    if root == _ROOT and _KEY:
        return _KEY[0]
    import numba

    modules = _scan(root)
    h = hashlib.sha256(f"{numba.__version__} {sys.version}".encode())
    for name in _jitted(modules):
        path, text, _ = modules[name]
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(text)
    key = h.hexdigest()[:16]
    if root == _ROOT:
        _KEY.append(key)
    return key


_KEY: list[str] = []


def cache_folder() -> Path:
    """The folder numba caches into for this source version (``NUMBA_CACHE_DIR`` wins)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    from mirage.cache_dir import cache_root

    return cache_root() / "numba" / cache_key()


def _import_numba_without_blas_probe() -> None:
    """Import numba's array implementations with ``scipy.linalg`` hidden from their BLAS probe.

    ``numba.np.arraymath`` imports ``scipy.linalg`` when it is first loaded (on the first
    compile or cache load), only to choose how jitted ``np.correlate``/``np.convolve`` take
    inner products; that import costs 0.2-0.5 s of every start-up here. No MIRAGE kernel uses
    those two, and ``np.dot``/``np.linalg`` still find scipy when typed. When scipy.linalg
    is already imported (a test session) nothing is hidden.
    """
    hide = "scipy.linalg" not in sys.modules
    if hide:
        sys.modules["scipy.linalg"] = None  # `import scipy.linalg...` raises ImportError
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        if hide and sys.modules.get("scipy.linalg", 0) is None:
            del sys.modules["scipy.linalg"]


def configure() -> None:
    """Point numba's cache at this source version's folder (before any ``@njit(cache=True)``)."""
    _import_numba_without_blas_probe()
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    import numba

    folder = cache_folder()
    parent = folder.parent
    if not folder.exists():
        folder.mkdir(parents=True, exist_ok=True)
        now = time.time()
        for old in parent.iterdir():
            if old != folder and old.is_dir() and now - old.stat().st_mtime > STALE_AFTER_S:
                shutil.rmtree(old, ignore_errors=True)
    os.utime(folder)
    numba.config.CACHE_DIR = str(folder)


def _estimates_path() -> Path:
    from mirage.cache_dir import cache_root

    return cache_root() / "numba" / ESTIMATES_FILE


def _estimate_s(command: str) -> float:
    """The last measured compile time of ``command`` (any source version), else the default."""
    try:
        measured = json.loads(_estimates_path().read_text())
        return float(measured[command])
    except (OSError, ValueError, KeyError, TypeError):
        return COMPILE_ESTIMATE_S[command]


class compile_notice:
    """Tell the user, once, that ``command`` ("run", "analyze") is compiling its kernels.

    Create it just before the code that compiles (or loads) the kernels of ``command`` and
    call `done` once they are all built. When this source version has not built them yet
    (no marker in the cache folder), the constructor prints ``mirage: compiling the audio
    kernels, once: ~N s`` to stderr, N being the last measured compile time of ``command``
    (`COMPILE_ESTIMATE_S` before any); `done` then writes the marker and the measured time.
    Warm (marker present): silent, and `done` writes nothing. Also a context manager.
    """

    def __init__(self, command: str, *, stream=None):
        self.command = command
        self.marker = cache_folder() / f"compiled-{command}"
        self.cold = not self.marker.exists()
        self._t0 = time.perf_counter()
        if self.cold:
            print(f"mirage: compiling the audio kernels, once: ~{_estimate_s(command):.0f} s",
                  file=stream or sys.stderr, flush=True)

    def done(self) -> None:
        """The kernels are built: on a cold start, record the marker and the compile time."""
        if not self.cold:
            return
        self.cold = False
        elapsed_s = time.perf_counter() - self._t0
        with contextlib.suppress(OSError):
            self.marker.parent.mkdir(parents=True, exist_ok=True)
            self.marker.write_text(f"{elapsed_s:.1f}\n")
            path = _estimates_path()
            try:
                measured = json.loads(path.read_text())
                measured = measured if isinstance(measured, dict) else {}
            except (OSError, ValueError):
                measured = {}
            measured[self.command] = round(elapsed_s, 1)
            path.write_text(json.dumps(measured, sort_keys=True) + "\n")

    def __enter__(self) -> "compile_notice":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.done()


configure()
