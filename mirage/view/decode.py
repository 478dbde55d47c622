"""One OSC message of a MIRAGE stream, decoded into what it means (pure; no socket).

Both wire profiles (`mirage.osc.addresses`, whose address templates and argument names are
reused here, so the viewer cannot drift from the encoders)::

    readme       /Lfmsg_ch{n}   8 floats: centroid bandwidth flatness rolloff pitch1..pitch4 (0 = none)
    mirage-code  /LFmsg_ch{n}   instrument (string), 4 floats, then 0–4 pitches
    both         /Hfmsg_ch0 or /HFmsg_ch0   arousal valence
                 /mirage/status xruns drops osc_errors emotion_restarts device_losses device
                 /mirage/emotion/reset   (a new song; `mirage replay --loop` sends it per pass)
    --rhythm     /mirage/track/{n}/level  level (0..1) level_db
                 /mirage/track/{n}/bands  bass mid high (0..1)
                 /mirage/track/{n}/onset  strength (0..1), only in the hop of an onset
                 /mirage/tempo  bpm confidence     /mirage/phase  phase (0..1)
                 /mirage/beat   index bpm   (sent ~half a beat ahead; the view shows it on arrival)

`decode` returns None for an address that is not MIRAGE's (another program may share the
port) and raises `DecodeError` for one of MIRAGE's addresses with arguments that do not fit
the contract; the listener counts both and goes on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mirage.osc.addresses import (
    BEAT_ADDRESS,
    BEAT_ARGUMENTS,
    EMOTION_ADDRESS,
    EMOTION_ARGUMENTS,
    EMOTION_RESET_ADDRESS,
    FEATURE_ADDRESS,
    OSC_PROFILES,
    PHASE_ADDRESS,
    PHASE_ARGUMENTS,
    PROFILE_MIRAGE_CODE,
    STATUS_ADDRESS,
    STATUS_ARGUMENTS,
    TEMPO_ADDRESS,
    TEMPO_ARGUMENTS,
    TRACK_BANDS_ADDRESS,
    TRACK_BANDS_ARGUMENTS,
    TRACK_LEVEL_ADDRESS,
    TRACK_LEVEL_ARGUMENTS,
    TRACK_ONSET_ADDRESS,
    TRACK_ONSET_ARGUMENTS,
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


@dataclass(frozen=True)
class TrackRhythm:
    """One rhythm message of track `n` (``--rhythm``): `kind` is ``"level"`` (values: level
    0..1, level_db), ``"bands"`` (bass, mid, high, each 0..1) or ``"onset"`` (strength 0..1);
    `values` maps the wire contract's argument names to the numbers."""

    n: int
    kind: str
    values: dict


@dataclass(frozen=True)
class Pulse:
    """The mix's tempo (`kind` ``"tempo"``: bpm, confidence), beat phase (``"phase"``: phase
    0..1) or a beat (``"beat"``: index, bpm), with the wire contract's argument names."""

    kind: str
    values: dict


def _track_pattern(template: str) -> re.Pattern:
    return re.compile(re.escape(template).replace(re.escape("{}"), "([0-9]+)") + r"\Z")


_TRACK_PATTERNS = tuple((_track_pattern(FEATURE_ADDRESS[p]), p) for p in OSC_PROFILES)
_EMOTION_ADDRESSES = frozenset(EMOTION_ADDRESS.values())
_RHYTHM_PATTERNS = tuple((_track_pattern(template), kind, names) for template, kind, names in (
    (TRACK_LEVEL_ADDRESS, "level", TRACK_LEVEL_ARGUMENTS), (TRACK_BANDS_ADDRESS, "bands", TRACK_BANDS_ARGUMENTS),
    (TRACK_ONSET_ADDRESS, "onset", TRACK_ONSET_ARGUMENTS)))
_PULSES = {TEMPO_ADDRESS: ("tempo", TEMPO_ARGUMENTS), PHASE_ADDRESS: ("phase", PHASE_ARGUMENTS),
           BEAT_ADDRESS: ("beat", BEAT_ARGUMENTS)}


def _number(value, address: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DecodeError(f"{address}: expected a number, got {value!r}")
    x = float(value)
    return x if math.isfinite(x) else 0.0


def decode(address: str, args: tuple | list) -> TrackFeatures | Mood | MoodReset | Status | TrackRhythm | Pulse | None:
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
    if address in _PULSES:
        kind, names = _PULSES[address]
        return Pulse(kind=kind, values=_named_numbers(address, args, names))
    for pattern, kind, names in _RHYTHM_PATTERNS:
        match = pattern.match(address)
        if match:
            return TrackRhythm(n=int(match.group(1)), kind=kind, values=_named_numbers(address, args, names))
    return None


def _named_numbers(address: str, args, names: tuple[str, ...]) -> dict:
    if len(args) != len(names):
        raise DecodeError(f"{address}: expected {len(names)} numbers ({', '.join(names)}), got {len(args)}")
    return {name: _number(value, address) for name, value in zip(names, args)}


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
