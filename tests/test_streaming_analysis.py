"""Offline analysis in constant memory: chunked decode, streamed writers, exact spilled medians.

Each streamed piece is checked against its whole-array counterpart, exactly: the reader's blocks
against ``soundfile.read`` and ``soxr.resample``, the CSV against `write_features` of the
whole array, the Parquet against the same numbers, the summary against ``np.median``, the
streamed mood against `emotion_track` of the whole mix.
"""

import io
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
import soxr

from kernels.analyzer import analyze_tracks
from mirage.load_audio import load_source
from mirage.audio_reader import SourceReader
from mirage.csv_out import write_features
from mirage.errors import ParameterError
from mirage.feature_analysis import analyze_source
from mirage.feature_writers import writer_class
from mirage.spilled_medians import SpilledMedians


def noise(n, channels, seed):
    return (0.3 * np.random.default_rng(seed).standard_normal((n, channels))).astype(np.float32)


@pytest.fixture(scope="module")
def stems(tmp_path_factory):
    """A stems folder: stereo 44.1 kHz 3.3 s, mono 48 kHz 2 s, mono 22.05 kHz 4.1 s (FLOAT)."""
    folder = tmp_path_factory.mktemp("stems")
    sf.write(folder / "a.wav", noise(145_530, 2, 1), 44100, subtype="FLOAT")
    sf.write(folder / "b.wav", noise(96_000, 1, 2), 48000, subtype="FLOAT")
    sf.write(folder / "c.wav", noise(90_405, 1, 3), 22050, subtype="FLOAT")
    return folder


# ---- the reader -------------------------------------------------------------------------------


@pytest.mark.parametrize("block", [1, 511, 44100, 100_000])
def test_reader_blocks_equal_the_whole_file(tmp_path, block):
    data = noise(50_001 if block > 1 else 3001, 3, 4)
    sf.write(tmp_path / "x.wav", data, 44100, subtype="FLOAT")
    with SourceReader([tmp_path / "x.wav"]) as reader:
        got = np.concatenate(list(reader.blocks(block)))
        assert reader.track_names == ["x:0", "x:1", "x:2"] and reader.sr_hz == 44100
    np.testing.assert_array_equal(got, data)


@pytest.mark.parametrize("rates", [(44100, 48000), (22050, 48000), (48000, 44100), (16000, 22050)])
def test_streamed_resampling_equals_whole_array_soxr(tmp_path, rates):
    src, dst = rates
    for n in (src * 2, src * 2 + 777):  # a whole number of read chunks, and not
        data = noise(n, 2, 5)
        sf.write(tmp_path / "x.wav", data, src, subtype="FLOAT")
        with SourceReader([tmp_path / "x.wav"], sr_hz=dst, notice=lambda m: None) as reader:
            got = np.concatenate(list(reader.blocks(4096)))
        expected = soxr.resample(data, src, dst, quality="HQ")
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)  # bit for bit


def test_stems_in_lockstep_equal_load_source(stems):
    """Different rates and lengths: resampled to the first file's rate, padded to the longest."""
    notices = []
    with SourceReader([stems], notice=notices.append) as reader:
        blocks = list(reader.blocks(44032))
        names = reader.track_names
    assert names == ["a:0", "a:1", "b", "c"]
    assert len(notices) == 1 and "b.wav (48000 Hz)" in notices[0] and "c.wav (22050 Hz)" in notices[0]
    assert all(len(b) == 44032 for b in blocks[:-1])
    streamed = np.concatenate(blocks).T
    whole = np.zeros_like(streamed)
    a, _ = sf.read(stems / "a.wav", dtype="float32", always_2d=True)
    whole[:2, :len(a)] = a.T
    for row, name, rate in ((2, "b", 48000), (3, "c", 22050)):
        x, _ = sf.read(stems / f"{name}.wav", dtype="float32", always_2d=True)
        y = soxr.resample(x, rate, 44100, quality="HQ")[:, 0]
        whole[row, :len(y)] = y
    assert streamed.shape[1] == max(len(a), 180_810)  # c: 4.1 s at 44.1 kHz is the longest
    np.testing.assert_array_equal(streamed, whole)
    np.testing.assert_array_equal(load_source([stems], notice=lambda m: None).audio, whole)


# ---- the writers --------------------------------------------------------------------------------


def test_unknown_extension_is_a_parameter_error():
    for name in ("f.txt", "f", "f.csv.gz"):
        with pytest.raises(ParameterError, match="unknown output format"):
            writer_class(name)
    assert writer_class("F.CSV").__name__ == "CsvFeatureWriter"


