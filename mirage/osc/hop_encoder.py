"""The per-hop feature datagrams of both wire profiles, from preallocated byte templates.

Pure encoding: bytes in memory, no sockets (see `mirage.osc.sender` for those). The bytes
are identical to what python-osc's ``OscMessageBuilder`` / ``OscBundleBuilder`` produce for
the same values (``tests/test_osc_encode.py`` proves it), at a small fraction of the cost:

* At configure time (number of tracks, wire profile, instrument names, bundling, maximum
  datagram size) everything that does not change from hop to hop is laid out once in a
  preallocated buffer: addresses, type tags, instrument-name strings, message sizes.
* Per hop a Numba kernel only writes the big-endian float32 arguments and the bundle framing
  (`mirage.osc.bundle`: the one packer) into that buffer, and the encoder returns
  memoryviews of the datagrams.

Wire profiles (see DESIGN.md, "OSC wire contract", and `mirage.osc.addresses`)::

    readme       /Lfmsg_ch{n}  ,ffffffff    centroid bandwidth flatness rolloff pitch1..pitch4
    mirage-code  /LFmsg_ch{n}  ,sffff[f..]  instrument centroid* bandwidth* flatness rolloff*
                                            then the k nonzero pitches* (k = 0..4)

(``*`` rounded to a whole number, half to even like Python's `round`; n = 0-based track.)

Bundling: the messages of one hop go in one ``#bundle`` whose time tag is the capture time
of the hop's last sample. Messages are packed greedily, in track order, into as few bundles
as fit under ``max_datagram_bytes``; every bundle of a hop carries the same time tag. With
``bundle=False`` every message is its own datagram.

The returned memoryviews point into the encoder's buffer: they stay valid until the next
`encode` call on the same encoder, so send (or copy) them before encoding the next hop.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from kernels.layout import BANDWIDTH, CENTROID, FLATNESS, N_FEATURES, N_PITCHES, PITCH1, ROLLOFF
from mirage.errors import ParameterError
from mirage.osc.addresses import (
    DEFAULT_MAX_DATAGRAM_BYTES,
    DEFAULT_OSC_PROFILE,
    FEATURE_ADDRESS,
    PROFILE_MIRAGE_CODE,
    PROFILE_README,
    address_range,
    check_osc_profile,
)
from mirage.osc.bundle import check_max_datagram, pack_datagrams, write_bundle_headers
from mirage.osc.fixed_template import FixedTemplateEncoder
from mirage.osc.primitives import BUNDLE_ELEMENT_SIZE_BYTES, BUNDLE_HEADER_BYTES, message_head, ntp_timetag, osc_string
from mirage.osc.words import as_words, bswap32
from mirage.profiles import DEFAULT_PROFILE

__all__ = ["MirageCodeHopEncoder", "ReadmeHopEncoder", "make_hop_encoder"]

N_SPECTRAL = 4
"""mirage-code's fixed float arguments: centroid, bandwidth, flatness, rolloff."""


def _check_n_tracks(n_tracks: int) -> int:
    if isinstance(n_tracks, bool) or not isinstance(n_tracks, (int, np.integer)) or n_tracks < 1:
        raise ParameterError(f"n_tracks must be an int >= 1, got {n_tracks!r}")
    return int(n_tracks)


@nb.njit(
    "int64(float32[:, ::1], uint32[::1], int64[:, ::1], int64[:, ::1], boolean, int64,"
    " uint32, uint32, uint32[::1], int64[::1], int64[::1], int64[:, ::1], float32[::1])",
    cache=True,
    nogil=True,
)
def _write_mirage_code(
    features,
    head_words,
    head_start_word,
    head_n_words,
    bundle,
    max_datagram_bytes,
    ntp_seconds,
    ntp_fraction,
    words,
    message_bytes,
    message_start_bytes,
    bounds_bytes,
    scratch,
):
    """Lay out one hop of variable-length mirage-code messages; return the datagram count.

    features : (n_tracks, 8) float32 (kernels.layout order).
    head_words / head_start_word / head_n_words : per (track, pitch count k) the address,
    type tags and instrument string of the message, as words of big-endian bytes.
    words : output buffer as native uint32 words. message_bytes, message_start_bytes :
    (n_tracks,) work space for the packer. bounds_bytes : (n_tracks, 2) output, [start, stop)
    byte offsets of each datagram. scratch : float32 (8,) work space whose bits are read back
    as uint32 (the rounded arguments).
    """
    n_tracks = features.shape[0]
    for t in range(n_tracks):  # message sizes: they depend on the count k of nonzero pitches
        k = 0
        for p in range(PITCH1, PITCH1 + N_PITCHES):
            if features[t, p] != 0.0:
                k += 1
        message_bytes[t] = (head_n_words[t, k] + N_SPECTRAL + k) * 4
    n_datagrams = pack_datagrams(message_bytes, bundle, max_datagram_bytes, message_start_bytes, bounds_bytes)
    if bundle:
        write_bundle_headers(words, message_bytes, message_start_bytes, bounds_bytes, n_datagrams,
                             ntp_seconds, ntp_fraction)
    scratch_bits = scratch.view(np.uint32)
    for t in range(n_tracks):
        # Arguments: centroid, bandwidth (rounded), flatness (as is), rolloff (rounded),
        # then the nonzero pitches, rounded. "+ 0.0" turns rint's -0.0 into +0.0 like round().
        scratch[0] = np.rint(features[t, CENTROID]) + 0.0
        scratch[1] = np.rint(features[t, BANDWIDTH]) + 0.0
        scratch[2] = features[t, FLATNESS]
        scratch[3] = np.rint(features[t, ROLLOFF]) + 0.0
        k = 0
        for p in range(PITCH1, PITCH1 + N_PITCHES):
            if features[t, p] != 0.0:
                scratch[N_SPECTRAL + k] = np.rint(features[t, p]) + 0.0
                k += 1
        pos = message_start_bytes[t] // 4
        n_head = head_n_words[t, k]
        h = head_start_word[t, k]
        for i in range(n_head):
            words[pos + i] = head_words[h + i]
        pos += n_head
        for i in range(N_SPECTRAL + k):
            words[pos + i] = bswap32(scratch_bits[i])
    return n_datagrams


