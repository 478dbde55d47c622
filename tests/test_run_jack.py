"""`mirage run` on a real PortAudio device (JACK's dummy driver), heard by real receivers.

A known signal is injected through JACK: the engine's input ports are disconnected from
``system:capture_*`` and fed by another client's outputs (a sounddevice stream playing a
sine). Timing figures come from the engine callback's own timestamps.
"""

from __future__ import annotations

import signal
import time

import numpy as np
import pytest
import sounddevice as sd
import soundfile as sf

from kernels.analyzer import analyze_tracks
from mirage.audio import raw_stream as rs
from mirage.audio import state_table_layout as st
from tests.engine_runs import hop_features, read_stats, run_engine, start_engine
from tests.callback_timing import assert_nominal_mean_period, hold_gil, starts_within, wait_for_callbacks
from tests.osc_receivers import HANG_S, OSCDUMP, OscDump, PythonOscReceiver, parse_oscdump_line, wait_for
from tests.signals import synthetic_set
from tests.test_raw_stream import GIL_HOLD_S, NOMINAL_PERIOD_MS, WARMUP_CALLBACKS

pytestmark = pytest.mark.jack

SR_HZ = 48000
TONE_HZ, AMPLITUDE = 440.0, 0.5


def _wait_for_new_ports(server, before, prefix, count, timeout_s=HANG_S):
    deadline = time.monotonic() + timeout_s
    while True:
        new = sorted(p for p in set(server.ports()) - before if prefix in p)
        if len(new) >= count:
            return new
        assert time.monotonic() < deadline, f"ports {prefix!r} never appeared: {new}"
        time.sleep(0.1)


