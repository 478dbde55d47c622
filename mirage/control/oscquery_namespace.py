"""The OSCQuery namespace of a running MIRAGE: a JSON tree of the OSC addresses it receives
(the controller's commands) and those it sends (features, mood, status), per the OSCQuery
proposal (github.com/Vidvox/OSCQueryProposal) that VDMX, ossia score, Chataigne, TouchOSC and
VRChat read.

Each node: ``FULL_PATH``, ``DESCRIPTION``; a container has ``CONTENTS`` (name → node); a
method has ``TYPE`` (its OSC type tags), ``ACCESS`` (1 MIRAGE sends it: read — the features,
mood and status to the OSC targets, the ``/mirage/state/*`` answers to a command's sender; 2 MIRAGE
receives it: write; 3 both: a command whose current value is given in ``VALUE``), ``RANGE``
(one ``{"MIN", "MAX"}`` or ``{"VALS": [...]}`` per argument), ``UNIT`` (``time.hz`` for
frequencies, ``gain.dB`` for levels in dB, ``""`` without a unit) and ``CLIPMODE``. Triggers
(commands without an argument) have ``TYPE`` ``"N"`` (nil).

Ranges of what MIRAGE sends (per the active wire profile, `mirage.osc.addresses`): centroid,
bandwidth and rolloff 0..sr/2 Hz; flatness 0..1; pitches 0 (none) to the track's profile's
upper limit; arousal and valence -1..1; status counters from 0. With ``--rhythm``
(`mirage.osc.track_rhythm_encoder`, `mirage.osc.beat_encoder`): per track level 0..1 and
``LEVEL_FLOOR_DB``..0 dBFS, bands 0..1, onset strength 0..1; the mix's tempo
``BPM_MIN``..``BPM_MAX`` with a confidence 0..1, the beat phase 0..1, the beat index from 0.
"""

from __future__ import annotations

from mirage.control import addresses as A
from kernels.level import LEVEL_FLOOR_DB
from mirage.osc.addresses import (
    BEAT_ADDRESS,
    BEAT_ARGUMENTS,
    EMOTION_ADDRESS,
    EMOTION_ARGUMENTS,
    FEATURE_ADDRESS,
    FEATURE_ARGUMENTS,
    PHASE_ADDRESS,
    PHASE_ARGUMENTS,
    PROFILE_MIRAGE_CODE,
    STATUS_ADDRESS,
    STATUS_ARGUMENTS,
    STATUS_DEVICE_STATES,
    STATUS_TYPE_TAGS,
    TEMPO_ADDRESS,
    TEMPO_ARGUMENTS,
    TRACK_BANDS_ADDRESS,
    TRACK_BANDS_ARGUMENTS,
    TRACK_LEVEL_ADDRESS,
    TRACK_LEVEL_ARGUMENTS,
    TRACK_ONSET_ADDRESS,
    TRACK_ONSET_ARGUMENTS,
)
from mirage.profiles import PROFILES
from mirage.rhythm.tempo_estimator import BPM_MAX, BPM_MIN

ACCESS_READ, ACCESS_WRITE, ACCESS_READ_WRITE = 1, 2, 3
HZ = "time.hz"
ATTRIBUTES = ("FULL_PATH", "CONTENTS", "TYPE", "ACCESS", "VALUE", "RANGE", "DESCRIPTION", "UNIT", "CLIPMODE")
"""The node attributes this server knows (``GET /path?ATTRIBUTE``)."""
EXTENSIONS = {"ACCESS": True, "VALUE": True, "RANGE": True, "DESCRIPTION": True, "UNIT": True,
              "CLIPMODE": True, "TAGS": False, "CRITICAL": False, "LISTEN": False, "PATH_CHANGED": False}


def host_info(*, name: str, osc_port: int, osc_ip: str | None) -> dict:
    """``GET /?HOST_INFO``: where to send OSC (UDP) and which attributes are served."""
    info = {"NAME": name, "OSC_PORT": osc_port, "OSC_TRANSPORT": "UDP", "EXTENSIONS": dict(EXTENSIONS)}
    if osc_ip is not None:
        info["OSC_IP"] = osc_ip
    return info


