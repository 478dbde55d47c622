"""The callback's buffers are in RAM before the stream starts (`mirage.audio.resident_memory`).

Residency is read with ``mincore(2)``: which pages of a mapping are present."""

import ctypes
import mmap

import numpy as np
import pytest

from mirage.audio import resident_memory
from mirage.audio.resident_memory import PAGE_BYTES, keep_resident

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)


def _resident_pages(array: np.ndarray) -> tuple[int, int]:
    """(present, total) pages of the whole pages inside ``array``'s buffer."""
    start = -(-array.ctypes.data // PAGE_BYTES) * PAGE_BYTES
    end = (array.ctypes.data + array.nbytes) // PAGE_BYTES * PAGE_BYTES
    pages = (end - start) // PAGE_BYTES
    vec = (ctypes.c_ubyte * pages)()
    assert _libc.mincore(start, end - start, vec) == 0, ctypes.get_errno()
    return sum(v & 1 for v in vec), pages


_mappings = []  # kept open for the session: an array's buffer must outlive it


def _fresh_zeros() -> np.ndarray:
    """8 MB of zeros in a fresh anonymous mapping (what ``np.zeros`` of a large array gets when
    the allocator has no freed memory to reuse): no page present until written."""
    mapping = mmap.mmap(-1, 8 * 1024 * 1024)
    _mappings.append(mapping)
    array = np.frombuffer(mapping, dtype=np.float32)
    present, total = _resident_pages(array)
    assert total > 1000 and present < total // 10, (present, total)  # calloc'd pages come on first write
    return array


def test_locked_buffers_are_present_before_anything_writes_them():
    array = _fresh_zeros()
    done = keep_resident([array])
    if done.locked_bytes == 0:
        pytest.fail(f"mlock refused here: {done.describe()}")
    present, total = _resident_pages(array)
    assert present == total and done.locked_bytes == array.nbytes and done.regions == 1
    assert not array.any()  # nothing was changed
    assert "locked in RAM (8.0 MB in 1 regions)" in done.describe()


def test_where_mlock_is_refused_every_page_is_written_with_its_own_value(monkeypatch):
    monkeypatch.setattr(resident_memory, "_libc_mlock", lambda: None)
    array = _fresh_zeros()
    array[12345] = 3.5
    view = array[1:]                       # a buffer that does not start on a page
    done = keep_resident([view])
    present, total = _resident_pages(view)
    assert present == total and done.touched_bytes == view.nbytes and done.locked_bytes == 0
    assert array[12345] == 3.5 and np.count_nonzero(array) == 1
    assert "not locked" in done.describe() and "ulimit -l" in done.describe()


def test_the_engine_locks_what_its_callback_reaches_but_not_the_song():
    from mirage.engine.graph import EngineGraph

    song = np.zeros((48000 * 30, 16), dtype=np.float32)   # 30 s of 16 tracks: 92 MB, not locked
    graph = EngineGraph(n_tracks=16, sr_hz=48000, n_fft=2048, hop=512, pitch_ranges_hz=None,
                        channel_map=np.arange(16), playback=song, max_block=4096)
    done = graph.keep_resident()
    assert done.touched_bytes == 0
    assert graph.analyzer.history.nbytes < done.locked_bytes < song.nbytes // 10
    assert _resident_pages(graph.analyzer.history)[0] == _resident_pages(graph.analyzer.history)[1]
    assert mmap.PAGESIZE == PAGE_BYTES
