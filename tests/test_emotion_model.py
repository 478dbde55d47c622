"""The shipped emotion model: validation errors, int8 vs fp32, offline track, musical sanity."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mirage.emotion.feature_layout import N_FEATURES
from mirage.emotion.features import extract
from mirage.emotion.model import DEFAULT_MODEL, FP32_MODEL, EmotionModel
from mirage.emotion.mood_csv import write_mood_csv
from mirage.emotion.offline import emotion_track
from mirage.emotion.smoothing import MoodSmoother, smooth
from mirage.errors import InputError, ParameterError

SOUNDFONTS = [Path("/usr/share/sounds/sf2/TimGM6mb.sf2"), Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")]


def tone_mix(sr, seconds, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    x = 0.02 * rng.standard_normal(t.size)
    for i, onset in enumerate(np.arange(0, seconds, 0.2)):
        f = [261.63, 329.63, 392.0, 523.25][i % 4]
        x += 0.2 * np.where(t >= onset, np.exp(-(t - onset) * 5.0), 0) * np.sin(2 * np.pi * f * t)
    return x.astype(np.float32)


def test_missing_model_is_an_input_error_naming_the_file(tmp_path):
    path = tmp_path / "nope.onnx"
    with pytest.raises(InputError, match="nope.onnx") as err:
        EmotionModel(path)
    assert "\n" not in str(err.value)


def test_corrupt_model_is_an_input_error_naming_the_file(tmp_path):
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07garbage" * 100)
    with pytest.raises(InputError, match="bad.onnx") as err:
        EmotionModel(path)
    assert "\n" not in str(err.value)


def test_truncated_model_is_an_input_error(tmp_path):
    path = tmp_path / "cut.onnx"
    path.write_bytes(DEFAULT_MODEL.read_bytes()[:500])
    with pytest.raises(InputError, match="cut.onnx"):
        EmotionModel(path)


def test_model_trained_on_other_features_is_refused(tmp_path):
    import onnx
    m = onnx.load(str(FP32_MODEL))
    for prop in m.metadata_props:
        if prop.key == "feature_names":
            names = prop.value.split(",")
            prop.value = ",".join(names[1:] + names[:1])  # same count, other order
    path = tmp_path / "other.onnx"
    onnx.save(m, str(path))
    with pytest.raises(InputError, match="other.onnx.*other features") as err:
        EmotionModel(path)
    assert "\n" not in str(err.value)


def test_model_trained_on_an_older_feature_version_is_refused(tmp_path):
    # same names, other meaning (version 1 summed raw peak power into the chroma)
    import onnx
    m = onnx.load(str(FP32_MODEL))
    kept = [p for p in m.metadata_props if p.key != "features_version"]
    del m.metadata_props[:]
    m.metadata_props.extend(kept)  # no version recorded: a version-1 model
    path = tmp_path / "old.onnx"
    onnx.save(m, str(path))
    with pytest.raises(InputError, match="old.onnx.*features version 1, mirage: 2") as err:
        EmotionModel(path)
    assert "\n" not in str(err.value)


def test_shipped_models_are_small_and_follow_the_contract():
    assert DEFAULT_MODEL.stat().st_size <= 1_000_000
    for path in (DEFAULT_MODEL, FP32_MODEL):
        a, v = EmotionModel(path).predict(np.zeros(N_FEATURES, np.float32))
        assert -1 <= a <= 1 and -1 <= v <= 1


def test_deviation_head_compares_each_summary_with_its_own_running_mean():
    """The graph's deviation features pair every 3 s / 15 s summary with the same summary's
    longer context (s − e, l − e, s − l), by the extractor's names."""
    import onnx
    from onnx import numpy_helper

    from mirage.emotion.feature_layout import FEATURE_NAMES
    for path in (DEFAULT_MODEL, FP32_MODEL):
        init = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
        a, b = init["dev_minuend"], init["dev_subtrahend"]
        assert a.size == b.size > 100
        pairs = {(FEATURE_NAMES[i][:2], FEATURE_NAMES[j][:2]) for i, j in zip(a, b)}
        assert pairs == {("s_", "e_"), ("l_", "e_"), ("s_", "l_")}
        assert all(FEATURE_NAMES[i][2:] == FEATURE_NAMES[j][2:] for i, j in zip(a, b))


