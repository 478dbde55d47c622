"""`mirage run --rhythm --input demo` sends /mirage/tempo, /mirage/phase and /mirage/beat
(seen by oscdump), the same beats `mirage analyze --beats-out` writes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.engine_runs import read_stats, run_engine
from tests.osc_receivers import OSCDUMP, OscDump, parse_oscdump_line, wait_for

DEMO_BPM = 128.0


def _seconds(timetag: str) -> float:
    hi, lo = timetag.split(".")
    return int(hi, 16) + int(lo, 16) / 2**32


@pytest.mark.skipif(OSCDUMP is None, reason="oscdump (liblo-tools) is not installed")
def test_run_rhythm_demo_sends_tempo_phase_and_the_offline_beats(tmp_path):
    csv = tmp_path / "beats.csv"
    done = subprocess.run([sys.executable, "-m", "mirage", "analyze", "demo", "--beats-out", str(csv)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert csv.read_text().splitlines()[0] == "time_s,bpm,confidence"
    offline = np.loadtxt(csv, delimiter=",", skiprows=1, ndmin=2)
    assert len(offline) > 30 and np.all(np.abs(offline[:, 1] - DEMO_BPM) < 1.5)

    dump = OscDump()
    try:
        from mirage.osc.sender import OscSender

        with OscSender([f"127.0.0.1:{dump.port}"]) as probe:
            dump.wait_ready(probe)
        done = run_engine(["--input", "demo", "--clock", "--no-emotion", "--rhythm", "--duration", "12",
                           "-o", f"127.0.0.1:{dump.port}", "--stats-json", str(tmp_path / "s.json")])
        assert done.returncode == 0, done.stderr
        stats = read_stats(tmp_path / "s.json")
        assert stats["beats_sent"] > 10 and stats["rhythm_hops_lost"] == 0
        # liblo dispatches a bundle at its time tag: the last beats come up to a beat later
        assert wait_for(lambda: sum(" /mirage/beat " in line for line in list(dump.lines)) >= stats["beats_sent"])
        assert wait_for(lambda: sum(" /mirage/tempo " in line for line in list(dump.lines))
                        >= stats["rhythm_hops_sent"])
    finally:
        dump.stop()
    messages = [parse_oscdump_line(line) for line in dump.lines if " /mirage/" in line]
    tempo = np.array([m[3] for m in messages if m[1] == "/mirage/tempo"])
    phase = np.array([m[3][0] for m in messages if m[1] == "/mirage/phase"])
    beat = [(m[0], m[3]) for m in messages if m[1] == "/mirage/beat"]
    assert len(tempo) == len(phase) == stats["rhythm_hops_sent"]
    assert np.all(np.abs(tempo[-200:, 0] - DEMO_BPM) < 1.5) and np.all(tempo[-200:, 1] > 0.3)
    assert np.all((phase >= 0) & (phase < 1))
    assert [int(args[0]) for _, args in beat] == list(range(len(beat)))
    # the same beats as offline: the same BPM at each, the same spacing of the time tags
    np.testing.assert_allclose([args[1] for _, args in beat], offline[:len(beat), 1], rtol=1e-5)
    tags = np.array([_seconds(t) for t, _ in beat])
    np.testing.assert_allclose(np.diff(tags), np.diff(offline[:len(beat), 0]), atol=1e-4)


@pytest.mark.skipif(OSCDUMP is None, reason="oscdump (liblo-tools) is not installed")
def test_run_rhythm_without_bundles_holds_each_beat_until_its_time(tmp_path):
    dump = OscDump()
    try:
        from mirage.osc.sender import OscSender

        with OscSender([f"127.0.0.1:{dump.port}"]) as probe:
            dump.wait_ready(probe)
        done = run_engine(["--input", "demo", "--clock", "--no-emotion", "--rhythm", "--no-bundle",
                           "--duration", "8", "-o", f"127.0.0.1:{dump.port}", "--stats-json", str(tmp_path / "s.json")])
        assert done.returncode == 0, done.stderr
        stats = read_stats(tmp_path / "s.json")
        assert stats["beats_sent"] > 5
        assert wait_for(lambda: sum(" /mirage/beat " in line for line in list(dump.lines)) >= stats["beats_sent"])
    finally:
        dump.stop()
    beats = [parse_oscdump_line(line) for line in dump.lines if " /mirage/beat " in line]
    assert [int(b[3][0]) for b in beats] == list(range(len(beats)))
    assert all(abs(b[3][1] - DEMO_BPM) < 1.5 for b in beats)
