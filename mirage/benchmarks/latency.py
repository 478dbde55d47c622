"""`mirage bench --realtime`, audio → OSC latency: clicks in, datagrams out, timed end to end.

The real engine (``mirage run --input live``, a separate process, as on stage) listens to
a JACK dummy server whose period equals the engine's ``--blocksize``. Its input ports are
unplugged from ``system:capture_*`` and fed instead by a click injector in this process: a
PortAudio output stream whose callback is a Numba ``@cfunc`` (`click_process`) that writes
silence, and every `CLICK_PERIOD_SAMPLES` one full-scale sample, noting the
``CLOCK_MONOTONIC`` time at which it wrote it. JACK runs the injector before the engine
in the same cycle (the engine's inputs depend on it), so that instant is when the click is
handed to the engine. A UDP socket in this process receives the engine's OSC and stamps
each datagram with ``time.monotonic_ns()`` as ``recv`` returns. Both clocks are
``CLOCK_MONOTONIC`` of one machine (jackd's dummy driver paces itself on it too).

A click is *seen* in the first datagram whose ``/Lfmsg_ch0`` centroid is non-zero: between
clicks the input is exact digital silence, whose centroid is exactly 0, and any frame that
contains the click has a non-zero spectrum (the periodic Hann window is > 0 at every
sample but the first, and the first frame holding the click has it in its last hop).
Clicks come `CLICK_PERIOD_SAMPLES` apart (≈ 0.27 s: longer than a frame, so each one starts
from silence; not a multiple of the hop, so clicks fall at every phase of the hop).

Two figures per click:

- ``cycle_to_udp`` = receive time − the time the injector wrote the click: the engine's
  own latency — the wait for the hop to complete (0 … one hop), the callback's compute,
  the OSC writer's wake-up, encode and ``sendto``, and the loopback.
- ``sound_to_udp`` = ``cycle_to_udp`` + (blocksize − click offset in its block) / sr: what a
  real interface with that period adds before the callback can run at all (the block must
  be filled first; converter latency excluded). This is the figure to compare with the
  original MIRAGE, which analysed 4096-sample chunks and so could send nothing until a
  whole chunk (≥ 93 ms at 44.1 kHz) had been recorded.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numba
import numpy as np
from numba import njit

from kernels.atomics import address_as_voidptr
from kernels.clock import monotonic_ns
from kernels.ring import Ring, ring_publish, ring_reserve, ring_view_2d
from mirage.audio.portaudio_codes import PA_CONTINUE
from mirage.audio.state_table_layout import INJ_CLICKS, INJ_STATE
from mirage.errors import InputError

BLOCKSIZES = (64, 128, 256, 512)
SR_HZ = 48000
HOP = 512
CLICK_PERIOD_SAMPLES = 13001
"""Samples between clicks (0.27 s at 48 kHz); odd, so the click's phase in the hop varies."""
CLICK_AMPLITUDE = 1.0
ORIGINAL_CHUNK_SAMPLES, ORIGINAL_SR_HZ = 4096, 44100
"""The original MIRAGE's analysis chunk: nothing could be sent before one was recorded."""

# Injector state-table slots: INJ_STATE, INJ_CLICKS (mirage.audio.state_table_layout).
INJ_SAMPLES_WRITTEN = 0
INJ_NEXT_CLICK = 1
INJ_PERIOD = 2
INJ_STATE_LEN = 3
CLICK_TIME_NS, CLICK_SAMPLE, CLICK_OFFSET, CLICK_BLOCK = 0, 1, 2, 3
CLICK_RECORD_LEN = 4


