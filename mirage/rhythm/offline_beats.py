"""The beat tracker over a whole signal: what the live engine would send, hop by hop.

`track_mix` feeds `BeatTracker` the mono mix one hop at a time, exactly as the engine's
beat stage does from the callback's mix ring (the same float32 hops), so offline equals live.
`beats` is the public entry point (`mirage.beats`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirage.rhythm.beat_tracker import BeatTracker

DEFAULT_HOP = 512


@dataclass
class MixRhythm:
    """Per hop: ``time_s``, ``bpm``, ``confidence``, ``phase``; and every `Beat` (``beats``)."""

    time_s: np.ndarray
    bpm: np.ndarray
    confidence: np.ndarray
    phase: np.ndarray
    beats: list


def mono_mix(audio: np.ndarray) -> np.ndarray:
    """``float32[frames]`` of ``[frames]`` or ``[n_tracks, frames]`` (tracks first, as
    `mirage.load` returns them): the mean of the tracks (the callback's ``sum(tracks) / C``)."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        return audio
    return (audio.sum(axis=0, dtype=np.float32) * np.float32(1.0 / audio.shape[0])).astype(np.float32)


def track_mix(mix: np.ndarray, sr_hz: float, hop: int = DEFAULT_HOP) -> MixRhythm:
    """Run the tracker over ``mix`` (mono, float32); the last partial hop is zero-padded
    (as the engine pads the song's last mix hop)."""
    mix = np.asarray(mix, dtype=np.float32)
    n_hops = -(-mix.size // hop)
    padded = np.zeros(n_hops * hop, dtype=np.float32)
    padded[:mix.size] = mix
    tracker = BeatTracker(sr_hz, hop)
    out = np.zeros((n_hops, 4))
    beats = []
    for h in range(n_hops):
        r = tracker.push(padded[h * hop:(h + 1) * hop])
        out[h] = (r.time_s, r.bpm, r.confidence, r.phase)
        beats.extend(r.beats)
    return MixRhythm(out[:, 0], out[:, 1], out[:, 2], out[:, 3], beats)


def beats(source, sr_hz: float | None = None, hop: int = DEFAULT_HOP) -> np.ndarray:
    """The beat triggers of an audio file (or folder of stems) or an array.

    ``source``: a path (loaded with `mirage.load_audio.load`, all its columns mixed) or an
    array ``[frames]`` / ``[n_tracks, frames]`` at ``sr_hz``. Returns a structured array
    ``(time_s float64, bpm float32, confidence float32)``, one row per beat, ``time_s`` the
    trigger's time tag (seconds from the first sample).
    """
    if isinstance(source, np.ndarray):
        if sr_hz is None or not np.isfinite(sr_hz) or sr_hz <= 0:
            from mirage.errors import ParameterError

            raise ParameterError(f"sr_hz: an array needs its positive sample rate, got {sr_hz!r}")
        audio, sr = source, float(sr_hz)
    else:
        from mirage.load_audio import load

        loaded = load(source, sr_hz=sr_hz)
        audio, sr = loaded.audio, loaded.sr_hz
    result = track_mix(mono_mix(audio), sr, hop)
    return beats_array(result.beats)


def beats_array(beat_list) -> np.ndarray:
    out = np.zeros(len(beat_list), dtype=[("time_s", "f8"), ("bpm", "f4"), ("confidence", "f4")])
    for i, b in enumerate(beat_list):
        out[i] = (b.time_s, b.bpm, b.confidence)
    return out
