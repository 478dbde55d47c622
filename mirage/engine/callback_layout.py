"""The arrays the engine callback shares with Python, and its feature record, named once.

The engine's ``@cfunc`` (`mirage.engine.callback`) reaches everything through the state
table's ``E_*`` slots (`mirage.audio.state_table_layout`). Three of them hold small arrays
of parameters and counters, indexed by the plain ``int`` constants below (numba freezes them
into the machine code; a wrong index would silently read other memory, hence no literal
index anywhere). ``tests/test_shared_layout.py`` checks that they are unique and in range.

Who writes, who reads::

    array                     index      written by                      read by
    ------------------------  ---------  ------------------------------  ---------------------------------
    params  int64[N_PARAMS]    P_*       EngineGraph, before the stream  the callback
    reals   float64[N_REALS]   R_*       EngineGraph, before the stream  the callback
    engine  int64[N_ENGINE]    G_*       the callback (and               EngineGraph (finished, first
                                         EngineGraph.restart_after_gap,  callback), the OSC writer
                                         while no callback runs)         (sample 0's capture time)
    stage   int64[N_STAGE      X_*       RigControl (via EngineGraph.     the callback, at a block's start
            + 3 max_tracks]              stage), then X_REQUEST last      when X_REQUEST != G_GENERATION
    feature record             HEADER_ROW,  the callback: one record     the OSC writer (the ring's only
    float64[1 + C, N_FEATURES] TRACK_ROW0,  per hop, into the feature    consumer), tests
                               REC_*        ring (E_FEATURE_RING)

Feature record: row ``HEADER_ROW`` = (hop index, capture time of the hop's last sample in
`kernels.clock` ns, non-finite samples so far, the generation of the song parameters it was
computed with, the mix novelty, 0, ...); row ``TRACK_ROW0 + c`` = the features of track ``c``
in `kernels.layout`'s order, then from column ``REC_RHYTHM0`` its rhythm values in
`kernels.rhythm_layout`'s order (0 unless the rhythm layer is on). One record per hop, hence
one OSC bundle.
"""

from __future__ import annotations

from typing import Final

from kernels.layout import N_FEATURES
from kernels.rhythm_layout import N_RHYTHM

# --------------------------------------------------------------------------- params (E_PARAMS)
P_TRACKS: Final = 0
P_N_FFT: Final = 1                     # samples
P_HOP: Final = 2                       # samples
P_MODE: Final = 3                      # MODE_LIVE or MODE_PLAYBACK
P_PLAYBACK_FRAMES: Final = 4           # frames of the song (playback mode)
P_PLAN: Final = 5                      # address of the FFTW plan (kernels.fftw)
P_MAX_HOPS: Final = 6                  # rows of E_OUT
P_SOURCE_COLUMNS: Final = 7            # columns of the source block (playback mode)
P_LOOP: Final = 8                      # 1 = play the song again at its end
P_MAX_TRACKS: Final = 9                # tracks the arrays are allocated for (>= P_TRACKS)
P_PAUSED: Final = 10                   # 1 = transport stopped: a recorded song does not move (one store)
P_AT_END: Final = 11                   # at the song's end: AT_END_COMPLETE or AT_END_HOLD
P_RHYTHM_EDGES: Final = 12             # length of E_RHYTHM_EDGES
P_RHYTHM_STATE_COLS: Final = 13             # columns of E_RHYTHM_STATE
P_RHYTHM_LAG: Final = 14             # rows per track of E_RHYTHM_PREV
P_RHYTHM_BANDS: Final = 15             # columns of E_RHYTHM_PREV
N_PARAMS: Final = 16

MODE_LIVE: Final = 0
MODE_PLAYBACK: Final = 1
AT_END_COMPLETE: Final = 0             # the stream completes (the run ends)
AT_END_HOLD: Final = 1                 # silence, the stream goes on (a next song may be staged)

# --------------------------------------------------------------------------- reals (E_REALS)
R_SR_HZ: Final = 0
R_HZ_PER_BIN: Final = 1
R_OUTPUT_GAIN: Final = 2               # linear gain of the song on the output (playback mode)
R_BIN_HZ: Final = 3
R_WORK_FRACTION: Final = 4             # fraction of a block's period the callback may spend on track-frames
N_REALS: Final = 8

# --------------------------------------------------------------------------- engine counters (E_ENGINE)
G_PLAY_POSITION: Final = 0             # frames of the song played
G_FINISHED: Final = 1                  # 1 once the song's last block was played
G_MIX_FILL: Final = 2                  # samples in the mix hop being filled
G_FIRST_CALLBACK_NS: Final = 3         # start of the first callback (kernels.clock ns)
G_HOPS_PUBLISHED: Final = 4
G_SOURCE_SAMPLES: Final = 5            # frames taken from the source
G_GENERATION: Final = 6                # the stage request applied last (0: the graph's own parameters)
G_SONG_ENDED: Final = 7                # 1 once the current song's last block was played
N_ENGINE: Final = 8

# --------------------------------------------------------------------------- feature record (E_FEATURE_RING)
HEADER_ROW: Final = 0
TRACK_ROW0: Final = 1                  # row of track 0; track c is row TRACK_ROW0 + c
REC_HOP_INDEX: Final = 0               # columns of HEADER_ROW
REC_CAPTURE_NS: Final = 1
REC_NONFINITE: Final = 2
REC_GENERATION: Final = 3              # the G_GENERATION the hop was computed with
REC_MIX_NOVELTY: Final = 4             # mean over the tracks of their onset novelty (0 without --rhythm)
REC_RHYTHM0: Final = N_FEATURES        # columns of a track row: the features, then the rhythm values
RECORD_COLUMNS: Final = N_FEATURES + N_RHYTHM


# --------------------------------------------------------------------------- stage (E_STAGE)
# Written by Python (`EngineGraph.stage`) while the callback may run: every field first,
# X_REQUEST last (one aligned int64 store); the callback compares X_REQUEST with G_GENERATION
# at the start of a block and, if it differs, copies the whole stage before touching audio.
X_REQUEST: Final = 0                   # generation asked for (increasing)
X_TRACKS: Final = 1
X_PLAYBACK: Final = 2                  # address of the song's float32[frames, columns] (0: live)
X_PLAYBACK_FRAMES: Final = 3
X_SOURCE_COLUMNS: Final = 4
X_NEW_SONG: Final = 5                  # 1: start the song (position 0, framing and mix restart)
N_STAGE: Final = 8                     # then channel map int64[max_tracks], pitch bins int64[max_tracks, 2]


def stage_length(max_tracks: int) -> int:
    """int64 entries of the stage array: the fields, a channel map and pitch bins per track."""
    return N_STAGE + 3 * max_tracks


def feature_record_shape(n_tracks: int) -> tuple[int, int]:
    """Shape of one feature record: ``(TRACK_ROW0 + n_tracks, RECORD_COLUMNS)``."""
    return TRACK_ROW0 + n_tracks, RECORD_COLUMNS