@njit(cache=True, nogil=True)
def click_process(table, inp, out):
    """Injector callback body: silence, with a click at every scheduled sample.

    For each click written, pushes ``(monotonic ns when written, its sample index since
    the stream started, its offset in this block, frames in this block)`` to the click ring.
    """
    state = numba.carray(address_as_voidptr(table[INJ_STATE]), INJ_STATE_LEN, np.int64)
    frames = out.shape[0]
    for i in range(frames):
        for c in range(out.shape[1]):
            out[i, c] = 0.0
    first = state[INJ_SAMPLES_WRITTEN]
    while state[INJ_NEXT_CLICK] < first + frames:
        offset = state[INJ_NEXT_CLICK] - first
        for c in range(out.shape[1]):
            out[offset, c] = CLICK_AMPLITUDE
        header, data = ring_view_2d(table[INJ_CLICKS], np.int64)
        slot = ring_reserve(header, data)
        data[slot, CLICK_TIME_NS] = monotonic_ns()
        data[slot, CLICK_SAMPLE] = state[INJ_NEXT_CLICK]
        data[slot, CLICK_OFFSET] = offset
        data[slot, CLICK_BLOCK] = frames
        ring_publish(header)
        state[INJ_NEXT_CLICK] += state[INJ_PERIOD]
    state[INJ_SAMPLES_WRITTEN] = first + frames
    return PA_CONTINUE


@functools.cache
def _click_callback():
    from mirage.audio.raw_stream import make_callback

    return make_callback(click_process)


class ClickInjector:
    """An output-only `RawStream` on the JACK device playing `click_process` on ``channels``."""

    def __init__(self, device: int, *, blocksize: int, channels: int, period_samples: int = CLICK_PERIOD_SAMPLES):
        from mirage.audio.raw_stream import RawStream, StateTable

        self.table = StateTable()
        self.state = np.zeros(INJ_STATE_LEN, np.int64)
        self.state[INJ_NEXT_CLICK] = period_samples
        self.state[INJ_PERIOD] = period_samples
        self.clicks = Ring.create(4096, CLICK_RECORD_LEN, np.int64)
        self.table.set(INJ_STATE, self.state)
        self.table.set(INJ_CLICKS, self.clicks)
        self.stream = RawStream(device, SR_HZ, blocksize, 0, channels, _click_callback(), self.table)

    def drain(self) -> np.ndarray:
        """Clicks written so far: int64[n, CLICK_RECORD_LEN]."""
        out = np.empty(CLICK_RECORD_LEN, np.int64)
        rows = []
        while self.clicks.pop(out):
            rows.append(out.copy())
        return np.array(rows, np.int64).reshape(-1, CLICK_RECORD_LEN)


class StampedUdpReceiver:
    """Receives datagrams on a free loopback port; keeps ``(monotonic ns at recv, bytes)``."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.datagrams: list[tuple[int, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="bench-udp")
        self._thread.start()

    def _run(self):
        recv, clock, keep = self.sock.recv, time.monotonic_ns, self.datagrams.append
        while not self._stop.is_set():
            try:
                data = recv(65536)
            except socket.timeout:
                continue
            keep((clock(), data))

    def close(self):
        self._stop.set()
        self._thread.join(1.0)
        self.sock.close()


def centroid_track0(datagram: bytes) -> float | None:
    """The centroid of ``/Lfmsg_ch0`` in a `readme`-profile datagram (bundle or message), else None."""
    from pythonosc.osc_bundle import OscBundle
    from pythonosc.osc_message import OscMessage

    if OscBundle.dgram_is_bundle(datagram):
        contents = OscBundle(datagram)
        messages = [m for m in contents if isinstance(m, OscMessage)]
    else:
        messages = [OscMessage(datagram)]
    for message in messages:
        if message.address == "/Lfmsg_ch0":
            return float(message.params[0])
    return None


def match_clicks(clicks: np.ndarray, datagrams: list[tuple[int, bytes]], *, after_ns: int) -> tuple[np.ndarray, int]:
    """For each click written after ``after_ns``: the receive time of the first datagram
    after it whose track-0 centroid is non-zero, if that comes before the next click.

    Returns ``(matched[n, 2] = (click row index, receive ns), missed count)``.
    """
    seen = [(t, c) for t, c in ((t, centroid_track0(d)) for t, d in datagrams) if c is not None]
    times = np.array([t for t, _ in seen], np.int64)
    loud = np.array([c > 0.0 for _, c in seen], bool)
    matched, missed = [], 0
    for k, click in enumerate(clicks):
        if click[CLICK_TIME_NS] < after_ns:
            continue
        end = clicks[k + 1, CLICK_TIME_NS] if k + 1 < len(clicks) else np.iinfo(np.int64).max
        window = np.nonzero((times > click[CLICK_TIME_NS]) & (times < end) & loud)[0]
        if len(window) == 0:
            missed += 1
        else:
            matched.append((k, times[window[0]]))
    return np.array(matched, np.int64).reshape(-1, 2), missed


def _summary_ms(values_ms: np.ndarray) -> dict:
    if len(values_ms) == 0:
        return {"p50": None, "p99": None, "max": None}
    return {"p50": float(np.percentile(values_ms, 50)), "p99": float(np.percentile(values_ms, 99)),
            "max": float(values_ms.max())}


def _wait_for_ports(server, before: set, marker: str, count: int, timeout_s: float,
                    alive: subprocess.Popen | None = None) -> list[str]:
    """The ``count`` ports named with ``marker`` that appeared since ``before`` (the client
    ``alive``, if given, must not exit meanwhile)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if alive is not None and alive.poll() is not None:
            raise InputError(f"the engine exited ({alive.returncode}) before its JACK ports {marker!r} appeared")
        try:
            ports = set(server.ports())
        except (subprocess.TimeoutExpired, InputError):  # jack_lsp stalls or fails now and then on a busy host
            ports = set()
        new = sorted(p for p in ports - before if marker in p)
        if len(new) >= count:
            return new
        if time.monotonic() > deadline:
            raise InputError(f"JACK ports {marker!r} did not appear within {timeout_s:.0f} s (found {new})")
        time.sleep(0.1)


