"""The mix's rhythm on the wire (``--rhythm``): ``/mirage/tempo``, ``/mirage/phase``, ``/mirage/beat``.

* every hop, one bundle time-tagged with the hop's capture time (the end of its last
  sample): ``/mirage/tempo`` (f bpm, f confidence 0–1) and ``/mirage/phase`` (f 0–1);
* every beat, one bundle ``/mirage/beat`` (i beat index, f bpm) time-tagged with the
  **predicted beat time**. It is sent as soon as the beat is predicted (about half a beat
  ahead): a receiver that honours OSC time tags fires it on the beat.
  With ``bundle=False`` there is no time tag, so the OSC writer holds the message and sends
  it at the beat time instead (`mirage.engine.osc_writer`).

Plain Python (a few messages per hop, in the OSC writer's thread); the bytes are OSC 1.0's
(`mirage.osc.primitives`).
"""

from __future__ import annotations

import struct

from mirage.osc.addresses import BEAT_ADDRESS, PHASE_ADDRESS, TEMPO_ADDRESS
from mirage.osc.primitives import BUNDLE_TAG, message_head, ntp_timetag

__all__ = ["BeatEncoder"]

_TEMPO_HEAD = message_head(TEMPO_ADDRESS, ",ff")
_PHASE_HEAD = message_head(PHASE_ADDRESS, ",f")
_BEAT_HEAD = message_head(BEAT_ADDRESS, ",if")


def _bundle(messages: list[bytes], time_s: float) -> bytes:
    parts = [BUNDLE_TAG, ntp_timetag(time_s).to_bytes(8, "big")]
    for m in messages:
        parts.append(struct.pack(">i", len(m)))
        parts.append(m)
    return b"".join(parts)


class BeatEncoder:
    """Datagrams of the mix's rhythm; ``bundle`` as ``mirage run --no-bundle`` says."""

    def __init__(self, *, bundle: bool = True):
        self.bundle = bool(bundle)

    def describe(self) -> str:
        return f"{TEMPO_ADDRESS} (bpm, confidence), {PHASE_ADDRESS} (0-1), {BEAT_ADDRESS} (index, bpm)"

    def encode_hop(self, bpm: float, confidence: float, phase: float, capture_time_s: float) -> list[bytes]:
        tempo = _TEMPO_HEAD + struct.pack(">ff", bpm, confidence)
        phase_message = _PHASE_HEAD + struct.pack(">f", phase)
        if self.bundle:
            return [_bundle([tempo, phase_message], capture_time_s)]
        return [tempo, phase_message]

    def encode_beat(self, index: int, bpm: float, beat_time_s: float) -> bytes:
        message = _BEAT_HEAD + struct.pack(">if", index, bpm)
        return _bundle([message], beat_time_s) if self.bundle else message
