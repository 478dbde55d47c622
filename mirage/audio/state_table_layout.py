"""The state table: every slot a MIRAGE callback shares with Python, named once.

A PortAudio callback's ``userData`` is the address of a state table
(`mirage.audio.raw_stream.StateTable`): ``int64[STATE_TABLE_LEN]``, each slot a number or
the address of an array or a `kernels.ring.Ring` that the ``@cfunc`` rebuilds with
``numba.carray``. A wrong index in a ``@cfunc`` reads or writes the wrong memory without any
error, so no index is ever written as a literal: every slot, and every index of the arrays the
stream itself hangs on the table (stats, timing records), is a plain ``int`` here (plain ints
because numba freezes module-level ints into the machine code as constants).
``tests/test_shared_layout.py`` checks that they are unique and in range.

Who writes, who reads (all writes happen before the stream starts, except where the callback
is the writer)::

    slot                   value                         written by             read by
    ---------------------  ----------------------------  ---------------------  ----------------------------
    ST_MAGIC         0     STATE_MAGIC (b"MIRGSTAT")     StateTable()           RawStream (checks the table)
    ST_BLOCKSIZE     1     nominal frames per callback   StateTable.configure,  callback_end (odd blocks), the
                                                         called by RawStream    OSC writer (sample 0's time),
                                                         or ClockDriver         EngineGraph.restart_after_gap
    ST_CH_IN         2     input channels                  "                    callback_views, the engine callback
    ST_CH_OUT        3     output channels                 "                    callback_views
    ST_SAMPLERATE    4     frames per second (Hz)          "                    (kept for callbacks; none reads it)
    ST_STATS         5     address of int64[STATS_LEN]   StateTable()           the callback writes the array;
                                                                                Python reads it (counters)
    ST_TIMING        6     address of a Ring of          StateTable()           the callback produces,
                           int64[TIMING_LEN] records                            StateTable.drain_timing consumes
    ST_RESERVED      7     0
    ST_USER ...      8..   the callback's own slots      StateTable.set         that callback only

From ``ST_USER`` to ``STATE_TABLE_LEN - 1`` the slots belong to the callback the table is
built for; each callback's are below (`StateTable.set` accepts no other index). Different
callbacks never share a table, so their user slots may reuse the same numbers.

Stats (``ST_STATS``): written only by the callback thread, with release stores
(`kernels.atomics.store_release`), so any thread may read them; counts unless a unit is named.
Duration histogram: bin 0 = [0, 1) µs, bin b >= 1 = [2**(b-1), 2**b) µs, the last bin open.

Timing record (``ST_TIMING``), one per callback: ``(start_ns, duration_ns, frames,
status_flags)``, times in `kernels.clock` nanoseconds (CLOCK_MONOTONIC), the flags PortAudio's
(`mirage.audio.portaudio_codes`).
"""

from __future__ import annotations

from typing import Final

STATE_MAGIC: Final = int.from_bytes(b"MIRGSTAT", "little")
STATE_TABLE_LEN: Final = 64
"""Slots of a state table (int64 each)."""

# --------------------------------------------------------------------------- the stream's slots
ST_MAGIC: Final = 0
ST_BLOCKSIZE: Final = 1
ST_CH_IN: Final = 2
ST_CH_OUT: Final = 3
ST_SAMPLERATE: Final = 4
ST_STATS: Final = 5
ST_TIMING: Final = 6
ST_RESERVED: Final = 7
ST_USER: Final = 8
"""First slot of the callback's own (a boundary, not a slot of the stream)."""

# --------------------------------------------------------------------------- the callbacks' slots
# mirage.audio.raw_stream.capture_callback (the demonstration kernel)
CAPTURE_RING: Final = ST_USER + 0
"""Address of a Ring of float32[blocksize, channels_in] hops; the callback produces."""
CAPTURE_PASS_THROUGH: Final = ST_USER + 1
"""1 = copy input channel c to output channel c (others silent); 0 = silence."""

