"""The status display of ``mirage run`` (mirage.engine.status_*): formatters, plain and live modes."""

import io
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mirage.engine.status_display import StatusDisplay
from mirage.engine.status_format import (
    LEVEL_FLOOR_DB,
    bipolar_bar,
    format_plain,
    hz_to_note,
    level_dbfs,
    meter,
)
from mirage.engine.status_snapshot import EngineSnapshot

ANSI_ESCAPE = re.compile(r"\x1b\[")


def make_snapshot(n_tracks: int = 4, *, elapsed_s: float = 1.0, **overrides) -> EngineSnapshot:
    features = np.zeros((n_tracks, 8), np.float32)
    features[:, 0] = 1234.0  # centroid
    features[:, 1] = 300.0  # bandwidth
    features[:, 2] = 0.25  # flatness
    features[:, 3] = 5678.0  # rolloff
    features[:, 4] = 440.0  # A4
    features[:, 5] = 261.63  # C4
    features[:, 6] = 0.0  # no third pitch
    fields = dict(
        elapsed_s=elapsed_s,
        sr_hz=48000.0,
        source="demo",
        track_names=[f"trk{i}" for i in range(n_tracks)],
        profiles=["VOICE"] * n_tracks,
        levels=np.full(n_tracks, 0.5, np.float32),
        features=features,
        emotion=(0.5, -0.25),
        callbacks=1200,
        xruns=3,
        dropped_frames=7,
        osc_errors=1,
        emotion_restarts=2,
        emotion_resets=4,
        callback_p99_us=85.0,
        hop_to_send_p99_us=420.0,
        osc_targets=["127.0.0.1:12345", "10.0.0.2:9000"],
        osc_profile="readme",
    )
    fields.update(overrides)
    return EngineSnapshot(**fields)


def render_live(snap: EngineSnapshot, monkeypatch, *, columns: int = 140, lines: int = 50) -> str:
    """What the live view writes to a terminal of `columns` × `lines`, escape codes removed."""
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("LINES", str(lines))
    buffer = io.StringIO()
    display = StatusDisplay(live=True, stream=buffer)
    display.update(snap)
    display.close()
    raw = buffer.getvalue()
    assert ANSI_ESCAPE.search(raw), "live mode should write terminal control codes"
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)


# ---------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    "hz, note",
    [(440.0, "A4"), (261.63, "C4"), (27.5, "A0"), (4186.01, "C8"), (466.16, "A#4"), (452.0, "A4"),
     (454.0, "A#4"), (8.18, "C-1"), (0.0, ""), (-440.0, ""), (math.nan, ""), (math.inf, ""), (None, "")],
)
def test_hz_to_note(hz, note):
    assert hz_to_note(hz) == note


def test_hz_to_note_every_midi_note_round_trips():
    names = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
    for midi in range(128):
        for cents in (-49, 0, 49):  # anywhere within the semitone names that semitone
            hz = 440.0 * 2 ** ((midi - 69 + cents / 100) / 12)
            assert hz_to_note(hz) == f"{names[midi % 12]}{midi // 12 - 1}", (midi, cents)


@pytest.mark.parametrize(
    "peak, db",
    [(1.0, 0.0), (0.5, 20 * math.log10(0.5)), (0.001, -60.0), (-0.1, -20.0), (2.0, 20 * math.log10(2.0)),
     (0.0, LEVEL_FLOOR_DB), (1e-30, LEVEL_FLOOR_DB), (math.nan, LEVEL_FLOOR_DB), (math.inf, math.inf),
     (None, LEVEL_FLOOR_DB)],
)
def test_level_dbfs(peak, db):
    assert level_dbfs(peak) == pytest.approx(db)


def test_level_dbfs_accepts_numpy_scalars():
    assert level_dbfs(np.float32(0.1)) == pytest.approx(-20.0, abs=1e-5)


@pytest.mark.parametrize(
    "db, width, expected",
    [(0.0, 4, "████"), (-60.0, 4, "    "), (-30.0, 4, "██  "), (-120.0, 4, "    "), (6.0, 4, "████"),
     (-30.0, 1, "▌"), (-52.5, 1, "▏"), (math.nan, 3, "   "), (math.inf, 3, "███"), (-1.0, 0, "")],
)
def test_meter(db, width, expected):
    assert meter(db, width) == expected


