"""`mirage analyze` end to end (real subprocesses, real audio files) and its CSV formatter."""

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from kernels.analyzer import analyze_tracks
from mirage.commands import analyze as analyze_mod
from mirage import cli
from mirage.csv_out import HEADER, format_g, write_features

SR = 22050
EXPECTED_HEADER = ("track,frame,time_s,centroid_hz,bandwidth_hz,flatness,rolloff_hz,"
                   "pitch1_hz,pitch2_hz,pitch3_hz,pitch4_hz")
ANALYZE_HEADER = EXPECTED_HEADER + ",level,bass,mid,high"
"""`mirage analyze --out`: the features, then the per-track rhythm columns."""


def run_mirage(*args, cwd=None, env=None):
    """`python -m mirage ARGS` as a user runs it; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "mirage", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def stereo(tmp_path_factory):
    """0.5 s stereo at 22.05 kHz: a 440 Hz tone left, seeded noise right."""
    folder = tmp_path_factory.mktemp("in")
    t = np.arange(SR // 2) / SR
    rng = np.random.default_rng(7)
    data = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.1 * rng.standard_normal(len(t))], 1)
    path = folder / "stereo.wav"
    sf.write(path, data.astype(np.float32), SR, subtype="FLOAT")
    return path


def assert_one_line_error(proc, *needles):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mirage: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---- the CSV ------------------------------------------------------------------------------


def test_csv_matches_the_kernels_exactly(stereo, tmp_path):
    out = tmp_path / "features.csv"
    proc = run_mirage("analyze", stereo, "--out", out, "--n-fft", 1024, "--hop", 256)
    assert proc.returncode == 0, proc.stderr
    summary = [line for line in proc.stderr.strip().splitlines()
               if "compiling the audio kernels, once" not in line]  # a cold cache's first run says so
    assert len(summary) == 1 and "2 track(s) x 40 frames" in summary[0] and "real time" in summary[0]
    text = out.read_text()
    assert text.splitlines()[0] == ANALYZE_HEADER and HEADER == EXPECTED_HEADER
    table = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    audio, _ = sf.read(stereo, dtype="float32", always_2d=True)
    expected = analyze_tracks(np.ascontiguousarray(audio.T), SR, n_fft=1024, hop=256)
    k, c = expected.shape[:2]
    assert (k, c) == (1 + (SR // 2 - 1024) // 256, 2)
    assert table.shape == (k * c, 15)
    frame = np.repeat(np.arange(k), c)   # rows ordered by frame, then track
    np.testing.assert_array_equal(table[:, 0], np.tile(np.arange(c), k))
    np.testing.assert_array_equal(table[:, 1], frame)
    np.testing.assert_allclose(table[:, 2], frame * 256 / SR, rtol=1e-11)  # 12 digits
    # 9 significant digits read back as the exact float32 the kernels produced
    np.testing.assert_array_equal(table[:, 3:11].astype(np.float32), expected.reshape(-1, 8))
    assert table[0::2, 7] == pytest.approx(440, abs=3)  # the tone's pitch1
    # level, bass, mid, high: the rhythm kernels' values, exact
    from kernels.analyzer import TrackAnalyzer
    from kernels.rhythm_layout import RH_BASS, RH_HIGH, RH_LEVEL, RH_MID

    analyzer = TrackAnalyzer(2, SR, n_fft=1024, hop=256, rhythm=True, max_block=len(audio))
    analyzer.process(audio)
    rhythm = analyzer.rhythm_out[:, :, [RH_LEVEL, RH_BASS, RH_MID, RH_HIGH]]
    np.testing.assert_array_equal(table[:, 11:].astype(np.float32), rhythm.reshape(-1, 4))
    assert np.all(table[0::2, 13] > 0.9)  # the 440 Hz tone is mid


def test_without_out_prints_a_table_and_needs_no_portaudio(stereo):
    code = ("import sys; from mirage.cli import main; rc = main(['analyze', sys.argv[1]]); "
            "assert 'sounddevice' not in sys.modules and 'rtmidi' not in sys.modules; "
            "sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, str(stereo)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["track", "name", "profile"]
    assert [ln.split()[1] for ln in lines[2:4]] == ["stereo:0", "stereo:1"]


def test_short_audio_gives_header_only(tmp_path):
    sf.write(tmp_path / "tiny.wav", np.zeros(100, np.float32), SR)
    proc = run_mirage("analyze", tmp_path / "tiny.wav", "-o", tmp_path / "f.csv")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "f.csv").read_text() == ANALYZE_HEADER + "\n"


# ---- bad input: exit 2, one line naming the problem, nothing written ------------------------


def _bad_inputs(tmp: Path) -> dict:
    (tmp / "notaudio.wav").write_text("plain text, not audio\n" * 20)
    (tmp / "empty.wav").write_bytes(b"")
    sf.write(tmp / "zero.wav", np.zeros((0, 1), np.float32), SR)
    (tmp / "emptydir").mkdir()
    (tmp / "textdir").mkdir()
    (tmp / "textdir" / "a.txt").write_text("x")
    return {
        "missing": (["analyze", tmp / "missing.wav"], ["missing.wav", "no such file"]),
        "not audio": (["analyze", tmp / "notaudio.wav"], ["notaudio.wav", "not a readable audio"]),
        "empty file": (["analyze", tmp / "empty.wav"], ["empty.wav", "empty file"]),
        "zero frames": (["analyze", tmp / "zero.wav"], ["zero.wav", "0 frames"]),
        "empty folder": (["analyze", tmp / "emptydir"], ["emptydir", "empty"]),
        "no audio in folder": (["analyze", tmp / "textdir"], ["textdir", "no audio files"]),
        "n_fft": (["analyze", tmp / "zero.wav", "--n-fft", "8"], ["n_fft", "8"]),
        "hop": (["analyze", tmp / "zero.wav", "--hop", "0"], ["hop", "got 0"]),
        "profile": (["analyze", tmp / "zero.wav", "--profile", "TUBA"], ["TUBA"]),
        "out folder": (["analyze", tmp / "zero.wav", "-o", tmp / "nodir" / "x.csv"], ["nodir"]),
    }


@pytest.mark.parametrize("case", [
    "missing", "not audio", "empty file", "zero frames", "empty folder", "no audio in folder",
    "n_fft", "hop", "profile", "out folder"])
def test_bad_input(tmp_path, case):
    args, needles = _bad_inputs(tmp_path)[case]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "f.csv"
    if "-o" not in args:
        args = [*args, "--out", out]
    proc = run_mirage(*args)
    assert_one_line_error(proc, *needles)
    assert not out.exists() and os.listdir(out_dir) == []
    assert leftovers(tmp_path) == []


def test_refuses_to_overwrite_an_input(stereo, tmp_path):
    before = stereo.read_bytes()
    link = tmp_path / "alias.wav"
    link.symlink_to(stereo)
    for out in (stereo, link, Path(os.path.relpath(stereo, tmp_path))):
        proc = run_mirage("analyze", stereo, "--out", out, cwd=tmp_path)
        assert_one_line_error(proc, "one of the inputs")
    proc = run_mirage("analyze", stereo.parent, "--out", stereo)  # input via its folder
    assert_one_line_error(proc, "one of the inputs")
    assert stereo.read_bytes() == before
    assert leftovers(stereo.parent) == []


def test_existing_out_untouched_when_analysis_fails(tmp_path):
    out = tmp_path / "f.csv"
    out.write_text("previous results\n")
    proc = run_mirage("analyze", tmp_path / "missing.wav", "--out", out)
    assert_one_line_error(proc, "missing.wav")
    assert out.read_text() == "previous results\n"


def test_existing_out_replaced_on_success(stereo, tmp_path):
    out = tmp_path / "f.csv"
    out.write_text("previous results\n")
    assert cli.main(["analyze", str(stereo), "--out", str(out)]) == 0
    assert out.read_text().startswith(ANALYZE_HEADER) and leftovers(tmp_path) == []


# ---- in-process: interruption, emotion hook, subcommand dispatch ---------------------------


@pytest.mark.parametrize("exc", [KeyboardInterrupt, MemoryError])
def test_failure_midway_leaves_no_file(stereo, tmp_path, monkeypatch, capsys, exc):
    import kernels.analyzer

    calls = []

    class Failing(kernels.analyzer.TrackAnalyzer):
        def process(self, block):
            if block.shape[0] == 22016:  # the 2nd one-second block of real audio
                calls.append(self.frames_done)
                if len(calls) == 2:
                    raise exc  # after the output file was opened and frames were computed
            return super().process(block)

    monkeypatch.setattr(kernels.analyzer, "TrackAnalyzer", Failing)
    long = tmp_path / "in" / "long.wav"
    long.parent.mkdir()
    sf.write(long, np.tile(sf.read(stereo, dtype="float32")[0], (5, 1)), SR)
    out = tmp_path / "f.csv"
    out.write_text("old\n")
    args = ["analyze", str(long), "--out", str(out)]
    if exc is KeyboardInterrupt:
        assert cli.main(args) == 130  # Ctrl-C: quiet exit
        assert capsys.readouterr().err == ""
    else:
        with pytest.raises(exc):  # not a user error: it keeps its traceback
            cli.main(args)
    assert len(calls) == 2 and calls[1] > 0
    assert out.read_text() == "old\n" and leftovers(tmp_path) == []


def test_emotion_out_hook(stereo, tmp_path, monkeypatch):
    class FakeMood:  # the streaming mood: the mono mix block by block, rows at the end
        def __init__(self, sr_hz):
            assert sr_hz == SR
            self.samples = 0

        def push(self, mix):
            assert mix.ndim == 1
            self.samples += len(mix)

        def rows(self):
            assert self.samples == SR // 2  # the whole mix went through
            return np.array([[0.5, 0.25, -0.125]])

    monkeypatch.setattr(analyze_mod, "_load_emotion", lambda: FakeMood)
    out, emo = tmp_path / "f.csv", tmp_path / "e.csv"
    assert cli.main(["analyze", str(stereo), "-o", str(out), "--emotion-out", str(emo)]) == 0
    assert emo.read_text() == "time_s,arousal,valence\n0.5,0.25,-0.125\n"


def test_emotion_unavailable_writes_nothing(stereo, tmp_path, monkeypatch, capsys):
    from mirage.errors import InputError

    def unavailable():
        raise InputError("emotion model not available")

    monkeypatch.setattr(analyze_mod, "_load_emotion", unavailable)
    out, emo = tmp_path / "f.csv", tmp_path / "e.csv"
    assert cli.main(["analyze", str(stereo), "-o", str(out), "--emotion-out", str(emo)]) == 2
    assert capsys.readouterr().err == "mirage: error: emotion model not available\n"
    assert os.listdir(tmp_path) == []


def test_missing_subcommand_module_is_not_available_yet(monkeypatch, capsys):
    monkeypatch.setitem(cli.SUBCOMMANDS, "nosuchthing", "a command nobody wrote")
    assert cli.main(["nosuchthing"]) == 2
    assert capsys.readouterr().err == "mirage: error: 'nosuchthing' is not available yet\n"


def test_usage_errors_and_help_return_codes(capsys):
    assert cli.main([]) == 2
    assert cli.main(["--help"]) == 0
    assert cli.main(["analyze", "x.wav", "--hop", "abc"]) == 2
    assert "Traceback" not in capsys.readouterr().err


# ---- the formatter -------------------------------------------------------------------------


def test_format_g_equals_python_on_float32_bit_patterns():
    rng = np.random.default_rng(3)
    bits = rng.integers(0, 2**32, 100_000, dtype=np.uint64).astype(np.uint32)
    values = bits.view(np.float32)
    values = values[np.isfinite(values)].astype(np.float64)
    texts = format_g(values, 9)
    assert np.array_equal(np.array(texts, dtype=np.float64).astype(np.float32),
                          values.astype(np.float32))  # round trip
    specials = [0.0, -0.0, 1.0, 10.0, 1e8, 1e9, 123456789.0, 0.0001, 0.00001, 1e-10, 1e-45,
                3.4e38, 0.5, 440.0, 1e100, 1e-300, np.inf, -np.inf, np.nan]
    values = np.concatenate([values, specials])
    assert format_g(values, 9) == ["%.9g" % v for v in values]


def test_format_g_time_digits():
    times = np.arange(0, 2_000_000, 13) * 512 / 44100
    assert format_g(times, 12) == ["%.12g" % t for t in times]


def test_write_features_layout():
    feats = np.arange(2 * 3 * 8, dtype=np.float32).reshape(2, 3, 8) / 7
    buf = io.BytesIO()
    assert write_features(buf, feats, hop=512, sr_hz=48000, frame_offset=10) == 6
    lines = buf.getvalue().decode().splitlines()
    assert lines[0] == EXPECTED_HEADER
    assert lines[5] == "1,11,%.12g," % (11 * 512 / 48000) + ",".join(
        "%.9g" % v for v in feats[1, 1])
