"""OSC output: the wire contract (`addresses`), byte-exact encoders and a non-blocking UDP
sender (`sender`).

By file: `primitives` (OSC strings, int32, time tags), `words` (big-endian words in uint32
buffers), `bundle` (the one bundle packer), `fixed_template` (fixed-size messages laid out
once), `hop_encoder` (the per-hop feature datagrams), `emotion_encoder`, `status_encoder`.

The names below are imported on first use (PEP 562): importing ``mirage.osc.sender`` or
the wire contract ``mirage.osc.addresses`` (as ``mirage monitor`` does) must not load the
encoders' Numba kernels.
"""

import importlib

_EXPORTS = {
    "DEFAULT_MAX_DATAGRAM_BYTES": "mirage.osc.addresses",
    "DEFAULT_OSC_PROFILE": "mirage.osc.addresses",
    "OSC_PROFILES": "mirage.osc.addresses",
    "EmotionEncoder": "mirage.osc.emotion_encoder",
    "MirageCodeHopEncoder": "mirage.osc.hop_encoder",
    "ReadmeHopEncoder": "mirage.osc.hop_encoder",
    "make_hop_encoder": "mirage.osc.hop_encoder",
    "encode_status": "mirage.osc.status_encoder",
    "ntp_timetag": "mirage.osc.primitives",
    "DEFAULT_TARGET": "mirage.osc.sender",
    "OscSender": "mirage.osc.sender",
    "TargetStats": "mirage.osc.sender",
    "parse_target": "mirage.osc.sender",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mirage.osc' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
