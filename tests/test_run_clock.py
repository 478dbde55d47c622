"""`mirage run` on files without an audio device (clock-driven): what reaches a real receiver.

The clock driver calls the very callback PortAudio calls, so these tests pin the engine's
feature stream to `mirage analyze` bit for bit, for any block size.
"""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest
import soundfile as sf

from kernels.analyzer import analyze_tracks
from tests.engine_runs import hop_features, read_stats, run_engine, start_engine
from tests.osc_receivers import HANG_S, PythonOscReceiver, wait_for
from tests.signals import synthetic_set

SR_HZ = 48000


def _count(osc, address):
    return sum(1 for a, _ in list(osc.received) if a == address)


def _wait_for_line(proc, needle, timeout_s=HANG_S):
    """Read the engine's stderr until a line contains ``needle`` (it is logged once the
    signal handlers are set and the engine is starting)."""
    deadline = time.monotonic() + timeout_s
    while needle not in (line := proc.stderr.readline()):
        assert line and time.monotonic() < deadline, f"engine never logged {needle!r}"


@pytest.fixture(scope="module")
def stems(tmp_path_factory):
    """A 0.6 s two-track file: a chord and noise."""
    sig = synthetic_set()
    n = int(0.6 * SR_HZ)
    audio = np.stack([sig["chord"][:n], sig["white_noise"][:n]], axis=1)
    path = tmp_path_factory.mktemp("engine") / "two.wav"
    sf.write(path, audio, SR_HZ, subtype="FLOAT")
    return path, audio.T.astype(np.float32)


@pytest.mark.parametrize("blocksize", [1, 64, 65, 511, 4096, 4097])
def test_feature_stream_equals_analyze_for_any_block_size(stems, blocksize, tmp_path):
    path, audio = stems
    expected = analyze_tracks(audio, SR_HZ)
    stats_path = tmp_path / "stats.json"
    with PythonOscReceiver() as osc:
        done = run_engine(["--input", str(path), "--clock", "--no-emotion", "--blocksize", str(blocksize),
                           "--osc-port", str(osc.port), "--stats-json", str(stats_path)])
        assert done.returncode == 0, done.stderr
        assert wait_for(lambda: len(hop_features(osc.received, 2)) >= len(expected), HANG_S)
    got = hop_features(osc.received, 2)
    assert got.shape == expected.shape
    assert np.array_equal(got, expected)
    stats = read_stats(stats_path)
    assert stats["tracks"] == 2 and stats["dropped_frames"] == 0 and stats["clock_driven"]
    assert stats["hops_sent"] == len(expected)
    assert stats["callbacks"] == -(-audio.shape[1] // blocksize)


def test_mirage_code_profile_plain_messages(stems):
    path, audio = stems
    expected = analyze_tracks(audio, SR_HZ)
    with PythonOscReceiver() as osc:
        done = run_engine(["--input", str(path), "--clock", "--no-emotion", "--osc-profile", "mirage-code",
                           "--no-bundle", "--profile", "voice", "--osc-port", str(osc.port)])
        assert done.returncode == 0, done.stderr
        assert wait_for(lambda: _count(osc, "/LFmsg_ch0") >= len(expected), HANG_S)
    ch0 = [args for address, args in osc.received if address == "/LFmsg_ch0"]
    assert len(ch0) == len(expected)
    name, centroid, bandwidth, flatness, rolloff, *pitches = ch0[5]
    assert name == "VOICE"
    assert centroid == round(float(expected[5, 0, 0]))
    assert rolloff == round(float(expected[5, 0, 3]))


def test_emotion_reaches_the_receiver_every_half_second(tmp_path):
    """The run lasts until 4 moods arrived (SIGTERM then), however long a loaded machine
    takes: never more moods than 0.5 s steps of audio captured, all in range, all counted."""
    with PythonOscReceiver() as osc:
        proc = start_engine(["--input", "demo", "--clock", "--osc-port", str(osc.port),
                             "--stats-json", str(tmp_path / "s.json")])
        try:
            assert wait_for(lambda: _count(osc, "/Hfmsg_ch0") >= 4 or proc.poll() is not None, HANG_S)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=HANG_S) == 0, proc.stderr.read()
        finally:
            proc.kill()
        stats = read_stats(tmp_path / "s.json")
        assert wait_for(lambda: _count(osc, "/Hfmsg_ch0") >= stats["emotion_sent"], HANG_S)
    emotion = [args for address, args in osc.received if address == "/Hfmsg_ch0"]
    assert len(emotion) == stats["emotion_sent"]
    steps_captured = stats["callbacks"] * stats["blocksize"] / stats["sr_hz"] / 0.5
    assert 4 <= len(emotion) <= steps_captured, (len(emotion), steps_captured)
    assert all(len(a) == 2 and -1.0 <= a[0] <= 1.0 and -1.0 <= a[1] <= 1.0 for a in emotion)


