"""What the page shows, kept as latest values, and the throttle that paces the browser.

The OSC stream is much faster than a page needs: 64 tracks at 94 hops/s are ~6000 messages a
second, a screen refreshes 60 times. `ViewState` keeps only the *latest* values per track
(a new hop overwrites the previous one: coalescing) and remembers which tracks changed;
`ViewState.drain` turns the changes since the last drain into at most five JSON-ready
messages. `Throttle` lets the server drain at most `MAX_PUSH_HZ` times a second, so what
reaches the browser is bounded by the push rate, never by the stream's rate.

Both take the time as an argument (no clock inside): the tests drive them deterministically.

Messages (JSON objects; ``t`` is the viewer's Unix time, in seconds, when the data arrived)::

    {"type": "hello", "listen": "127.0.0.1:12345", "max_push_hz": 30, "trail_points": 120}
    {"type": "tracks", "t": ..., "tracks": [{"n": 0, "address": "/Lfmsg_ch0",
        "osc_profile": "readme", "instrument": null, "centroid_hz": 1234.5,
        "bandwidth_hz": 800.2, "flatness": 0.0123, "rolloff_hz": 2500.0,
        "pitches_hz": [440.8], "notes": ["A4 +3c"], "count": 1875}, ...]}
    {"type": "mood", "t": ..., "arousal": 0.12, "valence": -0.4, "count": 40,
        "trail": [[arousal, valence], ...]}          (oldest first, the last one is the current)
    {"type": "status", "t": ..., "xruns": 0, "drops": 0, "osc_errors": 0,
        "emotion_restarts": 0, "device_losses": 0, "device": "running"}
    {"type": "listener", "t": ..., "datagrams": ..., "messages": ..., "unknown": ...,
        "malformed": ..., "last_data_t": ...}       (once a second)
    {"type": "rhythm", "t": ..., "tracks": [{"n": 0, "level": 0.8, "level_db": -12.3,
        "bass": 1.0, "mid": 0.4, "high": 0.0, "onset": 0.75, "onsets": 12}, ...]}
        (`mirage run --rhythm`; "onset": the strength of the track's latest onset, "onsets":
        how many so far — a page flashes when it grows; coalescing keeps the count exact)
    {"type": "tempo", "t": ..., "bpm": 128.0, "confidence": 0.86, "phase": 0.25,
        "beat": 41, "beats": 42}                    ("beat": the latest beat's index; "beats":
        how many arrived)

A ``tracks`` message holds only the tracks that changed since the previous push (all of them
in the snapshot a new page receives first).
"""

from __future__ import annotations

import collections

from mirage.view.decode import Mood, MoodReset, Pulse, Status, TrackFeatures, TrackRhythm
from mirage.view.notes import pitch_label

MAX_PUSH_HZ = 30.0
"""At most this many pushes to the browser per second (each: tracks + mood + status)."""
TRAIL_POINTS = 120
"""The mood trail: the last this-many mood points (60 s at one every 0.5 s)."""


class Throttle:
    """At most `max_hz` events per second: `wait_s` says how long to wait before the next."""

    def __init__(self, max_hz: float = MAX_PUSH_HZ):
        self.period_s = 1.0 / max_hz
        self._last_s = float("-inf")

    def wait_s(self, now_s: float) -> float:
        """Seconds from `now_s` until the next push is allowed (0: push now)."""
        return max(0.0, self._last_s + self.period_s - now_s)

    def pushed(self, now_s: float) -> None:
        """Record a push made at `now_s`."""
        self._last_s = now_s


def _round(x: float, digits: int) -> float:
    return round(float(x), digits)


def track_json(track: TrackFeatures, count: int) -> dict:
    """A track's latest hop as the WebSocket's JSON object (Hz to 0.01, flatness to 1e-6)."""
    return {
        "n": track.n,
        "address": track.address,
        "osc_profile": track.osc_profile,
        "instrument": track.instrument,
        "centroid_hz": _round(track.centroid_hz, 2),
        "bandwidth_hz": _round(track.bandwidth_hz, 2),
        "flatness": _round(track.flatness, 6),
        "rolloff_hz": _round(track.rolloff_hz, 2),
        "pitches_hz": [_round(p, 2) for p in track.pitches_hz],
        "notes": [pitch_label(p) for p in track.pitches_hz],
        "count": count,
    }


