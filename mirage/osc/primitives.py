"""OSC 1.0 primitives: strings, int32, message heads, NTP time tags, bundle framing sizes.

Plain Python, used at configure time to lay out the encoders' templates (`mirage.osc.hop_encoder`,
`mirage.osc.fixed_template`) and to build the once-a-second status message
(`mirage.osc.status_encoder`). Every OSC field is big-endian and padded to a multiple of 4
bytes; the bytes are python-osc's (``pythonosc.parsing.osc_types``), golden-tested in
``tests/test_osc_encode.py``. The bundle constants are read by the jitted packer
(`mirage.osc.bundle`).
"""

from __future__ import annotations

import math

from mirage.errors import ParameterError

__all__ = [
    "BUNDLE_ELEMENT_SIZE_BYTES",
    "BUNDLE_HEADER_BYTES",
    "BUNDLE_TAG",
    "NTP_EPOCH_OFFSET_S",
    "NTP_IMMEDIATELY",
    "message_head",
    "ntp_timetag",
    "osc_int32",
    "osc_string",
]

BUNDLE_TAG = b"#bundle\x00"
BUNDLE_TAG_WORD0 = int.from_bytes(BUNDLE_TAG[:4], "big")
"""The first 4 bytes of `BUNDLE_TAG` as a big-endian word (the jitted packer writes words)."""
BUNDLE_TAG_WORD1 = int.from_bytes(BUNDLE_TAG[4:], "big")
BUNDLE_HEADER_BYTES = 16
"""``#bundle\\0`` (8 bytes) + the 64-bit NTP time tag."""
BUNDLE_ELEMENT_SIZE_BYTES = 4
"""The int32 size that precedes every element of a bundle."""

NTP_EPOCH_OFFSET_S = 2208988800
"""Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch)."""
NTP_IMMEDIATELY = 1
"""The OSC time tag meaning "now"; python-osc writes it for the Unix time ``0``."""
_NTP_UNITS_PER_S = 2.0**32


def osc_string(text: str) -> bytes:
    """`text` as an OSC string: UTF-8, a NUL terminator, NUL-padded to a multiple of 4.

    Parameters
    ----------
    text : str
        Must not contain NUL characters (they would end the string early on the wire).

    Returns
    -------
    bytes
        ``len`` is the smallest multiple of 4 greater than the UTF-8 length.
    """
    if not isinstance(text, str) or "\x00" in text:
        raise ParameterError(f"OSC string must be a str without NUL characters, got {text!r}")
    raw = text.encode("utf-8")
    return raw + b"\x00" * (4 - len(raw) % 4)


def osc_int32(value: int) -> bytes:
    """`value` as an OSC int32: 4 bytes, big-endian two's complement.

    Raises `ParameterError` if it is not an integer in −2³¹ .. 2³¹ − 1.
    """
    try:
        return int(value).to_bytes(4, "big", signed=True)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"OSC int32 must be an integer in -2**31 .. 2**31-1, got {value!r}") from None


def message_head(address: str, typetags: str) -> bytes:
    """Address and type-tag string of a message (``typetags`` with its leading ``,``):
    everything before its arguments."""
    return osc_string(address) + osc_string(typetags)


def ntp_timetag(capture_time_s: float) -> int:
    """The 64-bit OSC/NTP time tag of a Unix time, exactly as python-osc computes it.

    ``int((t + 2208988800) * 2**32)`` in double precision (truncation toward zero), except
    that ``t == 0`` gives python-osc's IMMEDIATELY tag (1): its builder treats the time 0
    as "immediately".

    Parameters
    ----------
    capture_time_s : float
        Seconds since the Unix epoch (UTC), e.g. from `time.time`.

    Returns
    -------
    int
        Upper 32 bits: whole seconds since 1900; lower 32 bits: fraction of a second.

    Raises
    ------
    ParameterError
        If the time is not finite or falls outside NTP era 0 (1900 .. 2036-02-07).
    """
    t = float(capture_time_s)
    if t == 0.0:
        return NTP_IMMEDIATELY
    if not math.isfinite(t):
        raise ParameterError(f"capture_time_s must be finite, got {capture_time_s!r}")
    tag = int((t + NTP_EPOCH_OFFSET_S) * _NTP_UNITS_PER_S)
    if not 0 <= tag < 1 << 64:
        raise ParameterError(
            f"capture_time_s {capture_time_s!r} is outside NTP era 0 (1900 .. 2036-02-07)"
        )
    return tag
