"""OSC encoding of MIRAGE's feature and emotion messages, from preallocated byte templates.

Pure encoding: bytes in memory, no sockets (see `mirage.osc.sender` for those). The bytes
are identical to what python-osc's ``OscMessageBuilder`` / ``OscBundleBuilder`` produce for
the same values (``tests/test_osc_encode.py`` proves it), at a small fraction of the cost:

* At configure time (number of tracks, wire profile, instrument names, bundling, maximum
  datagram size) everything that does not change from hop to hop is laid out once in a
  preallocated buffer: bundle headers, addresses, type tags, instrument-name strings,
  message sizes.
* Per hop a Numba kernel only writes the big-endian float32 arguments and the bundle time
  tags into that buffer, and the encoder returns memoryviews of the datagrams.

Wire profiles (see DESIGN.md, "OSC wire contract")::

    readme       /Lfmsg_ch{n}  ,ffffffff    centroid bandwidth flatness rolloff pitch1..pitch4
                 /Hfmsg_ch0    ,ff          arousal valence
    mirage-code  /LFmsg_ch{n}  ,sffff[f..]  instrument centroid* bandwidth* flatness rolloff*
                                            then the k nonzero pitches* (k = 0..4)
                 /HFmsg_ch0    ,ff          arousal valence

(``*`` rounded to a whole number, half to even like Python's `round`; n = 0-based track.)

Bundling: the messages of one hop go in one ``#bundle`` whose time tag is the capture time
of the hop's last sample. Messages are packed greedily, in track order, into as few bundles
as fit under ``max_datagram_bytes``; every bundle of a hop carries the same time tag. With
``bundle=False`` every message is its own datagram.

The returned memoryviews point into the encoder's buffer: they stay valid until the next
`encode` call on the same encoder, so send (or copy) them before encoding the next hop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

from kernels.layout import N_FEATURES, N_PITCHES
from mirage.errors import ParameterError
from mirage.osc.addresses import (  # noqa: F401  (the wire choices are re-exported with the encoders)
    DEFAULT_MAX_DATAGRAM_BYTES,
    DEFAULT_OSC_PROFILE,
    EMOTION_ADDRESS,
    FEATURE_ADDRESS,
    MAX_UDP_PAYLOAD_BYTES,
    OSC_PROFILES,
    PROFILE_MIRAGE_CODE,
    PROFILE_README,
    address_range,
)
from mirage.profiles import DEFAULT_PROFILE

BUNDLE_TAG = b"#bundle\x00"
_BUNDLE_TAG_WORD0 = int.from_bytes(BUNDLE_TAG[:4], "big")
_BUNDLE_TAG_WORD1 = int.from_bytes(BUNDLE_TAG[4:], "big")
BUNDLE_HEADER_BYTES = 16
"""``#bundle\\0`` (8 bytes) + the 64-bit NTP time tag."""
BUNDLE_ELEMENT_SIZE_BYTES = 4
"""The int32 size that precedes every element of a bundle."""

NTP_EPOCH_OFFSET_S = 2208988800
"""Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch)."""
NTP_IMMEDIATELY = 1
"""The OSC time tag meaning "now"; python-osc writes it for the Unix time ``0``."""
_NTP_UNITS_PER_S = 2.0**32

_N_EMOTION_VALUES = 2
_N_SPECTRAL = 4
"""mirage-code's fixed float arguments: centroid, bandwidth, flatness, rolloff."""


# --------------------------------------------------------------------------------------
# OSC primitives (configure time, plain Python)
# --------------------------------------------------------------------------------------


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


def _message_head(address: str, typetags: str) -> bytes:
    """Address and type-tag string of a message: everything before its arguments."""
    return osc_string(address) + osc_string(typetags)


def _check_max_datagram(max_datagram_bytes: int, largest_message_bytes: int, bundle: bool) -> int:
    """Validate `max_datagram_bytes` against the largest message it must carry alone."""
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


def _check_n_tracks(n_tracks: int) -> int:
    if isinstance(n_tracks, bool) or not isinstance(n_tracks, (int, np.integer)) or n_tracks < 1:
        raise ParameterError(f"n_tracks must be an int >= 1, got {n_tracks!r}")
    return int(n_tracks)


