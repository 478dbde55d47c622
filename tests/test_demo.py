"""The demo song: deterministic, four stems of the documented shape, cached atomically."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirage import demo
from mirage.errors import InputError


@pytest.fixture(scope="module")
def rendered():
    return demo.render_demo()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRAGE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_render_is_deterministic(rendered):
    again = demo.render_demo()
    assert list(again) == list(rendered)
    for name in rendered:
        assert again[name].tobytes() == rendered[name].tobytes()


def test_stems_shape(rendered):
    assert tuple(rendered) == demo.STEM_NAMES == ("bass", "chords", "drums", "lead")
    assert demo.DURATION_S == pytest.approx(30.0)
    for name, pcm in rendered.items():
        assert pcm.dtype == np.int16 and pcm.shape == (demo.N_SAMPLES,)
        assert np.abs(pcm).max() == 16384  # peak normalised to -6 dBFS
        assert set(demo.STEM_PROFILES) == set(demo.STEM_NAMES)


def _peak_hz(x: np.ndarray, start_s: float, dur_s: float) -> float:
    seg = x[int(start_s * demo.DEMO_SR_HZ):int((start_s + dur_s) * demo.DEMO_SR_HZ)].astype(float)
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
    return np.argmax(spec) * demo.DEMO_SR_HZ / len(seg)


def test_stems_are_musical(rendered):
    # The first bass note is C2 (65.4 Hz), strongest partial the fundamental.
    assert _peak_hz(rendered["bass"], 0.0, 0.18) == pytest.approx(65.4, abs=6.0)
    # The lead is silent during the 4-bar intro, then starts on E5 (659.3 Hz).
    bar_n = int(4 * 60 / demo.TEMPO_BPM * 4 * demo.DEMO_SR_HZ)
    assert not rendered["lead"][: bar_n - 100].any()
    assert _peak_hz(rendered["lead"], 4 * 1.875 + 0.05, 0.3) == pytest.approx(659.3, abs=4.0)
    # The drums are broadband: far more energy above 5 kHz than the bass.
    def high_share(x):
        spec = np.abs(np.fft.rfft(x[: demo.DEMO_SR_HZ * 4].astype(float))) ** 2
        return spec[int(5000 * 4):].sum() / spec.sum()
    assert high_share(rendered["drums"]) > 100 * high_share(rendered["bass"])


def test_stems_dir_written_once(cache, rendered):
    folder = demo.demo_stems_dir()
    assert folder == cache / "demo" / f"v{demo.DEMO_VERSION}"
    assert sorted(p.name for p in folder.iterdir()) == [f"{n}.flac" for n in demo.STEM_NAMES]
    for name in demo.STEM_NAMES:
        info = sf.info(folder / f"{name}.flac")
        assert (info.samplerate, info.channels, info.frames) == (44100, 1, demo.N_SAMPLES)
        assert info.subtype == "PCM_16"
        data, _ = sf.read(folder / f"{name}.flac", dtype="int16")
        np.testing.assert_array_equal(data, rendered[name])
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert demo.demo_stems_dir() == folder
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temp folder left


def test_stem_files_are_byte_identical(tmp_path, monkeypatch):
    digests = []
    for i in range(2):
        monkeypatch.setenv("MIRAGE_CACHE_DIR", str(tmp_path / f"c{i}"))
        digests.append(_digest(demo.demo_stems_dir()))
    assert digests[0] == digests[1]


def test_cache_location_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("MIRAGE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert demo.cache_root() == tmp_path / "xdg" / "mirage"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert demo.cache_root() == tmp_path / "home" / ".cache" / "mirage"
    monkeypatch.setenv("MIRAGE_CACHE_DIR", str(tmp_path / "override"))
    assert demo.cache_root() == tmp_path / "override"


def test_unusable_cache_is_an_input_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MIRAGE_CACHE_DIR", str(blocker / "cache"))
    with pytest.raises(InputError, match="a-file"):
        demo.demo_stems_dir()
