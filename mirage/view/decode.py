"""One OSC message of a MIRAGE stream, decoded into what it means (pure; no socket).

Both wire profiles (`mirage.osc.addresses`, whose address templates and argument names are
reused here, so the viewer cannot drift from the encoders)::

    readme       /Lfmsg_ch{n}   8 floats: centroid bandwidth flatness rolloff pitch1..pitch4 (0 = none)
    mirage-code  /LFmsg_ch{n}   instrument (string), 4 floats, then 0–4 pitches
    both         /Hfmsg_ch0 or /HFmsg_ch0   arousal valence
                 /mirage/status xruns drops osc_errors emotion_restarts device_losses device
                 /mirage/emotion/reset   (a new song; `mirage replay --loop` sends it per pass)

`decode` returns None for an address that is not MIRAGE's (another program may share the
port) and raises `DecodeError` for one of MIRAGE's addresses with arguments that do not fit
the contract; the listener counts both and goes on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mirage.osc.addresses import (
    EMOTION_ADDRESS,
    EMOTION_ARGUMENTS,
    EMOTION_RESET_ADDRESS,
    FEATURE_ADDRESS,
    OSC_PROFILES,
    PROFILE_MIRAGE_CODE,
    STATUS_ADDRESS,
    STATUS_ARGUMENTS,
)

N_SPECTRAL = 4
"""centroid, bandwidth, flatness, rolloff: the floats before the pitches in both profiles."""
MAX_PITCHES = 4


class DecodeError(ValueError):
    """A message to one of MIRAGE's addresses whose arguments break the wire contract."""


@dataclass(frozen=True)
class TrackFeatures:
    """One hop of one track. Hz except `flatness`; `pitches_hz` holds only the pitches
    found (nonzero), largest magnitude first; `instrument` is None in the readme profile."""

    n: int
    address: str
    osc_profile: str
    instrument: str | None
    centroid_hz: float
    bandwidth_hz: float
    flatness: float
    rolloff_hz: float
    pitches_hz: tuple[float, ...]


@dataclass(frozen=True)
class Mood:
    """The mood of the mix, both in [-1, 1]."""

    arousal: float
    valence: float


@dataclass(frozen=True)
class MoodReset:
    """``/mirage/emotion/reset``: a new song; the mood's trail starts again."""


@dataclass(frozen=True)
class Status:
    """``/mirage/status``: counters since the engine started and the device's state."""

    xruns: int
    drops: int
    osc_errors: int
    emotion_restarts: int
    device_losses: int
    device: str


def _track_pattern(template: str) -> re.Pattern:
    return re.compile(re.escape(template).replace(re.escape("{}"), "([0-9]+)") + r"\Z")


_TRACK_PATTERNS = tuple((_track_pattern(FEATURE_ADDRESS[p]), p) for p in OSC_PROFILES)
_EMOTION_ADDRESSES = frozenset(EMOTION_ADDRESS.values())


def _number(value, address: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DecodeError(f"{address}: expected a number, got {value!r}")
    x = float(value)
    return x if math.isfinite(x) else 0.0


def decode(address: str, args: tuple | list) -> TrackFeatures | Mood | MoodReset | Status | None:
    """What the message `address` `args` says; None if it is not one of MIRAGE's addresses.

    E.g. ``decode("/Hfmsg_ch0", (0.5, -0.25)) == Mood(arousal=0.5, valence=-0.25)``.
    Non-finite floats are read as 0 (the engine never sends them; a visual must not draw them).
    """
    if address in _EMOTION_ADDRESSES:
        if len(args) != len(EMOTION_ARGUMENTS):
            raise DecodeError(f"{address}: expected {len(EMOTION_ARGUMENTS)} arguments, got {len(args)}")
        arousal, valence = (_number(a, address) for a in args)
        return Mood(arousal=arousal, valence=valence)
    if address == EMOTION_RESET_ADDRESS:  # any arguments are ignored, as the engine's control input does
        return MoodReset()
    if address == STATUS_ADDRESS:
        return _decode_status(address, args)
    for pattern, profile in _TRACK_PATTERNS:
        match = pattern.match(address)
        if match:
            return _decode_track(int(match.group(1)), address, profile, args)
    return None


def _decode_status(address: str, args) -> Status:
    if len(args) != len(STATUS_ARGUMENTS) or not isinstance(args[-1], str):
        raise DecodeError(f"{address}: expected {len(STATUS_ARGUMENTS)} arguments ending with the device state, got {args!r}")
    counters = [int(_number(a, address)) for a in args[:-1]]
    return Status(*counters, device=args[-1])


def _decode_track(n: int, address: str, profile: str, args) -> TrackFeatures:
    instrument = None
    values = list(args)
    if profile == PROFILE_MIRAGE_CODE:
        if not values or not isinstance(values[0], str):
            raise DecodeError(f"{address}: expected the instrument name first, got {args!r}")
        instrument = values.pop(0)
        if not N_SPECTRAL <= len(values) <= N_SPECTRAL + MAX_PITCHES:
            raise DecodeError(f"{address}: expected 4 to 8 numbers after the name, got {len(values)}")
    elif len(values) != N_SPECTRAL + MAX_PITCHES:
        raise DecodeError(f"{address}: expected {N_SPECTRAL + MAX_PITCHES} floats, got {len(values)}")
    numbers = [_number(v, address) for v in values]
    centroid, bandwidth, flatness, rolloff = numbers[:N_SPECTRAL]
    pitches = tuple(p for p in numbers[N_SPECTRAL:] if p > 0.0)
    return TrackFeatures(n=n, address=address, osc_profile=profile, instrument=instrument,
                         centroid_hz=centroid, bandwidth_hz=bandwidth, flatness=flatness,
                         rolloff_hz=rolloff, pitches_hz=pitches)
