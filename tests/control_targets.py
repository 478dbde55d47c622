"""A `ControlTarget` with a three-song setlist, in memory: the controller's logic (song by
name, next/prev at the ends, rejections) tested before the setlist engine exists. It keeps
the protocol's contract (ValueError out of range / unknown profile) and records every call."""

from __future__ import annotations

from mirage.profiles import PROFILES


class Setlist:
    def __init__(self, songs=("Intro", "Blue Room", "Finale"), profiles=("DEFAULT", "VOICE")):
        self._songs, self.profiles = list(songs), list(profiles)
        self.song, self.running, self.resets, self.calls = 0, True, 0, []

    def songs(self):
        return list(self._songs)

    def current_song(self):
        return self.song

    def select_song(self, index):
        self.calls.append(("select_song", index))
        if not 0 <= index < len(self._songs):
            raise ValueError(f"no song {index}")
        self.song = index

    def transport_running(self):
        return self.running

    def set_transport(self, running):
        self.calls.append(("set_transport", running))
        self.running = running

    def track_count(self):
        return len(self.profiles)

    def track_profile(self, track):
        return self.profiles[track]

    def set_track_profile(self, track, profile):
        self.calls.append(("set_track_profile", track, profile))
        if not 0 <= track < len(self.profiles) or profile not in PROFILES:
            raise ValueError(f"track {track} / profile {profile}")
        self.profiles[track] = profile

    def reset_emotion(self):
        self.calls.append(("reset_emotion",))
        self.resets += 1
