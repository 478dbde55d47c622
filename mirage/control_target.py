"""What the controller may ask of a running engine: the `ControlTarget` protocol.

The control inputs (`mirage.control`: OSC on ``--control-port``, MIDI on ``--control-midi``,
the OSCQuery namespace) depend only on this protocol, never on the engine's classes, so an
engine with a setlist and one with a single song drive the same controller.

Threading contract: every method is called from a control thread (the OSC receiver's, RtMidi's
or the OSCQuery server's), one call at a time (`mirage.control.commands.ControlCommands`
serialises them with a lock that only control threads take), never from the audio callback
or the OSC writer. An implementation must not block on anything the callback or the writer
holds; a change it makes takes effect at the engine's next hop boundary.

Errors: ``select_song`` and ``set_track_profile`` raise `ValueError` (with a one-line reason)
for an index out of range or an unknown profile; the controller counts and logs them.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class ControlTarget(Protocol):
    """A running engine as the controller sees it (all indices 0-based)."""

    def songs(self) -> list[str]:
        """The setlist's names (one entry for a single song or live input)."""

    def current_song(self) -> int:
        """Index of the song playing (or listened to) now."""

    def select_song(self, index: int) -> None:
        """Change to song ``index`` (a new mood context); ValueError if out of range."""

    def transport_running(self) -> bool:
        """True while a recorded song plays / live input is sent."""

    def set_transport(self, running: bool) -> None:
        """Pause (False) or resume (True) the song, or stop/start sending live input."""

    def track_count(self) -> int:
        """Number of tracks of the current song."""

    def track_profile(self, track: int) -> str:
        """Instrument profile name of ``track`` (e.g. ``"DEFAULT"``)."""

    def set_track_profile(self, track: int, profile: str) -> None:
        """Give ``track`` the instrument ``profile``; ValueError for an unknown profile or track."""

    def reset_emotion(self) -> None:
        """Start a new mood context from the hop being captured now."""
