"""Offline analysis of a whole array of tracks through `TrackAnalyzer`, block by block.

The source is fed in blocks of about one second, exactly as an audio callback would feed
it, so the frames are those of the real-time engine (one kernel, two drivers).
"""

from __future__ import annotations

import time

import numpy as np


def analyze(audio: np.ndarray, sr_hz: float, *, n_fft: int, hop: int,
            pitch_ranges_hz: np.ndarray | None, progress: bool = False) -> tuple[np.ndarray, dict]:
    """Run `audio` (float32 [n_tracks, n_samples]) through `TrackAnalyzer` block by block.

    Returns the features float32 [n_frames, n_tracks, 8] and timing/statistics:
    ``startup_s`` (constructing the analyzer), ``compute_s`` (all `process` calls),
    ``nonfinite_samples``.
    """
    from kernels.analyzer import TrackAnalyzer, frames_in

    n_tracks, n_samples = audio.shape
    k_total = frames_in(n_samples, n_fft, hop)
    features = np.empty((k_total, n_tracks, 8), dtype=np.float32)
    block = hop * max(1, int(round(sr_hz / hop)))  # about one second, whole hops
    t0 = time.perf_counter()
    analyzer = TrackAnalyzer(n_tracks, sr_hz, n_fft=n_fft, hop=hop,
                             pitch_ranges_hz=pitch_ranges_hz)
    warm_up = getattr(analyzer, "warm_up", None)  # compile/load the kernels before timing
    if warm_up is not None:
        warm_up()
    t1 = time.perf_counter()
    bar = _progress_bar(n_samples, sr_hz) if progress else None
    done = 0
    compute_s = 0.0
    try:
        for start in range(0, n_samples, block):
            chunk = audio[:, start:start + block].T
            t = time.perf_counter()
            new = analyzer.process(chunk)
            features[done:done + len(new)] = new
            compute_s += time.perf_counter() - t
            done += len(new)
            if bar is not None:
                bar.advance(chunk.shape[0])
    finally:
        if bar is not None:
            bar.close()
    if done != k_total:
        raise RuntimeError(f"analyzer produced {done} frames, expected {k_total}")
    return features, {"startup_s": t1 - t0, "compute_s": compute_s,
                      "nonfinite_samples": int(analyzer.nonfinite_samples)}


class _progress_bar:
    """A rich progress bar on stderr, in seconds of audio."""

    def __init__(self, n_samples: int, sr_hz: float):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self._sr = sr_hz
        self._progress = Progress(TextColumn("analysing"), BarColumn(),
                                  TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
                                  TimeRemainingColumn(), console=Console(stderr=True),
                                  transient=True)
        self._progress.start()
        self._task = self._progress.add_task("analyse", total=n_samples / sr_hz)

    def advance(self, n_samples: int) -> None:
        self._progress.advance(self._task, n_samples / self._sr)

    def close(self) -> None:
        self._progress.stop()
