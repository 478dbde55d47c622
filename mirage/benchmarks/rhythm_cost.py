"""What the per-track rhythm layer adds to the callback's work, per track-frame.

Two `kernels.analyzer.TrackAnalyzer` on the same music-like audio, one with the rhythm layer
(`kernels.track_rhythm`: level, bands, onsets) and one without, fed the same hops in turn,
so both see the same machine noise. Per hop of C tracks: the time of ``process`` (the
callback's analysis work); reported as p50 µs per track-frame with and without, and the
difference (the issue's budget: at most +1.5 µs per track-frame).
"""

from __future__ import annotations

import time

import numpy as np

from mirage.benchmarks.latency_summary import percentiles_us
from mirage.benchmarks.music_like_audio import music_like_audio

BUDGET_US = 1.5
"""The rhythm layer's budget per track-frame (issue 13)."""


def measure_rhythm_cost(n_tracks: int, n_chunks: int, *, sr_hz: int, n_fft: int, hop: int) -> dict:
    """p50/p99 of one hop's ``process`` for `n_tracks` tracks, with and without rhythm."""
    from kernels.analyzer import TrackAnalyzer

    audio = music_like_audio(n_tracks, n_fft + hop * (n_chunks + 8), sr_hz)
    analyzers = {on: TrackAnalyzer(n_tracks, sr_hz, n_fft=n_fft, hop=hop, max_block=hop, rhythm=on)
                 for on in (False, True)}
    for a in analyzers.values():
        a.process(audio[:n_fft])
    times = {on: np.empty(n_chunks, dtype=np.int64) for on in analyzers}
    clock = time.perf_counter_ns
    for i in range(n_chunks):
        block = audio[n_fft + i * hop : n_fft + (i + 1) * hop]
        for on in ((False, True) if i % 2 == 0 else (True, False)):
            start = clock()
            analyzers[on].process(block)
            times[on][i] = clock() - start
    off, on = percentiles_us(times[False]), percentiles_us(times[True])
    return {"channels": n_tracks, "chunks": n_chunks, "off": off, "on": on,
            "off_us_per_track_frame": off["p50_us"] / n_tracks, "on_us_per_track_frame": on["p50_us"] / n_tracks,
            "added_us_per_track_frame": (on["p50_us"] - off["p50_us"]) / n_tracks}


def run_rhythm_cost(*, channels, quick: bool, sr_hz: int, n_fft: int, hop: int, log=print) -> dict:
    rows = []
    for n_tracks in channels:
        n_chunks = (300 if quick else 3000) if n_tracks <= 16 else (100 if quick else 1000)
        rows.append(measure_rhythm_cost(n_tracks, n_chunks, sr_hz=sr_hz, n_fft=n_fft, hop=hop))
        log(f"  rhythm  {n_tracks:3d} tracks: +{rows[-1]['added_us_per_track_frame']:.2f} µs per track-frame")
    return {"budget_us_per_track_frame": BUDGET_US, "rows": rows}


def format_rhythm_cost(result: dict) -> str:
    lines = [f"per-track rhythm layer (level, bands, onsets) in the callback's analysis, p50 per track-frame "
             f"(budget +{result['budget_us_per_track_frame']:g} µs):", "",
             "| tracks | without µs | with µs | added µs |", "|---:|---:|---:|---:|"]
    for r in result["rows"]:
        lines.append(f"| {r['channels']} | {r['off_us_per_track_frame']:.2f} | {r['on_us_per_track_frame']:.2f} | "
                     f"{r['added_us_per_track_frame']:+.2f} |")
    return "\n".join(lines)
