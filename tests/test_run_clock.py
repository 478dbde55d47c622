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
from tests.osc_receivers import PythonOscReceiver
from tests.signals import synthetic_set

SR_HZ = 48000


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
        deadline = time.monotonic() + 5
        while len(osc.received) < expected.size // 8 and time.monotonic() < deadline:
            time.sleep(0.05)
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
        time.sleep(0.3)
    ch0 = [args for address, args in osc.received if address == "/LFmsg_ch0"]
    assert len(ch0) == len(expected)
    name, centroid, bandwidth, flatness, rolloff, *pitches = ch0[5]
    assert name == "VOICE"
    assert centroid == round(float(expected[5, 0, 0]))
    assert rolloff == round(float(expected[5, 0, 3]))


def test_emotion_reaches_the_receiver_every_half_second(tmp_path):
    with PythonOscReceiver() as osc:
        done = run_engine(["--input", "demo", "--clock", "--duration", "4", "--osc-port", str(osc.port),
                           "--stats-json", str(tmp_path / "s.json")])
        assert done.returncode == 0, done.stderr
        time.sleep(0.3)
    emotion = [args for address, args in osc.received if address == "/Hfmsg_ch0"]
    # The first step needs 0.5 s of audio; the worker's start-up overlaps the run.
    assert 4 <= len(emotion) <= 9, len(emotion)
    assert all(len(a) == 2 and -1.0 <= a[0] <= 1.0 and -1.0 <= a[1] <= 1.0 for a in emotion)
    assert read_stats(tmp_path / "s.json")["emotion_sent"] == len(emotion)


def test_a_looping_song_reads_the_same_mood_at_every_pass(tmp_path):
    """`--loop`: each pass of the song starts a new mood context, so the mood sent during
    the second pass repeats the first (the song is a whole number of hops long)."""
    n = 200 * 512  # 2.13 s at 48 kHz: 4 mood steps per pass
    t = np.arange(n) / SR_HZ
    tone = (0.2 * np.sin(2 * np.pi * 330 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 1.5 * t))).astype(np.float32)
    path = tmp_path / "loop.wav"
    sf.write(path, tone, SR_HZ, subtype="FLOAT")
    with PythonOscReceiver() as osc:
        done = run_engine(["--input", str(path), "--clock", "--loop", "--duration", "5.5",
                           "--osc-port", str(osc.port)])
        assert done.returncode == 0, done.stderr
        time.sleep(0.3)
    mood = np.array([args for address, args in osc.received if address == "/Hfmsg_ch0"])
    assert len(mood) >= 8, len(mood)
    np.testing.assert_array_equal(mood[4:8], mood[:4])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_within_a_second(sig, tmp_path):
    proc = start_engine(["--input", "demo", "--clock", "--loop", "--no-emotion", "--stats-json", str(tmp_path / "s.json")])
    try:
        deadline = time.monotonic() + 60
        while "track(s) at" not in (line := proc.stderr.readline()):
            assert line and time.monotonic() < deadline, "engine never started"
        time.sleep(1.0)
        sent = time.monotonic()
        proc.send_signal(sig)
        code = proc.wait(timeout=5)
        took = time.monotonic() - sent
    finally:
        proc.kill()
    assert code == 0
    assert took < 1.0, took
    assert read_stats(tmp_path / "s.json")["callbacks"] > 50


def test_signal_during_start_up_still_stops_cleanly(tmp_path):
    """Ctrl-C right after the start line (while the engine starts) is no traceback and no hang."""
    proc = start_engine(["--input", "demo", "--clock", "--loop", "--no-emotion", "--stats-json", str(tmp_path / "s.json")])
    try:
        deadline = time.monotonic() + 60
        while "track(s) at" not in (line := proc.stderr.readline()):
            assert line and time.monotonic() < deadline, "engine never started"
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=5)
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
        time.sleep(0.3)
    assert done.returncode == 0, done.stderr
    stats = read_stats(tmp_path / "s.json")
    assert stats["osc_errors"] > 0
    assert len(hop_features(osc.received, 2)) == stats["hops_sent"] > 0
    status = [args for address, args in osc.received if address == "/mirage/status"]
    assert status and status[-1][0] == 0 and status[-1][1] == 0 and status[-1][2] > 0  # errors counted


@pytest.mark.parametrize("args,needle", [
    (["--input", "/nonexistent/song.wav", "--clock"], "/nonexistent/song.wav"),
    (["--input", "demo", "--clock", "--hop", "0"], "--hop"),
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

    with PythonOscReceiver() as osc:
        proc = start_engine(["--input", "demo", "--clock", "--duration", "9", "--osc-port", str(osc.port),
                             "--stats-json", str(tmp_path / "s.json")])
        try:
            deadline = time.monotonic() + 60
            while not any(a == "/Hfmsg_ch0" for a, _ in list(osc.received)):
                assert time.monotonic() < deadline and proc.poll() is None, "no mood before the kill"
                time.sleep(0.05)
            children = subprocess.run(["pgrep", "-P", str(proc.pid), "-f", "spawn_main"],
                                      capture_output=True, text=True).stdout.split()
            assert children, "the emotion process was not found"
            for child in children:
                os.kill(int(child), signal.SIGKILL)
            killed_at = len(osc.received)
            assert proc.wait(timeout=60) == 0, proc.stderr.read()
        finally:
            proc.kill()
        time.sleep(0.3)
    after = osc.received[killed_at:]
    stats = read_stats(tmp_path / "s.json")
    assert stats["emotion_restarts"] >= 1
    assert sum(1 for a, _ in after if a == "/Hfmsg_ch0") >= 3  # the mood resumed
    # Every hop of the run reached the receiver: the per-hop stream never paused.
    assert sum(1 for a, _ in osc.received if a == "/Lfmsg_ch0") == stats["hops_sent"] > 700
    assert stats["dropped_frames"] == 0