# mirage.engine.callback.engine_callback: addresses of arrays and rings allocated and written
# by mirage.engine.graph.EngineGraph; the arrays' layouts are in mirage.engine.callback_layout.
E_PARAMS: Final = ST_USER + 0          # int64[N_PARAMS], read-only for the callback
E_REALS: Final = ST_USER + 1           # float64[N_REALS], read-only for the callback
E_ENGINE: Final = ST_USER + 2          # int64[N_ENGINE] engine counters (written by the callback)
E_HISTORY: Final = ST_USER + 3         # float32[C, 2 (n_fft + hop)]: kernels.analyzer.history_len
E_COUNTERS: Final = ST_USER + 4        # int64[kernels.analyzer_counters.N_COUNTERS]
E_CHANNEL_MAP: Final = ST_USER + 5     # int64[C]
E_WINDOW: Final = ST_USER + 6          # float64[n_fft]
E_FFT_IN: Final = ST_USER + 7          # float64[n_fft], aligned
E_FFT_OUT: Final = ST_USER + 8         # complex128[n_fft // 2 + 1], aligned
E_MAG: Final = ST_USER + 9             # float32[n_fft // 2 + 1]
E_PENDING: Final = ST_USER + 10        # float32[C, N_FEATURES] the hop being computed, track by track
E_PITCH_BINS: Final = ST_USER + 11     # int64[C, 2]
E_OUT: Final = ST_USER + 12            # float32[max_hops, C, N_FEATURES]
E_OUT_END: Final = ST_USER + 13        # int64[max_hops]
E_FEATURE_RING: Final = ST_USER + 14   # Ring of float64[1 + C, N_FEATURES] (callback_layout REC_*)
E_MIX_RING: Final = ST_USER + 15       # Ring of float32[hop] (0 = no emotion)
E_PLAYBACK: Final = ST_USER + 16       # float32[n_frames, columns] (playback mode; else 0)
E_LEVELS: Final = ST_USER + 17         # float32[C] peak |sample| per track (the callback raises them)
E_STAGE: Final = ST_USER + 18          # int64[N_STAGE + 3 C] the next song / profiles (callback_layout X_*)
E_RHYTHM_EDGES: Final = ST_USER + 19   # int64[P_RHYTHM_EDGES] bin edges (kernels.rhythm_layout RE_*)
E_RHYTHM_PARAMS: Final = ST_USER + 20  # float64[N_RP] (kernels.rhythm_layout RP_*), read-only for the callback
E_RHYTHM_STATE: Final = ST_USER + 21   # float64[C, P_RHYTHM_STATE_COLS] per-track rhythm state (RS_*)
E_RHYTHM_PREV: Final = ST_USER + 22    # float32[C, P_RHYTHM_LAG, P_RHYTHM_BANDS] previous log spectra
E_RHYTHM_PENDING: Final = ST_USER + 23 # float32[C, N_RHYTHM] rhythm of the hop being computed
E_RHYTHM_OUT: Final = ST_USER + 24     # float32[max_hops, C, N_RHYTHM]

# mirage.benchmarks.latency's click injector (an output-only stream)
INJ_STATE: Final = ST_USER + 0         # address of int64[INJ_STATE_LEN] (mirage.benchmarks.latency)
INJ_CLICKS: Final = ST_USER + 1        # address of a Ring of int64[CLICK_RECORD_LEN] records

# --------------------------------------------------------------------------- stats (ST_STATS)
S_CALLBACKS: Final = 0
S_FRAMES: Final = 1
S_INPUT_UNDERFLOW: Final = 2
S_INPUT_OVERFLOW: Final = 3
S_OUTPUT_UNDERFLOW: Final = 4
S_OUTPUT_OVERFLOW: Final = 5
S_PRIMING: Final = 6
S_XRUN_CALLBACKS: Final = 7
S_LAST_START_NS: Final = 8             # start of the latest callback (kernels.clock ns)
S_MAX_DURATION_NS: Final = 9
S_ODD_BLOCKS: Final = 10               # callbacks whose frames != ST_BLOCKSIZE
S_HIST: Final = 16
"""First of the ``HIST_BINS`` bins of the duration histogram (a range, not one slot)."""
HIST_BINS: Final = 32
STATS_LEN: Final = S_HIST + HIST_BINS

# --------------------------------------------------------------------------- timing record (ST_TIMING)
T_START_NS: Final = 0
T_DURATION_NS: Final = 1
T_FRAMES: Final = 2
T_STATUS: Final = 3
TIMING_LEN: Final = 4
