"""Datagrams of fixed-size float32 messages, laid out once, filled per call.

For messages whose size never changes (the ``readme`` feature messages, the emotion
message): at configure time the messages are placed by the bundle packer
(`mirage.osc.bundle.pack_datagrams`) and their addresses and type tags written into one
preallocated buffer; per call a jitted kernel only writes the big-endian float32 arguments
and the bundle framing (time tag), and the same memoryviews of the datagrams are returned.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from mirage.errors import ParameterError
from mirage.osc.bundle import check_max_datagram, pack_datagrams, write_bundle_headers
from mirage.osc.primitives import ntp_timetag
from mirage.osc.words import as_words, bswap32

__all__ = ["FixedTemplateEncoder"]


@nb.njit(
    "void(uint32[::1], float32[:, ::1], int64[::1], boolean, int64[::1], int64[::1], int64[:, ::1], int64,"
    " uint32, uint32)",
    cache=True,
    nogil=True,
)
def _write_fixed_hop(words, values, arg_word, bundle, message_bytes, message_start_bytes, bounds_bytes,
                     n_datagrams, ntp_seconds, ntp_fraction):
    """Write ``values[m, :]`` big-endian at word ``arg_word[m]``; frame the bundles if `bundle`.

    words : the datagram buffer as native uint32 words. values : (n_messages, n_args).
    arg_word : (n_messages,) word index of each message's first argument. The rest: the
    placement made by `pack_datagrams` at configure time.
    """
    bits = values.view(np.uint32)
    for m in range(bits.shape[0]):
        w = arg_word[m]
        for j in range(bits.shape[1]):
            words[w + j] = bswap32(bits[m, j])
    if bundle:
        write_bundle_headers(words, message_bytes, message_start_bytes, bounds_bytes, n_datagrams,
                             ntp_seconds, ntp_fraction)


class FixedTemplateEncoder:
    """Fixed-size float32 messages written into a precomputed template.

    Parameters
    ----------
    heads : list of bytes
        Each message's address and type tags (`mirage.osc.primitives.message_head`), in order.
    n_args : int
        float32 arguments per message.
    bundle, max_datagram_bytes
        As in `mirage.osc.bundle.pack_datagrams`; checked here (`ParameterError`).
    """

    def __init__(self, heads: list[bytes], n_args: int, bundle: bool, max_datagram_bytes: int):
        largest = max(len(h) for h in heads) + 4 * n_args
        self.max_datagram_bytes = check_max_datagram(max_datagram_bytes, largest, bundle)
        self._bundle = bool(bundle)
        n_messages = len(heads)
        self._message_bytes = np.asarray([len(h) + 4 * n_args for h in heads], dtype=np.int64)
        self._message_start = np.zeros(n_messages, dtype=np.int64)
        self._bounds = np.zeros((n_messages, 2), dtype=np.int64)
        self._n_datagrams = int(pack_datagrams(self._message_bytes, self._bundle, self.max_datagram_bytes,
                                               self._message_start, self._bounds))
        self._buffer = np.zeros(int(self._bounds[self._n_datagrams - 1, 1]), dtype=np.uint8)
        for head, start in zip(heads, self._message_start.tolist()):
            self._buffer[start:start + len(head)] = np.frombuffer(head, dtype=np.uint8)
        self._words = as_words(self._buffer)
        self._arg_word = (self._message_start + [len(h) for h in heads]) // 4
        view = memoryview(self._buffer)
        self._datagrams = [view[a:b] for a, b in self._bounds[:self._n_datagrams].tolist()]
        self._shape = (n_messages, n_args)

    def _encode(self, values: np.ndarray, capture_time_s: float) -> list[memoryview]:
        if values.shape != self._shape or values.dtype != np.float32:
            raise ParameterError(
                f"expected float32 values of shape {self._shape}, got {values.dtype} {values.shape}"
            )
        tag = ntp_timetag(capture_time_s)
        _write_fixed_hop(
            self._words,
            np.ascontiguousarray(values),
            self._arg_word,
            self._bundle,
            self._message_bytes,
            self._message_start,
            self._bounds,
            self._n_datagrams,
            tag >> 32,
            tag & 0xFFFFFFFF,
        )
        return self._datagrams
