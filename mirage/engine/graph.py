"""Everything the engine callback touches, allocated once before the stream starts.

`EngineGraph` owns the analyzer's arrays, the rings and the parameters, and writes their
addresses into a `StateTable` (slots ``E_*`` of `mirage.audio.state_table_layout`; the
parameter, real and counter arrays are laid out in `mirage.engine.callback_layout`). After
construction the callback only reads and writes these arrays; nothing is ever reallocated
while it runs.
"""

from __future__ import annotations

import numpy as np

from kernels.analyzer import DEFAULT_PITCH_RANGE_HZ, TrackAnalyzer
from kernels.pitch import pitch_bin_range
from kernels.analyzer_counters import FRAMES, NEXT_FRAME_END, NO_ROOM, NONFINITE, PENDING_END, SAMPLES
from kernels.ring import Ring, capacity_for
from kernels.rhythm_layout import DEFAULT_ATTACK_MS, DEFAULT_RELEASE_MS
from mirage.audio.raw_stream import StateTable
from mirage.audio.state_table_layout import (
    E_CHANNEL_MAP, E_COUNTERS, E_ENGINE, E_FEATURE_RING, E_FFT_IN, E_FFT_OUT, E_HISTORY, E_LEVELS, E_MAG,
    E_MIX_RING, E_OUT, E_OUT_END, E_PARAMS, E_PENDING, E_PITCH_BINS, E_PLAYBACK, E_REALS, E_RHYTHM_EDGES,
    E_RHYTHM_OUT, E_RHYTHM_PARAMS, E_RHYTHM_PENDING, E_RHYTHM_PREV, E_RHYTHM_STATE, E_STAGE, E_WINDOW,
    S_LAST_START_NS, ST_BLOCKSIZE,
)
from mirage.engine.callback_layout import (
    AT_END_COMPLETE, AT_END_HOLD, G_FINISHED, G_FIRST_CALLBACK_NS, G_GENERATION, G_MIX_FILL, G_SONG_ENDED, MODE_LIVE,
    MODE_PLAYBACK, N_ENGINE, N_PARAMS, N_REALS, N_STAGE, P_AT_END, P_HOP, P_LOOP, P_MAX_HOPS, P_MAX_TRACKS, P_MODE,
    P_N_FFT, P_PAUSED, P_PLAN, P_PLAYBACK_FRAMES, P_RHYTHM_BANDS, P_RHYTHM_EDGES, P_RHYTHM_LAG, P_RHYTHM_STATE_COLS,
    P_SOURCE_COLUMNS, P_TRACKS, R_BIN_HZ, R_HZ_PER_BIN, R_OUTPUT_GAIN, R_SR_HZ, R_WORK_FRACTION, X_NEW_SONG,
    X_PLAYBACK, X_PLAYBACK_FRAMES, X_REQUEST, X_SOURCE_COLUMNS, X_TRACKS, feature_record_shape, stage_length,
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
    max_tracks : int or None
        Tracks every array is allocated for (a setlist: its largest song; default
        ``n_tracks``): a song with up to this many tracks can be `stage`d while the stream runs.
    hold_at_end : bool
        Playback mode: at the song's end the stream goes on, silent (a setlist waits for its
        next song), instead of completing.
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
                 output_gain: float = 1.0, max_tracks: int | None = None, hold_at_end: bool = False,
                 work_fraction: float = DEFAULT_WORK_FRACTION, rhythm: bool = False,
                 level_attack_ms: float = DEFAULT_ATTACK_MS, level_release_ms: float = DEFAULT_RELEASE_MS):
        if not 0.0 <= work_fraction <= 1.0:
            raise ParameterError(f"work_fraction must be within 0..1 of a block's period, got {work_fraction}")
        channel_map = np.asarray(channel_map, dtype=np.int64)
        if playback is not None:
            playback = np.ascontiguousarray(playback, dtype=np.float32)
            if playback.ndim != 2 or playback.shape[0] == 0:
                raise ParameterError(f"playback audio must be [frames, columns] and not empty, got {playback.shape}")
            if channel_map.max() >= playback.shape[1]:
                raise ParameterError(f"track column {channel_map.max()} is outside the song's {playback.shape[1]} columns")
        max_tracks = max(n_tracks, max_tracks or 0)
        if pitch_ranges_hz is None:
            pitch_ranges_hz = np.tile(DEFAULT_PITCH_RANGE_HZ, (n_tracks, 1))
        pitch_ranges_hz = np.asarray(pitch_ranges_hz, dtype=np.float64)
        if pitch_ranges_hz.shape != (n_tracks, 2):
            raise ParameterError(f"pitch ranges must be {n_tracks} (fmin, fmax) pairs, got shape {pitch_ranges_hz.shape}")
        pad = max_tracks - n_tracks  # the rows of tracks the first song does not have (unused until staged)
        self.analyzer = TrackAnalyzer(max_tracks, sr_hz, n_fft=n_fft, hop=hop,
                                      pitch_ranges_hz=np.vstack([pitch_ranges_hz, np.repeat(pitch_ranges_hz[-1:], pad, 0)]),
                                      channel_map=np.concatenate([channel_map, np.zeros(pad, np.int64)]),
                                      max_block=max_block, rhythm=rhythm,
                                      level_attack_ms=level_attack_ms, level_release_ms=level_release_ms)
        # No warm_up(): here the analyzer only owns the buffers and the FFT plan. The callback
        # runs process_block compiled into engine_callback()'s @cfunc; compiling (or loading)
        # its Python-dispatch versions too cost start-up time and was never used.
        # n_tracks: the rows every per-track array (and the feature record) is allocated for
        self.n_tracks, self.sr_hz, self.n_fft, self.hop = max_tracks, float(sr_hz), n_fft, hop
        self.playback = playback
        hops_per_second = sr_hz / hop
        self.feature_ring = Ring.create(capacity_for(feature_seconds * hops_per_second),
                                        feature_record_shape(max_tracks), np.float64)
        self.mix_ring = mix_ring
        self.levels = np.zeros(max_tracks, dtype=np.float32)

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
        self.params[P_MAX_TRACKS] = max_tracks
        self.params[P_AT_END] = AT_END_HOLD if hold_at_end else AT_END_COMPLETE
        self.stage_array = np.zeros(stage_length(max_tracks), dtype=np.int64)
        self._staged = 0  # the last X_REQUEST written
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
        self.table.set(E_STAGE, self.stage_array)
        self._stage_keep: dict[int, np.ndarray] = {}  # generation -> the playback it points to

    # -- a new song or new profiles while the stream runs ------------------------------------
    def stage(self, *, n_tracks: int, pitch_ranges_hz, channel_map, playback: np.ndarray | None,
              new_song: bool) -> int:
        """Ask the callback to switch to these parameters at its next block; returns the
        generation it will tag hops with once applied (`applied_generation`).

        Every field is written first and ``X_REQUEST`` last (one int64 store, in order on
        x86-64 and with release ordering in CPython's C calls), so the callback sees either
        the old request or a complete new stage. The caller (RigControl, serialised by the
        controller's lock) stages again only after the previous one was applied (or when no
        callback runs). ``playback`` (float32[frames, columns], C-contiguous) must be kept
        alive by the caller while it may play; this graph keeps the latest ones too."""
        if not 1 <= n_tracks <= self.n_tracks:
            raise ParameterError(f"a song of {n_tracks} track(s) does not fit (at most {self.n_tracks})")
        if (playback is None) != (self.params[P_MODE] == MODE_LIVE):
            raise ParameterError("a setlist is all live input or all recorded songs")
        ranges = np.asarray(pitch_ranges_hz, dtype=np.float64).reshape(n_tracks, 2)
        stage, m = self.stage_array, self.n_tracks
        stage[X_TRACKS] = n_tracks
        stage[X_PLAYBACK] = 0 if playback is None else playback.ctypes.data
        stage[X_PLAYBACK_FRAMES] = 0 if playback is None else playback.shape[0]
        stage[X_SOURCE_COLUMNS] = 0 if playback is None else playback.shape[1]
        stage[X_NEW_SONG] = int(bool(new_song))
        channels = np.zeros(m, np.int64)
        channels[:n_tracks] = channel_map
        stage[N_STAGE:N_STAGE + m] = channels
        bins = np.zeros((m, 2), np.int64)
        bins[:n_tracks] = [pitch_bin_range(self.n_fft, self.sr_hz, lo, hi) for lo, hi in ranges]
        stage[N_STAGE + m:N_STAGE + 3 * m] = bins.ravel()
        self._staged += 1
        if playback is not None:
            self._stage_keep[self._staged] = playback
            for old in [g for g in self._stage_keep if g < self._staged - 4]:
                del self._stage_keep[old]
        stage[X_REQUEST] = self._staged
        return self._staged

    @property
    def staged_generation(self) -> int:
        """The stage request written last (0: none)."""
        return self._staged

    @property
    def applied_generation(self) -> int:
        """The stage request the callback applied last (0: none yet)."""
        return int(self.engine[G_GENERATION])

    @property
    def song_ended(self) -> bool:
        """The current song played its last block (held, with ``hold_at_end``)."""
        return bool(self.engine[G_SONG_ENDED])

    def set_paused(self, paused: bool) -> None:
        """Transport: a recorded song stops moving (silence, no hops) or moves on (one store)."""
        self.params[P_PAUSED] = int(bool(paused))

    def attach_mix_ring(self, mix_ring: Ring) -> None:
        """Give the callback the emotion process's mix ring (before the stream starts)."""
        self.mix_ring = mix_ring
        self.table.set(E_MIX_RING, mix_ring)

    def keep_resident(self):
        """Lock every buffer the callback writes or reads in RAM, before the stream starts
        (`mirage.audio.resident_memory`); not the song being played, read-only and already
        in RAM (hundreds of MB for a long multitrack). Returns the `Residency`."""
        from mirage.audio.resident_memory import keep_resident

        return keep_resident(self.table.buffers(exclude=(E_PLAYBACK,)))

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
