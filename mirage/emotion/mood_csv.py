"""The mood track as CSV (``mirage analyze --emotion-out FILE.csv``).

::

    time_s,arousal,valence
    0.5,0.123456789,-0.0123456789
    ...

One row per 0.5 s step, ``time_s`` the end of the analysed audio; every number ``%.9g``
(enough digits for a float32 to read back exactly).
"""

from __future__ import annotations

from typing import BinaryIO

import numpy as np

HEADER = b"time_s,arousal,valence\n"


def write_mood_csv(fh: BinaryIO, rows) -> None:
    """Write the header and ``rows`` ``float[n_steps, 3]`` (time_s, arousal, valence), as
    returned by `mirage.emotion.offline.emotion_track`, to the binary file ``fh``."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.size == 0:
        rows = rows.reshape(0, 3)
    if rows.ndim != 2 or rows.shape[1] != 3:
        raise RuntimeError(f"emotion_track returned shape {rows.shape}, expected [n_steps, 3]")
    fh.write(HEADER)
    np.savetxt(fh, rows, fmt="%.9g", delimiter=",")