def _check_profile(profile: str) -> str:
    if profile not in OSC_PROFILES:
        raise ParameterError(f"unknown OSC profile {profile!r} (choose from {', '.join(OSC_PROFILES)})")
    return profile


def _as_words(buffer_bytes: np.ndarray) -> np.ndarray:
    """Native-endian uint32 view of a byte buffer (every OSC field is 4-byte aligned)."""
    return buffer_bytes.view(np.uint32)


# --------------------------------------------------------------------------------------
# Numba kernels (per hop). Work in native uint32 words holding big-endian bytes.
# --------------------------------------------------------------------------------------


@nb.njit("uint32(uint32)", cache=True, nogil=True)
def _bswap32(word):
    """Reverse the byte order of a 32-bit word (LLVM lowers this to one bswap)."""
    return (
        ((word >> np.uint32(24)) & np.uint32(0xFF))
        | ((word >> np.uint32(8)) & np.uint32(0xFF00))
        | ((word << np.uint32(8)) & np.uint32(0xFF0000))
        | (word << np.uint32(24))
    )


@nb.njit(
    "void(uint32[::1], float32[:, ::1], int64[::1], int64[::1], uint32, uint32)",
    cache=True,
    nogil=True,
)
def _write_static(words, values, arg_word, timetag_word, ntp_seconds, ntp_fraction):
    """Write ``values[m, :]`` big-endian at word ``arg_word[m]``, and every bundle time tag.

    words : the datagram buffer as native uint32 words. values : (n_messages, n_args).
    arg_word : (n_messages,) word index of each message's first argument.
    timetag_word : (n_bundles,) word index of each bundle's time tag.
    """
    bits = values.view(np.uint32)
    for m in range(bits.shape[0]):
        w = arg_word[m]
        for j in range(bits.shape[1]):
            words[w + j] = _bswap32(bits[m, j])
    seconds_be = _bswap32(ntp_seconds)
    fraction_be = _bswap32(ntp_fraction)
    for b in range(timetag_word.shape[0]):
        words[timetag_word[b]] = seconds_be
        words[timetag_word[b] + 1] = fraction_be


@nb.njit(
    "int64(float32[:, ::1], uint32[::1], int64[:, ::1], int64[:, ::1], boolean, int64,"
    " uint32, uint32, uint32[::1], int64[:, ::1], float32[::1])",
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
    bounds_bytes,
    scratch,
):
    """Lay out one hop of variable-length mirage-code messages; return the datagram count.

    features : (n_tracks, 8) float32 (kernels.layout order).
    head_words / head_start_word / head_n_words : per (track, pitch count k) the address,
    type tags and instrument string of the message, as words of big-endian bytes.
    words : output buffer as native uint32 words. bounds_bytes : (n_tracks, 2) output,
    [start, stop) byte offsets of each datagram. scratch : float32 (8,) work space whose
    bits are read back as uint32 (the rounded arguments).
    """
    scratch_bits = scratch.view(np.uint32)
    tag0 = _bswap32(np.uint32(_BUNDLE_TAG_WORD0))
    tag1 = _bswap32(np.uint32(_BUNDLE_TAG_WORD1))
    seconds_be = _bswap32(ntp_seconds)
    fraction_be = _bswap32(ntp_fraction)
    n_datagrams = 0
    pos = 0  # next free word
    start = -1  # first word of the open datagram, -1 if none
    for t in range(features.shape[0]):
        # Arguments: centroid, bandwidth (rounded), flatness (as is), rolloff (rounded),
        # then the nonzero pitches, rounded. "+ 0.0" turns rint's -0.0 into +0.0 like round().
        scratch[0] = np.rint(features[t, 0]) + 0.0
        scratch[1] = np.rint(features[t, 1]) + 0.0
        scratch[2] = features[t, 2]
        scratch[3] = np.rint(features[t, 3]) + 0.0
        k = 0
        for p in range(4, 8):
            if features[t, p] != 0.0:
                scratch[4 + k] = np.rint(features[t, p]) + 0.0
                k += 1
        n_head = head_n_words[t, k]
        message_words = n_head + 4 + k
        if bundle:
            if start >= 0 and (pos - start + 1 + message_words) * 4 > max_datagram_bytes:
                bounds_bytes[n_datagrams, 0] = start * 4
                bounds_bytes[n_datagrams, 1] = pos * 4
                n_datagrams += 1
                start = -1
            if start < 0:
                start = pos
                words[pos] = tag0
                words[pos + 1] = tag1
                words[pos + 2] = seconds_be
                words[pos + 3] = fraction_be
                pos += 4
            words[pos] = _bswap32(np.uint32(message_words * 4))
            pos += 1
        else:
            start = pos
        h = head_start_word[t, k]
        for i in range(n_head):
            words[pos + i] = head_words[h + i]
        pos += n_head
        for i in range(4 + k):
            words[pos + i] = _bswap32(scratch_bits[i])
        pos += 4 + k
        if not bundle:
            bounds_bytes[n_datagrams, 0] = start * 4
            bounds_bytes[n_datagrams, 1] = pos * 4
            n_datagrams += 1
            start = -1
    if start >= 0:
        bounds_bytes[n_datagrams, 0] = start * 4
        bounds_bytes[n_datagrams, 1] = pos * 4
        n_datagrams += 1
    return n_datagrams


