"""The per-track rhythm datagrams of ``mirage run --rhythm`` (`mirage.osc.addresses`)::

    /mirage/track/{n}/level  ,ff   level 0..1, level dBFS          every hop
    /mirage/track/{n}/bands  ,fff  bass, mid, high, each 0..1      every hop
    /mirage/track/{n}/onset  ,f    strength 0..1                   only in a hop with an onset

(n = 0-based track, as in ``/Lfmsg_ch{n}``.) Bundled (unless ``bundle=False``) with the
capture time of the hop's last sample, the time tag of the hop's feature bundles; packed
greedily under ``max_datagram_bytes`` (`mirage.osc.bundle`), level and bands messages in
their own bundles after the features', the onsets of a hop in one more. The level and bands
messages are fixed templates filled per hop (`mirage.osc.fixed_template`); the rare onset
messages are laid out when they happen.
"""

from __future__ import annotations

import struct

import numpy as np

from kernels.rhythm_layout import N_BANDS3, RH_BASS, RH_LEVEL, RH_LEVEL_DB, RH_ONSET
from mirage.osc.addresses import (
    DEFAULT_MAX_DATAGRAM_BYTES, TRACK_BANDS_ADDRESS, TRACK_BANDS_ARGUMENTS, TRACK_LEVEL_ADDRESS,
    TRACK_LEVEL_ARGUMENTS, TRACK_ONSET_ADDRESS,
)
from mirage.osc.fixed_template import FixedTemplateEncoder
from mirage.osc.primitives import BUNDLE_HEADER_BYTES, BUNDLE_TAG, message_head, ntp_timetag

__all__ = ["TrackRhythmEncoder"]


class TrackRhythmEncoder:
    """Encode one hop's per-track rhythm values (float32 ``[n_tracks, N_RHYTHM]``)."""

    def __init__(self, n_tracks: int, *, bundle: bool = True, max_datagram_bytes: int = DEFAULT_MAX_DATAGRAM_BYTES):
        self.n_tracks, self.bundle, self.max_datagram_bytes = int(n_tracks), bool(bundle), int(max_datagram_bytes)
        n_level, n_bands = len(TRACK_LEVEL_ARGUMENTS), len(TRACK_BANDS_ARGUMENTS)
        self._level = FixedTemplateEncoder(
            [message_head(TRACK_LEVEL_ADDRESS.format(c), "," + "f" * n_level) for c in range(self.n_tracks)],
            n_level, self.bundle, self.max_datagram_bytes)
        self._bands = FixedTemplateEncoder(
            [message_head(TRACK_BANDS_ADDRESS.format(c), "," + "f" * n_bands) for c in range(self.n_tracks)],
            n_bands, self.bundle, self.max_datagram_bytes)
        self._onset_heads = [message_head(TRACK_ONSET_ADDRESS.format(c), ",f") for c in range(self.n_tracks)]
        self._level_values = np.zeros((self.n_tracks, n_level), dtype=np.float32)
        self._bands_values = np.zeros((self.n_tracks, n_bands), dtype=np.float32)

    def resized(self, n_tracks: int) -> "TrackRhythmEncoder":
        """The same encoder for a song of ``n_tracks`` tracks (`mirage.engine.rig_control`)."""
        return TrackRhythmEncoder(n_tracks, bundle=self.bundle, max_datagram_bytes=self.max_datagram_bytes)

    def describe(self) -> str:
        first, last = TRACK_LEVEL_ADDRESS.format(0), self.n_tracks - 1
        span = "" if last == 0 else f" (n = 0..{last})"
        return f"{first.rsplit('/', 1)[0].replace('/0', '/{n}')}/level, /bands, /onset{span}"

    def encode(self, rhythm: np.ndarray, capture_time_s: float) -> list:
        """The datagrams of one hop: level and bands of every track, the onsets of this hop.

        The level and bands datagrams are memoryviews valid until the next call."""
        self._level_values[:, 0] = rhythm[:, RH_LEVEL]
        self._level_values[:, 1] = rhythm[:, RH_LEVEL_DB]
        self._bands_values[:] = rhythm[:, RH_BASS:RH_BASS + N_BANDS3]
        datagrams = list(self._level._encode(self._level_values, capture_time_s))
        datagrams += self._bands._encode(self._bands_values, capture_time_s)
        onsets = np.flatnonzero(rhythm[:, RH_ONSET] > 0.0)
        if onsets.size:
            datagrams += self._onset_datagrams(onsets, rhythm[:, RH_ONSET], capture_time_s)
        return datagrams

    def _onset_datagrams(self, tracks, strengths, capture_time_s: float) -> list[bytes]:
        messages = [self._onset_heads[c] + struct.pack(">f", strengths[c]) for c in tracks]
        if not self.bundle:
            return messages
        head = BUNDLE_TAG + ntp_timetag(capture_time_s).to_bytes(8, "big")
        out, current = [], bytearray(head)
        for m in messages:
            element = len(m).to_bytes(4, "big") + m
            if len(current) > BUNDLE_HEADER_BYTES and len(current) + len(element) > self.max_datagram_bytes:
                out.append(bytes(current))
                current = bytearray(head)
            current += element
        out.append(bytes(current))
        return out
