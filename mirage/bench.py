"""`mirage bench`: per-chunk latency of the feature kernels against librosa, in one run.

A chunk is one hop of new audio for C tracks; its latency is the time from handing the hop
to the analyzer until every feature of every track is computed. librosa is used as well
as it can be for the same job: per track, one ``stft(center=False)`` of the frame, then
centroid, bandwidth, flatness, roll-off and ``piptrack`` from ``S=``. Both run on the same
audio in the same process, so their ratio is meaningful on a noisy machine even when the
absolute figures are not.

The other parts of the report live in their own modules: one track's per-frame chain next to
essentia's and aubio's (`mirage.bench_peers`), and with ``--realtime`` the engine's callback
on JACK at several block sizes (`mirage.bench_realtime`) and the audio → OSC latency of
clicks through the engine (`mirage.bench_latency`). Those two always run at 48 kHz with hop
512 (the engine's defaults); ``--sr``, ``--n-fft`` and ``--hop`` apply to the kernel loop,
librosa and the peers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from mirage.errors import InputError, ParameterError

CHANNELS = (1, 8, 16, 64)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="fewer chunks (a smoke run, noisier figures)")
    parser.add_argument("--json", metavar="FILE", type=Path, help="write the results as JSON")
    parser.add_argument("--plot", metavar="FILE.png", type=Path, help="write a latency plot")
    parser.add_argument("--sr", type=int, default=48000, help="sample rate in Hz (default %(default)s)")
    parser.add_argument("--n-fft", type=int, default=2048, help="frame length in samples (default %(default)s)")
    parser.add_argument("--hop", type=int, default=512, help="hop in samples (default %(default)s)")
    parser.add_argument("--channels", default=",".join(map(str, CHANNELS)),
                        help="track counts to measure (default %(default)s)")
    parser.add_argument("--no-librosa", action="store_true", help="skip the librosa side")
    parser.add_argument("--no-peers", action="store_true", help="skip the per-frame essentia/aubio/librosa table")
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the warm-start table (real `mirage run` / `mirage analyze` processes)")
    parser.add_argument("--realtime", action="store_true",
                        help="also run the engine on JACK dummy servers (needs jackd2): callback and hop→send "
                             "at blocksizes 512 (1, 16, 64 tracks), 64 (16) and 128 (64), and audio→OSC click "
                             "latency at blocksizes 64, 128, 256, 512")


def _percentiles(times_ns: np.ndarray) -> dict:
    us = times_ns / 1000.0
    return {"p50_us": float(np.percentile(us, 50)), "p99_us": float(np.percentile(us, 99)), "max_us": float(us.max())}


def _test_audio(n_tracks: int, n_samples: int, sr_hz: int) -> np.ndarray:
    """Deterministic music-like test audio [n_samples, n_tracks]: harmonic tones plus noise."""
    rng = np.random.default_rng(2023)
    t = np.arange(n_samples) / sr_hz
    audio = np.empty((n_samples, n_tracks), dtype=np.float32)
    for c in range(n_tracks):
        f0 = 110.0 * 2 ** (rng.integers(0, 36) / 12)
        tone = sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 6))
        audio[:, c] = 0.2 * tone + 0.02 * rng.standard_normal(n_samples)
    return audio


def measure_mirage(n_tracks: int, n_chunks: int, *, sr_hz: int, n_fft: int, hop: int) -> np.ndarray:
    """Latency (ns) of `TrackAnalyzer.process` on one hop of `n_tracks` tracks, per chunk."""
    from kernels.analyzer import TrackAnalyzer

    audio = _test_audio(n_tracks, n_fft + hop * (n_chunks + 8), sr_hz)
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

    audio = _test_audio(n_tracks, n_fft + hop * (n_chunks + 8), sr_hz)
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

    audio = np.ascontiguousarray(_test_audio(n_tracks, int(seconds * sr_hz), sr_hz).T)
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

    mix = _test_audio(4, int(seconds * sr_hz), sr_hz).mean(axis=1)
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
    result = {"steps": len(steps), "features": _percentiles(np.array(feature_ns[2:]))}
    for name, path in (("int8", DEFAULT_MODEL), ("fp32", FP32_MODEL)):
        model = EmotionModel(path)
        model.predict(steps[0])
        times = np.empty(len(steps), dtype=np.int64)
        for i, vector in enumerate(steps):
            start = clock()
            model.predict(vector)
            times[i] = clock() - start
        result[name] = _percentiles(times)
    return result


def run_benchmark(*, channels, quick: bool, sr_hz: int, n_fft: int, hop: int, with_librosa: bool, log=print) -> dict:
    budget_us = hop / sr_hz * 1e6
    rows = []
    for n_tracks in channels:
        n_chunks = (300 if quick else 3000) if n_tracks <= 16 else (100 if quick else 1000)
        mirage_times = measure_mirage(n_tracks, n_chunks, sr_hz=sr_hz, n_fft=n_fft, hop=hop)
        rows.append({"impl": "mirage", "channels": n_tracks, "chunks": n_chunks, **_percentiles(mirage_times)})
        log(f"  mirage  {n_tracks:3d} tracks: p50 {rows[-1]['p50_us']:9.1f} µs")
        if with_librosa:
            n_lib = max(10, min(300, int((20 if quick else 150) * 16 / n_tracks)))
            librosa_times = measure_librosa(n_tracks, n_lib, sr_hz=sr_hz, n_fft=n_fft, hop=hop)
            rows.append({"impl": "librosa", "channels": n_tracks, "chunks": n_lib, **_percentiles(librosa_times)})
            log(f"  librosa {n_tracks:3d} tracks: p50 {rows[-1]['p50_us']:9.1f} µs")
    offline = measure_offline(sr_hz=sr_hz, n_fft=n_fft, hop=hop, seconds=20.0 if quick else 120.0)
    emotion = measure_emotion(sr_hz=sr_hz, seconds=20.0 if quick else 120.0)
    return {"sr": sr_hz, "n_fft": n_fft, "hop": hop, "budget_us": round(budget_us, 1), "rows": rows,
            "offline": offline, "emotion": emotion}


def format_table(result: dict) -> str:
    """The results as a Markdown table (µs and % of the hop's real-time budget)."""
    budget = result["budget_us"]
    by_key = {(r["impl"], r["channels"]): r for r in result["rows"]}
    meta = result.get("meta")
    lines = [
        *([f"{meta['date_utc']}, {meta['host']} ({meta['cpu']}, {meta['cpus']} CPUs), "
           f"{'--quick run' if meta['quick'] else 'full run'}", ""] if meta else []),
        f"sr {result['sr']} Hz, n_fft {result['n_fft']}, hop {result['hop']} "
        f"(budget {budget:.1f} µs per chunk)",
        "",
        "| impl | tracks | p50 µs | p99 µs | max µs | p99 % budget | µs per track-frame (p50) | speed-up (p50) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        lib = by_key.get(("librosa", r["channels"]))
        speedup = f"{lib['p50_us'] / r['p50_us']:.0f}×" if (r["impl"] == "mirage" and lib) else ""
        lines.append(
            f"| {r['impl']} | {r['channels']} | {r['p50_us']:.1f} | {r['p99_us']:.1f} | {r['max_us']:.1f} | "
            f"{100 * r['p99_us'] / budget:.2f} % | {r['p50_us'] / r['channels']:.2f} | {speedup} |"
        )
    off = result.get("offline")
    if off:
        lines += ["", f"offline `analyze_tracks`: {off['tracks']} tracks × {off['audio_s']:.0f} s in "
                      f"{off['elapsed_s']:.2f} s = {off['x_realtime_per_track']:.0f}× real time per track"]
    emo = result.get("emotion")
    if emo:
        lines += ["", f"emotion, per 0.5 s step ({emo['steps']} steps, one thread): "
                      f"features p50 {emo['features']['p50_us']:.0f} µs / p99 {emo['features']['p99_us']:.0f} µs; "
                      f"int8 inference p50 {emo['int8']['p50_us']:.1f} µs / p99 {emo['int8']['p99_us']:.1f} µs; "
                      f"fp32 p50 {emo['fp32']['p50_us']:.1f} µs / p99 {emo['fp32']['p99_us']:.1f} µs"]
    return "\n".join(lines)


def write_plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for impl, color in (("mirage", "tab:blue"), ("librosa", "tab:orange")):
        rows = [r for r in result["rows"] if r["impl"] == impl]
        if not rows:
            continue
        ch = [r["channels"] for r in rows]
        name = "mirage kernel loop" if impl == "mirage" else impl
        ax.plot(ch, [r["p50_us"] for r in rows], "o-", color=color, label=f"{name} p50")
        ax.plot(ch, [r["p99_us"] for r in rows], "s--", color=color, alpha=0.6, label=f"{name} p99")
    realtime = [r for r in result.get("realtime", {}).get("rows", []) if r["blocksize"] == result["hop"]]
    if realtime:
        ch = [r["channels"] for r in realtime]
        ax.plot(ch, [r["callback_us"]["p50"] for r in realtime], "D", color="tab:green", ms=7,
                label="engine callback on JACK p50")
        ax.plot(ch, [r["callback_us"]["p99"] for r in realtime], "v", color="tab:green", ms=7, alpha=0.6,
                label="engine callback on JACK p99")
    ax.axhline(result["budget_us"], color="red", lw=1, label="real-time budget (one hop)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("tracks")
    ax.set_ylabel("latency per chunk (µs)")
    ax.set_title(f"Features of one hop ({result['hop']} samples @ {result['sr']} Hz)")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def run_metadata(*, quick: bool) -> dict:
    """When, where and how a run was made (recorded in the JSON beside the figures)."""
    import datetime
    import platform

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "host": platform.node(), "cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(),
            "quick": quick}


def main(args: argparse.Namespace) -> int:
    try:
        channels = tuple(int(c) for c in str(args.channels).split(","))
    except ValueError:
        raise ParameterError(f"--channels must be a comma-separated list of integers, got {args.channels!r}") from None
    if any(c < 1 for c in channels):
        raise ParameterError(f"--channels must be positive, got {args.channels!r}")
    for path in (args.json, args.plot):
        if path is not None and not path.parent.exists():
            raise InputError(f"{path}: folder {path.parent} does not exist")
    log = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    log(f"benchmarking ({'quick' if args.quick else 'full'} run) ...")
    meta = run_metadata(quick=args.quick)
    result = run_benchmark(channels=channels, quick=args.quick, sr_hz=args.sr, n_fft=args.n_fft, hop=args.hop,
                           with_librosa=not args.no_librosa, log=log)
    result = {"meta": meta, **result}
    if not args.no_peers:
        from mirage.bench_peers import run_peers

        result["peers"] = run_peers(sr_hz=args.sr, n_fft=args.n_fft, hop=args.hop, quick=args.quick,
                                    with_librosa=not args.no_librosa, log=log)
    if getattr(args, "realtime", False):
        from mirage.bench_latency import run_latency_benchmark
        from mirage.bench_realtime import add_kernel_ratio, realtime_allowed, run_realtime_benchmark

        result["realtime"] = run_realtime_benchmark(quick=args.quick, log=log)
        add_kernel_ratio(result["realtime"], result["rows"])
        result["latency"] = run_latency_benchmark(quick=args.quick, realtime=realtime_allowed(), log=log)
        from mirage.bench_jitter import run_jitter_benchmark

        result["period_jitter"] = run_jitter_benchmark(quick=args.quick, realtime=realtime_allowed(), log=log)
    if not getattr(args, "no_startup", False):
        from mirage.bench_startup import RUNS, measure_warm_start

        result["startup"] = measure_warm_start(runs=3 if args.quick else RUNS, log=log)
    print(format_table(result))
    if "peers" in result:
        from mirage.bench_peers import format_peers_table

        print()
        print(format_peers_table(result["peers"]))
    if "startup" in result:
        from mirage.bench_startup import format_startup_table

        print()
        print(format_startup_table(result["startup"]))
    if "realtime" in result:
        from mirage.bench_latency import format_latency_table
        from mirage.bench_realtime import format_realtime_table

        print()
        print(format_realtime_table(result["realtime"]))
        print()
        print(format_latency_table(result["latency"]))
    if "period_jitter" in result:
        from mirage.bench_jitter import format_jitter_line

        print()
        print(format_jitter_line(result["period_jitter"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if args.plot:
        write_plot(result, args.plot)
    return 0
