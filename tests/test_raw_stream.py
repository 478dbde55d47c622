"""The GIL-free PortAudio callback: unit tests from C, then real streams on a JACK dummy server.

Timing figures come from the timing ring written by the ``@cfunc`` itself (kernels.clock
timestamps taken on the audio thread), never from Python.
"""

import contextlib
import ctypes
import threading
import time

import numpy as np
import pytest
import sounddevice as sd

from kernels.ring import Ring
from mirage.audio import raw_stream as rs
from mirage.errors import ParameterError

SR_HZ = 48000
BLOCK = 512
NOMINAL_PERIOD_MS = 1e3 * BLOCK / SR_HZ
WARMUP_CALLBACKS = 20  # start-up transients (page faults, port connection) are not jitter

_PA_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p
)


def _capture_setup(channels=2, hop_capacity=1024, pass_through=0):
    table = rs.StateTable()
    ring = Ring.create(hop_capacity, (BLOCK, channels), np.float32)
    table.set(rs.CAPTURE_RING, ring)
    table.set(rs.CAPTURE_PASS_THROUGH, pass_through)
    return table, ring


# --------------------------------------------------------------------------- without PortAudio


def test_capture_callback_called_from_c_counts_flags_and_times():
    table, ring = _capture_setup(pass_through=1)
    table.configure(BLOCK, 2, 2, SR_HZ)
    fn = _PA_CALLBACK(rs.capture_callback().address)
    inp = (np.arange(BLOCK * 2, dtype=np.float32).reshape(BLOCK, 2)) / 1000
    out = np.full((BLOCK, 2), 9.0, np.float32)
    t0 = time.monotonic_ns()
    flags = [0, rs.PA_INPUT_OVERFLOW | rs.PA_OUTPUT_UNDERFLOW, rs.PA_PRIMING_OUTPUT, rs.PA_INPUT_UNDERFLOW]
    for f in flags:
        assert fn(inp.ctypes.data, out.ctypes.data, BLOCK, None, f, table.address) == 0
    t1 = time.monotonic_ns()
    c = table.counters()
    assert c["callbacks"] == 4 and c["frames"] == 4 * BLOCK
    assert (c["input_overflow"], c["output_underflow"], c["input_underflow"], c["output_overflow"]) == (1, 1, 1, 0)
    assert c["priming"] == 1 and c["xrun_callbacks"] == 2 and c["odd_blocks"] == 0
    np.testing.assert_array_equal(out, inp)  # pass-through
    hops = rs.drain_hops(ring)
    np.testing.assert_array_equal(hops, np.concatenate([inp] * 4))
    timing = table.drain_timing()
    assert timing.shape == (4, 4)
    assert (t0 <= timing[:, rs.T_START_NS]).all() and (timing[:, rs.T_START_NS] <= t1).all()
    assert (np.diff(timing[:, rs.T_START_NS]) >= 0).all() and (timing[:, rs.T_DURATION_NS] > 0).all()
    assert list(timing[:, rs.T_STATUS]) == flags and (timing[:, rs.T_FRAMES] == BLOCK).all()
    assert table.duration_histogram().sum() == 4


def test_odd_block_is_counted_and_hop_zero_padded():
    table, ring = _capture_setup()
    table.configure(BLOCK, 2, 2, SR_HZ)
    fn = _PA_CALLBACK(rs.capture_callback().address)
    inp = np.ones((100, 2), np.float32)
    out = np.full((100, 2), 9.0, np.float32)
    fn(inp.ctypes.data, out.ctypes.data, 100, None, 0, table.address)
    assert table.counters()["odd_blocks"] == 1
    assert (out == 0).all()  # silence mode
    hop = rs.drain_hops(ring)
    assert hop.shape == (BLOCK, 2) and (hop[:100] == 1).all() and (hop[100:] == 0).all()


def test_raw_stream_checks_parameters_before_opening():
    table, _ = _capture_setup()
    cb = rs.capture_callback()
    with pytest.raises(ParameterError, match="blocksize"):
        rs.RawStream(None, SR_HZ, 0, 2, 2, cb, table)
    with pytest.raises(ParameterError, match="channels"):
        rs.RawStream(None, SR_HZ, BLOCK, 0, 0, cb, table)
    with pytest.raises(ParameterError, match="state_table"):
        rs.RawStream(None, SR_HZ, BLOCK, 2, 2, cb, np.zeros(64, np.int64))
    with pytest.raises(ParameterError, match="cfunc"):
        rs.RawStream(None, SR_HZ, BLOCK, 2, 2, lambda *a: 0, table)
    with pytest.raises(ParameterError, match="index"):
        table.set(rs.ST_STATS, 0)


