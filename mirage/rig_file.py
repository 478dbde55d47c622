"""The rig file: a show's ``mirage run`` options and its setlist, in TOML (``mirage run --config FILE``).

Every ``mirage run`` option is a top-level key named as the option without its dashes, with
``_`` for ``-`` (``--osc-target`` is ``osc_target``, ``--no-emotion`` is ``no_emotion``), of
the type in `RIG_KEYS`; a flag on the command line overrides the file's key. Paths (``input``,
``emotion_model``, ``stats_json``, ``record``, a song's ``source``) are relative to the rig
file's folder. ``control_midi_map`` is a table, MIDI message -> action
(`mirage.control.midi`). The setlist is an array of ``[[songs]]`` tables::

    [[songs]]
    name = "Intro"              # shown and sent in /mirage/state/song (default: from source)
    source = "demo"             # "live", "demo", an audio file or a folder of stems
    profile = "VOICE"           # every track of the song (optional)
    tracks = [                  # per track, in order (optional)
      { name = "lead", channel = 1, profile = "VOICE" },   # channel: live songs, 1-based
    ]

Without ``songs``, the setlist is one song: ``input`` (default ``live``). Errors (TOML syntax,
an unknown key, a wrong type, a missing stems folder) are one `ParameterError` / `InputError`
line naming the file, the line or the key, and what is expected (exit 2).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from mirage.errors import InputError, ParameterError
from mirage.setlist import LIVE, Song, Track

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the backport, a dependency on 3.10 only
    import tomli as tomllib

STR, INT, NUMBER, BOOL, STRINGS, PATH, TABLE, STR_OR_STRINGS, INT_OR_STR = (
    "a string", "an integer", "a number", "true or false", "a list of strings", "a path (string)",
    "a table", "a string or a list of strings", "an integer or a string")

#: every rig key of a ``mirage run`` option -> what its value must be
RIG_KEYS = {
    "input": STR, "device": STR, "channels": STR, "no_play": BOOL, "loop": BOOL, "clock": BOOL,
    "n_fft": INT, "hop": INT, "blocksize": INT, "profile": STR, "profiles": STR_OR_STRINGS,
    "osc_profile": STR, "osc_target": STRINGS, "osc_host": STR, "osc_port": INT, "max_datagram": INT,
    "no_bundle": BOOL, "no_emotion": BOOL, "emotion_model": PATH, "emotion_smoothing": NUMBER,
    "control_port": INT, "control_host": STR, "control_allow": STRINGS, "control_reply_to": STRINGS,
    "control_midi": STR, "control_midi_map": TABLE, "oscquery_port": INT, "no_oscquery": BOOL,
    "no_zeroconf": BOOL, "duration": NUMBER, "stats_json": PATH, "record": PATH,
    "exit_on_device_loss": BOOL, "advance": STR, "song": INT_OR_STR, "rhythm": BOOL,
    "level_attack_ms": NUMBER, "level_release_ms": NUMBER,
}
PATH_KEYS = ("emotion_model", "stats_json", "record")
SONG_KEYS = {"name": STR, "source": STR, "profile": STR, "tracks": "a list of tables"}
TRACK_KEYS = {"name": STR, "channel": INT, "profile": STR}


@dataclass
class RigFile:
    """A parsed rig file: ``options`` (rig key -> value, paths resolved) and its ``songs``."""

    path: Path
    options: dict
    songs: list[Song] = field(default_factory=list)


def load_rig(path: str | Path) -> RigFile:
    """Read and check the rig file at ``path`` (see the module docstring)."""
    path = Path(path)
    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"--config {name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--config {name}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{name}: not valid TOML: {exc}") from None
    return parse_rig(data, path)


def parse_rig(data: dict, path: Path) -> RigFile:
    """Check the TOML document ``data`` of the rig file ``path``."""
    name, folder = str(path), path.parent
    options = {}
    for key, value in data.items():
        if key == "songs":
            continue
        if key not in RIG_KEYS:
            raise ParameterError(f"{name}: unknown key {key!r}{_near(key, [*RIG_KEYS, 'songs'])}")
        options[key] = _checked(name, key, value, RIG_KEYS[key])
        if key in PATH_KEYS:
            options[key] = str(_relative(folder, options[key]))
    if "input" in options:
        options["input"] = _source(folder, options["input"], f"{name}: input")
    songs_data = data.get("songs")
    songs = []
    if songs_data is not None:
        if not isinstance(songs_data, list) or not all(isinstance(s, dict) for s in songs_data):
            raise ParameterError(f"{name}: songs must be an array of tables ([[songs]])")
        if not songs_data:
            raise ParameterError(f"{name}: songs is empty (give at least one [[songs]])")
        if "input" in options:
            raise ParameterError(f"{name}: give either input (one song) or [[songs]] (a setlist), not both")
        songs = [_song(name, folder, i, s) for i, s in enumerate(songs_data)]
    return RigFile(path, options, songs)


def _song(name: str, folder: Path, i: int, data: dict) -> Song:
    where = f"{name}: songs[{i}]"
    for key, value in data.items():
        if key not in SONG_KEYS:
            raise ParameterError(f"{where}: unknown key {key!r}{_near(key, SONG_KEYS)}")
        if key != "tracks":
            _checked(where, key, value, SONG_KEYS[key])
    if "source" not in data:
        raise ParameterError(f"{where}: no source (\"live\", \"demo\", an audio file or a folder of stems)")
    tracks_data = data.get("tracks", [])
    if not isinstance(tracks_data, list) or not all(isinstance(t, dict) for t in tracks_data):
        raise ParameterError(f"{where}.tracks: expected a list of tables ({{ name = ..., channel = ..., profile = ... }})")
    tracks = []
    for t, track in enumerate(tracks_data):
        for key, value in track.items():
            if key not in TRACK_KEYS:
                raise ParameterError(f"{where}.tracks[{t}]: unknown key {key!r}{_near(key, TRACK_KEYS)}")
            _checked(f"{where}.tracks[{t}]", key, value, TRACK_KEYS[key])
        if "profile" in track:
            _profile(f"{where}.tracks[{t}].profile", track["profile"])
        tracks.append(Track(track.get("name"), track.get("channel"), _upper(track.get("profile"))))
    if "profile" in data:
        _profile(f"{where}.profile", data["profile"])
    source = _source(folder, data["source"], f"{where}.source")
    return Song(source, data.get("name"), tracks, _upper(data.get("profile")), origin=where)


def _source(folder: Path, value: str, where: str) -> str:
    """``live``, ``demo``, or an existing file or folder (relative to the rig file's folder)."""
    if value in (LIVE, "demo"):
        return value
    resolved = _relative(folder, value)
    if not resolved.exists():
        raise InputError(f"{where} = {value!r}: no such file or stems folder ({resolved})")
    return str(resolved)


def _relative(folder: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else folder / p


def _profile(where: str, value: str) -> None:
    from mirage.profiles import PROFILES

    if value.upper() not in PROFILES:
        raise ParameterError(f"{where} = {value!r}: expected one of {', '.join(PROFILES)}")


def _upper(value):
    return value.upper() if isinstance(value, str) else value


def _checked(where: str, key: str, value, expected: str):
    ok = {
        STR: isinstance(value, str), PATH: isinstance(value, str),
        INT: isinstance(value, int) and not isinstance(value, bool),
        NUMBER: isinstance(value, (int, float)) and not isinstance(value, bool),
        BOOL: isinstance(value, bool),
        STRINGS: isinstance(value, list) and all(isinstance(v, str) for v in value),
        STR_OR_STRINGS: isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
        TABLE: isinstance(value, dict),
        INT_OR_STR: isinstance(value, (int, str)) and not isinstance(value, bool),
    }[expected]
    if not ok:
        raise ParameterError(f"{where}: {key} = {_show(value)}: expected {expected}")
    if expected == NUMBER:
        return float(value)
    if expected == STR_OR_STRINGS and isinstance(value, list):
        return ",".join(value)
    return value


def _show(value) -> str:
    text = repr(value) if not isinstance(value, bool) else str(value).lower()
    return text if len(text) <= 40 else text[:37] + "..."


def _near(key: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (expected one of: {', '.join(choices)})"
