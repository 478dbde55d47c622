"""Everything the engine callback touches, allocated once before the stream starts.

`EngineGraph` owns the analyzer's arrays, the rings and the parameters, and writes their
addresses into a `StateTable` (slots ``E_*`` of `mirage.audio.state_table_layout`; the
parameter, real and counter arrays are laid out in `mirage.engine.callback_layout`). After
construction the callback only reads and writes these arrays; nothing is ever reallocated
while it runs.
"""

from __future__ import annotations

import numpy as np

from kernels.analyzer import TrackAnalyzer
from kernels.analyzer_counters import FRAMES, NEXT_FRAME_END, NO_ROOM, NONFINITE, PENDING_END, SAMPLES
from kernels.ring import Ring, capacity_for
from kernels.rhythm_layout import DEFAULT_ATTACK_MS, DEFAULT_RELEASE_MS
from mirage.audio.raw_stream import StateTable
from mirage.audio.state_table_layout import (
    E_CHANNEL_MAP, E_COUNTERS, E_ENGINE, E_FEATURE_RING, E_FFT_IN, E_FFT_OUT, E_HISTORY, E_LEVELS, E_MAG,
    E_MIX_RING, E_OUT, E_OUT_END, E_PARAMS, E_PENDING, E_PITCH_BINS, E_PLAYBACK, E_REALS, E_RHYTHM_EDGES,
    E_RHYTHM_OUT, E_RHYTHM_PARAMS, E_RHYTHM_PENDING, E_RHYTHM_PREV, E_RHYTHM_STATE, E_WINDOW, S_LAST_START_NS,
    ST_BLOCKSIZE,
)
from mirage.engine.callback_layout import (
    G_FINISHED, G_FIRST_CALLBACK_NS, G_MIX_FILL, MODE_LIVE, MODE_PLAYBACK, N_ENGINE, N_PARAMS, N_REALS, P_HOP,
    P_LOOP, P_MAX_HOPS, P_MODE, P_N_FFT, P_PLAN, P_PLAYBACK_FRAMES, P_RHYTHM_BANDS, P_RHYTHM_EDGES, P_RHYTHM_LAG,
    P_RHYTHM_STATE_COLS, P_SOURCE_COLUMNS, P_TRACKS, R_BIN_HZ,
    R_HZ_PER_BIN, R_OUTPUT_GAIN, R_SR_HZ, R_WORK_FRACTION, feature_record_shape,
)
from mirage.errors import ParameterError

DEFAULT_WORK_FRACTION = 0.4
"""The callback starts no optional track-frame once 40 % of its block's period has passed.

The bound keeps a callback (with the track-frame under way, the mix and the ring
publication after it) under half its block's period, the stage target; it is large enough
that a 64-track hop at 128 frames is usually finished in the callback that completes it, so
spreading (and its added latency of one block or more) happens only when time is short."""