def test_a_constant_timbre_change_does_not_move_the_mood():
    """The level head never reads the absolute spectral shape and the deviation head reads
    only its changes, so shifting the 3 s, 15 s and running shape by the same tilt (a
    brighter instrument, all piece long) leaves the prediction unchanged (up to float32
    rounding of the differences at a tree threshold) — while the same tilt on the 3 s shape
    alone (the sound just got brighter) does move it."""
    from mirage.emotion.feature_layout import FEATURE_NAMES
    feats = np.concatenate([extract(tone_mix(sr, 20.0, seed), sr)[0]
                            for seed, sr in ((0, 44100), (1, 48000))])
    tilt = (np.arange(24) * 0.5 - 6.0).astype(np.float32)  # dB across the bands
    constant, recent = feats.copy(), feats.copy()
    for w in ("s", "l", "e"):
        constant[:, [FEATURE_NAMES.index(f"{w}_shape{b}") for b in range(24)]] += tilt
    recent[:, [FEATURE_NAMES.index(f"s_shape{b}") for b in range(24)]] += tilt
    for path in (DEFAULT_MODEL, FP32_MODEL):
        model = EmotionModel(path)
        base = model.predict_batch(feats)
        assert np.abs(model.predict_batch(constant) - base).max() < 1e-3  # 0.0 measured
        assert np.abs(model.predict_batch(recent) - base).max() > 2e-3    # 0.008 measured


def test_int8_agrees_with_fp32_on_real_features():
    feats = np.concatenate([extract(tone_mix(sr, 6.0, seed), sr)[0]
                            for seed, sr in ((0, 44100), (1, 48000), (2, 22050))])
    p8 = EmotionModel(DEFAULT_MODEL).predict_batch(feats)
    p32 = EmotionModel(FP32_MODEL).predict_batch(feats)
    assert np.abs(p8 - p32).max() < 0.05
    assert np.abs(p8 - p32).mean() < 0.01


def test_emotion_track_rows_and_csv(tmp_path):
    sr = 48000
    x = tone_mix(sr, 4.2)
    track = emotion_track(np.column_stack([x, x]), sr)
    assert track.shape == (8, 3)
    np.testing.assert_allclose(track[:, 0], 0.5 * np.arange(1, 9))
    assert (np.abs(track[:, 1:]) <= 1).all()
    with open(tmp_path / "e.csv", "wb") as fh:
        write_mood_csv(fh, track)
    lines = (tmp_path / "e.csv").read_text().splitlines()
    assert lines[0] == "time_s,arousal,valence" and len(lines) == 9
    back = np.loadtxt(tmp_path / "e.csv", delimiter=",", skiprows=1)
    assert np.array_equal(back.astype(np.float32), track.astype(np.float32))  # %.9g: float32 exact


def test_smoothing_starts_from_the_first_prediction_not_zero():
    va = np.array([[0.8, -0.6], [0.8, -0.6], [0.0, 0.0]])
    out = smooth(va, 2.0)
    np.testing.assert_array_equal(out[:2], va[:2])
    assert 0 < out[2, 0] < 0.8
    with pytest.raises(ParameterError, match="-1"):
        smooth(va, -1.0)


def test_smoothing_step_by_step_equals_offline_and_restarts_on_reset():
    va = np.random.default_rng(4).uniform(-1, 1, (12, 2))
    for tau in (0.0, 1.5):
        live = MoodSmoother(tau)
        steps = [live.update(row) for row in va[:7]]
        live.reset()
        steps += [live.update(row) for row in va[7:]]
        assert np.array_equal(np.array(steps), np.vstack([smooth(va[:7], tau), smooth(va[7:], tau)]))
    np.testing.assert_array_equal(smooth(va, 0.0), va)  # off: exactly the predictions
    a = 1 - np.exp(-0.5 / 1.5)  # the docstring's formula, by hand, for the second step
    np.testing.assert_allclose(smooth(va, 1.5)[1], va[0] + a * (va[1] - va[0]), rtol=1e-15)


