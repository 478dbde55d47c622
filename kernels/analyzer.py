"""Streaming analysis of many tracks: framing state carried between calls, features per hop.

The same kernel serves both drivers: `mirage analyze` feeds it large blocks of a file, the
PortAudio callback feeds it each device block. Any split of the input into blocks gives the
same frames, bit for bit, because all state (the recent samples of every track in a mirrored
circular buffer, the sample count, the next frame's end, the frame being computed) lives in
preallocated arrays:

=============  =======================  ===================================================
array          shape / dtype            meaning
=============  =======================  ===================================================
history        [C, 2 L] float32         mirrored circular buffer of each track's last
                                        ``L = n_fft + hop`` samples (each sample at slot and
                                        slot + L): a completed frame stays readable until
                                        the next one completes
counters       [N_COUNTERS] int64       SAMPLES, NEXT_FRAME_END, FRAMES, NONFINITE, NO_ROOM,
                                        PENDING_TRACK, PENDING_END, TRACK_FRAMES
                                        (`kernels.analyzer_counters`)
channel_map    [C] int64                input column read for each track
window         [n_fft] float64          periodic Hann
fft_in/out     aligned scratch          the FFTW plan's buffers (plan_address)
mag            [n_fft//2+1] float32     magnitude scratch
pitch_bins     [C, 2] int64             per-track pitch search bins [lo, hi)
pending        [C, 8] float32           features of the frame being computed, track by track
out            [F, C, 8] float32        features of the frames finished by this call
out_end        [F] int64                per finished frame: the absolute index just past its
                                        last sample (``SAMPLES`` counts from 0)
=============  =======================  ===================================================

Bounded work per call
---------------------
A frame is *completed* when its last sample arrives, and *finished* when all C tracks'
features are computed. The C track-frames of a completed frame need not be computed in the
call that completes it: `process_block` computes at least ``min_track_frames`` of them per
call, then more while ``monotonic_ns() < deadline_ns``. The real-time callback passes
``min_track_frames = ceil(C * block / hop)`` (over one hop the calls then do at least the C
track-frames a hop brings) and a deadline a fraction of its block period away, so its work
is proportional to its block, not to the hop or the track count; the offline driver passes
an unlimited count and finishes every frame in the call that completes it. The one hard
rule: the samples that complete frame k + 1 overwrite the oldest samples of frame k, so a
frame still unfinished then is finished first (never needed in steady state). Either way
every track gets every frame, computed from the same samples, bit for bit.

Frame k covers samples ``[k*hop, k*hop + n_fft)`` (librosa's ``center=False`` frames).
NaN and ±Inf samples are replaced by 0 and counted in ``counters[NONFINITE]``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from kernels.analyzer_counters import (
    FRAMES, N_COUNTERS, NEXT_FRAME_END, NO_ROOM, NONFINITE, PENDING_END, PENDING_TRACK, SAMPLES, TRACK_FRAMES,
)
from kernels.clock import monotonic_ns
from kernels.errors import ParameterError
from kernels.fftw import R2CPlan, aligned_empty
from kernels.frame import frame_features
from kernels.layout import N_FEATURES
from kernels.pitch import pitch_bin_range
from kernels.rhythm_layout import DEFAULT_ATTACK_MS, DEFAULT_RELEASE_MS, N_RHYTHM, RP_ENABLED
from kernels.spectral import bin_width_hz
from kernels.track_rhythm import RhythmArrays, track_rhythm
from kernels.window import periodic_hann

ALL_TRACK_FRAMES = 1 << 62
"""``min_track_frames`` that finishes every frame in the call that completes it (offline)."""

DEFAULT_PITCH_RANGE_HZ = (150.0, 4000.0)


@njit(cache=True, nogil=True, inline="always")
def _store_mirrored(block, begin, column, row, slot, count, ring):
    """``row[slot + j] = row[slot + j + ring] = block[begin + j, column]`` for j < count,
    NaN/Inf stored as 0; returns how many were not finite."""
    bad = 0
    for j in range(count):
        v = block[begin + j, column]
        if not math.isfinite(v):
            v = np.float32(0.0)
            bad += 1
        row[slot + j] = v
        row[slot + j + ring] = v
    return bad


@njit(cache=True, nogil=True)
def _next_track_frame(history, counters, hop, window, plan_address, fft_in, fft_out, mag, bin_hz, pitch_bins,
                      hz_per_bin, pending, out, out_end, written, rhythm):
    """Compute the pending frame's next track; when it was the last, move the frame to
    ``out[written]`` (or count it in NO_ROOM). Returns the new number of frames in `out`."""
    n_tracks = history.shape[0]
    ring = history.shape[1] // 2
    c = counters[PENDING_TRACK]
    end = counters[PENDING_END]
    start = (end - window.size) % ring
    frame_features(
        history[c], start, window, plan_address, fft_in, fft_out, mag,
        bin_hz, pitch_bins[c, 0], pitch_bins[c, 1], hz_per_bin, pending[c],
    )
    edges, rparams, rstate, rprev, rpending, rout = rhythm
    if rparams[RP_ENABLED] != 0.0:
        track_rhythm(history[c], start + window.size - hop, hop, mag, edges, rparams, rstate[c], rprev[c],
                     rpending[c])
    counters[TRACK_FRAMES] += 1
    if c + 1 < n_tracks:
        counters[PENDING_TRACK] = c + 1
        return written
    counters[PENDING_END] = 0
    if written >= out.shape[0]:
        counters[NO_ROOM] += 1
        return written
    for t in range(n_tracks):
        for f in range(pending.shape[1]):
            out[written, t, f] = pending[t, f]
        for f in range(rpending.shape[1]):
            rout[written, t, f] = rpending[t, f]
    out_end[written] = end
    return written + 1


@njit(cache=True, nogil=True)
def process_block(
    block, channel_map, history, counters, hop, window, plan_address, fft_in, fft_out, mag,
    bin_hz, pitch_bins, hz_per_bin, pending, out, out_end, min_track_frames, deadline_ns, rhythm,
):
    """Consume ``block[n_samples, n_inputs]``; write the features of the frames finished.

    Computes at least `min_track_frames` track-frames of completed frames (`ALL_TRACK_FRAMES`:
    all of them), then more while ``kernels.clock.monotonic_ns() < deadline_ns`` (0: none
    more). Returns the number of frames written to ``out[:n]``, oldest first, with their
    absolute end sample in ``out_end[:n]`` (frames that do not fit in `out` are counted in
    ``counters[NO_ROOM]`` and lost). Allocates nothing.

    ``rhythm = (edges, params, state, prev, pending, out)`` (`kernels.track_rhythm.RhythmArrays`
    and its output ``float32[F, C, N_RHYTHM]``): unless ``params[RP_ENABLED]`` is 0, each
    track-frame's rhythm values (`kernels.track_rhythm.track_rhythm`) go with its features,
    into ``out[:n]`` of the tuple.
    """
    n_samples = block.shape[0]
    n_tracks = history.shape[0]
    ring = history.shape[1] // 2
    written = 0
    i = 0
    while i < n_samples:
        position = counters[SAMPLES]
        take = min(n_samples - i, counters[NEXT_FRAME_END] - position)
        slot0 = position % ring
        first = min(take, ring - slot0)  # samples before the circular buffer wraps
        for c in range(n_tracks):
            column = channel_map[c]
            row = history[c]
            counters[NONFINITE] += _store_mirrored(block, i, column, row, slot0, first, ring)
            counters[NONFINITE] += _store_mirrored(block, i + first, column, row, 0, take - first, ring)
        i += take
        position += take
        counters[SAMPLES] = position
        if position == counters[NEXT_FRAME_END]:
            # The next sample overwrites the pending frame's first one: finish it now.
            while counters[PENDING_END] != 0:
                written = _next_track_frame(history, counters, hop, window, plan_address, fft_in, fft_out, mag,
                                            bin_hz, pitch_bins, hz_per_bin, pending, out, out_end, written,
                                            rhythm)
            counters[PENDING_END] = position
            counters[PENDING_TRACK] = 0
            counters[FRAMES] += 1
            counters[NEXT_FRAME_END] += hop
    done = 0
    while counters[PENDING_END] != 0 and (done < min_track_frames or monotonic_ns() < deadline_ns):
        written = _next_track_frame(history, counters, hop, window, plan_address, fft_in, fft_out, mag,
                                    bin_hz, pitch_bins, hz_per_bin, pending, out, out_end, written, rhythm)
        done += 1
    return written


@njit(cache=True, nogil=True, inline="always")
def history_len(n_fft, hop):
    """Length of a track's row of `history`: ``2 L`` samples, ``L = n_fft + hop`` (the
    mirrored buffer keeps a completed frame readable until the next one completes)."""
    return 2 * (n_fft + hop)


def frames_in(n_samples: int, n_fft: int, hop: int) -> int:
    """Number of complete ``center=False`` frames in `n_samples` samples."""
    return 0 if n_samples < n_fft else 1 + (n_samples - n_fft) // hop


class TrackAnalyzer:
    """Per-track features of a multichannel stream, block after block.

    Parameters
    ----------
    n_tracks : int
    sr_hz : float
    n_fft, hop : int
        Frame length and hop, in samples.
    pitch_ranges_hz : float64[n_tracks, 2] or None
        Per-track pitch search range (fmin, fmax); None: 150–4000 Hz for every track.
    channel_map : int[n_tracks] or None
        Input column of each track in the blocks given to `process` (default 0..C-1).
    max_block : int
        Largest block expected; `process` grows its output buffer for larger ones (outside
        the real-time path, which sizes it once).
    rhythm : bool
        Also compute the rhythm values of every track-frame (`kernels.track_rhythm`), read
        with `rhythm_out` after `process`; False skips them (they stay 0).
    level_attack_ms, level_release_ms : float
        Smoothing of the normalised level and bands (`kernels.adaptive_range.smooth`).
    """

    def __init__(
        self, n_tracks: int, sr_hz: float, *, n_fft: int = 2048, hop: int = 512,
        pitch_ranges_hz=None, channel_map=None, max_block: int = 4096, plan: R2CPlan | None = None,
        rhythm: bool = False, level_attack_ms: float = DEFAULT_ATTACK_MS,
        level_release_ms: float = DEFAULT_RELEASE_MS,
    ):
        if n_tracks < 1:
            raise ParameterError(f"need at least one track, got {n_tracks}")
        if n_fft < 16:
            raise ParameterError(f"n_fft must be at least 16 samples, got {n_fft}")
        if not 1 <= hop <= n_fft:  # frames overlap or touch: no sample goes unanalysed
            raise ParameterError(f"hop must be within 1..n_fft ({n_fft}) samples, got {hop}")
        if not sr_hz > 0:
            raise ParameterError(f"sample rate must be positive, got {sr_hz}")
        self.n_tracks, self.sr_hz, self.n_fft, self.hop = int(n_tracks), float(sr_hz), int(n_fft), int(hop)
        if pitch_ranges_hz is None:
            pitch_ranges_hz = np.tile(DEFAULT_PITCH_RANGE_HZ, (self.n_tracks, 1))
        pitch_ranges_hz = np.asarray(pitch_ranges_hz, dtype=np.float64)
        if pitch_ranges_hz.shape != (self.n_tracks, 2):
            raise ParameterError(f"pitch ranges must be {self.n_tracks} (fmin, fmax) pairs, got shape {pitch_ranges_hz.shape}")
        self.pitch_ranges_hz = pitch_ranges_hz
        self.pitch_bins = np.array(
            [pitch_bin_range(self.n_fft, self.sr_hz, lo, hi) for lo, hi in pitch_ranges_hz], dtype=np.int64
        ).reshape(self.n_tracks, 2)
        self.channel_map = (
            np.arange(self.n_tracks, dtype=np.int64) if channel_map is None else np.asarray(channel_map, dtype=np.int64)
        )
        self.plan = plan if plan is not None else R2CPlan(self.n_fft)
        self.window = periodic_hann(self.n_fft)
        self.fft_in = aligned_empty(self.n_fft, np.float64)
        self.fft_out = aligned_empty(self.n_fft // 2 + 1, np.complex128)
        self.mag = np.zeros(self.n_fft // 2 + 1, dtype=np.float32)
        self.bin_hz = bin_width_hz(self.n_fft, self.sr_hz)
        self.hz_per_bin = self.sr_hz / self.n_fft
        self.history = np.zeros((self.n_tracks, history_len(self.n_fft, self.hop)), dtype=np.float32)
        self.pending = np.zeros((self.n_tracks, N_FEATURES), dtype=np.float32)
        self.counters = np.zeros(N_COUNTERS, dtype=np.int64)
        self.counters[NEXT_FRAME_END] = self.n_fft
        self.rhythm = RhythmArrays(self.n_tracks, self.sr_hz, self.n_fft, self.hop, self.window, enabled=rhythm,
                                   attack_ms=level_attack_ms, release_ms=level_release_ms)
        self._n_out = 0
        self._allocate_output(max_block)

    def _allocate_output(self, max_block: int) -> None:
        n = max_block // self.hop + 2
        self.out = np.zeros((n, self.n_tracks, N_FEATURES), dtype=np.float32)
        self.out_end = np.zeros(n, dtype=np.int64)
        self.rhythm_buffer = np.zeros((n, self.n_tracks, N_RHYTHM), dtype=np.float32)

    def rhythm_tuple(self) -> tuple:
        """``process_block``'s `rhythm` argument."""
        r = self.rhythm
        return (r.edges, r.params, r.state, r.prev, r.pending, self.rhythm_buffer)

    @property
    def rhythm_out(self) -> np.ndarray:
        """The rhythm values of the frames the last `process` returned: float32
        ``[n_frames, n_tracks, N_RHYTHM]`` (`kernels.rhythm_layout`), a view the next call overwrites."""
        return self.rhythm_buffer[:self._n_out]

    def reset(self) -> None:
        """Forget all audio seen: the next sample is sample 0 of frame 0."""
        self.history[:] = 0.0
        self.counters[:] = 0
        self.counters[NEXT_FRAME_END] = self.n_fft
        self.rhythm.reset()

    @property
    def frames_done(self) -> int:
        return int(self.counters[FRAMES])

    @property
    def nonfinite_samples(self) -> int:
        return int(self.counters[NONFINITE])

    def process(self, block: np.ndarray, *, min_track_frames: int = ALL_TRACK_FRAMES,
                deadline_ns: int = 0) -> np.ndarray:
        """Consume float32 ``block[n_samples, n_inputs]``; features of the frames it finishes.

        `min_track_frames`: by default every completed frame is finished in this call (offline
        analysis); a smaller count computes that many track-frames, more until `deadline_ns`
        (``kernels.clock.monotonic_ns``), unless a newer frame completes first — the real-time
        callback's bounded work (`process_block`).
        Returns float32 ``[n_frames, n_tracks, 8]``, a view into an internal buffer that the
        next call overwrites.
        """
        if block.ndim != 2 or block.dtype != np.float32:
            block = np.atleast_2d(np.asarray(block, dtype=np.float32).T).T
        if block.shape[0] // self.hop + 2 > self.out.shape[0]:
            self._allocate_output(block.shape[0])
        n = process_block(
            block, self.channel_map, self.history, self.counters, self.hop, self.window,
            self.plan.address, self.fft_in, self.fft_out, self.mag, self.bin_hz,
            self.pitch_bins, self.hz_per_bin, self.pending, self.out, self.out_end, int(min_track_frames),
            int(deadline_ns), self.rhythm_tuple(),
        )
        self._n_out = n
        return self.out[:n]

    def warm_up(self) -> None:
        """Compile (or load from cache) the kernels for the block layouts used here."""
        saved = [a.copy() for a in (self.history, self.counters, self.rhythm.state, self.rhythm.prev)]
        block = np.zeros((self.n_fft, int(self.channel_map.max()) + 1), dtype=np.float32)
        self.process(block)
        self.process(np.asfortranarray(block))
        for a, b in zip((self.history, self.counters, self.rhythm.state, self.rhythm.prev), saved):
            a[:] = b


def analyze_tracks(
    audio: np.ndarray, sr_hz: float, *, n_fft: int = 2048, hop: int = 512, pitch_ranges_hz=None,
    block_samples: int = 1 << 16,
) -> np.ndarray:
    """Features of every frame of every track of ``audio[C, N]``: float32 [K, C, 8]."""
    audio = np.atleast_2d(np.asarray(audio, dtype=np.float32))
    n_tracks, n_samples = audio.shape
    analyzer = TrackAnalyzer(n_tracks, sr_hz, n_fft=n_fft, hop=hop, pitch_ranges_hz=pitch_ranges_hz,
                             max_block=block_samples)
    result = np.zeros((frames_in(n_samples, n_fft, hop), n_tracks, N_FEATURES), dtype=np.float32)
    done = 0
    for begin in range(0, n_samples, block_samples):
        features = analyzer.process(audio[:, begin : begin + block_samples].T)
        result[done : done + len(features)] = features
        done += len(features)
    return result