# --------------------------------------------------------------------------------------
# Static template: fixed-size messages (readme features, emotion)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _StaticLayout:
    """Byte layout of datagrams whose messages all have a fixed size."""

    buffer: np.ndarray  # uint8, all datagrams back to back
    arg_word: np.ndarray  # int64 (n_messages,)
    timetag_word: np.ndarray  # int64 (n_bundles,)
    datagram_bounds: tuple  # ((start, stop) byte offsets, ...)


def _layout_static(
    heads: list[bytes], n_args: int, bundle: bool, max_datagram_bytes: int
) -> _StaticLayout:
    """Pack messages (``head`` + `n_args` float32) greedily into datagrams, in order."""
    arg_bytes = 4 * n_args
    chunks: list[bytes] = []
    arg_offsets: list[int] = []
    timetag_offsets: list[int] = []
    bounds: list[tuple[int, int]] = []
    pos = 0
    start = -1
    for head in heads:
        size = len(head) + arg_bytes
        if bundle:
            if start >= 0 and pos - start + BUNDLE_ELEMENT_SIZE_BYTES + size > max_datagram_bytes:
                bounds.append((start, pos))
                start = -1
            if start < 0:
                start = pos
                chunks.append(BUNDLE_TAG + bytes(8))
                timetag_offsets.append(pos + len(BUNDLE_TAG))
                pos += BUNDLE_HEADER_BYTES
            chunks.append(size.to_bytes(4, "big"))
            pos += BUNDLE_ELEMENT_SIZE_BYTES
        else:
            start = pos
        chunks.append(head + bytes(arg_bytes))
        arg_offsets.append(pos + len(head))
        pos += size
        if not bundle:
            bounds.append((start, pos))
            start = -1
    if start >= 0:
        bounds.append((start, pos))
    buffer = np.frombuffer(bytearray(b"".join(chunks)), dtype=np.uint8)
    return _StaticLayout(
        buffer=buffer,
        arg_word=np.asarray(arg_offsets, dtype=np.int64) // 4,
        timetag_word=np.asarray(timetag_offsets, dtype=np.int64) // 4,
        datagram_bounds=tuple(bounds),
    )


