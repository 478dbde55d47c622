"""`mirage bench --realtime`: the engine on a real PortAudio device (JACK's dummy driver).

For each row (`ROWS`: callback blocksize, tracks), a song of that many tracks of music-like
test audio is played through the engine for a fixed time (``mirage run --input FILE
--blocksize B``, a separate process, as a user runs it) on a JACK dummy server whose period
is B, at 48 kHz, with realtime scheduling (``jackd -R``) where the machine allows it; its
OSC goes to a UDP sink in this process. The engine's own statistics (callback time from the
callback's timestamps, hop-to-send from the OSC writer, xruns from PortAudio's flags, drops
from the rings) are collected from its ``--stats-json``. The budget of a callback is its
block: B / 48000 s.
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


from mirage.audio.jack_server import realtime_allowed
from mirage.errors import InputError

SR_HZ = 48000
ROWS = ((512, 1), (512, 16), (512, 64), (64, 16), (128, 64))
"""(callback blocksize in samples, tracks): the hop-sized rows, and the stage buffer sizes."""
WARMUP_S = 2.0
"""A first, unreported engine run on each fresh JACK server. The first engine run after the
benchmark starts showed hop → send stalls of 0.2–0.4 s in its first hops (later runs on the
same server: none); it is a start-up effect, not the steady state the rows describe. Its
figures are kept in the JSON (``warmup_runs``) and its maximum is printed under the table."""


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

    from mirage.benchmarks.music_like_audio import music_like_audio

    sf.write(path, music_like_audio(n_tracks, int(seconds * sr_hz), sr_hz), sr_hz, subtype="FLOAT")


def row_seconds(blocksize: int, n_tracks: int, *, quick: bool) -> float:
    """Run length of a row: 5 s under ``quick``; else 60 s at stage sizes and 64 tracks, 20 s otherwise."""
    if quick:
        return 5.0
    return 60.0 if (blocksize < 512 or n_tracks >= 64) else 20.0


def measure_row(server, *, blocksize: int, n_tracks: int, seconds: float, tmp: Path) -> dict:
    """One engine run of ``n_tracks`` at ``blocksize`` on ``server`` (whose period is ``blocksize``)."""
    song = tmp / f"song-{blocksize}-{n_tracks}.wav"
    _write_song(song, n_tracks, seconds + 5.0, SR_HZ)
    stats_path = tmp / f"stats-{blocksize}-{n_tracks}.json"
    sink = _UdpSink()
    try:
        cmd = [sys.executable, "-m", "mirage", "run", "--input", str(song), "--device", "system",
               "--no-emotion", "--blocksize", str(blocksize), "--duration", str(seconds),
               "--osc-port", str(sink.port), "--stats-json", str(stats_path)]
        done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **server.env},
                              timeout=seconds + 120)
    finally:
        sink.close()
    if done.returncode != 0:  # the status lines of a noisy run can bury the cause: keep the rest
        causes = [line for line in done.stderr.splitlines() if "so far" not in line][-3:]
        raise InputError(f"engine run for {n_tracks} tracks at blocksize {blocksize} failed "
                         f"(exit code {done.returncode}): {causes}")
    stats = json.loads(stats_path.read_text())
    budget_us = blocksize / SR_HZ * 1e6
    return {
        "blocksize": blocksize, "channels": n_tracks, "seconds": seconds, "budget_us": round(budget_us, 1),
        "callbacks": stats["callbacks"], "callback_us": stats["callback_us"],
        "callback_max_pct_budget": 100 * stats["callback_us"]["max"] / budget_us,
        "hop_to_send_us": stats["hop_to_send_us"],
        "xruns": stats["xruns"], "dropped_frames": stats["dropped_frames"],
        "datagrams_received": sink.datagrams, "osc_writer": stats.get("osc_writer_scheduling"),
        "xrun_times_s": stats.get("xrun_times_s", []),
        "xruns_after_overrun": stats.get("xruns_after_overrun", 0),
    }


def measure_floor(server, *, blocksize: int, seconds: float) -> dict:
    """The machine's own floor at ``blocksize``: a do-nothing client (`capture_callback`:
    copies its block to a ring) on the same server for as long as a row. The xruns it sees
    are the host's (timer wake-ups, a VM's vCPU preemption), not the engine's: PortAudio
    reports every xrun of the JACK graph to every client."""
    import numpy as np

    from kernels.ring import Ring
    from mirage.audio import raw_stream as rs
    from mirage.audio.state_table_layout import CAPTURE_PASS_THROUGH, CAPTURE_RING

    with server.portaudio():
        table = rs.StateTable()
        table.set(CAPTURE_RING, Ring.create(1024, (blocksize, 2), np.float32))
        table.set(CAPTURE_PASS_THROUGH, 0)
        with rs.RawStream(rs.find_jack_device(), SR_HZ, blocksize, 2, 2, rs.capture_callback(), table) as stream:
            time.sleep(seconds)
        counters = stream.counters()
    return {"blocksize": blocksize, "seconds": seconds, "callbacks": counters["callbacks"],
            "xrun_callbacks": counters["xrun_callbacks"], "max_us": counters["max_duration_ns"] / 1e3}


def run_realtime_benchmark(*, quick: bool, log=print, rows=ROWS, seconds: float | None = None) -> dict:
    """Every (blocksize, tracks) row of ``rows``; one JACK server per blocksize (period = blocksize).
    A row whose engine run fails is run once more; a second failure ends the benchmark."""
    from mirage.audio.jack_server import JackServer, jack_tools_missing

    missing = jack_tools_missing()
    if missing:
        raise InputError(f"--realtime needs JACK ({', '.join(missing)} missing): apt-get install jackd2")
    realtime = realtime_allowed()
    results, warmups, floors = [], [], []
    with tempfile.TemporaryDirectory(prefix="mirage-bench-") as tmp:
        for blocksize in dict.fromkeys(b for b, _ in rows):
            with JackServer(f"mirage-bench-{os.getpid()}-{blocksize}", samplerate_hz=SR_HZ, period_frames=blocksize,
                            realtime=realtime) as server:
                warm = measure_row(server, blocksize=blocksize, n_tracks=1, seconds=WARMUP_S, tmp=Path(tmp))
                warmups.append({key: warm[key] for key in ("blocksize", "callback_us", "hop_to_send_us", "xruns")})
                floor_s = seconds or max(row_seconds(blocksize, n, quick=quick) for b, n in rows if b == blocksize)
                floors.append(measure_floor(server, blocksize=blocksize, seconds=floor_s))
                log(f"  floor @ {blocksize:3d}, {floor_s:.0f} s: a do-nothing client saw "
                    f"{floors[-1]['xrun_callbacks']} xruns, callback max {floors[-1]['max_us']:.0f} µs")
                for n_tracks in (n for b, n in rows if b == blocksize):
                    run_s = seconds or row_seconds(blocksize, n_tracks, quick=quick)
                    try:
                        row = measure_row(server, blocksize=blocksize, n_tracks=n_tracks, seconds=run_s,
                                          tmp=Path(tmp))
                    except InputError as exc:  # a transient failure on a busy host: once more
                        log(f"  realtime {n_tracks:3d} tracks @ {blocksize:3d}: {exc}; trying again")
                        row = measure_row(server, blocksize=blocksize, n_tracks=n_tracks, seconds=run_s,
                                          tmp=Path(tmp))
                    results.append(row)
                    log(f"  realtime {n_tracks:3d} tracks @ {blocksize:3d}, {run_s:.0f} s: callback p99 "
                        f"{row['callback_us']['p99']:.1f} µs, hop→send p99 {row['hop_to_send_us']['p99']:.1f} µs, "
                        f"xruns {row['xruns']}, drops {row['dropped_frames']}")
    return {"jackd_realtime": realtime, "sr": SR_HZ, "rows": results, "warmup_runs": warmups, "floor": floors}


def add_kernel_ratio(realtime: dict, kernel_rows: list[dict], *, blocksize: int = 512) -> None:
    """At ``blocksize`` (= the hop, one hop per callback), set each realtime row's
    ``callback_p99_over_kernel_p99``: the callback's p99 inside the real engine over the p99
    of the kernel loop (`mirage.benchmarks.kernel_chunks.measure_mirage`) for the same track count, same run."""
    kernel = {r["channels"]: r for r in kernel_rows if r["impl"] == "mirage"}
    for row in realtime["rows"]:
        k = kernel.get(row["channels"])
        if row["blocksize"] == blocksize and k is not None:
            row["kernel_p99_us"] = k["p99_us"]
            row["callback_p99_over_kernel_p99"] = row["callback_us"]["p99"] / k["p99_us"]


def format_realtime_table(result: dict) -> str:
    """Markdown table of the engine rows (µs, and % of each row's block budget)."""
    lines = [
        f"engine on JACK dummy (jackd {'-R' if result['jackd_realtime'] else '--no-realtime'}), "
        f"{result['sr']} Hz, hop 512, JACK period = callback blocksize; budget = one block",
        "",
        "| block | tracks | seconds | callbacks | callback p50 µs | p99 µs | max µs | p99 % budget | max % budget "
        "| p99 / kernel p99 | hop→send p99 µs | max µs | xruns | after an overrun | drops |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        cb, hs, budget = r["callback_us"], r["hop_to_send_us"], r["budget_us"]
        ratio = r.get("callback_p99_over_kernel_p99")
        lines.append(f"| {r['blocksize']} | {r['channels']} | {r['seconds']:.0f} | {r['callbacks']} | {cb['p50']:.1f} | "
                     f"{cb['p99']:.1f} | {cb['max']:.1f} | {100 * cb['p99'] / budget:.2f} % | "
                     f"{r['callback_max_pct_budget']:.1f} % | {'' if ratio is None else f'{ratio:.2f}×'} | "
                     f"{hs['p99']:.1f} | {hs['max']:.1f} | {r['xruns']} | {r.get('xruns_after_overrun', '')} | "
                     f"{r['dropped_frames']} |")
    floor = result.get("floor")
    if floor:
        lines += ["", "the machine's floor, a do-nothing JACK client on the same server, as long as the rows: "
                      + ", ".join(f"{f['xrun_callbacks']} xruns and callback max {f['max_us']:.0f} µs @ {f['blocksize']}"
                                  for f in floor)]
    warm = result.get("warmup_runs")
    if warm:
        lines += ["", "not in the table: a first 1-track engine run on each fresh server (start-up effects), "
                      "hop→send max " + ", ".join(f"{w['hop_to_send_us']['max'] / 1000:.1f} ms @ {w['blocksize']}"
                                                 for w in warm)]
    return "\n".join(lines)
