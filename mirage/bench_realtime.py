"""`mirage bench --realtime`: the engine on a real PortAudio device (JACK's dummy driver).

For C tracks, a C-channel song of music-like test audio is played through the engine for a
fixed time (`mirage run --input FILE`, a separate process, as a user runs it), its OSC going
to a UDP sink in this process. The engine's own statistics (callback time from the
callback's timestamps, hop-to-send from the OSC writer, xruns from PortAudio's flags, drops
from the rings) are collected from its ``--stats-json``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path


from mirage.errors import InputError

CHANNELS = (1, 16, 64)


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
    return {"jackd_realtime": realtime, "sr": 48000, "blocksize": 512, "budget_us": round(512 / 48000 * 1e6, 1),
            "rows": rows}


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
    return "\n".join(lines)
