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
import importlib.abc
import importlib.util
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


def _numba_version_text() -> bytes:
    """numba's ``_version.py`` (it names the release), read without importing numba."""
    spec = importlib.util.find_spec("numba")
    if spec is None or not spec.origin:
        return b""
    try:
        return (Path(spec.origin).parent / "_version.py").read_bytes()
    except OSError:
        return b""


def cache_key(root: Path = _ROOT) -> str:
    """16 hex digits: Python's and numba's versions and the text of `jitted_modules`.

    Costs a few ms (read and line-scan ~100 sources); computed once per process for the
    installed sources.
    """
    if root == _ROOT and _KEY:
        return _KEY[0]
    modules = _scan(root)
    h = hashlib.sha256(sys.version.encode() + _numba_version_text())
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
    """The folder numba caches into for this source version (the user's ``NUMBA_CACHE_DIR`` wins)."""
    if _user_numba_cache_dir():
        return Path(os.environ["NUMBA_CACHE_DIR"])
    from mirage.cache_dir import cache_root

    return cache_root() / "numba" / cache_key()


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


_OWN_SETTING = "MIRAGE_NUMBA_CACHE_DIR"
"""The value `configure` gave ``NUMBA_CACHE_DIR``: a child process inheriting both recomputes
its own folder (its ``MIRAGE_CACHE_DIR`` may differ); a different value is the user's."""


def _user_numba_cache_dir() -> str | None:
    value = os.environ.get("NUMBA_CACHE_DIR")
    return value if value and value != os.environ.get(_OWN_SETTING) else None


def configure() -> None:
    """Point numba's cache at this source version's folder, without importing numba.

    Runs on ``import kernels`` / ``import mirage``, before any ``@njit(cache=True)``: sets
    ``NUMBA_CACHE_DIR``, which numba reads when it is imported (or sets numba's config when
    it already is), so a command that compiles nothing (``mirage monitor``, ``--help``) does
    not pay numba's import (~0.4 s).
    """
    if not any(isinstance(f, _BlasProbeWithoutScipy) for f in sys.meta_path) and \
            _BlasProbeWithoutScipy.NAME not in sys.modules:
        sys.meta_path.insert(0, _BlasProbeWithoutScipy())
    if _user_numba_cache_dir():
        return
    folder = cache_folder()
    parent = folder.parent
    if not folder.exists():
        folder.mkdir(parents=True, exist_ok=True)
        now = time.time()
        for old in parent.iterdir():
            if old != folder and old.is_dir() and now - old.stat().st_mtime > STALE_AFTER_S:
                shutil.rmtree(old, ignore_errors=True)
    os.utime(folder)
    os.environ["NUMBA_CACHE_DIR"] = os.environ[_OWN_SETTING] = str(folder)
    if "numba" in sys.modules:  # imported before us (a notebook, a test session)
        sys.modules["numba"].config.CACHE_DIR = str(folder)


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
