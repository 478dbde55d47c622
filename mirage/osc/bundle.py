"""The one bundle packer: messages, in order, greedily into as few datagrams as fit.

Every encoder places its messages with `pack_datagrams` and frames its bundles with
`write_bundle_headers` — the fixed-size templates once at configure time and per hop
(`mirage.osc.fixed_template`), the variable-length mirage-code messages per hop
(`mirage.osc.hop_encoder`) — so the packing rule is written once:

* ``bundle=True``: a datagram is ``#bundle\\0``, the 64-bit time tag, then per message its
  int32 size and the message. A message joins the open bundle while the bundle stays within
  ``max_datagram_bytes``; otherwise the bundle is closed and a new one opened. Every bundle
  of a hop carries the same time tag.
* ``bundle=False``: every message is its own datagram.

The jitted functions allocate nothing: offsets go into arrays the caller preallocated.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from mirage.errors import ParameterError
from mirage.osc.addresses import MAX_UDP_PAYLOAD_BYTES
from mirage.osc.primitives import (
    BUNDLE_ELEMENT_SIZE_BYTES,
    BUNDLE_HEADER_BYTES,
    BUNDLE_TAG_WORD0,
    BUNDLE_TAG_WORD1,
)
from mirage.osc.words import bswap32

__all__ = ["check_max_datagram", "pack_datagrams", "write_bundle_headers"]


@nb.njit("int64(int64[::1], boolean, int64, int64[::1], int64[:, ::1])", cache=True, nogil=True)
def pack_datagrams(message_bytes, bundle, max_datagram_bytes, message_start_bytes, bounds_bytes):
    """Place messages of `message_bytes` bytes each, in order; return the datagram count.

    Parameters
    ----------
    message_bytes : int64 [M]
        Size of each OSC message (address, type tags, arguments), a multiple of 4.
    bundle : bool
        Pack into bundles (True) or one message per datagram (False).
    max_datagram_bytes : int
        The bundle limit; a lone message larger than it is the caller's check
        (`check_max_datagram`).
    message_start_bytes : int64 [M], output
        Byte offset of each message in the datagram buffer (after its size prefix if bundled).
    bounds_bytes : int64 [≥ M, 2], output
        ``[start, stop)`` byte offsets of each datagram; the first ``n`` rows are written.

    Returns
    -------
    n : int
        Datagrams written to `bounds_bytes`, back to back from byte 0.
    """
    n_datagrams = 0
    pos = 0  # next free byte
    start = -1  # first byte of the open bundle, -1 if none
    for m in range(message_bytes.shape[0]):
        size = message_bytes[m]
        if bundle:
            if start >= 0 and pos - start + BUNDLE_ELEMENT_SIZE_BYTES + size > max_datagram_bytes:
                bounds_bytes[n_datagrams, 0] = start
                bounds_bytes[n_datagrams, 1] = pos
                n_datagrams += 1
                start = -1
            if start < 0:
                start = pos
                pos += BUNDLE_HEADER_BYTES
            pos += BUNDLE_ELEMENT_SIZE_BYTES
        else:
            start = pos
        message_start_bytes[m] = pos
        pos += size
        if not bundle:
            bounds_bytes[n_datagrams, 0] = start
            bounds_bytes[n_datagrams, 1] = pos
            n_datagrams += 1
            start = -1
    if start >= 0:
        bounds_bytes[n_datagrams, 0] = start
        bounds_bytes[n_datagrams, 1] = pos
        n_datagrams += 1
    return n_datagrams


@nb.njit("void(uint32[::1], int64[::1], int64[::1], int64[:, ::1], int64, uint32, uint32)", cache=True, nogil=True)
def write_bundle_headers(words, message_bytes, message_start_bytes, bounds_bytes, n_datagrams,
                         ntp_seconds, ntp_fraction):
    """Frame bundles placed by `pack_datagrams`: ``#bundle\\0`` and the time tag at each
    datagram's start, each message's int32 size just before it.

    words : the datagram buffer as native uint32 words (`mirage.osc.words`).
    ntp_seconds, ntp_fraction : the two halves of the time tag (`mirage.osc.primitives.ntp_timetag`).
    """
    tag0 = bswap32(np.uint32(BUNDLE_TAG_WORD0))
    tag1 = bswap32(np.uint32(BUNDLE_TAG_WORD1))
    seconds_be = bswap32(ntp_seconds)
    fraction_be = bswap32(ntp_fraction)
    for d in range(n_datagrams):
        w = bounds_bytes[d, 0] // 4
        words[w] = tag0
        words[w + 1] = tag1
        words[w + 2] = seconds_be
        words[w + 3] = fraction_be
    for m in range(message_bytes.shape[0]):
        words[message_start_bytes[m] // 4 - 1] = bswap32(np.uint32(message_bytes[m]))


def check_max_datagram(max_datagram_bytes: int, largest_message_bytes: int, bundle: bool) -> int:
    """Validate `max_datagram_bytes` against the largest message it must carry alone.

    Returns it as an int; raises `ParameterError` if it is not an int in
    1..`MAX_UDP_PAYLOAD_BYTES` or cannot hold the largest message (in a bundle of its own if
    `bundle`).
    """
    if isinstance(max_datagram_bytes, bool) or not isinstance(max_datagram_bytes, (int, np.integer)):
        raise ParameterError(f"max_datagram_bytes must be an int, got {max_datagram_bytes!r}")
    limit = int(max_datagram_bytes)
    if not 0 < limit <= MAX_UDP_PAYLOAD_BYTES:
        raise ParameterError(
            f"max_datagram_bytes must be in 1..{MAX_UDP_PAYLOAD_BYTES}, got {max_datagram_bytes!r}"
        )
    needed = largest_message_bytes
    if bundle:
        needed += BUNDLE_HEADER_BYTES + BUNDLE_ELEMENT_SIZE_BYTES
    if needed > limit:
        kind = "a bundle of one message" if bundle else "one message"
        raise ParameterError(
            f"max_datagram_bytes {max_datagram_bytes} is too small: {kind} needs {needed} bytes"
        )
    return limit
