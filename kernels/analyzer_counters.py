"""The analyzer's counters: ``int64[N_COUNTERS]``, one array per `kernels.analyzer.TrackAnalyzer`.

All of `kernels.analyzer`'s streaming state that is not samples lives in this one array, so
that any split of the input into blocks gives the same frames, and so that the real-time
callback reaches it through one state-table slot (``E_COUNTERS``,
`mirage.audio.state_table_layout`). Plain ``int`` constants: numba freezes them into the
machine code. ``tests/test_shared_layout.py`` checks that they are unique and below
``N_COUNTERS``.

Written by `kernels.analyzer.process_block` only (on the audio thread when the engine runs;
`TrackAnalyzer.reset` and `mirage.engine.graph.EngineGraph.restart_after_gap` while no block
is processed). Read by the engine callback (hop index and capture time of the records it
publishes), `EngineGraph` (non-finite samples, hops lost) and the tests. Counts in samples
(absolute, from sample 0 of the stream), frames (hops) or track-frames::

    SAMPLES          samples consumed so far
    NEXT_FRAME_END   absolute end (exclusive) of the next frame to complete
    FRAMES           frames completed so far (the next hop's index)
    NONFINITE        NaN / ±Inf samples replaced by 0 so far
    NO_ROOM          frames finished without room in ``out`` (lost)
    PENDING_TRACK    next track to compute of the completed, unfinished frame
    PENDING_END      absolute end (exclusive) of that frame; 0 = none pending
    TRACK_FRAMES     track-frames computed so far
"""

from __future__ import annotations

from typing import Final

SAMPLES: Final = 0
NEXT_FRAME_END: Final = 1
FRAMES: Final = 2
NONFINITE: Final = 3
NO_ROOM: Final = 4
PENDING_TRACK: Final = 5
PENDING_END: Final = 6
TRACK_FRAMES: Final = 7
N_COUNTERS: Final = 8