# --------------------------------------------------------------------------- on JACK


def _period_deviation_ms(timing):
    starts = timing[WARMUP_CALLBACKS:, rs.T_START_NS]
    return np.abs(np.diff(starts) / 1e6 - NOMINAL_PERIOD_MS)


@contextlib.contextmanager
def _busy_python_threads(n):
    """n threads spinning in pure Python (each holds the GIL for its switch interval)."""
    stop = threading.Event()
    spins = [0] * n

    def spin(i):
        while not stop.is_set():
            spins[i] += 1

    threads = [threading.Thread(target=spin, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert all(s > 0 for s in spins)  # the busy threads really ran


def _run_capture(device, seconds, busy_threads=0):
    table, ring = _capture_setup()
    with _busy_python_threads(busy_threads):
        with rs.RawStream(device, SR_HZ, BLOCK, 2, 2, rs.capture_callback(), table) as stream:
            wall0 = time.monotonic_ns()
            time.sleep(seconds)
            wall1 = time.monotonic_ns()
    return stream, table, ring, (wall1 - wall0) / 1e9


@pytest.mark.jack
def test_raw_stream_runs_at_nominal_rate(jack_server):
    device = rs.find_jack_device()
    assert sd.query_hostapis(sd.query_devices(device)["hostapi"])["name"] == rs.JACK_HOSTAPI_NAME
    stream, table, ring, wall_s = _run_capture(device, 2.0)
    c = stream.counters()
    timing = stream.drain_timing()
    # Every callback left one timing record and one hop; nothing was lost.
    assert len(timing) == c["callbacks"] == ring.written
    assert c["frames"] == BLOCK * c["callbacks"] and c["odd_blocks"] == 0
    expected = wall_s * SR_HZ / BLOCK
    assert abs(c["callbacks"] - expected) <= 0.05 * expected + 2, (c["callbacks"], expected)
    periods_ms = np.diff(timing[WARMUP_CALLBACKS:, rs.T_START_NS]) / 1e6
    assert abs(np.median(periods_ms) - NOMINAL_PERIOD_MS) < 0.1, np.median(periods_ms)
    mean_ms = (timing[-1, 0] - timing[WARMUP_CALLBACKS, 0]) / 1e6 / (len(timing) - 1 - WARMUP_CALLBACKS)
    assert abs(mean_ms - NOMINAL_PERIOD_MS) < 0.05, mean_ms
    # xruns are reported, by kind, and consistent with the per-callback flags.
    xrun_rows = int(np.count_nonzero(timing[:, rs.T_STATUS] & rs.PA_XRUN_MASK))
    assert c["xrun_callbacks"] == xrun_rows
    assert c["xrun_callbacks"] <= 0.05 * c["callbacks"]
    # The dummy driver's capture ports deliver silence.
    hops = rs.drain_hops(ring)
    assert hops.shape == (BLOCK * c["callbacks"], 2) and not hops.any()
    durations_us = timing[:, rs.T_DURATION_NS] / 1e3
    print(
        f"\ncallbacks {c['callbacks']} in {wall_s:.2f} s, period median {np.median(periods_ms):.4f} ms, "
        f"duration p50/p99 {np.percentile(durations_us, 50):.1f}/{np.percentile(durations_us, 99):.1f} µs, "
        f"xruns {c['xrun_callbacks']}, realtime={jack_server.realtime}"
    )


@pytest.mark.jack
def test_injected_sine_reaches_the_ring(jack_server):
    device = rs.find_jack_device()
    freq_hz, amplitude = 440.0, 0.5
    phase = [0]

    def play(outdata, frames, time_info, status):
        n = np.arange(phase[0], phase[0] + frames)
        outdata[:] = (amplitude * np.sin(2 * np.pi * freq_hz * n / SR_HZ)).astype(np.float32)[:, None]
        phase[0] += frames

    table, ring = _capture_setup()
    before = set(jack_server.ports("PortAudio"))
    with rs.RawStream(device, SR_HZ, BLOCK, 2, 2, rs.capture_callback(), table):
        ours = set(jack_server.ports("PortAudio")) - before
        our_inputs = sorted(p for p in ours if ":in_" in p)
        assert len(our_inputs) == 2, ours
        with sd.OutputStream(device=device, samplerate=SR_HZ, blocksize=BLOCK, channels=2, dtype="float32",
                             callback=play):  # fmt: skip
            player = sorted(set(jack_server.ports("PortAudio")) - before - ours)
            assert len(player) == 2 and all(":out_" in p for p in player), player
            links = jack_server.connections()
            for port in our_inputs:
                for source in links[port]:
                    assert source.startswith("system:capture_")
                    jack_server.disconnect(source, port)
            for source, port in zip(player, our_inputs):
                jack_server.connect(source, port)
            links = jack_server.connections()
            assert [links[p] for p in our_inputs] == [[s] for s in player]
            time.sleep(0.3)  # let the new connections take effect
            rs.drain_hops(ring)
            dropped_before = ring.dropped
            time.sleep(1.0)
            x = rs.drain_hops(ring)
    assert ring.dropped == dropped_before
    assert x.shape[0] >= 0.9 * SR_HZ
    for ch in range(2):
        s = x[:, ch].astype(np.float64)
        rms = np.sqrt(np.mean(s**2))
        assert abs(rms - amplitude / np.sqrt(2)) < 0.01 * amplitude, rms
        rising = np.count_nonzero((s[:-1] < 0) & (s[1:] >= 0))
        est_hz = rising * SR_HZ / len(s)
        assert abs(est_hz - freq_hz) < 2.0, est_hz
        # Continuity: a pure sine sampled at 48 kHz changes by at most 2πf·A/sr per sample.
        assert np.abs(np.diff(s)).max() <= 2 * np.pi * freq_hz * amplitude / SR_HZ * 1.01


def _python_callback_deviation_ms(device, seconds, busy_threads):
    """Control: an ordinary (GIL-needing) sounddevice callback, timestamped in Python."""
    starts = []

    def callback(indata, outdata, frames, time_info, status):
        starts.append(time.monotonic_ns())
        outdata.fill(0)

    with _busy_python_threads(busy_threads):
        with sd.Stream(device=device, samplerate=SR_HZ, blocksize=BLOCK, channels=2, dtype="float32",
                       callback=callback):  # fmt: skip
            time.sleep(seconds)
    return np.abs(np.diff(np.array(starts[WARMUP_CALLBACKS:])) / 1e6 - NOMINAL_PERIOD_MS)


@pytest.mark.jack
def test_callback_timing_ignores_busy_python_threads(jack_server):
    """Design budget: callback period p99 deviation <= 0.5 ms with 2 busy Python threads.

    Rare host-level stalls (VM steal, another tenant) hit the baseline just as often, so the
    p99 may be retried twice; a GIL-bound callback fails every attempt (and its median),
    as the Python-callback control run shows.
    """
    if not jack_server.realtime:
        pytest.skip("jackd without realtime scheduling: jitter reflects CPU contention, not the GIL")
    device = rs.find_jack_device()

    def measure(busy):
        stream, table, ring, _ = _run_capture(device, 2.0, busy_threads=busy)
        timing = stream.drain_timing()
        # The figures come from the cfunc's own timestamps (one record per callback).
        assert len(timing) == stream.counters()["callbacks"] == ring.written
        dev = _period_deviation_ms(timing)
        return np.percentile(dev, 50), np.percentile(dev, 99), dev.max()

    baseline = measure(0)
    attempts = []
    for _ in range(3):
        attempts.append(measure(2))
        if attempts[-1][1] <= 0.5:
            break
    control = _python_callback_deviation_ms(device, 2.0, busy_threads=2)
    fmt = "{:.3f}/{:.3f}/{:.3f}".format
    print(
        f"\nperiod deviation from nominal, ms p50/p99/max: cfunc idle {fmt(*baseline)}; "
        f"cfunc 2 busy threads {'; '.join(fmt(*a) for a in attempts)}; "
        f"python callback 2 busy threads {fmt(np.percentile(control, 50), np.percentile(control, 99), control.max())}"
    )
    assert all(a[0] <= 0.1 for a in attempts), attempts
    assert attempts[-1][1] <= 0.5, attempts
    # The measurement has teeth: a callback that needs the GIL is late most of the time.
    assert np.percentile(control, 50) > 0.5, np.percentile(control, 50)
