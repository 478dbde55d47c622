"""The callback's state across a lost device (`EngineGraph.restart_after_gap`), driven through
the real ``@cfunc`` block by block, as PortAudio would: framing restarts on a new grid, the hop
index goes on, the emotion clock moves over the gap."""

from __future__ import annotations

import numpy as np

from kernels.analyzer import analyze_tracks, frames_in
from kernels.layout import N_FEATURES
from kernels.ring import ring_pop
from mirage.audio.state_table_layout import S_LAST_START_NS
from mirage.engine.callback import engine_callback
from mirage.engine.callback_layout import HEADER_ROW, REC_HOP_INDEX
from mirage.engine.graph import EngineGraph

SR_HZ, N_FFT, HOP = 48000, 2048, 512


def _feed(graph, call, samples):
    """Call the callback once per hop-sized block of ``samples`` (1 input channel)."""
    scratch_out = np.zeros((HOP, 1), np.float32)
    for start in range(0, samples.size, HOP):
        block = np.ascontiguousarray(samples[start:start + HOP, None])
        call(block.ctypes.data, scratch_out.ctypes.data, HOP, None, 0, graph.table.address)


def _drain(graph):
    ring = graph.feature_ring
    record = np.zeros(ring.data.shape[1:], np.float64)
    records = []
    while ring_pop(ring.header, ring.data, record):
        records.append(record.copy())
    return records


def test_after_a_gap_frames_restart_on_a_new_grid_and_the_hop_index_goes_on():
    rng = np.random.default_rng(7)
    before = rng.standard_normal(5 * HOP).astype(np.float32)
    after = rng.standard_normal(9 * HOP).astype(np.float32)
    graph = EngineGraph(n_tracks=1, sr_hz=SR_HZ, n_fft=N_FFT, hop=HOP, pitch_ranges_hz=None, channel_map=[0],
                        playback=None, max_block=4096)
    graph.table.configure(HOP, 1, 0, SR_HZ)
    call = engine_callback().ctypes
    try:
        _feed(graph, call, before)
        first = _drain(graph)
        assert [int(r[HEADER_ROW, REC_HOP_INDEX]) for r in first] == list(range(frames_in(before.size, N_FFT, HOP)))

        last_start_ns = int(graph.table.stats[S_LAST_START_NS])
        origin_ns = graph.first_callback_ns
        resumed_ns = last_start_ns + 5_000_000_000  # the device comes back 5 s later
        graph.restart_after_gap(resumed_ns)
        expected_callback_ns = last_start_ns + int(HOP * 1e9 / SR_HZ)
        assert graph.first_callback_ns == origin_ns + (resumed_ns - expected_callback_ns)

        _feed(graph, call, after)
        second = _drain(graph)
    finally:
        graph.close()
    n_after = frames_in(after.size, N_FFT, HOP)
    indices = [int(r[HEADER_ROW, REC_HOP_INDEX]) for r in second]
    assert indices == list(range(len(first), len(first) + n_after))  # monotonic, no jump, no repeat
    # every frame after the gap is a frame of the new audio alone: exactly what analyze finds
    expected = analyze_tracks(after[None, :], SR_HZ)
    got = np.array([r[1:, :N_FEATURES] for r in second], dtype=np.float32)
    assert np.array_equal(got, expected)
