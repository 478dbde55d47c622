"""Numba's disk cache: keyed by the jitted code only, nothing compiled twice, one notice.

The subprocess tests run the real commands twice against one fresh cache folder
(``MIRAGE_CACHE_DIR``): the first compiles and says so once; the second must load everything,
say nothing and leave the cache folder byte for byte as it found it. No timings here: those
belong in ``mirage bench``.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from numba.core.ccallback import CFunc
from numba.core.dispatcher import Dispatcher
from numba.core.extending import _Intrinsic

from kernels import jit_cache
from mirage import compile_notice

ROOT = Path(jit_cache.__file__).resolve().parent.parent
NOTICE = "compiling the audio kernels, once: ~"


def _copy_sources(dest: Path) -> Path:
    for package in jit_cache.PACKAGES:
        shutil.copytree(ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


# --------------------------------------------------------------------------- the key


def test_key_ignores_a_non_jitted_module_and_follows_the_jitted_ones(tmp_path):
    root = _copy_sources(tmp_path)
    key = jit_cache.cache_key(root)
    assert key == jit_cache.cache_key(ROOT)  # only the text matters, not where it lives
    for plain in ("mirage/cli.py", "mirage/commands/run.py", "kernels/naive.py"):
        _append(root / plain, "\n# a comment\n")
        assert jit_cache.cache_key(root) == key, plain
    # a jitted module, a module whose kernels other files inline, and a constants module
    # read by jitted code (frozen into the machine code)
    for compiled in ("mirage/engine/callback.py", "kernels/window.py", "kernels/layout.py",
                     "mirage/audio/state_table_layout.py", "kernels/analyzer_counters.py"):
        before = (root / compiled).read_text()
        _append(root / compiled, "\n# a comment\n")
        assert jit_cache.cache_key(root) != key, compiled
        (root / compiled).write_text(before)
        assert jit_cache.cache_key(root) == key, compiled


def test_a_new_module_using_numba_joins_the_key_by_itself(tmp_path):
    root = _copy_sources(tmp_path)
    key = jit_cache.cache_key(root)
    fresh = root / "mirage" / "fresh_kernel.py"
    fresh.write_text("from kernels import naive\n"
                     "import numba\n\n@numba.njit\ndef f(x):\n    return x + naive.SOME_CONSTANT\n")
    assert {"mirage.fresh_kernel", "kernels.naive"} <= set(jit_cache.jitted_modules(root))
    assert "kernels.naive" not in jit_cache.jitted_modules(ROOT)
    assert jit_cache.cache_key(root) != key
    key = jit_cache.cache_key(root)
    _append(root / "kernels" / "naive.py", "\nSOME_CONSTANT = 9000\n")
    assert jit_cache.cache_key(root) != key  # what it imports is keyed too


def test_no_command_line_module_is_keyed():
    keyed = set(jit_cache.jitted_modules())
    assert not keyed & {"mirage.cli", "mirage.commands.run", "mirage.commands.analyze", "mirage.commands.bench", "mirage.__init__",
                        "mirage.engine.status_display", "mirage.engine.status_view", "mirage.engine.engine"}
    assert {"kernels.analyzer", "mirage.engine.callback", "mirage.audio.raw_stream", "mirage.osc.hop_encoder",
            "mirage.osc.bundle", "mirage.osc.fixed_template", "mirage.osc.words", "mirage.osc.primitives",
            "mirage.csv_out", "kernels.layout"} <= keyed


def _defining_module(value) -> str | None:
    if isinstance(value, Dispatcher):
        return value.py_func.__module__
    if isinstance(value, CFunc):
        return value._pyfunc.__module__
    if isinstance(value, _Intrinsic):
        return value._defn.__module__
    return None


def test_every_module_holding_compiled_code_is_keyed():
    """Import every module and look for numba's objects: the parser must have found them all."""
    keyed = set(jit_cache.jitted_modules())
    holders = set()
    for name in sorted(jit_cache._scan(ROOT)):
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        for value in list(vars(module).values()):
            owner = _defining_module(value)
            if owner is not None and owner.split(".")[0] in jit_cache.PACKAGES:
                holders.add(owner)
    assert {"kernels.spectral", "kernels.fftw", "kernels.atomics", "mirage.engine.callback",
            "mirage.osc.hop_encoder", "mirage.osc.bundle", "mirage.osc.fixed_template",
            "mirage.osc.words"} <= holders  # the search itself works
    assert holders <= keyed, sorted(holders - keyed)


# --------------------------------------------------------------------------- real runs


def _cache_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: (size, mtime_ns)."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _mirage(args: list[str], cache: Path, timeout_s: float = 600.0) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["MIRAGE_CACHE_DIR"] = str(cache)
    result = subprocess.run([sys.executable, "-m", "mirage", *args], capture_output=True, text=True,
                            timeout=timeout_s, env=env)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def short_wav(tmp_path_factory) -> Path:
    """0.1 s, two tracks: a 440 Hz tone and seeded noise, 48 kHz."""
    sr_hz, n = 48000, 4800
    t = np.arange(n) / sr_hz
    noise = np.random.default_rng(7).standard_normal(n) * 0.1
    path = tmp_path_factory.mktemp("jit") / "short.wav"
    sf.write(path, np.stack([0.5 * np.sin(2 * np.pi * 440 * t), noise], axis=1), sr_hz, subtype="FLOAT")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("command", ["analyze", "run"])
def test_second_run_compiles_nothing_and_says_nothing(command, short_wav, tmp_path):
    cache = tmp_path / "cache"
    args = (["analyze", str(short_wav), "--out", str(tmp_path / "f.csv")] if command == "analyze"
            else ["run", "--input", str(short_wav), "--clock", "--no-emotion", "--osc-port", "9"])
    first = _mirage(args, cache)
    assert first.stderr.count(NOTICE) == 1, first.stderr
    notice = next(line for line in first.stderr.splitlines() if NOTICE in line)
    assert notice.startswith("mirage: ") and notice.endswith(" s")
    state = _cache_state(cache)
    names = {Path(name).name for name in state}
    assert any(name.endswith(".nbc") for name in names)
    assert f"compiled-{command}" in names
    assert any(name.endswith(".wisdom") for name in names)  # FFTW's measured plans

    second = _mirage(args, cache)
    assert NOTICE not in second.stderr, second.stderr
    assert _cache_state(cache) == state  # no file added, none rewritten (kernels, wisdom)


def test_notice_estimate_is_the_last_measured_compile(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("MIRAGE_CACHE_DIR", str(tmp_path))
    notice = compile_notice.compile_notice("analyze")
    assert capsys.readouterr().err == (
        f"mirage: compiling the audio kernels, once: ~{compile_notice.COMPILE_ESTIMATE_S['analyze']:.0f} s\n")
    notice.done()
    assert notice.marker.exists()
    assert compile_notice.compile_notice("analyze").cold is False  # warm now: silent
    assert capsys.readouterr().err == ""
    (tmp_path / "numba" / compile_notice.ESTIMATES_FILE).write_text('{"run": 42.4}\n')
    compile_notice.compile_notice("run")
    assert capsys.readouterr().err == "mirage: compiling the audio kernels, once: ~42 s\n"
