"""The wheel works anywhere: built with ``python -m build``, installed into a fresh virtual
environment outside the repository, run from another folder.

What it guards: every file the engine reads at run time (the ONNX model above all) is inside
the installed package, and nothing is found through the repository (a source folder on
``sys.path``, a path computed from ``__file__`` that leaves the package). The commands run with
``PYTHONPATH`` unset, from a folder that is not the repository, with their own empty cache
(``MIRAGE_CACHE_DIR``): the demo song is rendered and the kernels compiled there, as on a
user's first start.

Cost: the build and ``pip install`` of the wheel with its dependencies (from pip's index and
cache; nothing of the repository's ``.venv`` is reused, so a dependency missing from
``pyproject.toml`` fails here) plus one compile per command: 1–2 min on 2 cores (the setup ~30 s when the machine is idle).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from tests.engine_runs import read_stats
from tests.osc_receivers import HANG_S, PythonOscReceiver, wait_for

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache", ".benchmarks", "out")
"""What a checkout may hold besides the sources (git-ignored): never copied into the build."""
MODEL_NAMES = ("emotion-va.int8.onnx", "emotion-va.fp32.onnx")
VIEW_FILES = ("index.html", "view.js", "view.css")
"""`mirage view`'s page, served from the package."""
PIP_TIMEOUT_S = 600.0
"""Bounds a hang only (an install takes ~15 s here, more on a cold pip cache)."""


