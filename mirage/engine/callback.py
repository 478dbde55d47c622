"""The engine's PortAudio callback: a Numba ``@cfunc`` that analyses every track per hop.

Per block, with no Python, no GIL, no allocation, no lock and no I/O:

0. if a new song or new profiles were staged (``E_STAGE``, `RigControl`), they are applied
   first, whole: the callback never computes a hop with half of them;
1. the source block is the device input (live) or the next block of the preloaded song
   (playback, which is also written to the output so the performer hears it);
2. `kernels.analyzer.process_block` frames every track and computes track-frames of the
   completed hops: at least ``ceil(C * block / hop)`` of them, then more until a fraction
   ``R_WORK_FRACTION`` of the block's period (`mirage.engine.graph.DEFAULT_WORK_FRACTION`)
   has passed since the callback began — so the work of one call is bounded by its block,
   whatever the hop and the track count, and when the time is there a hop is still
   finished in the callback that completes it;
3. each finished hop becomes one record of the feature ring: ``float64[1 + C, N_FEATURES]``
   with row ``HEADER_ROW`` = (hop index, capture time ns, non-finite samples so far, 0...)
   and rows ``TRACK_ROW0 + c`` the features of the tracks (`kernels.layout`), then their
   rhythm values (`kernels.rhythm_layout`, computed with each track-frame when the graph's
   rhythm layer is on; the header's ``REC_MIX_NOVELTY`` is their mean onset novelty); one
   record per hop, hence one OSC bundle (`mirage.engine.callback_layout`);
4. the mono mix ``sum(tracks) / C`` fills the emotion process's shared-memory ring, one
   record of ``hop`` samples at a time;
5. per-track peak levels are kept for the status display.

The capture time of a hop is the callback's start (``kernels.clock``, CLOCK_MONOTONIC) minus
the samples consumed since the hop's last sample (so a hop finished a few callbacks after
it completed keeps the time of its last sample). Everything the callback needs is
reached through the state table (`mirage.audio.raw_stream.StateTable`), slots ``E_*`` of
`mirage.audio.state_table_layout`; the arrays behind them (``P_*``, ``R_*``, ``G_*``) are laid
out in `mirage.engine.callback_layout`. PortAudio's return codes: `mirage.audio.portaudio_codes`.
"""

from __future__ import annotations

import functools

import numba
import numpy as np
from numba import cfunc, njit

from kernels.analyzer import ALL_TRACK_FRAMES, history_len, process_block
from kernels.analyzer_counters import (
    FRAMES, N_COUNTERS, NEXT_FRAME_END, NO_ROOM, NONFINITE, PENDING_END, PENDING_TRACK, SAMPLES,
)
from kernels.atomics import address_as_voidptr, load_acquire, store_release
from kernels.layout import N_FEATURES
from kernels.rhythm_layout import N_RHYTHM, N_RP, RH_NOVELTY
from kernels.ring import ring_publish, ring_reserve, ring_view_2d, ring_view_3d
from kernels.track_rhythm import forget_rhythm
from mirage.audio.portaudio_codes import PA_COMPLETE, PA_CONTINUE
from mirage.audio.raw_stream import PA_CALLBACK_SIG, callback_begin, callback_end, callback_views
from mirage.audio.state_table_layout import (
    E_CHANNEL_MAP, E_COUNTERS, E_ENGINE, E_FEATURE_RING, E_FFT_IN, E_FFT_OUT, E_HISTORY, E_LEVELS, E_MAG,
    E_MIX_RING, E_OUT, E_OUT_END, E_PARAMS, E_PENDING, E_PITCH_BINS, E_PLAYBACK, E_REALS, E_RHYTHM_EDGES,
    E_RHYTHM_OUT, E_RHYTHM_PARAMS, E_RHYTHM_PENDING, E_RHYTHM_PREV, E_RHYTHM_STATE, E_STAGE, E_WINDOW,
    S_LAST_START_NS, ST_CH_IN, ST_STATS,
)
from mirage.engine.callback_layout import (
    AT_END_HOLD, G_FINISHED, G_FIRST_CALLBACK_NS, G_GENERATION, G_HOPS_PUBLISHED, G_MIX_FILL, G_PLAY_POSITION,
    G_SONG_ENDED, G_SOURCE_SAMPLES, HEADER_ROW, MODE_PLAYBACK, N_ENGINE, N_PARAMS, N_REALS, N_STAGE, P_AT_END, P_HOP,
    P_LOOP, P_MAX_HOPS, P_MAX_TRACKS, P_MODE, P_N_FFT, P_PAUSED, P_PLAN, P_PLAYBACK_FRAMES, P_RHYTHM_BANDS,
    P_RHYTHM_EDGES, P_RHYTHM_LAG, P_RHYTHM_STATE_COLS, P_SOURCE_COLUMNS, P_TRACKS, R_BIN_HZ, R_HZ_PER_BIN,
    R_OUTPUT_GAIN, R_SR_HZ, R_WORK_FRACTION, REC_CAPTURE_NS, REC_GENERATION, REC_HOP_INDEX, REC_MIX_NOVELTY,
    REC_NONFINITE, REC_RHYTHM0, TRACK_ROW0, X_NEW_SONG, X_PLAYBACK, X_PLAYBACK_FRAMES, X_REQUEST, X_SOURCE_COLUMNS,
    X_TRACKS,
)


