"""The beat triggers as CSV (``mirage analyze --beats-out FILE.csv``).

::

    time_s,bpm,confidence
    3.48001348,119.881226,0.837042

One row per beat trigger, as `mirage run --rhythm` would send it: ``time_s`` is the beat's
time (seconds from the first sample) — the OSC time tag the trigger carries, i.e. when a
receiver that honours time tags fires it (the datagram itself leaves about half a beat
earlier, when the beat is predicted); ``bpm`` and ``confidence`` at that prediction. Every
number ``%.9g``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HEADER = b"time_s,bpm,confidence\n"


def write_beats_csv(fh, beats: np.ndarray) -> None:
    """Write the header and the structured array of `mirage.rhythm.offline_beats.beats`."""
    fh.write(HEADER)
    rows = np.column_stack([beats["time_s"], beats["bpm"].astype(np.float64),
                            beats["confidence"].astype(np.float64)]) if beats.size else np.zeros((0, 3))
    np.savetxt(fh, rows, fmt="%.9g", delimiter=",")


def write_beats_file(out: Path, beats: np.ndarray) -> None:
    """`write_beats_csv` into ``out``, which appears only when complete."""
    from mirage.atomic_output import AtomicOutput

    output = AtomicOutput(Path(out))
    try:
        write_beats_csv(output.fh, beats)
        output.commit()
    except BaseException:
        output.discard()
        raise
