"""`mirage setup`: the original MIRAGE's set-up questions, answered once, written as a rig file.

The questions, in order (the default in brackets; Enter takes it)::

    1. Live or recorded audio? (live/recorded) [recorded]
    2. Which song? recorded: a number from the setlist shown, or a path to an audio file or a
       folder of stems [1, the demo]; live: the input channels, e.g. 1-2 [1-2]
    3. Hear it while it is processed? (y/n) [y]  (recorded only: live input is heard on stage)
    4. Per track: its instrument profile (DEFAULT, VOICE, GUITAR, PIANO, STRINGS, DRUMS, LIBROSA)
       [the demo stem's, else DEFAULT]
       Another song in the setlist? (y/n) [n]  (yes: questions 2 and 4 again, for the next song)
    5. An external controller? (none/osc/midi) [none]; then its port: the UDP port of OSC
       commands [9000], or the MIDI input's name (part of it is enough)

A wrong answer is said on one line and the question asked again; the answers are read from
stdin whether or not it is a terminal (so a script can pipe them); input that ends before the
last answer is one line, exit 2. The rig file (``--out``, default ``rig.toml``) is never
overwritten without asking: on a terminal the question is asked, otherwise it is refused
(exit 2) unless ``--force``. ``mirage run --config rig.toml`` then runs the show.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from mirage.errors import InputError

DEFAULT_CONTROL_PORT = 9000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("rig.toml"), metavar="RIG.toml",
                        help="the rig file to write (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing rig file without asking")


class Asker:
    """Asks on ``out``, reads answers line by line from ``answers``, asks again after a wrong one."""

    def __init__(self, answers, out, interactive: bool):
        self.answers, self.out, self.interactive = answers, out, interactive

    def ask(self, question: str, default: str, parse: Callable[[str], object]):
        """``parse(text)`` returns the value or raises ValueError (its text is shown)."""
        while True:
            self.out.write(f"{question} [{default}] ")
            self.out.flush()
            line = self.answers.readline()
            if not line:
                self.out.write("\n")
                raise InputError(f"setup: the answers ended before this question: {question.strip()}")
            text = line.strip() or default
            if not self.interactive:
                self.out.write(text + "\n")
            try:
                return parse(text)
            except ValueError as exc:
                print(f"  {exc}; again:", file=self.out)


def _choice(*choices: str):
    def parse(text: str) -> str:
        low = text.lower()
        matches = [c for c in choices if c.startswith(low)] if low else []
        if len(matches) != 1:
            raise ValueError(f"answer one of {', '.join(choices)}")
        return matches[0]
    return parse


def _yes_no(text: str) -> bool:
    return _choice("yes", "no")(text) == "yes"


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError("a UDP port is a number within 1..65535")
    return int(text)


def _profile(text: str) -> str:
    from mirage.profiles import PROFILES

    if text.upper() not in PROFILES:
        raise ValueError(f"choose one of {', '.join(PROFILES)}")
    return text.upper()


def _channels(text: str) -> list[int]:
    from mirage.channels import parse_channels
    from mirage.errors import ParameterError

    try:
        return parse_channels(text)
    except ParameterError as exc:
        raise ValueError(str(exc)) from None


def _song(setlist: list[str]):
    def parse(text: str) -> str:
        if text.isdigit() and 1 <= int(text) <= len(setlist):
            return setlist[int(text) - 1]
        path = Path(text).expanduser()
        if not path.exists():
            raise ValueError(f"not a number 1..{len(setlist)} nor an existing file or folder: {text!r}")
        return str(path.resolve())
    return parse


def _track_names(source: str) -> list[str]:
    from mirage.audio_reader import SourceReader

    try:
        with SourceReader([source]) as reader:
            return list(reader.track_names)
    except Exception as exc:  # noqa: BLE001 - any unreadable file: asked again
        raise ValueError(f"cannot read {source!r}: {exc}") from None


def ask_rig(asker: Asker) -> dict:
    """The questions; the rig file's content as a dict (top-level keys and ``songs``).
    After a song's profiles, "Another song?" builds the setlist (questions 2 and 4 again)."""
    rig: dict = {}
    mode = asker.ask("1. Live or recorded audio? (live/recorded)", "recorded", _choice("live", "recorded"))
    songs = [_ask_song(asker, mode, first=True, rig=rig)]
    while asker.ask("   Another song in the setlist? (y/n)", "n", _yes_no):
        songs.append(_ask_song(asker, mode, first=False, rig=rig))
    titles: dict[str, int] = {}
    for song in songs:  # one name per song: /mirage/song NAME picks it
        titles[song["name"]] = titles.get(song["name"], 0) + 1
        if titles[song["name"]] > 1:
            song["name"] = f"{song['name']} {titles[song['name']]}"
    controller = asker.ask("5. An external controller? (none/osc/midi)", "none", _choice("none", "osc", "midi"))
    if controller == "osc":
        rig["control_port"] = asker.ask("   Its UDP port (OSC commands in)?", str(DEFAULT_CONTROL_PORT), _port)
    elif controller == "midi":
        rig["control_midi"] = asker.ask("   Its MIDI input (a name, or part of it)?", "MIDI", _nonempty)
    rig["osc_profile"] = "mirage-code"  # what the original's patches receive
    rig["songs"] = songs
    return rig