class ViewState:
    """Latest values of a MIRAGE stream and what changed since the last `drain`.

    Fed by the listener (`apply`, one decoded message at a time, and `count_*` for the
    listener's counters), read by the server (`drain` for the pushes, `snapshot` for a page
    that just connected). Single-threaded: both run on the server's event loop.
    """

    def __init__(self, trail_points: int = TRAIL_POINTS):
        self.trail_points = trail_points
        self._tracks: dict[int, TrackFeatures] = {}
        self._track_counts: collections.Counter = collections.Counter()
        self._changed_tracks: set[int] = set()
        self._tracks_t = 0.0
        self._trail: collections.deque = collections.deque(maxlen=trail_points)
        self._mood: Mood | None = None
        self._mood_t = 0.0
        self._mood_count = 0
        self._mood_changed = False
        self._status: Status | None = None
        self._status_t = 0.0
        self._status_changed = False
        self._rhythm: dict[int, dict] = {}
        self._changed_rhythm: set[int] = set()
        self._rhythm_t = 0.0
        self._tempo: dict | None = None
        self._tempo_t = 0.0
        self._tempo_changed = False
        self.datagrams = 0
        self.messages = 0
        self.unknown = 0
        self.malformed = 0
        self.last_data_t: float | None = None

    def apply(self, item: TrackFeatures | Mood | MoodReset | Status | TrackRhythm | Pulse, now_s: float) -> None:
        """Take one decoded message that arrived at Unix time `now_s` (latest wins)."""
        self.last_data_t = now_s
        if isinstance(item, TrackFeatures):
            self._tracks[item.n] = item
            self._track_counts[item.n] += 1
            self._changed_tracks.add(item.n)
            self._tracks_t = now_s
        elif isinstance(item, Mood):
            self._mood = item
            self._mood_t = now_s
            self._mood_count += 1
            self._trail.append((item.arousal, item.valence))
            self._mood_changed = True
        elif isinstance(item, MoodReset):
            self._trail.clear()
            self._mood_changed = self._mood is not None  # a page keeps the last point, with no trail
        elif isinstance(item, Status):
            self._status = item
            self._status_t = now_s
            self._status_changed = True
        elif isinstance(item, TrackRhythm):
            self._apply_rhythm(item, now_s)
        elif isinstance(item, Pulse):
            self._apply_pulse(item, now_s)
        else:
            raise TypeError(f"not a decoded MIRAGE message: {item!r}")

    def _apply_rhythm(self, item: TrackRhythm, now_s: float) -> None:
        track = self._rhythm.setdefault(item.n, {"n": item.n, "level": 0.0, "level_db": -120.0, "bass": 0.0,
                                                 "mid": 0.0, "high": 0.0, "onset": 0.0, "onsets": 0})
        if item.kind == "onset":
            track["onset"] = item.values["strength"]
            track["onsets"] += 1
        else:
            track.update(item.values)
        self._changed_rhythm.add(item.n)
        self._rhythm_t = now_s

    def _apply_pulse(self, item: Pulse, now_s: float) -> None:
        if self._tempo is None:
            self._tempo = {"bpm": 0.0, "confidence": 0.0, "phase": 0.0, "beat": -1, "beats": 0}
        if item.kind == "beat":
            self._tempo["beat"] = int(item.values["index"])
            self._tempo["beats"] += 1
        else:
            self._tempo.update(item.values)
        self._tempo_t = now_s
        self._tempo_changed = True

    @property
    def pending(self) -> bool:
        """True if something changed since the last `drain`."""
        return (bool(self._changed_tracks) or self._mood_changed or self._status_changed
                or bool(self._changed_rhythm) or self._tempo_changed)

    def drain(self) -> list[dict]:
        """The messages for what changed since the last drain (then nothing is pending)."""
        out = []
        if self._changed_tracks:
            out.append(self._tracks_message(sorted(self._changed_tracks)))
            self._changed_tracks.clear()
        if self._mood_changed:
            out.append(self._mood_message())
            self._mood_changed = False
        if self._status_changed:
            out.append(self._status_message())
            self._status_changed = False
        if self._changed_rhythm:
            out.append(self._rhythm_message(sorted(self._changed_rhythm)))
            self._changed_rhythm.clear()
        if self._tempo_changed:
            out.append(self._tempo_message())
            self._tempo_changed = False
        return out

    def snapshot(self) -> list[dict]:
        """Everything known, for a page that just connected (changes stay pending)."""
        out = []
        if self._tracks:
            out.append(self._tracks_message(sorted(self._tracks)))
        if self._mood is not None:
            out.append(self._mood_message())
        if self._status is not None:
            out.append(self._status_message())
        if self._rhythm:
            out.append(self._rhythm_message(sorted(self._rhythm)))
        if self._tempo is not None:
            out.append(self._tempo_message())
        return out

    def listener_message(self, now_s: float) -> dict:
        """The listener's own counters (datagrams, messages, not MIRAGE's, broken)."""
        return {"type": "listener", "t": now_s, "datagrams": self.datagrams, "messages": self.messages,
                "unknown": self.unknown, "malformed": self.malformed, "last_data_t": self.last_data_t}

    def _tracks_message(self, numbers: list[int]) -> dict:
        return {"type": "tracks", "t": self._tracks_t,
                "tracks": [track_json(self._tracks[n], self._track_counts[n]) for n in numbers]}

    def _mood_message(self) -> dict:
        mood = self._mood
        return {"type": "mood", "t": self._mood_t, "arousal": _round(mood.arousal, 4),
                "valence": _round(mood.valence, 4), "count": self._mood_count,
                "trail": [[_round(a, 4), _round(v, 4)] for a, v in self._trail]}

    def _status_message(self) -> dict:
        s = self._status
        return {"type": "status", "t": self._status_t, "xruns": s.xruns, "drops": s.drops,
                "osc_errors": s.osc_errors, "emotion_restarts": s.emotion_restarts,
                "device_losses": s.device_losses, "device": s.device}

    def _rhythm_message(self, numbers: list[int]) -> dict:
        tracks = []
        for n in numbers:
            track = self._rhythm[n]
            tracks.append({key: (value if key in ("n", "onsets") else _round(value, 4)) for key, value in track.items()})
        return {"type": "rhythm", "t": self._rhythm_t, "tracks": tracks}

    def _tempo_message(self) -> dict:
        tempo = self._tempo
        return {"type": "tempo", "t": self._tempo_t, "bpm": _round(tempo["bpm"], 2),
                "confidence": _round(tempo["confidence"], 3), "phase": _round(tempo["phase"], 4),
                "beat": tempo["beat"], "beats": tempo["beats"]}
