"""OSC output: the wire contract (`addresses`), byte-exact encoders (`encode`) and a
non-blocking UDP sender (`sender`).

The names below are loaded on first use (PEP 562): importing the pure `mirage.osc.addresses`
(as ``mirage monitor`` does) must not compile the encoders' numba kernels.
"""

import importlib

_EXPORTS = {
    "DEFAULT_MAX_DATAGRAM_BYTES": "encode",
    "DEFAULT_OSC_PROFILE": "encode",
    "OSC_PROFILES": "encode",
    "EmotionEncoder": "encode",
    "MirageCodeHopEncoder": "encode",
    "ReadmeHopEncoder": "encode",
    "make_hop_encoder": "encode",
    "ntp_timetag": "encode",
    "DEFAULT_TARGET": "sender",
    "OscSender": "sender",
    "TargetStats": "sender",
    "parse_target": "sender",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mirage.osc' has no attribute {name!r}")
    return getattr(importlib.import_module(f"mirage.osc.{module}"), name)
