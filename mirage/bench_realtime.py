"""`mirage bench --realtime`: the engine on a real PortAudio device (JACK's dummy driver).

For C tracks, a C-channel song of music-like test audio is played through the engine for a
fixed time (`mirage run --input FILE`, a separate process, as a user runs it), its OSC going
to a UDP sink in this process. The engine's own statistics (callback time from the
callback's timestamps, hop-to-send from the OSC writer, xruns from PortAudio's flags, drops
from the rings) are collected from its ``--stats-json``.

Then the design budget "callback period jitter with 2 busy Python threads" is measured in
this process: the engine's callback (16 tracks) on the same JACK server while two pure-Python
threads spin, each period's deviation from nominal taken from the callback's own timestamps.
It is a figure of the machine and its load, which is why it lives here and not in a test
(the tests hold the GIL on purpose and count callbacks instead).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


from mirage.errors import InputError

CHANNELS = (1, 16, 64)
JITTER_TRACKS = 16
JITTER_BUSY_THREADS = 2
WARMUP_CALLBACKS = 20  # start-up transients (page faults, port connection) are not jitter


class _UdpSink:
    """Receives and discards datagrams on a free loopback port (counts them)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.datagrams = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                self.sock.recv(65536)
                self.datagrams += 1
            except socket.timeout:
                pass

    def close(self):
        self._stop.set()
        self._thread.join(1.0)
        self.sock.close()


def _spin(stop: threading.Event, spins: list, i: int) -> None:
    while not stop.is_set():
        spins[i] += 1


def measure_period_jitter(server, *, seconds: float, n_tracks: int = JITTER_TRACKS,
                          busy_threads: int = JITTER_BUSY_THREADS) -> dict:
    """The engine callback on `server` (a running JackServer) for ``seconds`` while
    ``busy_threads`` pure-Python threads spin in this process: |period − nominal| in ms
    (p50/p99/max) from the callback's own start times. Design budget: p99 ≤ 0.5 ms (a
    callback that needs the GIL: ~5 ms, the interpreter's switch interval)."""
    import numpy as np
    import sounddevice as sd

    from mirage.audio.raw_stream import T_START_NS, RawStream, find_jack_device, reinitialize_portaudio
    from mirage.engine.callback import engine_callback
    from mirage.engine.graph import EngineGraph

    sr_hz, block = server.samplerate_hz, server.period_frames
    saved = {key: os.environ.get(key) for key in server.env}
    server.export_env()
    try:
        reinitialize_portaudio()  # PortAudio reads the server's name when it is initialised
        graph = EngineGraph(n_tracks=n_tracks, sr_hz=sr_hz, n_fft=2048, hop=block, pitch_ranges_hz=None,
                            channel_map=[c % 2 for c in range(n_tracks)], playback=None, max_block=4096)
        stop, spins = threading.Event(), [0] * busy_threads
        threads = [threading.Thread(target=_spin, args=(stop, spins, i), daemon=True) for i in range(busy_threads)]
        try:
            for t in threads:
                t.start()
            with RawStream(find_jack_device(), sr_hz, block, 2, 0, engine_callback(), graph.table) as stream:
                time.sleep(seconds)
            timing = stream.drain_timing()
        finally:
            stop.set()
            for t in threads:
                t.join()
            graph.close()
    finally:
        sd._terminate()  # before the server goes: PortAudio's JACK host API aborts otherwise
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        sd._initialize()
    nominal_ms = 1e3 * block / sr_hz
    deviation_ms = np.abs(np.diff(timing[WARMUP_CALLBACKS:, T_START_NS]) / 1e6 - nominal_ms)
    return {"tracks": n_tracks, "busy_threads": busy_threads, "seconds": seconds, "callbacks": len(timing),
            "busy_spins": sum(spins),
            "period_deviation_ms": {"p50": float(np.percentile(deviation_ms, 50)),
                                    "p99": float(np.percentile(deviation_ms, 99)),
                                    "max": float(deviation_ms.max())}}


def _write_song(path: Path, n_tracks: int, seconds: float, sr_hz: int) -> None:
    import soundfile as sf

    from mirage.bench import _test_audio

    sf.write(path, _test_audio(n_tracks, int(seconds * sr_hz), sr_hz), sr_hz, subtype="FLOAT")