class _HopAddresses:
    """What a hop encoder sends, for people (start-up lines): its addresses and arguments."""

    profile: str
    n_tracks: int
    arguments_text: str
    """The arguments of one message, e.g. ``"8 floats"``."""

    def address(self, track: int) -> str:
        """The address of `track`'s messages (0-based), e.g. ``"/Lfmsg_ch3"``."""
        return FEATURE_ADDRESS[self.profile].format(track)

    def describe(self) -> str:
        """Every address with its arguments, e.g. ``"/Lfmsg_ch0..5 (8 floats)"``."""
        return f"{address_range(FEATURE_ADDRESS[self.profile], self.n_tracks)} ({self.arguments_text})"


class ReadmeHopEncoder(_HopAddresses, FixedTemplateEncoder):
    """Per-hop feature datagrams of the ``readme`` profile (``/Lfmsg_ch{n}``, 8 float32).

    Parameters
    ----------
    n_tracks : int
        Number of tracks, >= 1; track n is sent as ``/Lfmsg_ch{n}``.
    bundle : bool
        True: the hop's messages go in bundles time-tagged with the capture time.
        False: one plain message per datagram.
    max_datagram_bytes : int
        No datagram is longer than this (bundles are split to stay under it).

    Raises
    ------
    ParameterError
        On a bad parameter, or when one message cannot fit in `max_datagram_bytes`.
    """

    profile = PROFILE_README
    arguments_text = f"{N_FEATURES} floats"

    def __init__(self, n_tracks: int, *, bundle: bool = True,
                 max_datagram_bytes: int = DEFAULT_MAX_DATAGRAM_BYTES):
        self.n_tracks = _check_n_tracks(n_tracks)
        self.bundle = bool(bundle)
        address = FEATURE_ADDRESS[PROFILE_README]
        heads = [message_head(address.format(n), "," + "f" * N_FEATURES) for n in range(self.n_tracks)]
        super().__init__(heads, N_FEATURES, self.bundle, max_datagram_bytes)

    def encode(self, features: np.ndarray, capture_time_s: float) -> list[memoryview]:
        """Encode one hop.

        Parameters
        ----------
        features : np.ndarray, float32, shape (n_tracks, 8)
            One row per track in `kernels.layout` order.
        capture_time_s : float
            Unix time of the hop's last sample; the bundles' time tag (ignored if not bundled).

        Returns
        -------
        list of memoryview
            The datagrams, in track order. The list and the views are reused: they are valid
            until the next `encode` call.
        """
        return self._encode(features, capture_time_s)