def _expected_tone_features(profile: str = "LIBROSA"):
    from mirage.profiles import PROFILES

    t = np.arange(SR_HZ) / SR_HZ
    tone = (AMPLITUDE * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
    p = PROFILES[profile]
    return np.median(analyze_tracks(tone[None, :], SR_HZ, pitch_ranges_hz=[[p.fmin_hz, p.fmax_hz]])[:, 0, :], axis=0)


class _TonePlayer:
    """A sounddevice output stream on the JACK device playing the test tone on 2 channels."""

    def __init__(self, device):
        self.phase = 0

        def play(outdata, frames, time_info, status):
            n = np.arange(self.phase, self.phase + frames)
            outdata[:] = (AMPLITUDE * np.sin(2 * np.pi * TONE_HZ * n / SR_HZ)).astype(np.float32)[:, None]
            self.phase += frames

        self.stream = sd.OutputStream(device=device, samplerate=SR_HZ, blocksize=512, channels=2,
                                      dtype="float32", callback=play)


def _feed_engine_with_tone(server, engine_inputs, player_outputs):
    links = server.connections()
    for port in engine_inputs:
        for source in links[port]:
            server.disconnect(source, port)
    for source, port in zip(player_outputs, engine_inputs):
        server.connect(source, port)


@pytest.mark.skipif(OSCDUMP is None, reason="liblo-tools (oscdump) not installed")
@pytest.mark.parametrize("osc_args", [[], ["--osc-profile", "mirage-code", "--no-bundle"]],
                         ids=["readme-bundled", "mirage-code-plain"])
def test_injected_tone_reaches_oscdump_and_python_osc(jack_server, osc_args, tmp_path):
    mirage_code = "--osc-profile" in osc_args
    # mirage-code without a profile: MIRAGE's own default, "DEFAULT" (20-8000 Hz); readme: librosa's
    expected = _expected_tone_features("DEFAULT" if mirage_code else "LIBROSA")
    device = rs.find_jack_device()
    address = "/LFmsg_ch" if mirage_code else "/Lfmsg_ch"
    centroid_arg = 1 if mirage_code else 0  # mirage-code: the instrument name comes first

    def tone_messages(received):
        """Per channel, the args of the messages that carry the tone (silence: centroid 0)."""
        return [[args for a, args in list(received) if a == f"{address}{ch}" and args[centroid_arg] > 0]
                for ch in range(2)]

    parsed = []  # oscdump's lines parsed so far (incrementally: the wait polls it)

    def dumped():
        for line in dump.lines[len(parsed):]:
            _, a, _, args = parse_oscdump_line(line)
            parsed.append((a, args))
        return parsed

    before = set(jack_server.ports())
    dump = OscDump()
    try:
        with PythonOscReceiver() as osc:
            # No --duration: the run lasts until both receivers have heard the tone long enough
            # (counted, however long a loaded machine takes), then SIGTERM ends it cleanly.
            proc = start_engine(["--input", "live", "--device", "system", "--no-emotion",
                                 "--osc-port", str(osc.port), "--osc-target", f"127.0.0.1:{dump.port}",
                                 "--stats-json", str(tmp_path / "s.json"), *osc_args])
            try:
                engine_in = _wait_for_new_ports(jack_server, before, ":in_", 2)
                player = _TonePlayer(device)
                with player.stream:
                    player_out = _wait_for_new_ports(jack_server, before | set(engine_in), ":out_", 2)
                    _feed_engine_with_tone(jack_server, engine_in, player_out)
                    assert wait_for(lambda: min(map(len, tone_messages(osc.received))) >= 150
                                    and min(map(len, tone_messages(dumped()))) >= 150, HANG_S), \
                        "the tone never reached both receivers"
                    proc.send_signal(signal.SIGTERM)
                    assert proc.wait(timeout=HANG_S) == 0, proc.stderr.read()
            finally:
                proc.kill()
    finally:
        dump.stop()

    stats = read_stats(tmp_path / "s.json")
    assert stats["tracks"] == 2 and not stats["clock_driven"]
    assert stats["callbacks"] >= stats["hops_sent"] >= 150 and stats["dropped_frames"] == 0
    for received in (osc.received, dumped()):
        for msgs in tone_messages(received):
            assert len(msgs) >= 150, len(msgs)
            if mirage_code:
                name, centroid, _bw, _flat, _roll, pitch1, *_ = msgs[-1]
                assert name == "DEFAULT"
                assert centroid == round(float(expected[0]))
                assert pitch1 == round(float(expected[4]))
            else:
                got = np.median(np.array(msgs, dtype=np.float64)[-50:], axis=0)
                assert got[0] == pytest.approx(expected[0], rel=1e-3)  # centroid
                assert got[4] == pytest.approx(TONE_HZ, abs=2.0)        # parabolic-interpolation bias
                assert got[4] == pytest.approx(expected[4], abs=0.05)   # and as analyze finds it


def test_file_playback_through_portaudio_equals_analyze(jack_server, tmp_path):
    sig = synthetic_set()
    n = int(0.8 * SR_HZ)
    audio = np.stack([sig["chord"][:n], sig["am_noise"][:n], sig["clicks"][:n]])
    path = tmp_path / "three.wav"
    sf.write(path, audio.T, SR_HZ, subtype="FLOAT")
    with PythonOscReceiver() as osc:
        done = run_engine(["--input", str(path), "--device", "system", "--no-emotion", "--osc-port", str(osc.port),
                           "--stats-json", str(tmp_path / "s.json")])
        assert done.returncode == 0, done.stderr
        stats = read_stats(tmp_path / "s.json")
        assert wait_for(lambda: len(hop_features(osc.received, 3)) >= stats["hops_sent"], HANG_S)
    assert not stats["clock_driven"]
    # The song is pulled block by block by the callback, so even an xrun (a late cycle on a
    # loaded machine) cannot shift the analysed samples.
    expected = analyze_tracks(audio, SR_HZ)
    got = hop_features(osc.received, 3)
    assert np.array_equal(got, expected)


def test_engine_callback_keeps_its_pace_while_python_holds_the_gil(jack_server):
    """16 tracks analysed in the engine's callback while this thread holds the GIL (a C sleep):
    by its own timestamps the callback still starts about once per period in that window,
    and it analysed every hop. (A GIL-bound callback starts 0 times: the control in
    test_raw_stream. Period jitter and duration figures: `mirage bench --realtime`.)"""
    from mirage.engine.callback import engine_callback
    from mirage.engine.graph import EngineGraph

    device = rs.find_jack_device()
    n_tracks = 16
    graph = EngineGraph(n_tracks=n_tracks, sr_hz=SR_HZ, n_fft=2048, hop=512, pitch_ranges_hz=None,
                        channel_map=[c % 2 for c in range(n_tracks)], playback=None, max_block=4096)
    try:
        with rs.RawStream(device, SR_HZ, 512, 2, 0, engine_callback(), graph.table) as stream:
            wait_for_callbacks(stream.counters, WARMUP_CALLBACKS)
            window = hold_gil(GIL_HOLD_S)
            wait_for_callbacks(stream.counters, stream.counters()["callbacks"] + 2)  # the window is closed
        timing = stream.drain_timing()
        assert len(timing) == stream.counters()["callbacks"]
        assert graph.feature_ring.written == graph.analyzer.frames_done >= len(timing) - 4  # (n_fft - hop) / hop
    finally:
        graph.close()
    periods_in_window = (window[1] - window[0]) / 1e6 / NOMINAL_PERIOD_MS
    started = starts_within(timing[:, st.T_START_NS], window)
    durations_us = timing[WARMUP_CALLBACKS:, st.T_DURATION_NS] / 1e3
    print(f"\nengine callback, {n_tracks} tracks: {started} starts while the GIL was held "
          f"({periods_in_window:.1f} periods); duration p99 {np.percentile(durations_us, 99):.1f} µs")
    assert started >= periods_in_window / 2, (started, periods_in_window)


def test_a_stalled_osc_writer_never_stalls_the_callback(jack_server):
    """Nobody drains the feature ring for more than twice its capacity: the callback keeps
    its pace, the ring keeps the newest hops, and the reader is told exactly how many it lost."""
    from kernels.ring import ring_pop
    from mirage.engine.callback import engine_callback
    from mirage.engine.callback_layout import HEADER_ROW, REC_HOP_INDEX
    from mirage.engine.graph import EngineGraph

    device = rs.find_jack_device()
    graph = EngineGraph(n_tracks=4, sr_hz=SR_HZ, n_fft=2048, hop=512, pitch_ranges_hz=None,
                        channel_map=[0, 1, 0, 1], playback=None, max_block=4096, feature_seconds=0.5)
    capacity = graph.feature_ring.data.shape[0]
    with rs.RawStream(device, SR_HZ, 512, 2, 0, engine_callback(), graph.table) as stream:
        assert wait_for(lambda: graph.feature_ring.written > 150, HANG_S)  # > 2 x the capacity
    timing = stream.drain_timing()
    assert_nominal_mean_period(timing[WARMUP_CALLBACKS:, st.T_START_NS], NOMINAL_PERIOD_MS)  # never waited
    ring = graph.feature_ring
    written = ring.written
    assert written == graph.analyzer.frames_done > 150 > 2 * capacity
    record = np.zeros(ring.data.shape[1:], np.float64)
    hop_indices = []
    while ring_pop(ring.header, ring.data, record):
        hop_indices.append(int(record[HEADER_ROW, REC_HOP_INDEX]))
    assert ring.dropped == written - (ring.data.shape[0] - 1)
    assert hop_indices == list(range(written - len(hop_indices), written))  # the newest, in order
    graph.close()
