"""The Max example (`examples/max/mirage-receiver.maxpat`): no Max here, so the patch is checked
as a file and run through a small model of the objects it uses.

Structure: valid JSON, unique box ids, every patchline between existing boxes with its outlet
and inlet in range, and each box's inlet/outlet counts those Max gives the object its text
creates (`route` with N addresses has N + 1 outlets, ...). Behaviour: messages of both
profiles are pushed through the model (`udpreceive` -> `route` -> ... -> number boxes), and
each number box labelled e.g. "centroid (Hz)" in track 2's column must show that value.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PATCH = Path(__file__).resolve().parents[1] / "examples" / "max" / "mirage-receiver.maxpat"
FEATURES = ("centroid", "bandwidth", "flatness", "rolloff", "pitch1", "pitch2", "pitch3", "pitch4")
N_TRACKS = 4


def load():
    patcher = json.loads(PATCH.read_text())["patcher"]
    boxes = {b["box"]["id"]: b["box"] for b in patcher["boxes"]}
    assert len(boxes) == len(patcher["boxes"]), "duplicate box ids"
    lines = [(l["patchline"]["source"], l["patchline"]["destination"]) for l in patcher["lines"]]
    return boxes, lines


def expected_ports(box) -> tuple[int, int]:
    """(numinlets, numoutlets) Max gives the object, from its class and text."""
    cls = box["maxclass"]
    if cls != "newobj":
        return {"comment": (1, 0), "message": (2, 1), "flonum": (1, 2), "number": (1, 2)}[cls]
    name, *args = box["text"].split()
    if name == "route":
        return 2, len(args) + 1
    if name == "unpack":
        return 1, len(args)
    if name == "zl":
        return 2, 2
    return {"udpreceive": (1, 1), "prepend": (2, 1), "append": (2, 1), "print": (1, 0)}[name]


def test_patch_is_consistent():
    boxes, lines = load()
    for box in boxes.values():
        assert (box["numinlets"], box["numoutlets"]) == expected_ports(box), box
        assert len(box.get("outlettype", [])) == box["numoutlets"], box
        assert len(box["patching_rect"]) == 4
    for (src, outlet), (dst, inlet) in lines:
        assert src in boxes and dst in boxes, (src, dst)
        assert 0 <= outlet < boxes[src]["numoutlets"], (src, outlet)
        assert 0 <= inlet < boxes[dst]["numinlets"], (dst, inlet)
    assert len(set(map(str, lines))) == len(lines), "a patchline twice"
    texts = [b.get("text", "") for b in boxes.values()]
    assert "udpreceive 12345" in texts


class MaxModel:
    """Just enough of Max's objects to push messages through the patch: a message is a list
    of atoms (selector first), sent depth-first in outlet order right to left as Max does."""

    def __init__(self):
        self.boxes, lines = load()
        self.wires: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for (src, outlet), (dst, inlet) in lines:
            self.wires.setdefault((src, outlet), []).append((dst, inlet))
        self.shown: dict[str, object] = {}  # number / message boxes: what they display
        self.printed: list[tuple[str, list]] = []  # (print box text, message)

    def udp(self, address: str, args: list) -> None:
        (udp_id,) = [i for i, b in self.boxes.items() if b.get("text", "").startswith("udpreceive")]
        self.send(udp_id, 0, [address, *args])

    def send(self, box_id: str, inlet: int, message: list) -> None:
        box = self.boxes[box_id]
        cls = box["maxclass"]
        if cls in ("flonum", "number"):
            self.shown[box_id] = message[-1]
            return self.emit(box_id, 0, message[-1:])
        if cls == "message":
            assert inlet == 1, "the patch only sets message boxes"
            self.shown[box_id] = message[0]
            return
        name, *args = box["text"].split()
        if name == "udpreceive":
            self.emit(box_id, 0, message)
        elif name == "route":
            outlet = args.index(message[0]) if message[0] in args else len(args)
            self.emit(box_id, outlet, message[1:] if outlet < len(args) else message)
        elif name == "prepend":
            self.emit(box_id, 0, [*args, *message])
        elif name == "append":
            self.emit(box_id, 0, [*message, *(float(a) for a in args)])
        elif name == "zl":
            assert args[0] == "slice"
            n = int(args[1])
            if len(message) > n:
                self.emit(box_id, 1, message[n:])
            self.emit(box_id, 0, message[:n])
        elif name == "unpack":
            for k in reversed(range(min(len(args), len(message)))):
                assert (args[k] == "s") == isinstance(message[k], str), (box["text"], message)
                self.emit(box_id, k, [message[k]])
        elif name == "print":
            self.printed.append((box["text"], message))
        else:
            raise AssertionError(f"no model of {name}")

    def emit(self, box_id: str, outlet: int, message: list) -> None:
        for dst, inlet in self.wires.get((box_id, outlet), []):
            self.send(dst, inlet, message)

    def labelled(self, label: str, column_x: float) -> str:
        """The id of the number/message box left of the comment `label` in the track column
        starting at `column_x` (what a user reads on screen)."""
        comments = [b for b in self.boxes.values() if b["maxclass"] == "comment" and b["text"] == label
                    and column_x <= b["patching_rect"][0] < column_x + 200]
        assert len(comments) == 1, (label, column_x)
        x, y = comments[0]["patching_rect"][:2]
        beside = [i for i, b in self.boxes.items() if b["maxclass"] in ("flonum", "number", "message")
                  and b["patching_rect"][1] == y and x - 110 <= b["patching_rect"][0] < x]
        assert len(beside) == 1, (label, beside)
        return beside[0]


def track_columns(model: MaxModel) -> list[float]:
    heads = sorted(b["patching_rect"][0] for b in model.boxes.values()
                   if b["maxclass"] == "comment" and b["text"].startswith("track "))
    assert len(heads) == N_TRACKS
    return heads


def feature_label(name: str) -> str:
    return name if name == "flatness" else f"{name} (Hz)"


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
def test_messages_of_both_profiles_reach_their_number_boxes(profile):
    model = MaxModel()
    columns = track_columns(model)
    for track in range(N_TRACKS):
        # distinct values per track and feature; mirage-code sends only two pitches here
        values = [1000.0 * (track + 1) + k for k in range(8)]
        if profile == "readme":
            model.udp(f"/Lfmsg_ch{track}", values)
            expected = values
        else:
            model.udp(f"/LFmsg_ch{track}", ["PIANO", *values[:6]])
            expected = values[:6] + [0.0, 0.0]  # the missing pitches show 0
        for name, value in zip(FEATURES, expected):
            assert model.shown[model.labelled(feature_label(name), columns[track])] == value, (track, name)
        instrument = model.shown.get(model.labelled("instrument", columns[track]))
        assert instrument == ("readme" if profile == "readme" else "PIANO")


def test_a_later_message_with_fewer_pitches_clears_the_old_ones():
    model = MaxModel()
    model.udp("/LFmsg_ch0", ["VOICE", 440.0, 100.0, 0.1, 900.0, 220.0, 330.0, 440.0, 550.0])
    model.udp("/LFmsg_ch0", ["VOICE", 441.0, 101.0, 0.2, 901.0])
    column = track_columns(model)[0]
    assert [model.shown[model.labelled(feature_label(n), column)] for n in FEATURES] == [
        441.0, 101.0, 0.2, 901.0, 0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("address", ["/HFmsg_ch0", "/Hfmsg_ch0"])
def test_mood_and_status(address):
    model = MaxModel()
    model.udp(address, [0.25, -0.5])
    model.udp("/mirage/status", [1, 2, 3, 4, 5, "lost"])
    shown_numbers = sorted(v for v in model.shown.values() if not isinstance(v, str))
    assert shown_numbers == [-0.5, 0.25, 1, 2, 3, 4, 5]
    assert "lost" in model.shown.values()
    for name in ("arousal", "valence"):
        assert any(b["maxclass"] == "comment" and b["text"] == name for b in model.boxes.values())


def test_the_rhythm_layer_reaches_its_number_boxes():
    """`mirage run --rhythm`'s messages, through the second `route` (what the first does not
    know), to the number boxes labelled level, level (dB), bass, mid, high, onset in each
    track's column and bpm, confidence, phase, beat, beat bpm below; anything else still
    reaches `print mirage-unknown`."""
    model = MaxModel()
    columns = track_columns(model)
    for track in range(N_TRACKS):
        model.udp(f"/mirage/track/{track}/level", [0.1 * (track + 1), -10.0 - track])
        model.udp(f"/mirage/track/{track}/bands", [0.2 + track, 0.3 + track, 0.4 + track])
        model.udp(f"/mirage/track/{track}/onset", [0.5 + track])
    model.udp("/mirage/tempo", [128.0, 0.75])
    model.udp("/mirage/phase", [0.25])
    model.udp("/mirage/beat", [41, 127.5])
    for track in range(N_TRACKS):
        got = {label: model.shown[model.labelled(label, columns[track])]
               for label in ("level", "level (dB)", "bass", "mid", "high", "onset")}
        assert got == {"level": 0.1 * (track + 1), "level (dB)": -10.0 - track, "bass": 0.2 + track,
                       "mid": 0.3 + track, "high": 0.4 + track, "onset": 0.5 + track}, track
    mix = {label: model.shown[model.labelled(label, column)] for label, column in
           (("bpm", columns[0]), ("confidence", columns[1]), ("phase", columns[2]), ("beat", columns[3]),
            ("beat bpm", columns[3]))}
    assert mix == {"bpm": 128.0, "confidence": 0.75, "phase": 0.25, "beat": 41, "beat bpm": 127.5}
    assert model.printed == []
    model.udp("/somebody/else", [1.0])
    assert model.printed == [("print mirage-unknown", ["/somebody/else", 1.0])]
