"""The rhythm layer across a setlist: at a song change the per-track rhythm addresses follow
the new song's track count, and each song's first onsets are its own (the callback forgets
the last song's rhythm state); the mix's tempo keeps flowing. A real python-osc receiver."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from tests.engine_runs import read_stats, run_engine
from tests.osc_receivers import PythonOscReceiver

SR_HZ = 48000


def clicks_song(folder, n_tracks: int, seconds: float, period_s: float) -> None:
    """``n_tracks`` stems of short 1 kHz bursts every ``period_s`` (track c delayed c * 10 ms)."""
    folder.mkdir()
    t = np.arange(int(seconds * SR_HZ)) / SR_HZ
    for c in range(n_tracks):
        x = np.zeros_like(t)
        for start in np.arange(0.25 + 0.01 * c, seconds - 0.1, period_s):
            i = int(start * SR_HZ)
            n = int(0.03 * SR_HZ)
            x[i:i + n] = 0.5 * np.sin(2 * np.pi * 1000.0 * t[:n])
        sf.write(folder / f"{c}.wav", x.astype(np.float32), SR_HZ)


def test_rhythm_addresses_follow_the_songs_track_count(tmp_path):
    clicks_song(tmp_path / "three", 3, 3.0, 0.5)
    clicks_song(tmp_path / "one", 1, 3.0, 0.5)
    rig = tmp_path / "rig.toml"
    rig.write_text('rhythm = true\nno_emotion = true\nclock = true\nadvance = "next"\n'
                   '[[songs]]\nsource = "three"\n[[songs]]\nsource = "one"\n')
    with PythonOscReceiver() as osc:
        done = run_engine(["--config", str(rig), "--osc-port", str(osc.port), "--duration", "30",
                           "--stats-json", str(tmp_path / "s.json")], timeout_s=180)
        received = list(osc.received)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    stats = read_stats(tmp_path / "s.json")
    assert stats["song"] == 1 and len(stats["song_changes_ms"]) == 1

    levels = [a for a, _ in received if a.endswith("/level")]
    tracks_of = [int(a.split("/")[3]) for a in levels]
    # song 0: tracks 0..2 every hop; song 1: track 0 only, to the end
    assert set(tracks_of[:30]) == {0, 1, 2}
    last_three = max(i for i, c in enumerate(tracks_of) if c == 2)
    assert set(tracks_of[last_three + 1:]) == {0} and len(tracks_of) - last_three > 100

    # every onset belongs to a track of the song it was sent in; song 1 has its own
    onsets = [(i, int(a.split("/")[3])) for i, (a, _) in enumerate(received) if a.endswith("/onset")]
    change = [i for i, (a, _) in enumerate(received) if a == "/mirage/track/2/level"][-1]
    assert {c for i, c in onsets if i < change} == {0, 1, 2}
    after = [c for i, c in onsets if i > change]
    assert after and set(after) == {0}
    assert len(after) >= 4  # a burst every 0.5 s for 3 s (the first may fall in the first frame)
    assert any(a == "/mirage/tempo" for a, _ in received[change:])