def test_a_looping_song_reads_the_same_mood_at_every_pass(tmp_path):
    """`--loop`: each pass of the song starts a new mood context, so the mood sent during
    the second pass repeats the first (the song is a whole number of hops long)."""
    n = 200 * 512  # 2.13 s at 48 kHz: 4 mood steps per pass
    t = np.arange(n) / SR_HZ
    tone = (0.2 * np.sin(2 * np.pi * 330 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 1.5 * t))).astype(np.float32)
    path = tmp_path / "loop.wav"
    sf.write(path, tone, SR_HZ, subtype="FLOAT")
    with PythonOscReceiver() as osc:
        proc = start_engine(["--input", str(path), "--clock", "--loop", "--osc-port", str(osc.port)])
        try:  # two passes heard, however long that takes; then SIGTERM
            assert wait_for(lambda: _count(osc, "/Hfmsg_ch0") >= 8 or proc.poll() is not None, HANG_S)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=HANG_S) == 0, proc.stderr.read()
        finally:
            proc.kill()
    mood = np.array([args for address, args in osc.received if address == "/Hfmsg_ch0"])
    assert len(mood) >= 8, len(mood)
    np.testing.assert_array_equal(mood[4:8], mood[:4])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly(sig, tmp_path):
    """A looping song never ends by itself: exit code 0 after the signal is the signal's doing.
    How fast the engine stops depends on the machine's load: printed, not asserted."""
    with PythonOscReceiver() as osc:
        proc = start_engine(["--input", "demo", "--clock", "--loop", "--no-emotion", "--osc-port", str(osc.port),
                             "--stats-json", str(tmp_path / "s.json")])
        try:
            _wait_for_line(proc, "track(s) at")
            assert wait_for(lambda: _count(osc, "/Lfmsg_ch0") >= 50, HANG_S)  # running
            sent = time.monotonic()
            proc.send_signal(sig)
            code = proc.wait(timeout=HANG_S)
            took = time.monotonic() - sent
        finally:
            proc.kill()
    print(f"\nstopped {took:.2f} s after {signal.Signals(sig).name}")
    assert code == 0, proc.stderr.read()
    assert read_stats(tmp_path / "s.json")["callbacks"] >= 50


def test_signal_during_start_up_still_stops_cleanly(tmp_path):
    """Ctrl-C right after the start line (while the engine starts) is no traceback and no hang."""
    proc = start_engine(["--input", "demo", "--clock", "--loop", "--no-emotion", "--stats-json", str(tmp_path / "s.json")])
    try:
        _wait_for_line(proc, "track(s) at")
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=HANG_S)
        rest = proc.stderr.read()
    finally:
        proc.kill()
    assert code == 0, rest
    assert "Traceback" not in rest
    assert "callbacks" in read_stats(tmp_path / "s.json")