def namespace(state: dict, *, osc_profile: str, sr_hz: float, rhythm: bool = False) -> dict:
    """The whole tree for ``state`` (`mirage.control.commands.ControlCommands.state`); with
    ``rhythm`` (``--rhythm``) the rhythm layer's addresses too."""
    root = {"FULL_PATH": "/", "DESCRIPTION": "MIRAGE: music features and mood as OSC", "CONTENTS": {}}
    sent = [*_sent(state, osc_profile, sr_hz), *(_rhythm(state) if rhythm else [])]
    for path, node in [*_commands(state), *_answers(state), *sent]:
        _insert(root, path, {"FULL_PATH": path, **node})
    return root


def find(tree: dict, path: str) -> dict | None:
    """The node at ``path`` ("/" is the root), or None."""
    node = tree
    for part in [p for p in path.split("/") if p]:
        node = node.get("CONTENTS", {}).get(part)
        if node is None:
            return None
    return node


def _insert(root: dict, path: str, node: dict) -> None:
    parts = [p for p in path.split("/") if p]
    parent = root
    for depth, part in enumerate(parts[:-1]):
        contents = parent.setdefault("CONTENTS", {})
        if part not in contents:
            contents[part] = {"FULL_PATH": "/" + "/".join(parts[: depth + 1]), "CONTENTS": {}}
        parent = contents[part]
    existing = parent.setdefault("CONTENTS", {}).get(parts[-1])
    if existing is not None and "CONTENTS" in existing:  # a method that is also a container
        node = {**node, "CONTENTS": existing["CONTENTS"]}
    parent["CONTENTS"][parts[-1]] = node


def _trigger(address: str) -> dict:
    return {"TYPE": "N", "ACCESS": ACCESS_WRITE, "DESCRIPTION": A.DESCRIPTIONS[address]}


def _commands(state: dict) -> list[tuple[str, dict]]:
    songs, profiles = state["songs"], state["profiles"]
    nodes = [(address, _trigger(address)) for address in
             (A.TRANSPORT_START, A.TRANSPORT_STOP, A.SONG_NEXT, A.SONG_PREV, A.EMOTION_RESET, A.STATE_QUERY)]
    nodes.append((A.TRANSPORT, {"TYPE": "i", "ACCESS": ACCESS_READ_WRITE, "VALUE": [int(state["transport"])],
                                "RANGE": [{"MIN": 0, "MAX": 1}], "CLIPMODE": ["none"],
                                "DESCRIPTION": A.DESCRIPTIONS[A.TRANSPORT]}))
    nodes.append((A.SONG, {"TYPE": "i", "ACCESS": ACCESS_READ_WRITE, "VALUE": [state["song"]],
                           "RANGE": [{"MIN": 0, "MAX": len(songs) - 1}], "CLIPMODE": ["none"],
                           "DESCRIPTION": f"{A.DESCRIPTIONS[A.SONG]} (a name as s also works): "
                                          + ", ".join(f"{i} {name}" for i, name in enumerate(songs))}))
    for track, profile in enumerate(profiles):
        nodes.append((A.TRACK_PROFILE.format(track), {
            "TYPE": "s", "ACCESS": ACCESS_READ_WRITE, "VALUE": [profile], "RANGE": [{"VALS": list(PROFILES)}],
            "DESCRIPTION": f"{A.DESCRIPTIONS[A.TRACK_PROFILE]} {track}"}))
    return nodes


def _answers(state: dict) -> list[tuple[str, dict]]:
    """The ``/mirage/state/*`` messages sent back to a command's sender (read)."""
    songs, profiles = state["songs"], state["profiles"]

    def read(type_tags, ranges, text):
        return {"TYPE": type_tags, "ACCESS": ACCESS_READ, "RANGE": ranges, "DESCRIPTION": text}

    nodes = [(A.STATE_SONG, read("is", [{"MIN": 0, "MAX": len(songs) - 1}, {"VALS": songs}],
                                 "answer: the song now, index and name")),
             (A.STATE_SONGS, read("s" * len(songs), [{"VALS": songs}] * len(songs), "answer: the setlist's names")),
             (A.STATE_TRANSPORT, read("i", [{"MIN": 0, "MAX": 1}], "answer: 1 running, 0 stopped")),
             (A.STATE_TRACKS, read("i", [{"MIN": 1, "MAX": None}], "answer: the number of tracks")),
             (A.STATE_EMOTION_RESET, read("i", [{"MIN": 0, "MAX": None}], "answer: mood resets so far"))]
    nodes += [(A.STATE_TRACK_PROFILE.format(track), read("s", [{"VALS": list(PROFILES)}],
                                                         f"answer: the instrument profile of track {track}"))
              for track in range(len(profiles))]
    return nodes


