"""Cost of one live status-display update (16 tracks), measured, not asserted."""

from __future__ import annotations

import io

import numpy as np

from mirage.engine.status_display import StatusDisplay
from tests.test_status import make_snapshot


def test_live_update_16_tracks(benchmark, monkeypatch):
    monkeypatch.setenv("COLUMNS", "140")
    monkeypatch.setenv("LINES", "40")
    rng = np.random.default_rng(1)
    display = StatusDisplay(live=True, stream=io.StringIO())
    snap = make_snapshot(16, levels=rng.uniform(0, 1, 16).astype(np.float32))
    display.update(snap)
    benchmark(display.update, snap)
    display.close()
