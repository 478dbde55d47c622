"""`RigControl`: a running setlist as the controller's `~mirage.control_target.ControlTarget`.

* Songs: the setlist (`mirage.setlist.open_setlist`), every one loaded before the show.
  ``select_song(i)`` stages song ``i`` for the callback (`EngineGraph.stage`: track count,
  source, channel map, pitch ranges; position 0, framing restarted) and registers its hop
  encoder with the OSC writer under the stage's generation first, so each hop is encoded
  with the song it was computed for (the addresses ``/Lfmsg_ch0..N-1`` follow the song's
  track count). Once the callback has applied it, the mood starts a new context at that hop
  (`Engine.request_emotion_reset`).
* Profiles: ``set_track_profile`` stages the same song with the track's new pitch range
  (without restarting it) and registers an encoder with the new instrument string
  (``mirage-code``); both take effect at the same hop.
* Transport: a recorded song pauses (the callback outputs silence and moves nothing) and
  resumes where it was; live input keeps being analysed but the OSC writer sends nothing
  (``OscWriter.paused``). ``/mirage/status`` goes on.
* The song's end (`advance_at_end`, called by the run's main loop): ``next`` stages the next
  song (the last one's end ends the run), ``hold`` waits silently for a command, ``stop`` ends
  the run.

Staging is serialised: a new stage is written only once the callback applied the previous
one (`APPLY_WAIT_S` at most; no callback runs before the stream starts or while the device
is lost, and then there is nothing to race with). Commands before `attach` are applied by it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from mirage.profiles import PROFILES

log = logging.getLogger("mirage.control")

ADVANCE_CHOICES = ("next", "stop", "hold")
APPLY_WAIT_S = 0.5
APPLY_POLL_S = 0.0005


class RigControl:
    """``songs``: `mirage.setlist.OpenSong` list; ``make_hop_encoder(n_tracks, profile_names)``:
    the run's hop encoder for a song; ``start``: index of the first song."""

    def __init__(self, songs: list, make_hop_encoder: Callable[[int, list[str]], object], *, start: int = 0,
                 advance: str = "next"):
        self._songs = songs
        self._profiles = [list(song.profiles) for song in songs]  # changed by the controller
        self.make_hop_encoder = make_hop_encoder
        self.index = start
        self.advance = advance
        self.running = True
        self.engine = None
        self.changes = []   # (time.monotonic_ns() when staged, when applied) of every song change
        self._stale = False  # a change made before the engine existed

    # -- the engine ------------------------------------------------------------------------
    @property
    def song(self):
        return self._songs[self.index]

    def attach(self, engine) -> None:
        """The engine exists (built for ``songs[start]``): apply what was commanded before."""
        self.engine = engine
        self.set_transport(self.running)
        if self._stale:
            self._stage(new_song=True)

    def _stage(self, *, new_song: bool) -> None:
        engine = self.engine
        if engine is None:
            self._stale = True
            return
        graph = engine.graph
        self._wait_applied(graph)
        song, profiles = self.song, self._profiles[self.index]
        ranges = [[PROFILES[p].fmin_hz, PROFILES[p].fmax_hz] for p in profiles]
        encoder = self.make_hop_encoder(song.n_tracks, profiles)  # built here, off the writer's thread
        generation = graph.staged_generation + 1
        engine.writer.add_encoder(generation, encoder)   # before the callback can tag a hop with it
        staged_ns = time.monotonic_ns()
        graph.stage(n_tracks=song.n_tracks, pitch_ranges_hz=ranges, channel_map=song.source.channel_map,
                    playback=song.source.playback, new_song=new_song)
        engine.source, engine.profiles = song.source, list(profiles)
        self._stale = False
        if new_song:
            applied = self._wait_applied(graph)
            self.changes.append((staged_ns, time.monotonic_ns() if applied else None))
            engine.request_emotion_reset()  # the new song's first hop starts a new mood context
            engine.request_beat_reset()     # ... and a new tempo

    def _wait_applied(self, graph) -> bool:
        """Wait (bounded) until the callback took the last stage; False if none runs."""
        deadline = time.monotonic() + APPLY_WAIT_S
        while graph.applied_generation != graph.staged_generation:
            if time.monotonic() > deadline or not self._stream_runs():
                return False
            time.sleep(APPLY_POLL_S)
        return True

    def _stream_runs(self) -> bool:
        stream = self.engine.stream
        return stream is not None and bool(getattr(stream, "active", False))

    def advance_at_end(self) -> bool:
        """The current song has ended (held by the callback): act on ``advance``. Returns
        True when the run should end."""
        if self.advance == "next" and self.index + 1 < len(self._songs):
            log.info("song %d ended: next, %d (%s)", self.index, self.index + 1, self._songs[self.index + 1].title)
            self.select_song(self.index + 1)
            return False
        return self.advance != "hold"

    # -- ControlTarget ---------------------------------------------------------------------
    def songs(self) -> list[str]:
        return [song.title for song in self._songs]

    def current_song(self) -> int:
        return self.index

    def select_song(self, index: int) -> None:
        if not 0 <= index < len(self._songs):
            raise ValueError(f"song {index} out of range: the setlist has {len(self._songs)} (0..{len(self._songs) - 1})")
        before, self.index = self.index, index
        try:
            self._stage(new_song=True)
        except Exception:
            self.index = before
            raise

    def transport_running(self) -> bool:
        return self.running

    def set_transport(self, running: bool) -> None:
        self.running = bool(running)
        if self.engine is not None:
            if self.song.source.playback is not None:
                self.engine.graph.set_paused(not self.running)  # the song stops moving
            else:
                self.engine.writer.paused = not self.running    # live: analysed, not sent

    def track_count(self) -> int:
        return self.song.n_tracks

    def track_profile(self, track: int) -> str:
        return self._profiles[self.index][track]

    def set_track_profile(self, track: int, profile: str) -> None:
        profiles = self._profiles[self.index]
        if not 0 <= track < len(profiles):
            raise ValueError(f"no track {track} (0..{len(profiles) - 1})")
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}")
        profiles[track] = profile
        self._stage(new_song=False)

    def reset_emotion(self) -> None:
        if self.engine is not None:
            self.engine.request_emotion_reset()
