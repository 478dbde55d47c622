"""The TouchDesigner example's callbacks script, outside TouchDesigner: it imports without the
`td` module, routes both OSC profiles, and its `onReceiveOSC` (TouchDesigner's signature)
fills tables that behave like Table DATs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "touchdesigner" / "mirage_osc_callbacks.py"


@pytest.fixture
def callbacks():
    assert "td" not in sys.modules
    spec = importlib.util.spec_from_file_location("mirage_osc_callbacks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeTable:
    """The part of TouchDesigner's Table DAT the script uses: numRows, appendRow, clear, and
    ``table[row, col] = value`` (TouchDesigner stores every cell as text)."""

    def __init__(self):
        self.rows: list[list[str]] = []

    @property
    def numRows(self) -> int:  # noqa: N802 -- TouchDesigner's name
        return len(self.rows)

    def appendRow(self, values) -> None:  # noqa: N802
        self.rows.append([str(v) for v in values])

    def clear(self) -> None:
        self.rows = []

    def __setitem__(self, key, value) -> None:
        row, col = key
        self.rows[row][col] = str(value)


def test_readme_profile(callbacks):
    args = [440.0, 120.5, 0.25, 900.0, 220.0, 0.0, 0.0, 0.0]
    kind, track, values = callbacks.parse_mirage_message("/Lfmsg_ch3", args)
    assert (kind, track) == ("track", 3)
    assert values == {"instrument": "", "centroid": 440.0, "bandwidth": 120.5, "flatness": 0.25,
                      "rolloff": 900.0, "pitch1": 220.0, "pitch2": 0.0, "pitch3": 0.0, "pitch4": 0.0}
    assert callbacks.parse_mirage_message("/Hfmsg_ch0", (0.12, -0.4)) == (
        "mood", None, {"arousal": 0.12, "valence": -0.4})


@pytest.mark.parametrize("n_pitches", [0, 1, 4])
def test_mirage_code_profile_pads_missing_pitches(callbacks, n_pitches):
    pitches = [220.0, 330.0, 440.0, 550.0][:n_pitches]
    kind, track, values = callbacks.parse_mirage_message("/LFmsg_ch10", ["VOICE", 1000.0, 50.0, 0.5, 3000.0, *pitches])
    assert (kind, track) == ("track", 10)
    assert values["instrument"] == "VOICE"
    assert [values[n] for n in callbacks.FEATURES] == [1000.0, 50.0, 0.5, 3000.0, *pitches, *[0.0] * (4 - n_pitches)]
    assert callbacks.parse_mirage_message("/HFmsg_ch0", [0.5, 0.25])[2] == {"arousal": 0.5, "valence": 0.25}


def test_status_and_foreign_messages(callbacks):
    assert callbacks.parse_mirage_message("/mirage/status", [1, 2, 3, 4, 5, "lost"]) == (
        "status", None, {"xruns": 1, "drops": 2, "osc_errors": 3, "emotion_restarts": 4,
                         "device_losses": 5, "device": "lost"})
    for address, args in [("/probe", [1]), ("/Lfmsg_chX", [0.0] * 8), ("/LFmsg_ch0", [1.0, 2.0, 3.0, 4.0]),
                          ("/Lfmsg_ch0", [1.0, 2.0]), ("/Hfmsg_ch1", [0.1, 0.2]), ("/mirage/status", [0])]:
        assert callbacks.parse_mirage_message(address, args) is None, address


def test_on_receive_osc_fills_the_tables(callbacks):
    tables = {name: FakeTable() for name in (callbacks.TRACKS_TABLE, callbacks.MOOD_TABLE, callbacks.STATUS_TABLE)}
    callbacks.op = tables.__getitem__  # TouchDesigner's global `op`, as the DAT would see it

    def receive(address, args):  # the arguments TouchDesigner passes, in its order
        callbacks.onReceiveOSC(None, 0, f"{address} ...", b"", 0.0, address, args, None)

    receive("/LFmsg_ch1", ["PIANO", 486.0, 382.0, 0.01, 775.0, 392.0])
    receive("/Lfmsg_ch0", [150.0, 238.0, 0.001, 280.0, 65.0, 131.0, 196.0, 261.0])
    receive("/LFmsg_ch1", ["PIANO", 487.0, 383.0, 0.02, 776.0])
    receive("/HFmsg_ch0", [0.07, 0.17])
    receive("/mirage/status", [0, 0, 0, 0, 0, "running"])
    receive("/somebody/else", [1.0])
    tracks = tables[callbacks.TRACKS_TABLE].rows
    assert tracks == [
        list(callbacks.TRACK_COLUMNS),
        ["0", "", "150.0", "238.0", "0.001", "280.0", "65.0", "131.0", "196.0", "261.0"],
        ["1", "PIANO", "487.0", "383.0", "0.02", "776.0", "0.0", "0.0", "0.0", "0.0"],
    ]
    assert tables[callbacks.MOOD_TABLE].rows == [["arousal", "valence"], ["0.07", "0.17"]]
    assert tables[callbacks.STATUS_TABLE].rows == [list(callbacks.STATUS_COLUMNS), ["0", "0", "0", "0", "0", "running"]]


def test_the_rhythm_layer_fills_its_two_tables(callbacks):
    assert callbacks.parse_mirage_message("/mirage/track/2/bands", [1.0, 0.5, 0.0]) == (
        "rhythm", 2, {"bass": 1.0, "mid": 0.5, "high": 0.0})
    assert callbacks.parse_mirage_message("/mirage/beat", [7, 128.5]) == ("tempo", None, {"beat": 7, "beat_bpm": 128.5})
    for address, args in [("/mirage/track/x/level", [1.0, 2.0]), ("/mirage/track/0/level", [1.0]),
                          ("/mirage/track/0/tempo", [1.0]), ("/mirage/phase", [0.1, 0.2])]:
        assert callbacks.parse_mirage_message(address, args) is None, address
    tables = {name: FakeTable() for name in (callbacks.RHYTHM_TABLE, callbacks.TEMPO_TABLE)}
    callbacks.op = tables.get  # TouchDesigner's `op` gives None for a table that is not there

    def receive(address, args):
        callbacks.onReceiveOSC(None, 0, f"{address} ...", b"", 0.0, address, args, None)

    receive("/mirage/track/1/level", [0.8, -12.5])
    receive("/mirage/track/1/bands", [1.0, 0.25, 0.0])
    receive("/mirage/track/1/onset", [0.75])
    receive("/mirage/track/1/onset", [0.5])
    receive("/mirage/tempo", [128.0, 0.9])
    receive("/mirage/phase", [0.25])
    receive("/mirage/beat", [3, 127.5])
    receive("/Lfmsg_ch0", [150.0, 238.0, 0.001, 280.0, 65.0, 131.0, 196.0, 261.0])  # no tracks table: skipped
    assert tables[callbacks.RHYTHM_TABLE].rows == [
        list(callbacks.RHYTHM_COLUMNS),
        ["0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0"],
        ["1", "0.8", "-12.5", "1.0", "0.25", "0.0", "0.5", "2"],
    ]
    assert tables[callbacks.TEMPO_TABLE].rows == [list(callbacks.TEMPO_COLUMNS), ["128.0", "0.9", "0.25", "3", "127.5"]]