@njit(cache=True, nogil=True)
def _f32(table, entry, n):
    return numba.carray(address_as_voidptr(table[entry]), n, np.float32)


@njit(cache=True, nogil=True)
def _i64(table, entry, n):
    return numba.carray(address_as_voidptr(table[entry]), n, np.int64)


@njit(cache=True, nogil=True)
def _f64(table, entry, n):
    return numba.carray(address_as_voidptr(table[entry]), n, np.float64)


@njit(cache=True, nogil=True)
def _silence(out, first_row):
    """``out[first_row:] = 0``."""
    for i in range(first_row, out.shape[0]):
        for o in range(out.shape[1]):
            out[i, o] = 0.0


@njit(cache=True, nogil=True)
def _playback_output(src, out, gain):
    """Write the song to the output: track c to output c when there are enough outputs
    (a mono source to every output), else the sum of the tracks to every output."""
    n, n_tracks = src.shape
    n_out = out.shape[1]
    if n_out == 0:
        return
    if n_tracks == 1 or n_tracks > n_out:
        for i in range(n):
            s = np.float32(0.0)
            for c in range(n_tracks):
                s += src[i, c]
            s *= gain
            for o in range(n_out):
                out[i, o] = s
    else:
        for i in range(n):
            for o in range(n_out):
                out[i, o] = src[i, o] * gain if o < n_tracks else np.float32(0.0)


@njit(cache=True, nogil=True)
def _apply_stage(table, params, engine, request):
    """Take the staged song / profiles (`mirage.engine.callback_layout` ``X_*``) as a whole.

    Always: track count, source, channel map and pitch bins; the hop under way (some tracks
    computed with the old parameters) is dropped and its index given to the next hop. A new
    song (``X_NEW_SONG``) also restarts: position 0, the history cleared and the framing on a
    new grid (the first hop after one frame), the partial mix hop dropped, the song's end
    flags cleared, every track's rhythm state forgotten. Work: O(max_tracks * history) once
    per change."""
    max_tracks = params[P_MAX_TRACKS]
    stage = _i64(table, E_STAGE, N_STAGE + 3 * max_tracks)  # callback_layout.stage_length
    n_tracks = stage[X_TRACKS]
    params[P_TRACKS] = n_tracks
    table[E_PLAYBACK] = stage[X_PLAYBACK]
    params[P_PLAYBACK_FRAMES] = stage[X_PLAYBACK_FRAMES]
    params[P_SOURCE_COLUMNS] = stage[X_SOURCE_COLUMNS]
    channel_map = _i64(table, E_CHANNEL_MAP, max_tracks)
    pitch_bins = _i64(table, E_PITCH_BINS, 2 * max_tracks)
    for c in range(max_tracks):
        channel_map[c] = stage[N_STAGE + c]
        pitch_bins[2 * c] = stage[N_STAGE + max_tracks + 2 * c]
        pitch_bins[2 * c + 1] = stage[N_STAGE + max_tracks + 2 * c + 1]
    counters = _i64(table, E_COUNTERS, N_COUNTERS)
    if counters[PENDING_END] != 0:
        counters[PENDING_END] = 0
        counters[PENDING_TRACK] = 0
        counters[FRAMES] -= 1
    if stage[X_NEW_SONG] != 0:
        n_fft = params[P_N_FFT]
        history = _f32(table, E_HISTORY, max_tracks * history_len(n_fft, params[P_HOP]))
        for i in range(history.shape[0]):
            history[i] = 0.0
        counters[NEXT_FRAME_END] = counters[SAMPLES] + n_fft
        engine[G_PLAY_POSITION] = 0
        engine[G_MIX_FILL] = 0
        engine[G_SONG_ENDED] = 0
        engine[G_FINISHED] = 0
        forget_rhythm(  # a new song's onsets and ranges owe nothing to the last one's
            numba.carray(address_as_voidptr(table[E_RHYTHM_STATE]), (max_tracks, params[P_RHYTHM_STATE_COLS]),
                         np.float64),
            _f32(table, E_RHYTHM_PREV, max_tracks * params[P_RHYTHM_LAG] * params[P_RHYTHM_BANDS]))
    store_release(engine, G_GENERATION, request)


