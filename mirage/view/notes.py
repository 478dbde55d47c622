"""A pitch as people read it: the nearest equal-tempered note and the offset in cents.

``A4 +3c`` for 440.76 Hz. Used for the ``notes`` field of the WebSocket's track messages,
so a web visual gets the same names as the page without its own tuning maths.
"""

from __future__ import annotations

import math

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
A4_HZ = 440.0


def pitch_label(hz: float) -> str:
    """Nearest note (A4 = 440 Hz, MIDI 60 = C4) and the deviation in whole cents.

    ``m = 69 + 12·log2(hz / 440)``; note = ``round(m)``; cents = ``round(100·(m − note))``,
    in [−50, 50]. The cents are always signed (``A4 +0c``). Returns ``""`` for 0 (no pitch),
    negative or non-finite `hz`.
    """
    if not (math.isfinite(hz) and hz > 0.0):
        return ""
    midi = 69.0 + 12.0 * math.log2(hz / A4_HZ)
    note = round(midi)
    cents = round(100.0 * (midi - note))
    return f"{NOTE_NAMES[note % 12]}{note // 12 - 1} {cents:+d}c"
