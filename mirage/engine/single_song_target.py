"""`SingleSongTarget`: today's engine (one source, one song) as a
`~mirage.control_target.ControlTarget`, so the controller runs end to end before the setlist
engine exists.

* Songs: one, named after the source (``live``, ``demo``, the file or folder name).
  ``select_song(0)`` starts a new mood context (what a song change does); any other index is
  a ValueError.
* Transport: stopped, the OSC writer drains the hops and the mood as usual but sends none of
  them (``OscWriter.paused``); ``/mirage/status`` goes on. Audio is not paused.
* Profiles: the name is recorded (status view, state replies) and, in the ``mirage-code``
  wire profile, the instrument string of the track's ``/LFmsg_ch{n}`` changes at the next hop:
  a new hop encoder is built here and handed to the writer in one reference assignment, which
  the writer reads once per hop (never half of one). The pitch search range stays the one the
  run started with (changing it atomically for the callback is the setlist engine's work).
* Emotion reset: `Engine.request_emotion_reset`.

Commands that arrive before the engine exists are kept and applied by `attach`.
"""

from __future__ import annotations

from collections.abc import Callable

from mirage.profiles import PROFILES


class SingleSongTarget:
    """``name``: the song's name; ``profiles``: one instrument profile per track;
    ``make_hop_encoder(profiles)``: the run's hop encoder for these instrument names."""

    def __init__(self, name: str, profiles: list[str], make_hop_encoder: Callable[[list[str]], object]):
        self.name = name
        self.profiles = list(profiles)
        self.make_hop_encoder = make_hop_encoder
        self.running = True
        self.engine = None
        self._encoder_stale = False

    def attach(self, engine) -> None:
        """The engine exists: apply what was commanded before."""
        self.engine = engine
        engine.writer.paused = not self.running
        if self._encoder_stale:
            self._apply_profiles()

    def songs(self) -> list[str]:
        return [self.name]

    def current_song(self) -> int:
        return 0

    def select_song(self, index: int) -> None:
        if index != 0:
            raise ValueError(f"song {index} out of range: one song ({self.name}), index 0")
        self.reset_emotion()

    def transport_running(self) -> bool:
        return self.running

    def set_transport(self, running: bool) -> None:
        self.running = bool(running)
        if self.engine is not None:
            self.engine.writer.paused = not self.running

    def track_count(self) -> int:
        return len(self.profiles)

    def track_profile(self, track: int) -> str:
        return self.profiles[track]

    def set_track_profile(self, track: int, profile: str) -> None:
        if not 0 <= track < len(self.profiles):
            raise ValueError(f"no track {track} (0..{len(self.profiles) - 1})")
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}")
        profiles = list(self.profiles)
        profiles[track] = profile
        self.profiles = profiles
        self._encoder_stale = True
        if self.engine is not None:
            self._apply_profiles()

    def _apply_profiles(self) -> None:
        encoder = self.make_hop_encoder(self.profiles)  # built here, off the writer's thread
        self.engine.writer.hop_encoder = encoder        # one reference: the next hop uses it whole
        self.engine.profiles = self.profiles
        self._encoder_stale = False

    def reset_emotion(self) -> None:
        if self.engine is not None:
            self.engine.request_emotion_reset()


def song_name(input_spec: str) -> str:
    """The one song's name: ``live``, ``demo``, or the file's or folder's name without suffix."""
    from pathlib import Path

    return input_spec if input_spec in ("live", "demo") else Path(input_spec).stem or str(input_spec)