def _rewire(server, engine_inputs: list[str], injector_outputs: list[str]) -> None:
    """Unplug the engine's inputs from everything (``system:capture_*``), plug the injector in."""
    links = server.connections()
    for port in engine_inputs:
        for source in links.get(port, []):
            server.disconnect(source, port)
    for source, port in zip(injector_outputs, engine_inputs):
        server.connect(source, port)


def measure_click_latency(*, blocksize: int, seconds: float, realtime: bool, tracks: int = 2,
                          log=print) -> dict:
    """One engine run at ``blocksize`` (JACK period the same) with clicks injected on
    ``tracks`` inputs for ``seconds``; the latency of every click seen, in ms."""
    from mirage.audio.jack_server import JackServer
    from mirage.audio.raw_stream import find_jack_device

    settle_s = 1.0  # after rewiring: the engine's frame history still holds the old input
    with tempfile.TemporaryDirectory(prefix="mirage-latency-") as tmp, \
            JackServer(f"mirage-lat-{os.getpid()}-{blocksize}", samplerate_hz=SR_HZ, period_frames=blocksize,
                       capture_channels=tracks, realtime=realtime) as server, server.portaudio():
        receiver = StampedUdpReceiver()
        stats_path = Path(tmp) / "stats.json"
        before = set(server.ports())
        cmd = [sys.executable, "-m", "mirage", "run", "--input", "live", "--device", "system", "--no-emotion",
               "--blocksize", str(blocksize), "--hop", str(HOP), "--duration", str(seconds + settle_s + 4.0),
               "--osc-port", str(receiver.port), "--stats-json", str(stats_path)]
        stderr_path = Path(tmp) / "engine.stderr"
        with open(stderr_path, "w") as stderr_file:  # a file, not a pipe nobody drains during the run
            engine = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr_file,
                                      env={**os.environ, **server.env})
        injector = None
        try:
            engine_inputs = _wait_for_ports(server, before, ":in_", tracks, timeout_s=60.0, alive=engine)
            injector = ClickInjector(find_jack_device(), blocksize=blocksize, channels=tracks)
            injector.stream.start()
            injector_outputs = _wait_for_ports(server, before | set(engine_inputs), ":out_", tracks, timeout_s=10.0)
            _rewire(server, engine_inputs, injector_outputs)
            after_ns = time.monotonic_ns() + int(settle_s * 1e9)
            time.sleep(settle_s + seconds)
            injector.stream.stop()
            clicks = injector.drain()
            injector.stream.close()
            injector = None
            engine.wait(timeout=60.0)
        finally:
            if injector is not None:
                injector.stream.close()
            if engine.poll() is None:
                engine.kill()
                engine.wait()
            time.sleep(0.2)
            receiver.close()
        if engine.returncode != 0:
            raise InputError(f"engine run at blocksize {blocksize} failed ({engine.returncode}): "
                             f"{stderr_path.read_text().strip().splitlines()[-1:]}")
        engine_stats = json.loads(stats_path.read_text())
    matched, missed = match_clicks(clicks, receiver.datagrams, after_ns=after_ns)
    rows = clicks[matched[:, 0]]
    cycle_ms = (matched[:, 1] - rows[:, CLICK_TIME_NS]) / 1e6
    capture_ms = (rows[:, CLICK_BLOCK] - rows[:, CLICK_OFFSET]) / SR_HZ * 1e3
    result = {
        "blocksize": blocksize, "tracks": tracks, "seconds": seconds, "clicks": int(len(matched)),
        "missed": missed, "block_ms": blocksize / SR_HZ * 1e3, "hop_ms": HOP / SR_HZ * 1e3,
        "cycle_to_udp_ms": _summary_ms(cycle_ms), "sound_to_udp_ms": _summary_ms(cycle_ms + capture_ms),
        "engine_xruns": engine_stats["xruns"], "engine_callback_us": engine_stats["callback_us"],
    }
    log(f"  click latency, blocksize {blocksize:3d}: {result['clicks']} clicks ({missed} missed), sound→UDP "
        f"p50 {result['sound_to_udp_ms']['p50'] or float('nan'):.2f} ms, "
        f"p99 {result['sound_to_udp_ms']['p99'] or float('nan'):.2f} ms")
    return result


