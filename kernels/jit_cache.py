"""Numba's on-disk cache, in a folder named after the source of the jitted code only.

Why a folder per source version: numba invalidates a cached function when its *own* file
changes, not when a function it calls (and inlines) changes elsewhere. That was measured here:
after the windowing kernel was rewritten, the cached `frame_features` kept the old, inlined
loop (9.2 µs per frame against 5.5 µs for a fresh compile). Module-level constants a kernel
reads (``kernels.layout``, ``kernels.errors``...) are frozen into its machine code the same way.

What names the folder (`cache_key`): numba's and Python's versions and the text of the
*jitted modules* (`jitted_modules`), i.e. every module under ``kernels/`` and ``mirage/`` that
imports numba or llvmlite, plus every project module those import (transitively): whatever
the machine code can depend on. The list is derived from the sources each time, so it cannot
go stale; editing ``mirage/cli.py`` or any other module outside it keeps the compiled kernels.
MIRAGE caches into ``<cache_root>/numba/<key>``; folders unused for a week are removed.
Setting ``NUMBA_CACHE_DIR`` yourself bypasses all of this.

Also on import: `kernels.numba_blas_probe` spares start-up numba's scipy.linalg import.
"""

from __future__ import annotations

import hashlib
import importlib.util
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
    from kernels.cache_dir import cache_root

    return cache_root() / "numba" / cache_key()


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
    from kernels.numba_blas_probe import hide_scipy_from_blas_probe

    hide_scipy_from_blas_probe()
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


configure()