class MirageCodeHopEncoder(_HopAddresses):
    """Per-hop feature datagrams of the ``mirage-code`` profile (``/LFmsg_ch{n}``).

    Arguments: the track's instrument name (OSC string), centroid, bandwidth, flatness,
    rolloff, then the k nonzero pitches in feature order (k = 0..4), all float32; centroid,
    bandwidth, rolloff and the pitches rounded to whole numbers (half to even). A pitch is
    left out when its raw value is exactly 0.0. Message length varies with k, so the layout
    is redone per hop by a Numba kernel from per-(track, k) precomputed heads.

    Parameters
    ----------
    n_tracks : int
        Number of tracks, >= 1.
    instrument_names : sequence of str, optional
        One per track, sent as the first argument; default ``mirage.profiles.DEFAULT_PROFILE``.
    bundle, max_datagram_bytes
        As in `ReadmeHopEncoder`; the size check uses the longest message (4 pitches).
    """

    profile = PROFILE_MIRAGE_CODE
    arguments_text = f"name + {N_SPECTRAL} floats + 0–{N_PITCHES} pitches"

    def __init__(self, n_tracks: int, *, instrument_names=None, bundle: bool = True,
                 max_datagram_bytes: int = DEFAULT_MAX_DATAGRAM_BYTES):
        self.n_tracks = _check_n_tracks(n_tracks)
        self.bundle = bool(bundle)
        if instrument_names is None:
            instrument_names = [DEFAULT_PROFILE] * self.n_tracks
        if isinstance(instrument_names, str) or len(instrument_names) != self.n_tracks:
            raise ParameterError(
                f"need one instrument name per track ({self.n_tracks}), got {instrument_names!r}"
            )
        self.instrument_names = tuple(instrument_names)
        address = FEATURE_ADDRESS[PROFILE_MIRAGE_CODE]
        heads: list[bytes] = []
        head_start = np.zeros((self.n_tracks, N_PITCHES + 1), dtype=np.int64)
        head_n_words = np.zeros_like(head_start)
        offset = 0
        largest = 0
        for n, name in enumerate(self.instrument_names):
            if not isinstance(name, str) or not name:
                raise ParameterError(
                    f"instrument name of track {n} must be a non-empty str, got {name!r}"
                )
            name_bytes = osc_string(name)
            for k in range(N_PITCHES + 1):
                head = message_head(address.format(n), ",s" + "f" * (N_SPECTRAL + k)) + name_bytes
                heads.append(head)
                head_start[n, k] = offset // 4
                head_n_words[n, k] = len(head) // 4
                offset += len(head)
                largest = max(largest, len(head) + 4 * (N_SPECTRAL + k))
        self.max_datagram_bytes = check_max_datagram(max_datagram_bytes, largest, self.bundle)
        self._head_words = as_words(np.frombuffer(bytearray(b"".join(heads)), dtype=np.uint8)).copy()
        self._head_start = head_start
        self._head_n_words = head_n_words
        capacity = self.n_tracks * (BUNDLE_HEADER_BYTES + BUNDLE_ELEMENT_SIZE_BYTES + largest)
        self._buffer = np.zeros(capacity, dtype=np.uint8)
        self._words = as_words(self._buffer)
        self._view = memoryview(self._buffer)
        self._message_bytes = np.zeros(self.n_tracks, dtype=np.int64)
        self._message_start = np.zeros(self.n_tracks, dtype=np.int64)
        self._bounds = np.zeros((self.n_tracks, 2), dtype=np.int64)
        self._scratch = np.zeros(N_FEATURES, dtype=np.float32)
        self._shape = (self.n_tracks, N_FEATURES)

    def encode(self, features: np.ndarray, capture_time_s: float) -> list[memoryview]:
        """Encode one hop; same contract as `ReadmeHopEncoder.encode`.

        Returns
        -------
        list of memoryview
            A new list per call (the datagram count varies); the views point into the
            encoder's buffer and are valid until the next `encode` call.
        """
        if features.shape != self._shape or features.dtype != np.float32:
            raise ParameterError(
                f"expected float32 features of shape {self._shape},"
                f" got {features.dtype} {features.shape}"
            )
        tag = ntp_timetag(capture_time_s)
        n = _write_mirage_code(
            np.ascontiguousarray(features),
            self._head_words,
            self._head_start,
            self._head_n_words,
            self.bundle,
            self.max_datagram_bytes,
            tag >> 32,
            tag & 0xFFFFFFFF,
            self._words,
            self._message_bytes,
            self._message_start,
            self._bounds,
            self._scratch,
        )
        view = self._view
        return [view[a:b] for a, b in self._bounds[:n].tolist()]


def make_hop_encoder(
    n_tracks: int,
    *,
    profile: str = DEFAULT_OSC_PROFILE,
    instrument_names=None,
    bundle: bool = True,
    max_datagram_bytes: int = DEFAULT_MAX_DATAGRAM_BYTES,
) -> ReadmeHopEncoder | MirageCodeHopEncoder:
    """The feature encoder of OSC wire profile `profile` (``readme`` or ``mirage-code``).

    `instrument_names` is used by ``mirage-code`` only. See the two classes for the rest.
    """
    if check_osc_profile(profile) == PROFILE_README:
        return ReadmeHopEncoder(n_tracks, bundle=bundle, max_datagram_bytes=max_datagram_bytes)
    return MirageCodeHopEncoder(
        n_tracks, instrument_names=instrument_names, bundle=bundle, max_datagram_bytes=max_datagram_bytes
    )