def _ask_song(asker: Asker, mode: str, *, first: bool, rig: dict) -> dict:
    """Questions 2 (which song), 3 (hear it: the first recorded song only, it applies to the
    run) and 4 (a profile per track) for one song of the setlist."""
    from mirage.demo import STEM_PROFILES
    from mirage.profiles import MIRAGE_CODE_DEFAULT_PROFILE

    if mode == "live":
        channels = asker.ask("2. Which inputs are the tracks? (1-based, e.g. 1-2 or 1,3)", "1-2", _channels)
        song = {"name": "live", "source": "live"}
        tracks = [{"name": f"in{c}", "channel": c} for c in channels]
    else:
        setlist = ["demo"]
        print("   the setlist: " + ", ".join(f"{i + 1}) {s}" for i, s in enumerate(setlist)), file=asker.out)
        while True:
            source = asker.ask("2. Which song? (a number from the setlist, or the path of a file or a stems folder)",
                               "1", _song(setlist))
            try:
                names = _track_names(source)
                break
            except ValueError as exc:
                print(f"  {exc}; again:", file=asker.out)
        song = {"name": Path(source).stem if source != "demo" else "demo", "source": source}
        tracks = [{"name": name} for name in names]
        if first:
            rig["no_play"] = not asker.ask("3. Hear it while it is processed? (y/n)", "y", _yes_no)
    for t, track in enumerate(tracks):
        default = STEM_PROFILES.get(track["name"], MIRAGE_CODE_DEFAULT_PROFILE) if song["source"] == "demo" \
            else MIRAGE_CODE_DEFAULT_PROFILE
        track["profile"] = asker.ask(f"4. Track {t} ({track['name']}): instrument profile?", default, _profile)
    song["tracks"] = tracks
    return song


def _nonempty(text: str) -> str:
    if not text.strip():
        raise ValueError("a name, or part of one")
    return text.strip()


def rig_toml(rig: dict) -> str:
    """The rig as TOML: top-level keys, then one ``[[songs]]`` table each (strings as JSON
    strings, which TOML's basic strings accept)."""
    lines = ["# Written by `mirage setup`; run it with `mirage run --config <this file>`.",
             "# Every `mirage run` option can be a key here (see the README, \"The rig file\")."]
    for key, value in rig.items():
        if key != "songs":
            lines.append(f"{key} = {_value(value)}")
    for song in rig["songs"]:
        lines += ["", "[[songs]]"]
        for key, value in song.items():
            if key == "tracks":
                lines.append("tracks = [")
                lines += [f"  {{ {', '.join(f'{k} = {_value(v)}' for k, v in t.items())} }}," for t in value]
                lines.append("]")
            else:
                lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def main(args: argparse.Namespace) -> int:
    interactive = sys.stdin.isatty()
    out: Path = args.out
    asker = Asker(sys.stdin, sys.stdout, interactive)
    if out.exists() and not args.force:
        if not interactive:
            raise InputError(f"{out} exists; not overwritten (--force to replace it, or --out another file)")
        if not asker.ask(f"{out} exists. Overwrite it? (y/n)", "n", _yes_no):
            raise InputError(f"{out} exists; not overwritten")
    if not out.parent.exists():
        raise InputError(f"--out {out}: folder {out.parent} does not exist")
    try:
        rig = ask_rig(asker)
    except KeyboardInterrupt:
        raise InputError("setup: interrupted; nothing written") from None
    out.write_text(rig_toml(rig), encoding="utf-8")
    print(f"wrote {out}: mirage run --config {out}")
    return 0