def test_meter_is_always_exactly_width_and_monotonic():
    for width in (1, 7, 16):
        fills = []
        for db in np.linspace(-70, 5, 301):
            bar = meter(float(db), width)
            assert len(bar) == width
            filled = bar.rstrip()
            partial = " ▏▎▍▌▋▊▉".find(filled[-1]) if filled and filled[-1] != "█" else 0
            fills.append(8 * filled.count("█") + partial)
        assert fills == sorted(fills)


def test_bipolar_bar():
    assert bipolar_bar(0.0, 3) == "───│───"
    assert bipolar_bar(1.0, 3) == "───│███"
    assert bipolar_bar(-2 / 3, 3) == "─██│───"
    assert bipolar_bar(-5.0, 2) == "██│──"
    assert bipolar_bar(math.nan, 2) == "──│──"


# ---------------------------------------------------------------------------- plain mode


def test_plain_writes_one_line_per_interval_with_the_numbers():
    buffer = io.StringIO()
    display = StatusDisplay(live=False, stream=buffer, plain_interval_s=5.0)
    for step in range(121):  # 0.0 .. 12.0 s at 10 Hz
        t = step / 10
        display.update(make_snapshot(elapsed_s=t, callbacks=int(t * 94), emotion=None if t < 6 else (0.5, -0.25)))
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0] == "status t=5.0s callbacks=470 xruns=3 drops=7 osc_errors=1 emotion_restarts=2 emotion_resets=4 emotion=-"
    assert lines[1] == (
        "status t=10.0s callbacks=940 xruns=3 drops=7 osc_errors=1 emotion_restarts=2 emotion_resets=4 arousal=+0.50 valence=-0.25"
    )
    display.close()
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 3 and lines[2].startswith("status t=12.0s callbacks=1128 ")
    assert not ANSI_ESCAPE.search(buffer.getvalue())
    display.close()  # idempotent
    display.update(make_snapshot(elapsed_s=20.0))  # ignored after close
    assert len(buffer.getvalue().splitlines()) == 3


def test_plain_after_a_stall_writes_one_line_not_a_burst():
    buffer = io.StringIO()
    display = StatusDisplay(live=False, stream=buffer, plain_interval_s=1.0)
    display.update(make_snapshot(elapsed_s=0.5))
    display.update(make_snapshot(elapsed_s=7.3))
    display.update(make_snapshot(elapsed_s=7.9))
    display.update(make_snapshot(elapsed_s=8.0))
    assert [line.split()[1] for line in buffer.getvalue().splitlines()] == ["t=7.3s", "t=8.0s"]


def test_live_none_follows_isatty():
    buffer = io.StringIO()  # isatty() is False
    display = StatusDisplay(stream=buffer, plain_interval_s=1.0)
    assert display.live is False
    display.update(make_snapshot(elapsed_s=1.0))
    display.close()
    assert buffer.getvalue().startswith("status t=1.0s")
    assert not ANSI_ESCAPE.search(buffer.getvalue())


def test_format_plain_odd_values():
    snap = make_snapshot(elapsed_s=math.nan, callbacks=None, emotion=(math.nan, 0.1))
    assert format_plain(snap) == ("status t=- callbacks=- xruns=3 drops=7 osc_errors=1 emotion_restarts=2 "
                                  "emotion_resets=4 arousal=- valence=+0.10")


# ---------------------------------------------------------------------------- live mode


def test_live_shows_tracks_notes_emotion_and_counters(monkeypatch):
    text = render_live(make_snapshot(3), monkeypatch)
    for name in ("trk0", "trk1", "trk2"):
        assert name in text
    assert re.search(r"A4\s+440", text) and re.search(r"C4\s+262", text)
    assert "1234" in text and "5678" in text and "0.250" in text and "VOICE" in text
    assert "-6.0" in text  # 0.5 peak = -6.0 dBFS
    assert "arousal +0.50" in text and "valence -0.25" in text
    assert "callbacks 1200" in text and "xruns 3" in text and "drops 7" in text and "OSC errors 1" in text
    assert "restarts 2" in text and "resets 4" in text
    assert "85 µs" in text and "420 µs" in text
    assert "127.0.0.1:12345, 10.0.0.2:9000" in text and "readme" in text
    assert "demo · 48000 Hz · 3 tracks" in text


