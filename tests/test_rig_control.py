"""`EngineGraph.stage` taken by the engine's callback code (`engine_process`, called block by
block on a real graph): the new song's track count, source and pitch bins apply whole at a
block's start, the hops are tagged with the new generation, the song restarts."""

from __future__ import annotations

import numpy as np

from kernels.ring import ring_pop
from mirage.engine.callback import engine_process
from mirage.engine.callback_layout import (
    G_GENERATION, G_PLAY_POSITION, HEADER_ROW, P_TRACKS, REC_GENERATION, RECORD_COLUMNS, feature_record_shape,
)
from mirage.engine.graph import EngineGraph

SR_HZ, HOP, BLOCK = 48000, 512, 512


def song(n_tracks, hz, seconds=1.0):
    t = np.arange(int(seconds * SR_HZ)) / SR_HZ
    return np.ascontiguousarray(np.stack([0.3 * np.sin(2 * np.pi * hz * (c + 1) * t) for c in range(n_tracks)], 1),
                                dtype=np.float32)


def blocks(graph, n):
    out = np.zeros((BLOCK, 2), np.float32)
    inp = np.zeros((BLOCK, 0), np.float32)
    for _ in range(n):
        engine_process(graph.table.array, inp, out)
    records = []
    record = np.zeros(feature_record_shape(graph.n_tracks))
    while ring_pop(graph.feature_ring.header, graph.feature_ring.data, record):
        records.append(record.copy())
    return records


def test_a_staged_song_applies_whole_at_the_next_block():
    first, second = song(2, 220.0), song(4, 330.0)
    graph = EngineGraph(n_tracks=2, sr_hz=SR_HZ, n_fft=2048, hop=HOP, pitch_ranges_hz=[[20, 8000]] * 2,
                        channel_map=[0, 1], playback=first, max_block=4096, max_tracks=4, hold_at_end=True)
    try:
        before = blocks(graph, 20)
        assert before and all(r[HEADER_ROW, REC_GENERATION] == 0 for r in before)
        assert all(np.all(r[3:] == 0) for r in before)  # rows of tracks 2, 3 never written
        generation = graph.stage(n_tracks=4, pitch_ranges_hz=[[80, 4000]] * 4, channel_map=[0, 1, 2, 3],
                                 playback=second, new_song=True)
        assert graph.params[P_TRACKS] == 2 and graph.applied_generation == 0  # nothing until a block
        after = blocks(graph, 20)
        assert graph.params[P_TRACKS] == 4 and graph.engine[G_GENERATION] == generation == 1
        assert graph.engine[G_PLAY_POSITION] == 20 * BLOCK  # the new song from its start
        assert after and all(r[HEADER_ROW, REC_GENERATION] == 1 for r in after)
        # the first hop of the new song comes one frame into it: 20 blocks = 10240 samples -> 17 hops
        assert len(after) == (20 * BLOCK - 2048) // HOP + 1
        assert all(np.all(r[1:5, 0] > 0) for r in after)  # every track of the new song has a centroid
        assert after[-1].shape == (5, RECORD_COLUMNS)  # the features, then the rhythm values
        # a profile change: the same song goes on, the generation moves
        graph.stage(n_tracks=4, pitch_ranges_hz=[[20, 5000]] * 4, channel_map=[0, 1, 2, 3], playback=second,
                    new_song=False)
        more = blocks(graph, 4)
        assert graph.engine[G_PLAY_POSITION] == 24 * BLOCK
        assert more and all(r[HEADER_ROW, REC_GENERATION] == 2 for r in more)
    finally:
        graph.close()
