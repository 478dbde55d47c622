"""The public `mirage` API: its examples run, its numbers are the command's, bad arguments are
`ParameterError`s that name the argument (never a command-line flag)."""

from __future__ import annotations

import doctest
import importlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import mirage
from mirage.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]
API_MODULES = ("mirage.feature_stream", "mirage.signal_mood", "mirage.load_audio")
SR = 48000


def _music(n_tracks: int, seconds: float, seed: int = 7) -> np.ndarray:
    """float32 [n_tracks, n]: a different harmonic tone plus noise per track, seeded."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    tracks = []
    for c in range(n_tracks):
        f0 = 110.0 * 2 ** (c * 5 / 12)
        x = sum(0.3 / h * np.sin(2 * np.pi * f0 * h * t) for h in range(1, 6))
        tracks.append(x + 0.01 * rng.standard_normal(t.size))
    return np.asarray(tracks, dtype=np.float32)


@pytest.mark.parametrize("name", API_MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def _readme_api_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Python API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_python_api_examples_run(tmp_path, monkeypatch):
    blocks = _readme_api_blocks()
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:  # one namespace, in order, as a reader would paste them
        exec(compile(block, "README.md (Python API)", "exec"), namespace)


def test_every_public_name_resolves_and_is_listed():
    for name in mirage.__all__:
        assert getattr(mirage, name) is not None
    assert set(mirage.__all__) <= set(dir(mirage))
    with pytest.raises(AttributeError):
        mirage.no_such_thing  # noqa: B018


def test_features_are_the_numbers_mirage_analyze_writes(tmp_path):
    audio = _music(3, 2.0)
    path = tmp_path / "three.wav"
    sf.write(path, audio.T, SR, subtype="FLOAT")
    out = tmp_path / "f.csv"
    done = subprocess.run([sys.executable, "-m", "mirage", "analyze", str(path), "--out", str(out),
                           "--n-fft", "1024", "--hop", "256", "--profiles", "VOICE,GUITAR,DRUMS"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = np.loadtxt(out, delimiter=",", skiprows=1)
    f = mirage.features(audio, SR, n_fft=1024, hop=256, profiles=["VOICE", "GUITAR", "DRUMS"])
    assert f.shape == (3, 1 + (audio.shape[1] - 1024) // 256, 8)
    assert rows.shape == (f.shape[0] * f.shape[1], 3 + 8 + 4)  # then level, bass, mid, high
    for c in range(3):
        mine = rows[rows[:, 0] == c]
        assert np.array_equal(mine[:, 3:11].astype(np.float32), f[c])  # %.9g round-trips float32
        assert np.allclose(mine[:, 2], mirage.frame_times_s(f.shape[1], sr_hz=SR, hop=256), rtol=1e-11)


@pytest.mark.parametrize("block", [1, 64, 65, 1000, 8193])
def test_a_stream_gives_the_whole_signal_features_for_any_block_size(block):
    audio = _music(2, 0.5)
    whole = mirage.features(audio, SR, n_fft=2048, hop=512)
    stream = mirage.FeatureStream(2, SR, n_fft=2048, hop=512)
    parts = [stream.process(audio[:, i:i + block]) for i in range(0, audio.shape[1], block)]
    streamed = np.concatenate(parts, axis=1)
    assert streamed.shape == whole.shape and np.array_equal(streamed, whole)
    assert stream.frames_done == whole.shape[1]
    stream.reset()
    assert np.array_equal(stream.process(audio), whole)


def test_one_track_gives_frames_by_features_and_matches_the_two_axis_form():
    audio = _music(1, 0.5)
    mono = mirage.features(audio[0], SR)
    assert mono.ndim == 2 and mono.shape[1] == mirage.N_FEATURES
    assert np.array_equal(mono, mirage.features(audio, SR)[0])
    assert np.array_equal(mirage.features(audio[0].astype(np.float64), SR), mono)


def test_profiles_narrow_the_pitch_range_per_track():
    stream = mirage.FeatureStream(2, SR, profiles=["VOICE", "DRUMS"])
    assert stream.pitch_ranges_hz.tolist() == [[80.0, 4000.0], [20.0, 10000.0]]
    assert mirage.FeatureStream(2, SR, profiles="piano").pitch_ranges_hz.tolist() == [[20.0, 4500.0]] * 2
    ranges = mirage.FeatureStream(2, SR, pitch_ranges_hz=(100.0, 200.0)).pitch_ranges_hz
    assert ranges.tolist() == [[100.0, 200.0]] * 2


def test_nonfinite_samples_are_counted_and_taken_as_zero():
    audio = _music(1, 0.2)
    clean = mirage.features(audio, SR)
    dirty = audio.copy()
    dirty[0, :3] = [np.nan, np.inf, -np.inf]
    zeroed = audio.copy()
    zeroed[0, :3] = 0.0
    stream = mirage.FeatureStream(1, SR)
    assert np.array_equal(stream.process(dirty), mirage.features(zeroed, SR))
    assert stream.nonfinite_samples == 3
    assert not np.array_equal(clean, mirage.features(zeroed, SR))


BAD_CALLS = {
    "integer audio": (lambda: mirage.features(np.zeros(4096, np.int16), SR), "dtype int16"),
    "3-d audio": (lambda: mirage.features(np.zeros((1, 2, 4096)), SR), "shape (1, 2, 4096)"),
    "rate": (lambda: mirage.features(np.zeros(4096), 0), "sr_hz"),
    "nan rate": (lambda: mirage.features(np.zeros(4096), float("nan")), "sr_hz"),
    "n_fft": (lambda: mirage.features(np.zeros(4096), SR, n_fft=8), "n_fft"),
    "hop": (lambda: mirage.features(np.zeros(4096), SR, hop=0), "hop"),
    "profile": (lambda: mirage.features(np.zeros(4096), SR, profiles="TUBA"), "TUBA"),
    "profile count": (lambda: mirage.features(np.zeros((2, 4096)), SR, profiles=["VOICE"]), "2 track"),
    "both": (lambda: mirage.features(np.zeros(4096), SR, profiles="VOICE", pitch_ranges_hz=(1, 2)), "not both"),
    "range": (lambda: mirage.features(np.zeros(4096), SR, pitch_ranges_hz=(500, 100)), "fmin"),
    "tracks": (lambda: mirage.FeatureStream(0, SR), "n_tracks"),
    "block tracks": (lambda: mirage.FeatureStream(2, SR).process(np.zeros((3, 10), np.float32)), "2 track"),
    "smoothing": (lambda: mirage.mood(np.zeros(SR), SR, smoothing_s=-1), "smoothing_s"),
}


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_arguments_raise_parameter_error_naming_the_argument_not_a_flag(case):
    call, needle = BAD_CALLS[case]
    with pytest.raises(ParameterError) as info:
        call()
    message = str(info.value)
    assert needle in message
    assert "--" not in message
    assert isinstance(info.value, mirage.MirageError) and info.value is not None


def test_load_reads_files_and_the_demo_in_the_api_axis_order(tmp_path):
    audio = _music(2, 0.3)
    sf.write(tmp_path / "duo.wav", audio.T, SR, subtype="FLOAT")
    loaded = mirage.load(tmp_path / "duo.wav")
    assert loaded.audio.shape == audio.shape and np.array_equal(loaded.audio, audio)
    assert loaded.sr_hz == SR and loaded.track_names == ["duo:0", "duo:1"]
    with pytest.raises(mirage.InputError, match="missing.wav"):
        mirage.load(tmp_path / "missing.wav")


def test_mood_is_what_mirage_analyze_writes(tmp_path):
    audio = _music(2, 4.0)
    path = tmp_path / "duo.wav"
    sf.write(path, audio.T, SR, subtype="FLOAT")
    out = tmp_path / "mood.csv"
    done = subprocess.run([sys.executable, "-m", "mirage", "analyze", str(path), "--emotion-out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = np.loadtxt(out, delimiter=",", skiprows=1, ndmin=2)
    m = mirage.mood(audio, SR)
    assert len(m.time_s) == len(rows) == 8
    assert np.allclose(np.column_stack(m), rows, rtol=1e-8, atol=1e-9)  # the CSV has 9 digits


def _imports_of(path: Path) -> set[str]:
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_no_command_imports_another_and_the_library_imports_no_command():
    commands = ROOT / "mirage" / "commands"
    for path in sorted((ROOT / "mirage").rglob("*.py")):
        imported = {n for n in _imports_of(path) if n.startswith("mirage.commands.")}
        if path.parent == commands:
            own = f"mirage.commands.{path.stem}"
            assert imported <= {own}, f"{path.relative_to(ROOT)} imports {sorted(imported - {own})}"
        elif path.name != "cli.py":
            assert not imported, f"the library module {path.relative_to(ROOT)} imports {sorted(imported)}"