def test_live_before_the_first_hop_and_with_odd_values(monkeypatch):
    snap = make_snapshot(
        2, features=None, emotion=None, levels=np.array([math.nan, math.inf], np.float32),
        callback_p99_us=None, hop_to_send_p99_us=math.nan, sr_hz=math.nan, elapsed_s=math.inf, osc_targets=[],
    )
    text = render_live(snap, monkeypatch)
    assert "trk0" in text and "trk1" in text
    assert "waiting for the first step" in text
    assert "OSC → none" in text


def test_live_without_tracks(monkeypatch):
    snap = make_snapshot(0)
    text = render_live(snap, monkeypatch)
    assert "0 tracks" in text and "arousal +0.50" in text


def test_live_64_tracks_on_a_short_terminal_truncates(monkeypatch):
    text = render_live(make_snapshot(64), monkeypatch, columns=80, lines=24)
    # 24 lines = title + column heads + 17 tracks + "… 47 more tracks" + 4 footer lines
    assert "trk16" in text and "trk17" not in text
    assert "… 47 more tracks" in text
    assert "arousal +0.50" in text
    last_frame = text.split("MIRAGE")[-1]
    assert all(len(line) <= 80 for line in last_frame.splitlines())


def test_live_64_tracks_on_a_tall_terminal_shows_all(monkeypatch):
    text = render_live(make_snapshot(64), monkeypatch, columns=200, lines=80)
    assert "trk63" in text and "more tracks" not in text


def test_live_mismatched_lengths_and_malformed_features(monkeypatch):
    snap = make_snapshot(3, track_names=["only-one-name-that-is-far-too-long-to-fit"], profiles=[],
                         levels=np.array([0.1], np.float32), features=np.ones((2, 3), np.float32))
    text = render_live(snap, monkeypatch)
    assert "only-one-name…" in text and "· 1 track" in text  # malformed features are not rows


_odd_float = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=32))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n_tracks=st.integers(0, 70),
    level=_odd_float,
    feature=_odd_float,
    emotion=st.one_of(st.none(), st.tuples(_odd_float, _odd_float)),
    p99=_odd_float,
    elapsed=_odd_float,
)
def test_never_raises_on_odd_values(n_tracks, level, feature, emotion, p99, elapsed):
    features = None if feature is None else np.full((n_tracks, 8), feature, np.float32)
    snap = make_snapshot(n_tracks, levels=np.full(n_tracks, level if level is not None else 0, np.float32),
                         features=features, emotion=emotion, callback_p99_us=p99, hop_to_send_p99_us=p99,
                         elapsed_s=elapsed)
    for live in (True, False):
        display = StatusDisplay(live=live, stream=io.StringIO(), plain_interval_s=0.1)
        display.update(snap)
        display.close()


def test_live_shows_the_rhythm_bands_and_onsets_with_rhythm_only(monkeypatch):
    from kernels.rhythm_layout import N_RHYTHM, RH_BASS, RH_HIGH, RH_MID, RH_ONSET

    rhythm = np.zeros((2, N_RHYTHM), np.float32)
    rhythm[0, [RH_BASS, RH_MID, RH_HIGH]] = (1.0, 0.5, 0.0)
    rhythm[0, RH_ONSET] = 0.7
    rhythm[1, RH_BASS] = math.nan  # odd values: a blank block
    text = render_live(make_snapshot(2, rhythm=rhythm), monkeypatch)
    assert "bmh on" in text
    assert "█▄  ●" in text  # bass full, mid half, high empty, an onset
    assert "bmh on" not in render_live(make_snapshot(2), monkeypatch)  # without --rhythm: no column
    narrow = render_live(make_snapshot(2, rhythm=rhythm), monkeypatch, columns=40)
    assert "trk0" in narrow  # dropped before the name when too narrow, never raised