class EngineGraph:
    """The preallocated state of one engine run.

    Parameters
    ----------
    n_tracks, sr_hz, n_fft, hop, pitch_ranges_hz
        As for `kernels.analyzer.TrackAnalyzer`.
    channel_map : int[n_tracks]
        Column of the source block read for each track.
    playback : float32[n_frames, n_columns] or None
        The song to play and analyse (playback mode); None: analyse the device input (live).
    max_block : int
        Largest block the callback may receive (frames); larger ones lose hops (counted).
    feature_seconds : float
        How much feature history the feature ring holds if the OSC writer stalls.
    mix_ring : Ring or None
        Shared-memory ring of ``float32[hop]`` mono-mix records for the emotion process.
    loop : bool
        Playback mode: start again at the end instead of stopping.
    output_gain : float
        Playback mode: gain of the song on the output (0 = analyse without playing).
    work_fraction : float
        Share of a block's period after which the callback starts no further track-frame
        (it still does its minimum, ``ceil(C * block / hop)``): the bound on a callback's
        time, traded against how soon a hop's last track is finished and sent.
    rhythm : bool
        Compute the per-track rhythm values (`kernels.track_rhythm`) in the callback, into
        the feature records (`mirage.engine.callback_layout.REC_RHYTHM0`); False skips them.
    level_attack_ms, level_release_ms : float
        Smoothing of the normalised level and bands.
    """

    def __init__(self, *, n_tracks: int, sr_hz: float, n_fft: int, hop: int, pitch_ranges_hz,
                 channel_map, playback: np.ndarray | None, max_block: int,
                 feature_seconds: float = 2.0, mix_ring: Ring | None = None, loop: bool = False,
                 output_gain: float = 1.0, work_fraction: float = DEFAULT_WORK_FRACTION,
                 rhythm: bool = False, level_attack_ms: float = DEFAULT_ATTACK_MS,
                 level_release_ms: float = DEFAULT_RELEASE_MS):
        if not 0.0 <= work_fraction <= 1.0:
            raise ParameterError(f"work_fraction must be within 0..1 of a block's period, got {work_fraction}")
        channel_map = np.asarray(channel_map, dtype=np.int64)
        if playback is not None:
            playback = np.ascontiguousarray(playback, dtype=np.float32)
            if playback.ndim != 2 or playback.shape[0] == 0:
                raise ParameterError(f"playback audio must be [frames, columns] and not empty, got {playback.shape}")
            if channel_map.max() >= playback.shape[1]:
                raise ParameterError(f"track column {channel_map.max()} is outside the song's {playback.shape[1]} columns")
        self.analyzer = TrackAnalyzer(n_tracks, sr_hz, n_fft=n_fft, hop=hop, pitch_ranges_hz=pitch_ranges_hz,
                                      channel_map=channel_map, max_block=max_block, rhythm=rhythm,
                                      level_attack_ms=level_attack_ms, level_release_ms=level_release_ms)
        # No warm_up(): here the analyzer only owns the buffers and the FFT plan. The callback
        # runs process_block compiled into engine_callback()'s @cfunc; compiling (or loading)
        # its Python-dispatch versions too cost start-up time and was never used.
        self.n_tracks, self.sr_hz, self.n_fft, self.hop = n_tracks, float(sr_hz), n_fft, hop
        self.playback = playback
        hops_per_second = sr_hz / hop
        self.feature_ring = Ring.create(capacity_for(feature_seconds * hops_per_second),
                                        feature_record_shape(n_tracks), np.float64)
        self.mix_ring = mix_ring
        self.levels = np.zeros(n_tracks, dtype=np.float32)

        self.params = np.zeros(N_PARAMS, dtype=np.int64)
        self.params[P_TRACKS] = n_tracks
        self.params[P_N_FFT] = n_fft
        self.params[P_HOP] = hop
        self.params[P_MODE] = MODE_LIVE if playback is None else MODE_PLAYBACK
        self.params[P_PLAYBACK_FRAMES] = 0 if playback is None else playback.shape[0]
        self.params[P_SOURCE_COLUMNS] = 0 if playback is None else playback.shape[1]
        self.params[P_PLAN] = self.analyzer.plan.address
        self.params[P_MAX_HOPS] = self.analyzer.out.shape[0]
        self.params[P_LOOP] = int(bool(loop))
        rh = self.analyzer.rhythm
        self.rhythm_enabled = rh.enabled
        self.params[P_RHYTHM_EDGES] = rh.edges.size
        self.params[P_RHYTHM_STATE_COLS] = rh.state.shape[1]
        self.params[P_RHYTHM_LAG] = rh.prev.shape[1]
        self.params[P_RHYTHM_BANDS] = rh.prev.shape[2]
        self.reals = np.zeros(N_REALS, dtype=np.float64)
        self.reals[R_SR_HZ] = sr_hz
        self.reals[R_HZ_PER_BIN] = self.analyzer.hz_per_bin
        self.reals[R_OUTPUT_GAIN] = output_gain
        self.reals[R_BIN_HZ] = self.analyzer.bin_hz
        self.reals[R_WORK_FRACTION] = work_fraction
        self.engine = np.zeros(N_ENGINE, dtype=np.int64)

        self.table = StateTable()
        an = self.analyzer
        for entry, value in (
            (E_PARAMS, self.params), (E_REALS, self.reals), (E_ENGINE, self.engine),
            (E_HISTORY, an.history), (E_COUNTERS, an.counters), (E_CHANNEL_MAP, an.channel_map),
            (E_WINDOW, an.window), (E_FFT_IN, an.fft_in), (E_FFT_OUT, an.fft_out), (E_MAG, an.mag),
            (E_PENDING, an.pending), (E_PITCH_BINS, an.pitch_bins), (E_OUT, an.out),
            (E_OUT_END, an.out_end), (E_FEATURE_RING, self.feature_ring), (E_LEVELS, self.levels),
            (E_RHYTHM_EDGES, rh.edges), (E_RHYTHM_PARAMS, rh.params), (E_RHYTHM_STATE, rh.state),
            (E_RHYTHM_PREV, rh.prev), (E_RHYTHM_PENDING, rh.pending), (E_RHYTHM_OUT, an.rhythm_buffer),
        ):
            self.table.set(entry, value)
        self.table.set(E_MIX_RING, mix_ring if mix_ring is not None else 0)
        self.table.set(E_PLAYBACK, playback if playback is not None else 0)

    def attach_mix_ring(self, mix_ring: Ring) -> None:
        """Give the callback the emotion process's mix ring (before the stream starts)."""
        self.mix_ring = mix_ring
        self.table.set(E_MIX_RING, mix_ring)

    # -- what the rest of the engine reads -------------------------------------------------
    @property
    def finished(self) -> bool:
        """Playback reached the end of the song (never in live mode or with loop)."""
        return bool(self.engine[G_FINISHED])

    @property
    def first_callback_ns(self) -> int:
        return int(self.engine[G_FIRST_CALLBACK_NS])

    @property
    def nonfinite_samples(self) -> int:
        return int(self.analyzer.counters[NONFINITE])

    @property
    def hops_lost_no_room(self) -> int:
        return int(self.analyzer.counters[NO_ROOM])

    def restart_after_gap(self, now_ns: int) -> None:
        """Prepare for a new stream after the device was lost (no callback runs meanwhile).

        The audio has a gap, so the state *restarts* where it describes the audio and
        *continues* where receivers count on it:

        * framing restarts on a new grid: the history is cleared and the next frame ends
          ``n_fft`` samples into the new stream — no frame mixes audio from before and after
          the gap (nor zeros standing for it); the first new hop comes after one frame;
        * the hop index (``counters[FRAMES]``) and the sample counts go on: monotonic and
          without a hole for every reader of the feature ring (a hop completed but not yet
          finished when the device went, `kernels.analyzer`'s bounded work, is dropped with
          the gap and its index taken by the next hop), and every count since start stays a
          total;
        * the partial hop of the emotion mix is dropped; the mood context goes on (a dropout
          does not change the song) and its clock, which counts samples, is moved over the gap:
          the capture time of sample 0 (``G_FIRST_CALLBACK_NS``) shifts by the time between
          the callback that did not come and ``now_ns`` (to within one device period);
        * a song being played resumes where it was cut.
        """
        counters = self.analyzer.counters
        if counters[PENDING_END] != 0:  # completed just before the loss, not yet finished: it
            counters[PENDING_END] = 0   # goes with the gap, and its index to the next hop
            counters[FRAMES] -= 1
        self.analyzer.history[:] = 0.0
        self.analyzer.counters[NEXT_FRAME_END] = self.analyzer.counters[SAMPLES] + self.n_fft
        self.engine[G_MIX_FILL] = 0
        last_start_ns = int(self.table.stats[S_LAST_START_NS])
        if self.engine[G_FIRST_CALLBACK_NS] and last_start_ns:
            expected_ns = last_start_ns + int(self.table.array[ST_BLOCKSIZE] * 1e9 / self.sr_hz)
            self.engine[G_FIRST_CALLBACK_NS] += max(0, now_ns - expected_ns)

    def take_levels(self) -> np.ndarray:
        """Peak |sample| per track since the last call (then reset; the race only affects the display)."""
        peaks = self.levels.copy()
        self.levels[:] = 0.0
        return peaks

    def close(self) -> None:
        self.feature_ring.close()
