"""OSC output: byte-exact encoders (`encode`) and a non-blocking UDP sender (`sender`)."""

from mirage.osc.encode import (
    DEFAULT_MAX_DATAGRAM_BYTES,
    DEFAULT_OSC_PROFILE,
    OSC_PROFILES,
    EmotionEncoder,
    MirageCodeHopEncoder,
    ReadmeHopEncoder,
    make_hop_encoder,
    ntp_timetag,
)
from mirage.osc.sender import DEFAULT_TARGET, OscSender, TargetStats, parse_target

__all__ = [
    "DEFAULT_MAX_DATAGRAM_BYTES",
    "DEFAULT_OSC_PROFILE",
    "DEFAULT_TARGET",
    "OSC_PROFILES",
    "EmotionEncoder",
    "MirageCodeHopEncoder",
    "OscSender",
    "ReadmeHopEncoder",
    "TargetStats",
    "make_hop_encoder",
    "ntp_timetag",
    "parse_target",
]