def run_realtime_benchmark(*, quick: bool, log=print, channels=CHANNELS, seconds: float | None = None) -> dict:
    from mirage.audio.jack_server import JackServer, jack_tools_missing

    missing = jack_tools_missing()
    if missing:
        raise InputError(f"--realtime needs JACK ({', '.join(missing)} missing): apt-get install jackd2")
    realtime = subprocess.run(["chrt", "-f", "10", "true"], capture_output=True).returncode == 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="mirage-bench-") as tmp, \
            JackServer(f"mirage-bench-{os.getpid()}", realtime=realtime) as server:
        for n_tracks in channels:
            run_s = seconds or (5.0 if quick else (60.0 if n_tracks >= 64 else 20.0))
            song = Path(tmp) / f"song{n_tracks}.wav"
            _write_song(song, n_tracks, run_s + 5.0, 48000)
            stats_path = Path(tmp) / f"stats{n_tracks}.json"
            sink = _UdpSink()
            try:
                cmd = [sys.executable, "-m", "mirage", "run", "--input", str(song), "--device", "system",
                       "--no-emotion", "--duration", str(run_s), "--osc-port", str(sink.port),
                       "--stats-json", str(stats_path)]
                done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **server.env},
                                      timeout=run_s + 120)
            finally:
                sink.close()
            if done.returncode != 0:
                raise InputError(f"engine run for {n_tracks} tracks failed: {done.stderr.strip().splitlines()[-1:]}")
            stats = json.loads(stats_path.read_text())
            row = {
                "channels": n_tracks, "seconds": run_s, "callbacks": stats["callbacks"],
                "callback_us": stats["callback_us"], "hop_to_send_us": stats["hop_to_send_us"],
                "xruns": stats["xruns"], "dropped_frames": stats["dropped_frames"],
                "datagrams_received": sink.datagrams, "osc_writer": stats.get("osc_writer_scheduling"),
                "xrun_times_s": stats.get("xrun_times_s", []),
            }
            rows.append(row)
            log(f"  realtime {n_tracks:3d} tracks, {run_s:.0f} s: callback p99 {row['callback_us']['p99']:.1f} µs, "
                f"hop→send p99 {row['hop_to_send_us']['p99']:.1f} µs, xruns {row['xruns']}, "
                f"drops {row['dropped_frames']}")
        jitter = measure_period_jitter(server, seconds=seconds or (5.0 if quick else 20.0))
        dev = jitter["period_deviation_ms"]
        log(f"  period jitter, {jitter['tracks']} tracks, {jitter['busy_threads']} busy Python threads: "
            f"p50/p99/max {dev['p50']:.3f}/{dev['p99']:.3f}/{dev['max']:.3f} ms")
    return {"jackd_realtime": realtime, "sr": 48000, "blocksize": 512, "budget_us": round(512 / 48000 * 1e6, 1),
            "rows": rows, "period_jitter": jitter}


def format_realtime_table(result: dict) -> str:
    budget = result["budget_us"]
    lines = [
        f"engine on JACK dummy (jackd {'-R' if result['jackd_realtime'] else '--no-realtime'}), "
        f"{result['blocksize']} samples @ {result['sr']} Hz, budget {budget:.1f} µs per callback",
        "",
        "| tracks | seconds | callbacks | callback p50 µs | p99 µs | max µs | p99 % budget | hop→send p99 µs "
        "| max µs | xruns | drops |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        cb, hs = r["callback_us"], r["hop_to_send_us"]
        lines.append(f"| {r['channels']} | {r['seconds']:.0f} | {r['callbacks']} | {cb['p50']:.1f} | {cb['p99']:.1f} | "
                     f"{cb['max']:.1f} | {100 * cb['p99'] / budget:.2f} % | {hs['p99']:.1f} | {hs['max']:.1f} | "
                     f"{r['xruns']} | {r['dropped_frames']} |")
    jitter = result.get("period_jitter")
    if jitter:
        dev = jitter["period_deviation_ms"]
        lines += ["", f"callback period |deviation| from nominal, {jitter['tracks']} tracks, "
                      f"{jitter['busy_threads']} busy Python threads in the process, {jitter['callbacks']} callbacks: "
                      f"p50 {dev['p50']:.3f} ms, p99 {dev['p99']:.3f} ms (budget 0.5 ms), max {dev['max']:.3f} ms"]
    return "\n".join(lines)
