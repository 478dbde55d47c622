"""`mirage bench`, peers: one track's per-frame feature chain in librosa, essentia, aubio and MIRAGE.

Each implementation is fed the same test audio hop by hop (hop 512, frame 2048 by default)
and timed from handing it the new hop until its chain has produced the features of the
frame that hop completes. The chains are the nearest each library has to MIRAGE's five
features (see `PEER_NOTES`); they are the libraries' own per-frame (streaming) APIs, used
as their documentation shows, each algorithm object built once before the clock starts.

essentia and aubio come from the optional ``bench`` extra (``pip install -e '.[bench]'``);
a peer that does not import is reported as skipped with the reason, never silently left out.
"""

from __future__ import annotations

import time

import numpy as np

PEERS = ("librosa", "essentia", "aubio")

PEER_NOTES = {
    "librosa": "per frame: stft(center=False) of the 2048 frame, spectral_centroid, spectral_bandwidth, "
               "spectral_flatness, spectral_rolloff(0.85) and piptrack from S= (the oracle)",
    "essentia": "standard mode: Windowing(hann) → Spectrum → Centroid, CentralMoments + DistributionShape "
                "(spread = bandwidth²), Flatness (on numpy's max(S², 1e-10)), RollOff(0.85), "
                "SpectralPeaks(4 largest, 150–4000 Hz, parabolic interpolation)",
    "aubio": "pvoc(2048, 512) (hann + FFT on its own history) → specdesc centroid, spread, rolloff "
             "(aubio's roll-off is fixed at 95 %; centroid/spread in bins); no flatness in aubio, so numpy's "
             "exp(mean ln P)/mean P on the pvoc norm; pitch(\"yinfft\") — one f0, aubio has no multi-peak picker",
    "mirage": "TrackAnalyzer.process on one track (window + FFTW + the five features + 4 pitch peaks)",
}


def _frames_ns(step, audio: np.ndarray, *, n_fft: int, hop: int, n_frames: int) -> np.ndarray:
    """Time ``step(new_hop)`` for ``n_frames`` hops after priming it with the first frame."""
    step(audio[:n_fft], prime=True)
    times = np.empty(n_frames, dtype=np.int64)
    clock = time.perf_counter_ns
    for i in range(n_frames):
        new = audio[n_fft + i * hop : n_fft + (i + 1) * hop]
        start = clock()
        step(new)
        times[i] = clock() - start
    return times


def _librosa_step(sr_hz: int, n_fft: int, hop: int):
    import librosa

    history = np.zeros(n_fft, np.float32)

    def step(new, prime=False):
        nonlocal history
        history = new.copy() if prime else np.concatenate([history[hop:], new])
        S = np.abs(librosa.stft(history, n_fft=n_fft, hop_length=hop, center=False))
        librosa.feature.spectral_centroid(S=S, sr=sr_hz, n_fft=n_fft)
        librosa.feature.spectral_bandwidth(S=S, sr=sr_hz, n_fft=n_fft)
        librosa.feature.spectral_flatness(S=S)
        librosa.feature.spectral_rolloff(S=S, sr=sr_hz, n_fft=n_fft)
        librosa.piptrack(S=S, sr=sr_hz, n_fft=n_fft)

    return step


def _essentia_step(sr_hz: int, n_fft: int, hop: int):
    import essentia
    import essentia.standard as es

    essentia.log.infoActive = False
    window = es.Windowing(type="hann", size=n_fft, zeroPadding=0, normalized=False, zeroPhase=False)
    spectrum = es.Spectrum(size=n_fft)
    centroid = es.Centroid(range=sr_hz / 2)
    moments = es.CentralMoments(range=sr_hz / 2)
    shape = es.DistributionShape()
    flatness = es.Flatness()
    rolloff = es.RollOff(cutoff=0.85, sampleRate=sr_hz)
    peaks = es.SpectralPeaks(sampleRate=sr_hz, maxPeaks=4, minFrequency=150, maxFrequency=4000,
                             magnitudeThreshold=0, orderBy="magnitude")
    history = np.zeros(n_fft, np.float32)

    def step(new, prime=False):
        nonlocal history
        history = new.copy() if prime else np.concatenate([history[hop:], new])
        S = spectrum(window(history))
        centroid(S)
        shape(moments(S))
        flatness(np.maximum(S * S, np.float32(1e-10)))
        rolloff(S)
        peaks(S)

    return step