def test_csv_and_parquet_equal_the_whole_array(stems, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    audio, sr, _ = load_source([stems], notice=lambda m: None)
    expected = analyze_tracks(audio, sr, n_fft=1024, hop=300)
    buf = io.BytesIO()
    write_features(buf, expected, hop=300, sr_hz=sr)
    stats = analyze_source([stems], out=tmp_path / "f.csv", n_fft=1024, hop=300, notice=lambda m: None)
    assert (tmp_path / "f.csv").read_bytes() == buf.getvalue()  # byte for byte
    assert (stats.n_frames, stats.n_tracks, stats.rows) == (len(expected), 4, expected.size // 8)
    assert stats.summary is None and stats.n_samples == audio.shape[1]

    analyze_source([stems], out=tmp_path / "f.parquet", n_fft=1024, hop=300, notice=lambda m: None)
    table = pq.read_table(tmp_path / "f.parquet")
    k, c = expected.shape[:2]
    np.testing.assert_array_equal(table["track"].to_numpy(), np.tile(np.arange(c), k))
    np.testing.assert_array_equal(table["frame"].to_numpy(), np.repeat(np.arange(k), c))
    np.testing.assert_array_equal(table["time_s"].to_numpy(), np.repeat(np.arange(k) * 300 / sr, c))
    values = np.column_stack([table[name].to_numpy() for name in table.column_names[3:]])
    assert values.dtype == np.float32
    np.testing.assert_array_equal(values, expected.reshape(-1, 8))


def test_unknown_extension_from_the_command_leaves_nothing(stems, tmp_path):
    out = tmp_path / "f.json"
    out.write_text("mine\n")
    proc = subprocess.run([sys.executable, "-m", "mirage", "analyze", str(stems), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"mirage: error: {out}: unknown output format (extension '.json'); use .csv or .parquet"]
    assert out.read_text() == "mine\n" and sorted(p.name for p in tmp_path.iterdir()) == ["f.json"]


# ---- the summary: exact medians, spilled ----------------------------------------------------


def test_spilled_medians_equal_numpy():
    rng = np.random.default_rng(9)
    for n in (1, 2, 5, 4096, 200_001):
        x = rng.standard_normal((n, 4)).astype(np.float32)
        x[:, 1] = np.round(x[:, 1])                      # many ties
        x[:, 2] = np.abs(x[:, 2]) * (rng.random(n) < 0.3)  # mostly zeros; median of the > 0
        x[:, 3] = -np.abs(x[:, 3]) * np.float32(1e-30)   # negative, tiny
        m = SpilledMedians(4)
        for i in range(0, n, 1000):
            m.add(x[i:i + 1000])
        got = m.medians(positive=[False, False, True, False]).astype(np.float32)
        voiced = x[x[:, 2] > 0, 2]
        expected = [np.median(x[:, 0]), np.median(x[:, 1]),
                    np.median(voiced) if len(voiced) else np.nan, np.median(x[:, 3])]
        np.testing.assert_array_equal(got, np.array(expected, dtype=np.float32))
        m.close()


def test_summary_equals_medians_of_all_frames(stems):
    audio, sr, _ = load_source([stems], notice=lambda m: None)
    f = analyze_tracks(audio, sr, n_fft=2048, hop=512)
    stats = analyze_source([stems], notice=lambda m: None)
    for c in range(4):
        voiced = f[:, c, 4] > 0
        expected = [*np.median(f[:, c, :4], axis=0),
                    np.median(f[voiced, c, 4]) if voiced.any() else 0.0, voiced.mean()]
        np.testing.assert_allclose(stats.summary[c], expected, rtol=0, atol=0)


# ---- the mood, streamed ------------------------------------------------------------------------


def test_streamed_mood_equals_emotion_track_of_the_whole_mix(stems, tmp_path):
    from mirage.emotion.offline import emotion_track
    from mirage.emotion.offline import MoodTrack
    from mirage.feature_analysis import mix_of

    audio, sr, _ = load_source([stems], notice=lambda m: None)
    expected = emotion_track(audio.mean(axis=0), sr)
    assert len(expected) == 8  # 4.1 s: a row per 0.5 s
    for block in (1000, 44032):
        mood = MoodTrack(sr)
        with SourceReader([stems], notice=lambda m: None) as reader:
            for b in reader.blocks(block):
                mood.push(mix_of(b))
        np.testing.assert_array_equal(mood.rows(), expected)  # bit for bit
    stats = analyze_source([stems], emotion_out=tmp_path / "m.csv", summary=False,
                           notice=lambda m: None)
    assert stats.mood_steps == 8 and not (tmp_path / "f.csv").exists()
    rows = np.loadtxt(tmp_path / "m.csv", delimiter=",", skiprows=1)
    np.testing.assert_array_equal(rows[:, 0], expected[:, 0])
    np.testing.assert_array_equal(rows[:, 1:].astype(np.float32), expected[:, 1:].astype(np.float32))


# ---- failures midway: nothing left, nothing overwritten --------------------------------------


@pytest.mark.parametrize("ext", [".csv", ".parquet"])
def test_interrupted_analysis_leaves_the_old_file(stems, tmp_path, monkeypatch, ext):
    if ext == ".parquet":
        pytest.importorskip("pyarrow")
    import gc

    import kernels.analyzer

    class Failing(kernels.analyzer.TrackAnalyzer):
        calls = 0

        def process(self, block):
            if block.shape[0] > 1000:  # not warm_up's block
                Failing.calls += 1
                if Failing.calls == 3:  # rows were written (and a Parquet row group begun)
                    raise KeyboardInterrupt
            return super().process(block)

    monkeypatch.setattr(kernels.analyzer, "TrackAnalyzer", Failing)
    monkeypatch.setattr("mirage.feature_writers.ROWS_PER_GROUP", 100)
    out = tmp_path / f"f{ext}"
    out.write_text("old\n")
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(KeyboardInterrupt):
        analyze_source([stems], out=out, emotion_out=tmp_path / "m.csv", notice=lambda m: None)
    gc.collect()  # a writer left open would complain when collected
    assert unraisable == []
    assert out.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == [out.name]