def _run(cmd: list, *, cwd: Path, env: dict, timeout_s: float = PIP_TIMEOUT_S) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], check=False, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout_s)
    assert done.returncode == 0, f"{cmd} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _clean_env(cache: Path) -> dict:
    """The caller's environment without anything that points into the repository or its venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "NUMBA_CACHE_DIR", "MIRAGE_NUMBA_CACHE_DIR")}
    env["MIRAGE_CACHE_DIR"] = str(cache)
    return env


def _fresh_venv(path: Path) -> Path:
    """A new virtual environment with pip (no system site-packages); its ``bin`` folder."""
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / "bin"


class Installed:
    """A wheel built from a copy of the sources and installed into a fresh venv."""

    def __init__(self, root: Path):
        self.root = root
        self.src = root / "src"
        shutil.copytree(REPO, self.src, ignore=NOT_SOURCES)
        self.cwd = root / "elsewhere"
        self.cwd.mkdir()
        self.env = _clean_env(root / "cache")
        dist = root / "dist"
        _run([sys.executable, "-m", "build", "--outdir", dist, self.src], cwd=self.cwd, env=self.env)
        (self.wheel,) = dist.glob("*.whl")
        self.bin = _fresh_venv(root / "venv")
        _run([self.bin / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q", self.wheel],
             cwd=self.cwd, env=self.env)
        shutil.rmtree(self.src)  # whatever the installed engine reads, it cannot be the sources

    def python(self, code: str) -> str:
        return _run([self.bin / "python", "-c", code], cwd=self.cwd, env=self.env).stdout

    def mirage(self, *args: str, timeout_s: float = 300.0) -> subprocess.CompletedProcess:
        return _run([self.bin / "mirage", *args], cwd=self.cwd, env=self.env, timeout_s=timeout_s)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    return Installed(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_the_engine_and_its_model_and_nothing_else(installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    dist_info = installed.wheel.name.split("-py3")[0] + ".dist-info"
    assert {n.split("/")[0] for n in names} == {"mirage", "kernels", dist_info}
    for name in MODEL_NAMES:
        assert f"mirage/emotion/model_files/{name}" in names
    for name in VIEW_FILES:
        assert f"mirage/view/static/{name}" in names
    size_mb = installed.wheel.stat().st_size / 1e6
    assert size_mb < 5, f"the wheel is {size_mb:.1f} MB"


def test_the_installed_package_is_imported_from_the_venv_with_its_model(installed):
    site = Path(installed.python("import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()).resolve()
    out = installed.python(
        "import importlib.util, mirage, kernels\n"
        "from mirage.emotion.model import DEFAULT_MODEL, FP32_MODEL, EmotionModel\n"
        "EmotionModel(); EmotionModel(FP32_MODEL)\n"
        "print(mirage.__file__, kernels.__file__, DEFAULT_MODEL, FP32_MODEL, sep='\\n')\n"
        "print(importlib.util.find_spec('models'), importlib.util.find_spec('tests'))\n")
    *paths, absent = out.strip().splitlines()
    for path in paths:
        assert Path(path).resolve().is_relative_to(site), (path, site)
        assert Path(path).is_file()
    assert absent == "None None"  # the training code and the tests stay out of the wheel


def test_analyze_demo_with_emotion_from_another_folder(installed):
    installed.mirage("analyze", "demo", "--emotion-out", "mood.csv")
    with open(installed.cwd / "mood.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 50  # ~30 s of demo, a row every 0.5 s
    for row in rows:
        assert -1 <= float(row["arousal"]) <= 1 and -1 <= float(row["valence"]) <= 1


def test_run_demo_sends_features_and_mood_to_a_real_socket(installed):
    stats = installed.root / "stats.json"
    with PythonOscReceiver() as osc:
        # no --clock: without a sound card the engine falls back to one by itself
        installed.mirage("run", "--input", "demo", "--duration", "3", "--osc-port", str(osc.port),
                         "--stats-json", str(stats))
        expected = {"/Lfmsg_ch0", "/Lfmsg_ch3", "/Hfmsg_ch0"}  # features of tracks 0 and 3, the mood
        assert wait_for(lambda: expected <= {address for address, _ in list(osc.received)}, HANG_S)
    s = read_stats(stats)
    assert s["source"] == "demo" and s["tracks"] == 4
    assert s["hops_sent"] > 0 and s["emotion_sent"] > 0 and s["emotion_restarts"] == 0


def test_view_needs_its_extra_then_serves_its_page_from_the_package(installed):
    """Without aiohttp (the ``view`` extra): one line naming the extra, exit 2. With it: the
    page and its files come from the installed package."""
    command = [str(installed.bin / "mirage"), "view", "--listen", "0", "--http-port", "0", "--duration", "60"]
    done = subprocess.run(command, cwd=installed.cwd, env=installed.env, capture_output=True, text=True,
                          timeout=HANG_S)
    assert done.returncode == 2 and done.stderr == "mirage: error: mirage view needs aiohttp: pip install 'mirage-engine[view]'\n", done
    _run([installed.bin / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q",
          f"{installed.wheel}[view]"], cwd=installed.cwd, env=installed.env)
    view = subprocess.Popen(command, cwd=installed.cwd, env=installed.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = re.search(r"(http://\S+/)", view.stdout.readline()).group(1)
        for path, marker in [("", "<title>MIRAGE view</title>"), ("static/view.js", "new WebSocket"),
                             ("static/view.css", "#mood-plane")]:
            with urllib.request.urlopen(url + path, timeout=HANG_S) as response:
                assert marker in response.read().decode()
    finally:
        view.send_signal(signal.SIGINT)
        assert view.wait(HANG_S) == 0, view.stderr.read()


def test_pip_install_of_the_sources_not_editable_ships_the_model(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=NOT_SOURCES)
    env = _clean_env(tmp_path / "cache")
    bin_ = _fresh_venv(tmp_path / "venv")
    # no dependencies: what is checked is what the package itself installs
    _run([bin_ / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps", src],
         cwd=tmp_path, env=env)
    shutil.rmtree(src)
    code = ("import importlib.metadata as md, sysconfig\n"
            "print(sysconfig.get_paths()['purelib'])\n"
            "for f in md.files('mirage-engine'): print(f.locate())")
    out = _run([bin_ / "python", "-c", code], cwd=tmp_path, env=env).stdout.split()
    site, files = Path(out[0]).resolve(), [Path(p).resolve() for p in out[1:]]
    assert files and all(f.is_relative_to((tmp_path / "venv").resolve()) for f in files)
    for name in MODEL_NAMES:
        (model,) = [f for f in files if f.name == name]
        assert model == site / "mirage" / "emotion" / "model_files" / name
        assert model.stat().st_size > 100_000
