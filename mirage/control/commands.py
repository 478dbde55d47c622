"""The controller: an OSC command (address + arguments) or a MIDI action in, a call on the
engine's `~mirage.control_target.ControlTarget` and the new state out.

`ControlCommands.handle(address, args)` checks the arguments, makes the change and returns
the state messages to send back (``[(address, args), ...]``; see `mirage.control.addresses`).
A rejected command (wrong arguments, an index out of range, an unknown name) changes nothing,
is counted by kind (`mirage.control.bad_input`) and still answers with the current state,
so a control surface that showed a wrong value is put right.

Arguments, as control surfaces send them:

* A trigger (``/mirage/transport/start``, ``.../stop``, ``/mirage/song/next``, ``.../prev``,
  ``/mirage/emotion/reset``, ``/mirage/state``) acts with no argument, or with one number
  that is not 0 or a True. One 0 / False — the release of a push button, which TouchOSC and
  Open Stage Control send after the press — is ignored silently: a press + release is one
  command, not two.
* An index is an int, or a float with a whole value (many surfaces send only floats).
* ``/mirage/song`` takes an index or a name (exact, else case-insensitive).
* A profile name is case-insensitive (``voice`` is ``VOICE``; `mirage.profiles.PROFILES`).

Every call on the target happens under one lock that only control threads take (the OSC
receiver, RtMidi's thread, the OSCQuery server), so two inputs never interleave half-done
changes and the target sees one call at a time (its contract); the audio callback and the OSC
writer never wait on it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from mirage.control import addresses as A
from mirage.control.bad_input import (
    COMMAND_FAILED,
    OUT_OF_RANGE,
    UNKNOWN_ADDRESS,
    UNKNOWN_NAME,
    WRONG_ARGUMENTS,
    BadInputLog,
)
from mirage.control_target import ControlTarget
from mirage.profiles import PROFILES

log = logging.getLogger("mirage.control")

Message = tuple[str, tuple]


class Rejected(Exception):
    """A command that changes nothing: ``kind`` (a `mirage.control.bad_input` kind) and why."""

    def __init__(self, kind: str, text: str):
        super().__init__(text)
        self.kind = kind


class ControlCommands:
    """The command namespace over ``target``; ``bad`` counts what is rejected."""

    def __init__(self, target: ControlTarget, bad: BadInputLog | None = None):
        self.target = target
        self.bad = bad if bad is not None else BadInputLog()
        self.received = {address: 0 for address in A.COMMAND_ADDRESSES}
        self.emotion_resets = 0
        self._lock = threading.Lock()
        self._triggers = {
            A.TRANSPORT_START: lambda: self._transport(True),
            A.TRANSPORT_STOP: lambda: self._transport(False),
            A.SONG_NEXT: lambda: self._step_song(+1),
            A.SONG_PREV: lambda: self._step_song(-1),
            A.EMOTION_RESET: self._reset_emotion,
            A.STATE_QUERY: self.full_state,
        }

    # -- entry points ----------------------------------------------------------------------
    def handle(self, address: str, args: Sequence) -> list[Message]:
        """Act on one OSC command; the state messages to send back (empty if there is none,
        e.g. an unknown address or a button's release)."""
        key, track = address, None
        if address not in self.received:
            match = A.TRACK_PROFILE_PATTERN.match(address)
            if match is None:
                self.bad.count(UNKNOWN_ADDRESS, f"ignored {address[:80]} (not a MIRAGE command)")
                return []
            key, track = A.TRACK_PROFILE, int(match.group(1))
        with self._lock:
            self.received[key] += 1
            try:
                if key in self._triggers:
                    if _is_release(address, args):
                        return []
                    return self._triggers[key]()
                if key == A.TRANSPORT:
                    return self._transport(_one_index(address, args) != 0)
                if key == A.SONG:
                    return self._select_song(address, args)
                return self._set_profile(track, address, args)
            except Rejected as exc:
                self.bad.count(exc.kind, str(exc))
                return self._state_after_rejection(key, track)
            except Exception as exc:  # the engine's bug: logged, counted, the control goes on
                self.bad.count(COMMAND_FAILED, f"{address} failed: {type(exc).__name__}: {exc}")
                return []

    def act(self, action: str, value: int | None = None) -> list[Message]:
        """A MIDI action (`mirage.control.midi.ACTIONS`): the same as its OSC command."""
        if action == "song":
            return self.handle(A.SONG, (int(value),))
        return self.handle(_ACTION_ADDRESS[action], ())

    # -- the commands (called with the lock held) -------------------------------------------
    def _transport(self, running: bool) -> list[Message]:
        self.target.set_transport(running)
        return [self.transport_state()]

    def _select_song(self, address: str, args: Sequence) -> list[Message]:
        songs = self.target.songs()
        if len(args) == 1 and isinstance(args[0], str):
            index = _song_by_name(songs, args[0])
        else:
            index = _one_index(address, args)
            if not 0 <= index < len(songs):
                raise Rejected(OUT_OF_RANGE, f"{address} {index}: no such song "
                                             f"(the setlist has {len(songs)}: 0..{len(songs) - 1})")
        self._change_song(index)
        return [self.song_state()]

    def _step_song(self, step: int) -> list[Message]:
        last = len(self.target.songs()) - 1
        index = min(max(self.target.current_song() + step, 0), last)
        if index != self.target.current_song():
            self._change_song(index)
        return [self.song_state()]

    def _change_song(self, index: int) -> None:
        try:
            self.target.select_song(index)
        except ValueError as exc:
            raise Rejected(OUT_OF_RANGE, f"/mirage/song {index}: {exc}") from None

    def _set_profile(self, track: int, address: str, args: Sequence) -> list[Message]:
        n_tracks = self.target.track_count()
        if not track < n_tracks:
            raise Rejected(OUT_OF_RANGE, f"{address}: no track {track} (the song has {n_tracks}: "
                                         f"0..{n_tracks - 1})")
        if len(args) != 1 or not isinstance(args[0], str):
            raise Rejected(WRONG_ARGUMENTS, f"{address} takes one profile name (s), got {_types(args)}")
        name = args[0].upper()
        if name not in PROFILES:
            raise Rejected(UNKNOWN_NAME, f"{address} {args[0][:40]!r}: unknown profile "
                                         f"(choose from {', '.join(PROFILES)})")
        try:
            self.target.set_track_profile(track, name)
        except ValueError as exc:
            raise Rejected(UNKNOWN_NAME, f"{address} {name}: {exc}") from None
        return [self.track_state(track)]

    def _reset_emotion(self) -> list[Message]:
        self.target.reset_emotion()
        self.emotion_resets += 1
        return [(A.STATE_EMOTION_RESET, (self.emotion_resets,))]

    # -- state -----------------------------------------------------------------------------
    def song_state(self) -> Message:
        index = self.target.current_song()
        return A.STATE_SONG, (index, self.target.songs()[index])

    def transport_state(self) -> Message:
        return A.STATE_TRANSPORT, (int(bool(self.target.transport_running())),)

    def track_state(self, track: int) -> Message:
        return A.STATE_TRACK_PROFILE.format(track), (self.target.track_profile(track),)

    def full_state(self) -> list[Message]:
        """Every state message (the answer to ``/mirage/state``)."""
        n_tracks = self.target.track_count()
        return [(A.STATE_SONGS, tuple(self.target.songs())), self.song_state(), self.transport_state(),
                (A.STATE_TRACKS, (n_tracks,)), *(self.track_state(t) for t in range(n_tracks)),
                (A.STATE_EMOTION_RESET, (self.emotion_resets,))]

    def _state_after_rejection(self, key: str, track: int | None) -> list[Message]:
        try:
            if key in (A.SONG, A.SONG_NEXT, A.SONG_PREV):
                return [self.song_state()]
            if key in (A.TRANSPORT, A.TRANSPORT_START, A.TRANSPORT_STOP):
                return [self.transport_state()]
            if key == A.TRACK_PROFILE and track < self.target.track_count():
                return [self.track_state(track)]
        except Exception as exc:
            self.bad.count(COMMAND_FAILED, f"reading the state failed: {type(exc).__name__}: {exc}")
        return []

    def transport_running(self) -> bool:
        with self._lock:
            return bool(self.target.transport_running())

    def state(self) -> dict:
        """The engine's state now, read under the lock (for the OSCQuery namespace)."""
        with self._lock:
            n_tracks = self.target.track_count()
            return {"songs": list(self.target.songs()), "song": self.target.current_song(),
                    "transport": bool(self.target.transport_running()),
                    "profiles": [self.target.track_profile(t) for t in range(n_tracks)]}

    def stats(self) -> dict:
        return {"received": {a: n for a, n in self.received.items() if n}, "bad_input": self.bad.nonzero(),
                "ignored": self.bad.total}


_ACTION_ADDRESS = {"transport_start": A.TRANSPORT_START, "transport_stop": A.TRANSPORT_STOP,
                   "song_next": A.SONG_NEXT, "song_prev": A.SONG_PREV, "emotion_reset": A.EMOTION_RESET}


def _types(args: Sequence) -> str:
    return "(" + ", ".join(type(a).__name__ for a in args) + ")" if args else "no arguments"


def _is_release(address: str, args: Sequence) -> bool:
    """True for a button's release (one 0 or False); Rejected for arguments a trigger does not
    take. Nil arguments (type tag N, what OSCQuery clients send to a TYPE "N" method) are none."""
    args = [a for a in args if a is not None]
    if not args:
        return False
    if len(args) == 1 and isinstance(args[0], (bool, int, float)):
        return not args[0]
    raise Rejected(WRONG_ARGUMENTS, f"{address} takes no argument or one number, got {_types(args)}")


def _one_index(address: str, args: Sequence) -> int:
    """The one int argument (or a whole float); Rejected otherwise."""
    if len(args) == 1 and not isinstance(args[0], bool):
        value = args[0]
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    raise Rejected(WRONG_ARGUMENTS, f"{address} takes one whole number (i or f), got {_types(args)}")


def _song_by_name(songs: list[str], name: str) -> int:
    if name in songs:
        return songs.index(name)
    folded = [s.casefold() for s in songs]
    if name.casefold() in folded:
        return folded.index(name.casefold())
    raise Rejected(UNKNOWN_NAME, f"/mirage/song {name[:40]!r}: no such song (the setlist: "
                                 f"{', '.join(songs)[:200]})")