def _aubio_step(sr_hz: int, n_fft: int, hop: int):
    import aubio

    pvoc = aubio.pvoc(n_fft, hop)
    descriptors = [aubio.specdesc(method, n_fft) for method in ("centroid", "spread", "rolloff")]
    pitch = aubio.pitch("yinfft", n_fft, hop, sr_hz)

    def step(new, prime=False):
        blocks = new.reshape(-1, hop) if prime else (new,)
        for block in blocks:
            block = np.ascontiguousarray(block, dtype=np.float32)
            spec = pvoc(block)
            for describe in descriptors:
                describe(spec)
            power = np.maximum(spec.norm * spec.norm, np.float32(1e-10))
            np.exp(np.mean(np.log(power))) / np.mean(power)
            pitch(block)

    return step


def _mirage_step(sr_hz: int, n_fft: int, hop: int):
    from kernels.analyzer import TrackAnalyzer

    analyzer = TrackAnalyzer(1, sr_hz, n_fft=n_fft, hop=hop, max_block=n_fft)

    def step(new, prime=False):
        analyzer.process(new[:, None])

    return step


_STEPS = {"librosa": _librosa_step, "essentia": _essentia_step, "aubio": _aubio_step, "mirage": _mirage_step}


def peer_missing(name: str) -> str | None:
    """Why peer ``name`` cannot run here (its import error), or None if it can."""
    module = {"librosa": "librosa", "essentia": "essentia.standard", "aubio": "aubio"}.get(name)
    if module is None:
        return None
    try:
        __import__(module)
    except ImportError as exc:
        return f"not installed ({exc}); pip install -e '.[bench]'"
    return None


def run_peers(*, sr_hz: int, n_fft: int, hop: int, quick: bool, with_librosa: bool = True, log=print) -> dict:
    """Per-frame time of every chain on the same one-track audio, in one run (librosa's
    unless ``with_librosa`` is False, for ``mirage bench --no-librosa``).

    Returns ``{"n_frames": N, "rows": [{"impl", "p50_us", "p99_us", "max_us", "frames"} or
    {"impl", "skipped": reason}], "notes": PEER_NOTES}``; every row that ran timed N frames.
    """
    from mirage.benchmarks.latency_summary import percentiles_us
    from mirage.benchmarks.music_like_audio import music_like_audio

    n_frames = 200 if quick else 2000
    audio = music_like_audio(1, n_fft + hop * (n_frames + 2), sr_hz)[:, 0].copy()
    rows = []
    for name in ("mirage", *(p for p in PEERS if with_librosa or p != "librosa")):
        reason = peer_missing(name)
        if reason:
            rows.append({"impl": name, "skipped": reason})
            log(f"  per-frame {name}: skipped, {reason}")
            continue
        step = _STEPS[name](sr_hz, n_fft, hop)
        times = _frames_ns(step, audio, n_fft=n_fft, hop=hop, n_frames=n_frames)
        rows.append({"impl": name, "frames": n_frames, **percentiles_us(times)})
        log(f"  per-frame {name:8s}: p50 {rows[-1]['p50_us']:8.1f} µs")
    return {"n_frames": n_frames, "rows": rows, "notes": {r["impl"]: PEER_NOTES[r["impl"]] for r in rows}}


def format_peers_table(result: dict) -> str:
    """Markdown table: per-frame p50/p99/max and the speed-up over librosa (p50 ratio)."""
    lib = next((r for r in result["rows"] if r["impl"] == "librosa" and "skipped" not in r), None)
    lines = [f"one track, per frame (hop → its five features), {result['n_frames']} frames each, same audio",
             "",
             "| impl | p50 µs | p99 µs | max µs | speed-up vs librosa (p50) |",
             "|---|---:|---:|---:|---:|"]
    for r in result["rows"]:
        if "skipped" in r:
            lines.append(f"| {r['impl']} | skipped: {r['skipped']} | | | |")
            continue
        speedup = f"{lib['p50_us'] / r['p50_us']:.1f}×" if lib else "(no librosa)"
        lines.append(f"| {r['impl']} | {r['p50_us']:.1f} | {r['p99_us']:.1f} | {r['max_us']:.1f} | {speedup} |")
    lines.append("")
    lines += [f"- {impl}: {note}" for impl, note in result["notes"].items()]
    return "\n".join(lines)
