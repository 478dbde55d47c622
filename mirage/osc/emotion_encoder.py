"""The emotion datagram: ``/Hfmsg_ch0`` (readme) or ``/HFmsg_ch0`` (mirage-code), 2 float32.

Arousal then valence (each in [−1, 1]), bundled with the capture time of the analysed
audio's last sample unless ``bundle=False``. A fixed-size message: laid out once
(`mirage.osc.fixed_template`), filled per emotion step.
"""

from __future__ import annotations

import numpy as np

from mirage.osc.addresses import (
    DEFAULT_MAX_DATAGRAM_BYTES,
    DEFAULT_OSC_PROFILE,
    EMOTION_ADDRESS,
    EMOTION_ARGUMENTS,
    check_osc_profile,
)
from mirage.osc.fixed_template import FixedTemplateEncoder
from mirage.osc.primitives import message_head

__all__ = ["EmotionEncoder"]

N_EMOTION_VALUES = len(EMOTION_ARGUMENTS)
"""arousal, valence."""


class EmotionEncoder(FixedTemplateEncoder):
    """The emotion datagram: ``/Hfmsg_ch0`` (readme) or ``/HFmsg_ch0`` (mirage-code).

    Two float32 arguments, arousal then valence (each in [-1, 1]); bundled with the
    capture time of the analysed audio's last sample unless ``bundle=False``.
    """

    def __init__(self, profile: str = DEFAULT_OSC_PROFILE, *, bundle: bool = True,
                 max_datagram_bytes: int = DEFAULT_MAX_DATAGRAM_BYTES):
        self.profile = check_osc_profile(profile)
        self.bundle = bool(bundle)
        head = message_head(EMOTION_ADDRESS[self.profile], "," + "f" * N_EMOTION_VALUES)
        super().__init__([head], N_EMOTION_VALUES, self.bundle, max_datagram_bytes)
        self._values = np.zeros((1, N_EMOTION_VALUES), dtype=np.float32)

    def describe(self) -> str:
        """The address with its arguments, e.g. ``"/Hfmsg_ch0 (2 floats)"``."""
        return f"{EMOTION_ADDRESS[self.profile]} ({N_EMOTION_VALUES} floats)"

    def encode(self, arousal: float, valence: float, capture_time_s: float) -> memoryview:
        """Encode one emotion step; returns the one datagram (valid until the next call)."""
        self._values[0, 0] = arousal
        self._values[0, 1] = valence
        return self._encode(self._values, capture_time_s)[0]
