"""What replay does to recorded OSC datagrams: read and shift a bundle's time tag, unpack
bundles into plain messages, list the addresses. Pure functions over bytes, no sockets.

An OSC bundle is ``#bundle\\0``, a 64-bit big-endian NTP time tag, then elements, each an
int32 size and a message (or a nested bundle). A plain message starts with its address
(``/...``, NUL-terminated, padded to 4 bytes).
"""

from __future__ import annotations

import struct

__all__ = ["addresses", "bundle_time_tag", "is_bundle", "messages", "with_time_tag"]

BUNDLE_TAG = b"#bundle\x00"
_TAG = struct.Struct(">Q")
_SIZE = struct.Struct(">i")


def is_bundle(datagram: bytes) -> bool:
    return datagram[:8] == BUNDLE_TAG


def bundle_time_tag(datagram: bytes) -> int:
    """The time tag of a bundle (64-bit NTP: seconds since 1900 << 32 | fraction)."""
    return _TAG.unpack_from(datagram, 8)[0]


def with_time_tag(datagram: bytes, time_tag: int) -> bytes:
    """The bundle with its (outer) time tag replaced; a plain message unchanged."""
    if not is_bundle(datagram):
        return datagram
    return datagram[:8] + _TAG.pack(time_tag & 0xFFFF_FFFF_FFFF_FFFF) + datagram[16:]


def messages(datagram: bytes) -> list[bytes]:
    """The plain messages of a datagram, in order: itself, or a bundle's elements (nested
    bundles unpacked too). A cut element ends the list (recorded datagrams are whole)."""
    if not is_bundle(datagram):
        return [datagram]
    out: list[bytes] = []
    pos, end = 16, len(datagram)
    while pos + 4 <= end:
        (size,) = _SIZE.unpack_from(datagram, pos)
        pos += 4
        if size <= 0 or pos + size > end:
            break
        out.extend(messages(datagram[pos:pos + size]))
        pos += size
    return out


def address(message: bytes) -> str:
    """The address of a plain message (up to its first NUL)."""
    end = message.find(b"\x00")
    return message[:end if end >= 0 else len(message)].decode("ascii", "replace")


def addresses(datagram: bytes) -> list[str]:
    """The address of every message of a datagram, in order."""
    return [address(m) for m in messages(datagram)]