def _render(tmp_path, name, **kw):
    """Write a MIDI file with :func:`_write_midi`, render it with fluidsynth → (x, sr)."""
    if shutil.which("fluidsynth") is None:
        pytest.skip("fluidsynth not installed")
    sf2 = next((p for p in SOUNDFONTS if p.exists()), None)
    if sf2 is None:
        pytest.skip("no GM soundfont installed")
    sf = pytest.importorskip("soundfile")
    mid, wav = tmp_path / f"{name}.mid", tmp_path / f"{name}.wav"
    _write_midi(mid, **kw)
    r = subprocess.run(["fluidsynth", "-ni", "-q", "-g", "0.5", "-F", str(wav), "-r", "44100",
                        str(sf2), str(mid)], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()[-300:]
    return sf.read(wav, dtype="float32")


MAJOR = [[60, 64, 67], [65, 69, 72], [67, 71, 74], [60, 64, 67]]   # I IV V I, C major
MINOR = [[57, 60, 64], [50, 53, 57], [52, 56, 59], [57, 60, 64]]   # i iv V i, A minor
HAPPY = dict(tempo_bpm=160, velocity=110, chords=MAJOR, notes_per_beat=4)
SAD = dict(tempo_bpm=56, velocity=35, chords=MINOR, notes_per_beat=1)


def _write_midi(path, *, tempo_bpm, velocity, chords, notes_per_beat, seconds=24):
    mido = pytest.importorskip("mido")
    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(tempo_bpm)))
    tr.append(mido.Message("program_change", program=0, time=0))
    n_beats = int(seconds * tempo_bpm / 60)
    step = 480 // notes_per_beat
    for beat in range(n_beats):
        chord = chords[(beat // 4) % len(chords)]
        for k in range(notes_per_beat):
            notes = chord if k == 0 else [chord[(beat * notes_per_beat + k) % 3] + 12]
            for n in notes:
                tr.append(mido.Message("note_on", note=n, velocity=velocity, time=0))
            for i, n in enumerate(notes):
                tr.append(mido.Message("note_off", note=n, velocity=0, time=step if i == 0 else 0))
    mid.save(path)


@pytest.mark.slow
def test_loud_fast_major_beats_soft_slow_minor_on_both_axes(tmp_path):
    means = {}
    for name, kw in {"happy": HAPPY, "sad": SAD}.items():
        x, sr = _render(tmp_path, name, **kw)
        track = emotion_track(x, sr)
        means[name] = track[6:, 1:].mean(axis=0)  # after the first 3 s of context
    print(means)
    assert means["happy"][0] > means["sad"][0] + 0.1, means
    assert means["happy"][1] > means["sad"][1] + 0.1, means


@pytest.mark.slow
def test_arousal_follows_a_change_inside_a_piece_within_seconds(tmp_path):
    """24 s soft, slow and minor, then loud, fast and major: arousal over the 3–9 s after
    the change beats the last 6 s before it (the running-mean context alone would take a
    minute; the deviation head reacts to the last 3 s against it)."""
    sad, sr = _render(tmp_path, "sad", **SAD)
    happy, _ = _render(tmp_path, "happy", **HAPPY, seconds=12)
    track = emotion_track(np.concatenate([sad, happy]), sr)
    t_change = len(sad) / sr  # frames (the render is stereo)
    t = track[:, 0]
    before = track[(t > t_change - 6) & (t <= t_change), 1].mean()
    after = track[(t > t_change + 3) & (t <= t_change + 9), 1].mean()
    print(before, after)
    assert after > before + 0.1, (before, after)
