"""The OSC wire contract: which addresses MIRAGE sends and what their arguments are called.

One place for the facts that the encoders (`mirage.osc.hop_encoder`,
`mirage.osc.emotion_encoder`, `mirage.osc.status_encoder`), the start-up lines of ``mirage
run`` and ``mirage monitor``'s labels all need, so that none of them spells an address or an
argument order of its own. Pure Python, no numba:
``mirage monitor`` imports it without loading numba (so it does not import `kernels`
either; ``tests/test_osc_addresses.py`` holds `FEATURE_ARGUMENTS` to `kernels.layout`'s order).

Profiles (DESIGN.md, "OSC wire contract")::

    readme       /Lfmsg_ch{n}    centroid bandwidth flatness rolloff pitch1..pitch4
                 /Hfmsg_ch0      arousal valence
    mirage-code  /LFmsg_ch{n}    instrument centroid bandwidth flatness rolloff pitch1..pitchk
                 /HFmsg_ch0      arousal valence
    both         /mirage/status  xruns drops osc_errors emotion_restarts device_losses device
    --rhythm     /mirage/track/{n}/level   level (0..1) level_db (dBFS)
                 /mirage/track/{n}/bands   bass mid high (each 0..1)
                 /mirage/track/{n}/onset   strength (0..1), only in hops with an onset
                 /mirage/tempo   bpm confidence            (per hop)
                 /mirage/phase   phase                     (per hop, 0–1)
                 /mirage/beat    index bpm                 (time-tagged at the predicted beat)
"""

from __future__ import annotations

import re

from mirage.errors import ParameterError

PROFILE_README = "readme"
PROFILE_MIRAGE_CODE = "mirage-code"
OSC_PROFILES = (PROFILE_README, PROFILE_MIRAGE_CODE)
DEFAULT_OSC_PROFILE = PROFILE_README

DEFAULT_MAX_DATAGRAM_BYTES = 1472
"""Largest UDP payload that fits one Ethernet frame (1500 - 20 IPv4 - 8 UDP)."""
MAX_UDP_PAYLOAD_BYTES = 65507
"""Largest payload of one IPv4 UDP datagram."""

FEATURE_ADDRESS = {PROFILE_README: "/Lfmsg_ch{}", PROFILE_MIRAGE_CODE: "/LFmsg_ch{}"}
"""Per profile, the feature message's address; ``{}`` is the 0-based track number."""
EMOTION_ADDRESS = {PROFILE_README: "/Hfmsg_ch0", PROFILE_MIRAGE_CODE: "/HFmsg_ch0"}
STATUS_ADDRESS = "/mirage/status"
EMOTION_RESET_ADDRESS = "/mirage/emotion/reset"
"""Received on ``--control-port`` (a new song: the mood starts a new context); also what
``mirage replay --loop`` sends before each new pass. No arguments."""

_SHORT_FEATURE_NAMES = ("centroid", "bandwidth", "flatness", "rolloff", "pitch1", "pitch2", "pitch3", "pitch4")
"""`kernels.layout.FEATURE_NAMES` without the unit (Hz except flatness), the order on the wire."""
FEATURE_ARGUMENTS = {
    PROFILE_README: _SHORT_FEATURE_NAMES,
    # the instrument name first; then the spectral features and only the nonzero pitches
    PROFILE_MIRAGE_CODE: ("instrument", *_SHORT_FEATURE_NAMES),
}
"""Per profile, the names of the feature message's arguments, in order (mirage-code sends
0–4 pitches, so a message may stop before the last names)."""
EMOTION_ARGUMENTS = ("arousal", "valence")
STATUS_ARGUMENTS = ("xruns", "drops", "osc_errors", "emotion_restarts", "device_losses", "device")
"""`STATUS_ADDRESS`'s arguments: five int32 (xruns, dropped hops, OSC send errors,
emotion-worker restarts, audio-device losses), then a string, the device's state
(`STATUS_DEVICE_STATES`)."""
STATUS_TYPE_TAGS = "iiiiis"
"""`STATUS_ARGUMENTS`' OSC type tags, in order."""
STATUS_DEVICE_STATES = ("running", "lost")

TRACK_LEVEL_ADDRESS = "/mirage/track/{}/level"
"""Per track (0-based n, as in ``/Lfmsg_ch{n}``), every hop with ``--rhythm``."""
TRACK_BANDS_ADDRESS = "/mirage/track/{}/bands"
TRACK_ONSET_ADDRESS = "/mirage/track/{}/onset"
"""Only in the hop in which an onset of the track was detected."""
TRACK_LEVEL_ARGUMENTS = ("level", "level_db")
TRACK_BANDS_ARGUMENTS = ("bass", "mid", "high")
TRACK_ONSET_ARGUMENTS = ("strength",)
TEMPO_ADDRESS = "/mirage/tempo"
TEMPO_ARGUMENTS = ("bpm", "confidence")
PHASE_ADDRESS = "/mirage/phase"
PHASE_ARGUMENTS = ("phase",)
BEAT_ADDRESS = "/mirage/beat"
BEAT_ARGUMENTS = ("index", "bpm")
"""``--rhythm`` (`mirage.osc.beat_encoder`): the mix's tempo (float32 BPM, float32 confidence
0–1) and beat phase (float32 0–1) every hop, time-tagged with the hop's capture time; a beat
trigger (int32 beat index, float32 BPM) time-tagged with the predicted beat time, sent ahead."""


def _address_pattern(template: str) -> re.Pattern:
    return re.compile(re.escape(template).replace(re.escape("{}"), "[0-9]+") + r"\Z")


_ARGUMENTS_BY_PATTERN = [
    *((_address_pattern(FEATURE_ADDRESS[p]), FEATURE_ARGUMENTS[p]) for p in OSC_PROFILES),
    *((_address_pattern(EMOTION_ADDRESS[p]), EMOTION_ARGUMENTS) for p in OSC_PROFILES),
    (_address_pattern(STATUS_ADDRESS), STATUS_ARGUMENTS),
    (_address_pattern(TRACK_LEVEL_ADDRESS), TRACK_LEVEL_ARGUMENTS),
    (_address_pattern(TRACK_BANDS_ADDRESS), TRACK_BANDS_ARGUMENTS),
    (_address_pattern(TRACK_ONSET_ADDRESS), TRACK_ONSET_ARGUMENTS),
    (_address_pattern(TEMPO_ADDRESS), TEMPO_ARGUMENTS),
    (_address_pattern(PHASE_ADDRESS), PHASE_ARGUMENTS),
    (_address_pattern(BEAT_ADDRESS), BEAT_ARGUMENTS),
]


def argument_names(address: str) -> tuple[str, ...] | None:
    """The argument names of a message MIRAGE sends to `address`, in order; None if it is
    not one of MIRAGE's addresses. E.g. ``argument_names("/Hfmsg_ch0") == ("arousal", "valence")``."""
    for pattern, names in _ARGUMENTS_BY_PATTERN:
        if pattern.match(address):
            return names
    return None


def address_range(template: str, n_tracks: int) -> str:
    """``/Lfmsg_ch0..5`` for 6 tracks (``/Lfmsg_ch0`` for one): the addresses of a template
    with a track number, as one short text for people."""
    first = template.format(0)
    return first if n_tracks <= 1 else f"{first}..{n_tracks - 1}"


def check_osc_profile(profile: str) -> str:
    """`profile` if it is one of `OSC_PROFILES`; otherwise a `ParameterError` naming them."""
    if profile not in OSC_PROFILES:
        raise ParameterError(f"unknown OSC profile {profile!r} (choose from {', '.join(OSC_PROFILES)})")
    return profile
