"""What the start-up path imports: the heavy libraries only where they are used.

Deterministic stand-ins for the warm-start figures of ``mirage bench`` (which times the real
commands): a module that is never imported costs nothing, on any machine.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

HEAVY = ("numba", "scipy.linalg", "pyfftw", "onnxruntime", "rich", "librosa", "sounddevice", "soundfile")
REPORT = ("import json, sys\nfrom mirage.cli import main\nrc = main(sys.argv[1:])\n"
          "print(json.dumps([m for m in " + repr(HEAVY) + " if m in sys.modules]))\nsys.exit(rc)\n")


def _imported(*args: str) -> set[str]:
    """The `HEAVY` modules a ``mirage ARGS`` process has imported when its main returns."""
    done = subprocess.run([sys.executable, "-c", REPORT, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def short_wav(tmp_path_factory):
    """0.1 s, two tracks: a 440 Hz tone and a 97 Hz tone, 48 kHz."""
    t = np.arange(4800) / 48000
    path = tmp_path_factory.mktemp("startup") / "short.wav"
    sf.write(path, np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.1 * np.sin(2 * np.pi * 97 * t)], 1), 48000,
             subtype="FLOAT")
    return str(path)


def test_importing_mirage_and_parsing_any_command_line_imports_no_numba():
    code = ("import sys, mirage, kernels\nfrom mirage.cli import SUBCOMMANDS, build_parser\n"
            "for name in SUBCOMMANDS: build_parser(name)\nprint('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_analyze_imports_numba_and_the_file_reader_only(short_wav):
    assert _imported("analyze", short_wav) == {"numba", "soundfile"}


def test_run_with_the_shipped_emotion_model_leaves_onnxruntime_to_the_worker(short_wav):
    # the emotion worker (a spawned process) loads the model; the engine's process does not
    assert _imported("run", "--input", short_wav, "--clock", "--osc-port", "9", "--duration", "0.3") == {
        "numba", "soundfile"}


def test_view_imports_none_of_the_heavy_libraries():
    """`mirage view` needs the OSC parser and aiohttp only: it starts fast next to an engine."""
    assert _imported("view", "--listen", "0", "--http-port", "0", "--duration", "0.3") == set()