def run_latency_benchmark(*, quick: bool, realtime: bool, blocksizes=BLOCKSIZES, seconds: float | None = None,
                          log=print) -> dict:
    """`measure_click_latency` at every blocksize: 60 s each (≈ 220 clicks), 6 s under ``quick``.

    A run that fails (jackd or its tools can fail transiently on a busy host) is tried once
    more; if it fails again its row carries the ``error`` and the table shows it.
    """
    run_s = seconds or (6.0 if quick else 60.0)
    rows = []
    for blocksize in blocksizes:
        for attempt in (1, 2):
            try:
                rows.append(measure_click_latency(blocksize=blocksize, seconds=run_s, realtime=realtime, log=log))
                break
            except (InputError, subprocess.TimeoutExpired) as exc:
                log(f"  click latency, blocksize {blocksize:3d}: attempt {attempt} failed: {exc}")
                if attempt == 2:
                    rows.append({"blocksize": blocksize, "error": str(exc)})
    return {"sr": SR_HZ, "hop": HOP, "click_period_samples": CLICK_PERIOD_SAMPLES, "jackd_realtime": realtime,
            "original_chunk_ms": ORIGINAL_CHUNK_SAMPLES / ORIGINAL_SR_HZ * 1e3, "rows": rows}


def format_latency_table(result: dict) -> str:
    """Markdown table of the click latencies (ms)."""
    def fmt(x):
        return "–" if x is None else f"{x:.2f}"

    lines = [
        f"audio → OSC, clicks through the engine on JACK dummy (jackd {'-R' if result['jackd_realtime'] else '--no-realtime'}), "
        f"hop {result['hop']} @ {result['sr']} Hz, one click every {result['click_period_samples']} samples; "
        f"original MIRAGE: ≥ {result['original_chunk_ms']:.1f} ms (a 4096-sample chunk at 44.1 kHz before anything is sent)",
        "",
        "| blocksize | block ms | clicks | missed | cycle→UDP p50 ms | p99 ms | max ms | sound→UDP p50 ms | p99 ms "
        "| max ms | engine xruns |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        if "error" in r:
            lines.append(f"| {r['blocksize']} | failed: {r['error']} | | | | | | | | | |")
            continue
        c, s = r["cycle_to_udp_ms"], r["sound_to_udp_ms"]
        lines.append(f"| {r['blocksize']} | {r['block_ms']:.2f} | {r['clicks']} | {r['missed']} | {fmt(c['p50'])} | "
                     f"{fmt(c['p99'])} | {fmt(c['max'])} | {fmt(s['p50'])} | {fmt(s['p99'])} | {fmt(s['max'])} | "
                     f"{r['engine_xruns']} |")
    return "\n".join(lines)
