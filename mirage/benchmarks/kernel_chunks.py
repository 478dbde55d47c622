"""Per-chunk latency of the feature kernels against librosa, in one run.

A chunk is one hop of new audio for C tracks; its latency is the time from handing the hop
to the analyzer until every feature of every track is computed. librosa is used as well
as it can be for the same job: per track, one ``stft(center=False)`` of the frame, then
centroid, bandwidth, flatness, roll-off and ``piptrack`` from ``S=``. Both run on the same
audio in the same process, so their ratio is meaningful on a noisy machine even when the
absolute figures are not. Also here: the offline throughput of `analyze_tracks` and the
emotion features and model per 0.5 s step.
"""

from __future__ import annotations

import time

import numpy as np

from mirage.benchmarks.latency_summary import percentiles_us
from mirage.benchmarks.music_like_audio import music_like_audio

CHANNELS = (1, 8, 16, 64)


def measure_mirage(n_tracks: int, n_chunks: int, *, sr_hz: int, n_fft: int, hop: int) -> np.ndarray:
    """Latency (ns) of `TrackAnalyzer.process` on one hop of `n_tracks` tracks, per chunk."""
    from kernels.analyzer import TrackAnalyzer

    audio = music_like_audio(n_tracks, n_fft + hop * (n_chunks + 8), sr_hz)
    analyzer = TrackAnalyzer(n_tracks, sr_hz, n_fft=n_fft, hop=hop, max_block=hop)
    analyzer.process(audio[:n_fft])
    times = np.empty(n_chunks, dtype=np.int64)
    clock = time.perf_counter_ns
    for i in range(n_chunks):
        block = audio[n_fft + i * hop : n_fft + (i + 1) * hop]
        start = clock()
        analyzer.process(block)
        times[i] = clock() - start
    return times


def measure_librosa(n_tracks: int, n_chunks: int, *, sr_hz: int, n_fft: int, hop: int) -> np.ndarray:
    """Latency (ns) of librosa computing the same features for one hop of `n_tracks` tracks."""
    import librosa

    audio = music_like_audio(n_tracks, n_fft + hop * (n_chunks + 8), sr_hz)
    history = np.ascontiguousarray(audio[:n_fft].T)

    def one_chunk(frames: np.ndarray) -> None:
        for c in range(frames.shape[0]):
            S = np.abs(librosa.stft(frames[c], n_fft=n_fft, hop_length=hop, center=False))
            librosa.feature.spectral_centroid(S=S, sr=sr_hz, n_fft=n_fft)
            librosa.feature.spectral_bandwidth(S=S, sr=sr_hz, n_fft=n_fft)
            librosa.feature.spectral_flatness(S=S)
            librosa.feature.spectral_rolloff(S=S, sr=sr_hz, n_fft=n_fft)
            librosa.piptrack(S=S, sr=sr_hz, n_fft=n_fft)

    one_chunk(history)
    times = np.empty(n_chunks, dtype=np.int64)
    clock = time.perf_counter_ns
    for i in range(n_chunks):
        new = audio[n_fft + i * hop : n_fft + (i + 1) * hop].T
        start = clock()
        history = np.concatenate([history[:, hop:], new], axis=1)
        one_chunk(history)
        times[i] = clock() - start
    return times


def measure_offline(*, sr_hz: int, n_fft: int, hop: int, seconds: float, n_tracks: int = 8) -> dict:
    """Throughput of `analyze_tracks` on a long file, as multiples of real time per track."""
    from kernels.analyzer import analyze_tracks

    audio = np.ascontiguousarray(music_like_audio(n_tracks, int(seconds * sr_hz), sr_hz).T)
    analyze_tracks(audio[:, : sr_hz], sr_hz, n_fft=n_fft, hop=hop)
    start = time.perf_counter()
    analyze_tracks(audio, sr_hz, n_fft=n_fft, hop=hop)
    elapsed = time.perf_counter() - start
    return {"tracks": n_tracks, "audio_s": seconds, "elapsed_s": elapsed,
            "x_realtime_per_track": seconds * n_tracks / elapsed}


def measure_emotion(*, sr_hz: int, seconds: float) -> dict:
    """Per 0.5 s step: the emotion features (fed hop by hop as the worker is) and one
    inference of the int8 and fp32 models on one thread, in µs."""
    from mirage.emotion.features import EmotionFeatures
    from mirage.emotion.model import DEFAULT_MODEL, FP32_MODEL, EmotionModel

    mix = music_like_audio(4, int(seconds * sr_hz), sr_hz).mean(axis=1)
    extractor = EmotionFeatures(sr_hz)
    hop = 512
    steps, feature_ns = [], []
    clock = time.perf_counter_ns
    for begin in range(0, mix.size - hop + 1, hop):
        start = clock()
        features, _ = extractor.push(mix[begin : begin + hop])
        elapsed = clock() - start
        if len(features):
            feature_ns.append(elapsed)
            steps.extend(features)
    result = {"steps": len(steps), "features": percentiles_us(np.array(feature_ns[2:]))}
    for name, path in (("int8", DEFAULT_MODEL), ("fp32", FP32_MODEL)):
        model = EmotionModel(path)
        model.predict(steps[0])
        times = np.empty(len(steps), dtype=np.int64)
        for i, vector in enumerate(steps):
            start = clock()
            model.predict(vector)
            times[i] = clock() - start
        result[name] = percentiles_us(times)
    return result


def run_benchmark(*, channels, quick: bool, sr_hz: int, n_fft: int, hop: int, with_librosa: bool, log=print) -> dict:
    budget_us = hop / sr_hz * 1e6
    rows = []
    for n_tracks in channels:
        n_chunks = (300 if quick else 3000) if n_tracks <= 16 else (100 if quick else 1000)
        mirage_times = measure_mirage(n_tracks, n_chunks, sr_hz=sr_hz, n_fft=n_fft, hop=hop)
        rows.append({"impl": "mirage", "channels": n_tracks, "chunks": n_chunks, **percentiles_us(mirage_times)})
        log(f"  mirage  {n_tracks:3d} tracks: p50 {rows[-1]['p50_us']:9.1f} µs")
        if with_librosa:
            n_lib = max(10, min(300, int((20 if quick else 150) * 16 / n_tracks)))
            librosa_times = measure_librosa(n_tracks, n_lib, sr_hz=sr_hz, n_fft=n_fft, hop=hop)
            rows.append({"impl": "librosa", "channels": n_tracks, "chunks": n_lib, **percentiles_us(librosa_times)})
            log(f"  librosa {n_tracks:3d} tracks: p50 {rows[-1]['p50_us']:9.1f} µs")
    offline = measure_offline(sr_hz=sr_hz, n_fft=n_fft, hop=hop, seconds=20.0 if quick else 120.0)
    emotion = measure_emotion(sr_hz=sr_hz, seconds=20.0 if quick else 120.0)
    return {"sr": sr_hz, "n_fft": n_fft, "hop": hop, "budget_us": round(budget_us, 1), "rows": rows,
            "offline": offline, "emotion": emotion}