@njit(cache=True, nogil=True)
def engine_process(table, inp, out):
    """One block: analyse, publish features and the mix, play back. Returns a PaStreamCallbackResult."""
    params = _i64(table, E_PARAMS, N_PARAMS)
    reals = _f64(table, E_REALS, N_REALS)
    engine = _i64(table, E_ENGINE, N_ENGINE)
    if table[E_STAGE] != 0:
        request = load_acquire(_i64(table, E_STAGE, N_STAGE), X_REQUEST)
        if request != engine[G_GENERATION]:
            _apply_stage(table, params, engine, request)
    n_tracks = params[P_TRACKS]
    n_fft = params[P_N_FFT]
    hop = params[P_HOP]
    n_bins = n_fft // 2 + 1
    max_hops = params[P_MAX_HOPS]
    sr_hz = reals[R_SR_HZ]
    t0_ns = _i64(table, ST_STATS, S_LAST_START_NS + 1)[S_LAST_START_NS]  # set by callback_begin
    frames = inp.shape[0] if table[ST_CH_IN] > 0 else out.shape[0]
    if engine[G_FIRST_CALLBACK_NS] == 0:
        engine[G_FIRST_CALLBACK_NS] = t0_ns

    if engine[G_FINISHED] != 0:
        _silence(out, 0)
        return PA_COMPLETE

    # 1. The source block.
    if params[P_MODE] == MODE_PLAYBACK and (params[P_PAUSED] != 0 or engine[G_SONG_ENDED] != 0):
        _silence(out, 0)  # paused, or held at the song's end: nothing moves, nothing is analysed
        return PA_CONTINUE
    if params[P_MODE] == MODE_PLAYBACK:
        total = params[P_PLAYBACK_FRAMES]
        playback = numba.carray(address_as_voidptr(table[E_PLAYBACK]), (total, params[P_SOURCE_COLUMNS]), np.float32)
        position = engine[G_PLAY_POSITION]
        if position >= total and params[P_LOOP] != 0:
            position = 0
        take = min(frames, total - position)
        src = playback[position : position + take]
        engine[G_PLAY_POSITION] = position + take
        _playback_output(src, out, np.float32(reals[R_OUTPUT_GAIN]))
        _silence(out, take)  # past the end of the song
    else:
        src = inp
        take = frames
        _silence(out, 0)
    engine[G_SOURCE_SAMPLES] += take

    # 2. Features: a bounded number of track-frames of the completed hops.
    history = numba.carray(address_as_voidptr(table[E_HISTORY]), (n_tracks, history_len(n_fft, hop)), np.float32)
    counters = _i64(table, E_COUNTERS, N_COUNTERS)
    channel_map = _i64(table, E_CHANNEL_MAP, n_tracks)
    pitch_bins = numba.carray(address_as_voidptr(table[E_PITCH_BINS]), (n_tracks, 2), np.int64)
    pending = numba.carray(address_as_voidptr(table[E_PENDING]), (n_tracks, N_FEATURES), np.float32)
    hops = numba.carray(address_as_voidptr(table[E_OUT]), (max_hops, n_tracks, N_FEATURES), np.float32)
    hop_end = _i64(table, E_OUT_END, max_hops)
    fft_out = numba.carray(address_as_voidptr(table[E_FFT_OUT]), n_bins, np.complex128)
    last_block = (params[P_MODE] == MODE_PLAYBACK and params[P_LOOP] == 0
                  and engine[G_PLAY_POSITION] >= params[P_PLAYBACK_FRAMES])
    if last_block:  # the song's last hop is sent, not left pending
        min_track_frames = ALL_TRACK_FRAMES
    else:
        min_track_frames = (n_tracks * take + hop - 1) // hop
    deadline_ns = t0_ns + np.int64(reals[R_WORK_FRACTION] * frames * 1e9 / sr_hz)
    no_room_before = counters[NO_ROOM]
    rhythm_out = numba.carray(address_as_voidptr(table[E_RHYTHM_OUT]), (max_hops, n_tracks, N_RHYTHM), np.float32)
    rhythm = (
        _i64(table, E_RHYTHM_EDGES, params[P_RHYTHM_EDGES]),
        _f64(table, E_RHYTHM_PARAMS, N_RP),
        numba.carray(address_as_voidptr(table[E_RHYTHM_STATE]), (n_tracks, params[P_RHYTHM_STATE_COLS]), np.float64),
        numba.carray(address_as_voidptr(table[E_RHYTHM_PREV]),
                     (n_tracks, params[P_RHYTHM_LAG], params[P_RHYTHM_BANDS]), np.float32),
        numba.carray(address_as_voidptr(table[E_RHYTHM_PENDING]), (n_tracks, N_RHYTHM), np.float32),
        rhythm_out,
    )
    n_new = process_block(
        src, channel_map, history, counters, hop, _f64(table, E_WINDOW, n_fft), params[P_PLAN],
        _f64(table, E_FFT_IN, n_fft), fft_out, _f32(table, E_MAG, n_bins), reals[R_BIN_HZ],
        pitch_bins, reals[R_HZ_PER_BIN], pending, hops, hop_end, min_track_frames, deadline_ns, rhythm,
    )

    # 3. Publish them: consecutive hops, oldest first; after them come the ones finished
    #    without room in `hops` (lost, counted) and the newest completed one if still pending.
    header, data = ring_view_3d(table[E_FEATURE_RING], np.float64)
    ns_per_sample = 1e9 / sr_hz
    consumed = counters[SAMPLES]
    first_index = counters[FRAMES] - (counters[PENDING_END] != 0) - (counters[NO_ROOM] - no_room_before) - n_new
    for j in range(n_new):
        slot = ring_reserve(header, data)
        record = data[slot]
        record[HEADER_ROW, REC_HOP_INDEX] = first_index + j
        record[HEADER_ROW, REC_CAPTURE_NS] = t0_ns - (consumed - hop_end[j]) * ns_per_sample
        record[HEADER_ROW, REC_NONFINITE] = counters[NONFINITE]
        record[HEADER_ROW, REC_GENERATION] = engine[G_GENERATION]
        novelty = 0.0
        for c in range(n_tracks):
            for f in range(N_FEATURES):
                record[TRACK_ROW0 + c, f] = hops[j, c, f]
            for f in range(N_RHYTHM):
                record[TRACK_ROW0 + c, REC_RHYTHM0 + f] = rhythm_out[j, c, f]
            novelty += rhythm_out[j, c, RH_NOVELTY]
        record[HEADER_ROW, REC_MIX_NOVELTY] = novelty / n_tracks
        ring_publish(header)
        engine[G_HOPS_PUBLISHED] += 1

    # 4. Peak levels and the mono mix.
    levels = _f32(table, E_LEVELS, n_tracks)
    for c in range(n_tracks):
        column = channel_map[c]
        peak = levels[c]
        for i in range(take):
            v = abs(src[i, column])
            if v > peak:
                peak = v
        levels[c] = peak
    if table[E_MIX_RING] != 0:
        mix_header, mix = ring_view_2d(table[E_MIX_RING], np.float32)
        fill = engine[G_MIX_FILL]
        slot = ring_reserve(mix_header, mix)
        scale = np.float32(1.0 / n_tracks)
        for i in range(take):
            s = np.float32(0.0)
            for c in range(n_tracks):
                v = src[i, channel_map[c]]
                if np.isfinite(v):
                    s += v
            mix[slot, fill] = s * scale
            fill += 1
            if fill == hop:
                ring_publish(mix_header)
                slot = ring_reserve(mix_header, mix)
                fill = 0
        engine[G_MIX_FILL] = fill

    # The block that plays the song's last sample is the last one (PortAudio still plays it).
    if last_block:
        if table[E_MIX_RING] != 0 and engine[G_MIX_FILL] > 0:  # the song's last, partial mix hop
            mix_header, mix = ring_view_2d(table[E_MIX_RING], np.float32)
            slot = ring_reserve(mix_header, mix)
            for i in range(engine[G_MIX_FILL], hop):
                mix[slot, i] = 0.0
            ring_publish(mix_header)
            engine[G_MIX_FILL] = 0
        engine[G_SONG_ENDED] = 1
        if params[P_AT_END] == AT_END_HOLD:  # a setlist: the stream goes on, silent, for the next song
            return PA_CONTINUE
        engine[G_FINISHED] = 1
        return PA_COMPLETE
    return PA_CONTINUE


@functools.cache
def engine_callback():
    """The ``@cfunc`` handed to PortAudio: `engine_process` wrapped as in `make_callback`.

    Closure-free, so numba's disk cache finds it again in the next process: a closure over
    ``engine_process`` (``make_callback``) was compiled again on every run, adding a ~160–210 kB
    index entry to the cache each time (see `mirage.audio.raw_stream.make_callback`). Built on
    the first call, in this process (a ``@cfunc`` compiles, or loads, when defined).
    """

    @cfunc(PA_CALLBACK_SIG, nogil=True, error_model="numpy", cache=True)
    def engine_cfunc(input_ptr, output_ptr, frames, time_info, status_flags, user_data):
        table, inp, out = callback_views(input_ptr, output_ptr, frames, user_data)
        t0 = callback_begin(table, status_flags)
        result = engine_process(table, inp, out)
        callback_end(table, t0, inp.shape[0], np.int64(status_flags))
        return result

    return engine_cfunc
