"""The engine's ``@cfunc`` called directly, block by block, as PortAudio would call it.

What the callback publishes must not depend on how its work is spread: with the time budget
off (``work_fraction=0``) each call computes exactly its minimum, ``ceil(C * block / hop)``
track-frames, so a 64-frame block never computes a whole 16-track hop; the feature ring
still carries every hop of every track, in order, equal to the offline analysis.
"""

from __future__ import annotations

import numpy as np
import pytest

from kernels.analyzer import analyze_tracks
from kernels.analyzer_counters import TRACK_FRAMES
from kernels.layout import N_FEATURES
from kernels.ring import ring_pop
from mirage.engine.callback import engine_callback
from mirage.engine.callback_layout import HEADER_ROW, REC_HOP_INDEX, TRACK_ROW0
from mirage.engine.graph import EngineGraph
from tests.signals import SR_HZ, synthetic_set

HOP = 512
N_TRACKS = 16


def _song(n_tracks: int, seconds: float) -> np.ndarray:
    """float32[N, C]: different signals (and levels) on every track."""
    signals = synthetic_set()
    names = ("chord", "white_noise", "clicks", "a440")
    n = int(seconds * SR_HZ)
    gains = np.linspace(0.25, 1.0, n_tracks)
    return np.stack([gains[c] * signals[names[c % 4]][:n] for c in range(n_tracks)], axis=1).astype(np.float32)


def _drain(ring) -> np.ndarray:
    record = np.zeros(ring.data.shape[1:], np.float64)
    records = []
    while ring_pop(ring.header, ring.data, record):
        records.append(record.copy())
    return np.array(records)


@pytest.mark.parametrize("blocksize", [64, 65, 128])
def test_callback_work_is_bounded_by_its_block_and_loses_no_hop(blocksize):
    song = _song(N_TRACKS, 1.0)
    graph = EngineGraph(n_tracks=N_TRACKS, sr_hz=SR_HZ, n_fft=2048, hop=HOP, pitch_ranges_hz=None,
                        channel_map=np.arange(N_TRACKS), playback=song, max_block=4096, output_gain=0.0,
                        work_fraction=0.0)
    call = engine_callback().ctypes
    out = np.zeros((blocksize, 2), np.float32)
    quota = -(-N_TRACKS * blocksize // HOP)
    per_call = []
    counters = graph.analyzer.counters
    while not graph.finished:
        before = int(counters[TRACK_FRAMES])
        call(None, out.ctypes.data, blocksize, None, 0, graph.table.address)
        per_call.append(int(counters[TRACK_FRAMES]) - before)
    records = _drain(graph.feature_ring)
    graph.close()

    expected = analyze_tracks(song.T, SR_HZ)
    assert records[:, HEADER_ROW, REC_HOP_INDEX].tolist() == list(range(len(expected)))
    assert np.array_equal(records[:, TRACK_ROW0:, :N_FEATURES].astype(np.float32), expected)
    # every call but the song's last (which sends the final hop) stays within its minimum
    assert max(per_call[:-1]) <= quota < N_TRACKS
    assert sum(per_call) == len(expected) * N_TRACKS