def test_refusing_destination_is_counted_and_the_run_goes_on(stems, tmp_path):
    path, audio = stems
    with PythonOscReceiver() as osc:
        from tests.osc_receivers import free_udp_port

        dead = free_udp_port()
        done = run_engine(["--input", str(path), "--clock", "--no-emotion", "--osc-port", str(osc.port),
                           "--osc-target", f"127.0.0.1:{dead}", "--stats-json", str(tmp_path / "s.json")])
        assert done.returncode == 0, done.stderr
        stats = read_stats(tmp_path / "s.json")
        assert wait_for(lambda: len(hop_features(osc.received, 2)) >= stats["hops_sent"]
                        and _count(osc, "/mirage/status") > 0, HANG_S)
    assert stats["osc_errors"] > 0
    assert len(hop_features(osc.received, 2)) == stats["hops_sent"] > 0
    status = [args for address, args in osc.received if address == "/mirage/status"]
    assert status and status[-1][0] == 0 and status[-1][1] == 0 and status[-1][2] > 0  # errors counted


@pytest.mark.parametrize("args,needle", [
    (["--input", "/nonexistent/song.wav", "--clock"], "/nonexistent/song.wav"),
    (["--input", "demo", "--clock", "--hop", "0"], "hop must be within"),  # mirage.frame_parameters
    (["--input", "demo", "--clock", "--osc-target", "nohostport"], "nohostport"),
    (["--input", "demo", "--clock", "--emotion-model", "/nonexistent/model.onnx"], "model.onnx"),
    (["--input", "live", "--device", "no-such-device-xyz"], "no-such-device-xyz"),
    (["--input", "demo", "--clock", "--profile", "kazoo"], "kazoo"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle):
    done = run_engine(args, timeout_s=60)
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr
    assert any(needle in line and "error" in line for line in lines), done.stderr


def test_killed_emotion_worker_is_restarted_and_the_mood_resumes(tmp_path):
    """SIGKILL the emotion process mid-run: it is restarted and counted, /Hfmsg_ch0 comes
    back, and the per-hop messages never pause."""
    import subprocess

    def restarts_reported():  # /mirage/status: xruns, dropped hops, OSC errors, emotion restarts
        return any(a == "/mirage/status" and args[3] >= 1 for a, args in list(osc.received))

    with PythonOscReceiver() as osc:
        proc = start_engine(["--input", "demo", "--clock", "--osc-port", str(osc.port),
                             "--stats-json", str(tmp_path / "s.json")])
        try:
            assert wait_for(lambda: _count(osc, "/Hfmsg_ch0") > 0 or proc.poll() is not None, HANG_S)
            assert proc.poll() is None, "no mood before the kill"
            children = subprocess.run(["pgrep", "-P", str(proc.pid), "-f", "spawn_main"],
                                      capture_output=True, text=True).stdout.split()
            assert children, "the emotion process was not found"
            for child in children:
                os.kill(int(child), signal.SIGKILL)
            # The run goes on until the restart is reported and 3 moods came after that report
            # (the old worker's results are all out by then), however long that takes.
            assert wait_for(lambda: restarts_reported() or proc.poll() is not None, HANG_S)
            restarted_at = len(osc.received)
            assert wait_for(lambda: sum(1 for a, _ in osc.received[restarted_at:] if a == "/Hfmsg_ch0") >= 3
                            or proc.poll() is not None, HANG_S)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=HANG_S) == 0, proc.stderr.read()
        finally:
            proc.kill()
        stats = read_stats(tmp_path / "s.json")
        assert wait_for(lambda: _count(osc, "/Lfmsg_ch0") >= stats["hops_sent"], HANG_S)
    assert stats["emotion_restarts"] >= 1
    assert sum(1 for a, _ in osc.received[restarted_at:] if a == "/Hfmsg_ch0") >= 3  # the mood resumed
    # Every hop of the run reached the receiver: the per-hop stream never paused.
    assert _count(osc, "/Lfmsg_ch0") == stats["hops_sent"] > 0
    assert stats["dropped_frames"] == 0