class _StaticEncoder:
    """Fixed-size float32 messages written into a precomputed template."""

    def __init__(self, heads: list[bytes], n_args: int, bundle: bool, max_datagram_bytes: int):
        largest = max(len(h) for h in heads) + 4 * n_args
        self.max_datagram_bytes = _check_max_datagram(max_datagram_bytes, largest, bundle)
        layout = _layout_static(heads, n_args, bundle, self.max_datagram_bytes)
        self._buffer = layout.buffer
        self._words = _as_words(layout.buffer)
        self._arg_word = layout.arg_word
        self._timetag_word = layout.timetag_word
        view = memoryview(layout.buffer)
        self._datagrams = [view[a:b] for a, b in layout.datagram_bounds]
        self._shape = (len(heads), n_args)

    def _encode(self, values: np.ndarray, capture_time_s: float) -> list[memoryview]:
        if values.shape != self._shape or values.dtype != np.float32:
            raise ParameterError(
                f"expected float32 values of shape {self._shape}, got {values.dtype} {values.shape}"
            )
        tag = ntp_timetag(capture_time_s)
        _write_static(
            self._words,
            np.ascontiguousarray(values),
            self._arg_word,
            self._timetag_word,
            tag >> 32,
            tag & 0xFFFFFFFF,
        )
        return self._datagrams


# --------------------------------------------------------------------------------------
# Public encoders
# --------------------------------------------------------------------------------------


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


class ReadmeHopEncoder(_HopAddresses, _StaticEncoder):
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
        heads = [_message_head(address.format(n), "," + "f" * N_FEATURES) for n in range(self.n_tracks)]
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
    arguments_text = f"name + {_N_SPECTRAL} floats + 0–{N_PITCHES} pitches"

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
                head = _message_head(address.format(n), ",s" + "f" * (_N_SPECTRAL + k)) + name_bytes
                heads.append(head)
                head_start[n, k] = offset // 4
                head_n_words[n, k] = len(head) // 4
                offset += len(head)
                largest = max(largest, len(head) + 4 * (_N_SPECTRAL + k))
        self.max_datagram_bytes = _check_max_datagram(max_datagram_bytes, largest, self.bundle)
        self._head_words = _as_words(np.frombuffer(bytearray(b"".join(heads)), dtype=np.uint8)).copy()
        self._head_start = head_start
        self._head_n_words = head_n_words
        capacity = self.n_tracks * (BUNDLE_HEADER_BYTES + BUNDLE_ELEMENT_SIZE_BYTES + largest)
        self._buffer = np.zeros(capacity, dtype=np.uint8)
        self._words = _as_words(self._buffer)
        self._view = memoryview(self._buffer)
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
            self._bounds,
            self._scratch,
        )
        view = self._view
        return [view[a:b] for a, b in self._bounds[:n].tolist()]


class EmotionEncoder(_StaticEncoder):
    """The emotion datagram: ``/Hfmsg_ch0`` (readme) or ``/HFmsg_ch0`` (mirage-code).

    Two float32 arguments, arousal then valence (each in [-1, 1]); bundled with the
    capture time of the analysed audio's last sample unless ``bundle=False``.
    """

    def __init__(self, profile: str = DEFAULT_OSC_PROFILE, *, bundle: bool = True,
                 max_datagram_bytes: int = DEFAULT_MAX_DATAGRAM_BYTES):
        self.profile = _check_profile(profile)
        self.bundle = bool(bundle)
        head = _message_head(EMOTION_ADDRESS[self.profile], "," + "f" * _N_EMOTION_VALUES)
        super().__init__([head], _N_EMOTION_VALUES, self.bundle, max_datagram_bytes)
        self._values = np.zeros((1, _N_EMOTION_VALUES), dtype=np.float32)

    def describe(self) -> str:
        """The address with its arguments, e.g. ``"/Hfmsg_ch0 (2 floats)"``."""
        return f"{EMOTION_ADDRESS[self.profile]} ({_N_EMOTION_VALUES} floats)"

    def encode(self, arousal: float, valence: float, capture_time_s: float) -> memoryview:
        """Encode one emotion step; returns the one datagram (valid until the next call)."""
        self._values[0, 0] = arousal
        self._values[0, 1] = valence
        return self._encode(self._values, capture_time_s)[0]


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
    if _check_profile(profile) == PROFILE_README:
        return ReadmeHopEncoder(n_tracks, bundle=bundle, max_datagram_bytes=max_datagram_bytes)
    return MirageCodeHopEncoder(
        n_tracks, instrument_names=instrument_names, bundle=bundle, max_datagram_bytes=max_datagram_bytes
    )