def _sent(state: dict, osc_profile: str, sr_hz: float) -> list[tuple[str, dict]]:
    nyquist_hz = sr_hz / 2
    nodes = []
    for track, profile in enumerate(state["profiles"]):
        fmax_hz = PROFILES[profile].fmax_hz if profile in PROFILES else nyquist_hz
        spectral = [({"MIN": 0.0, "MAX": nyquist_hz}, HZ), ({"MIN": 0.0, "MAX": nyquist_hz}, HZ),
                    ({"MIN": 0.0, "MAX": 1.0}, ""), ({"MIN": 0.0, "MAX": nyquist_hz}, HZ)]
        pitches = [({"MIN": 0.0, "MAX": fmax_hz}, HZ)] * 4
        arguments = spectral + pitches
        type_tags = "f" * 8
        text = "0.0 = no pitch"
        if osc_profile == PROFILE_MIRAGE_CODE:
            arguments = [({"VALS": list(PROFILES)}, ""), *arguments]
            type_tags = "s" + type_tags
            text = "only the pitches found are sent (0 to 4), Hz rounded"
        nodes.append((FEATURE_ADDRESS[osc_profile].format(track), {
            "TYPE": type_tags, "ACCESS": ACCESS_READ, "RANGE": [r for r, _ in arguments],
            "UNIT": [u for _, u in arguments],
            "DESCRIPTION": f"track {track} features, one per hop: {' '.join(FEATURE_ARGUMENTS[osc_profile])} "
                           f"({text}; profile {profile})"}))
    nodes.append((EMOTION_ADDRESS[osc_profile], {
        "TYPE": "ff", "ACCESS": ACCESS_READ, "RANGE": [{"MIN": -1.0, "MAX": 1.0}] * 2, "UNIT": ["", ""],
        "DESCRIPTION": f"mood of the mix, every 0.5 s: {' '.join(EMOTION_ARGUMENTS)}"}))
    nodes.append((STATUS_ADDRESS, {
        "TYPE": STATUS_TYPE_TAGS, "ACCESS": ACCESS_READ,
        "RANGE": [{"MIN": 0, "MAX": None}] * 5 + [{"VALS": list(STATUS_DEVICE_STATES)}],
        "UNIT": [""] * 6, "DESCRIPTION": f"engine status, every second: {' '.join(STATUS_ARGUMENTS)}"}))
    return nodes


def _rhythm(state: dict) -> list[tuple[str, dict]]:
    """What ``--rhythm`` adds: per track level, bands and onset; the mix's tempo, phase and beat."""
    unit_range = {"MIN": 0.0, "MAX": 1.0}

    def read(type_tags, ranges, units, text):
        return {"TYPE": type_tags, "ACCESS": ACCESS_READ, "RANGE": ranges, "UNIT": units, "DESCRIPTION": text}

    nodes = []
    for track in range(len(state["profiles"])):
        nodes += [
            (TRACK_LEVEL_ADDRESS.format(track), read(
                "ff", [unit_range, {"MIN": LEVEL_FLOOR_DB, "MAX": 0.0}], ["", "gain.dB"],
                f"track {track} level, every hop: {' '.join(TRACK_LEVEL_ARGUMENTS)} (0..1 adaptive, dBFS)")),
            (TRACK_BANDS_ADDRESS.format(track), read(
                "fff", [unit_range] * 3, [""] * 3,
                f"track {track} band levels 0..1, every hop: {' '.join(TRACK_BANDS_ARGUMENTS)} "
                f"(< 250 Hz, 250-4000 Hz, > 4000 Hz)")),
            (TRACK_ONSET_ADDRESS.format(track), read(
                "f", [unit_range], [""],
                f"track {track} onset, only in a hop with one: {' '.join(TRACK_ONSET_ARGUMENTS)}")),
        ]
    nodes += [
        (TEMPO_ADDRESS, read("ff", [{"MIN": BPM_MIN, "MAX": BPM_MAX}, unit_range], ["", ""],
                             f"tempo of the mix, every hop: {' '.join(TEMPO_ARGUMENTS)}")),
        (PHASE_ADDRESS, read("f", [unit_range], [""],
                             f"beat phase of the mix, every hop: {' '.join(PHASE_ARGUMENTS)}")),
        (BEAT_ADDRESS, read("if", [{"MIN": 0, "MAX": None}, {"MIN": BPM_MIN, "MAX": BPM_MAX}], ["", ""],
                            f"a beat, time-tagged at the predicted beat: {' '.join(BEAT_ARGUMENTS)}")),
    ]
    return nodes
