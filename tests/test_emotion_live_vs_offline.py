"""The mood sent live (`mirage run`, emotion process) equals `mirage analyze --emotion-out`."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from tests.engine_runs import read_stats, run_engine
from tests.osc_receivers import PythonOscReceiver, wait_for
from tests.signals import rendered_piano


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    """A rendered piano phrase plus a quieter noise track: two tracks, ~6 s."""
    folder = tmp_path_factory.mktemp("emotion-song")
    wav = rendered_piano(folder)
    assert wav is not None, "fluidsynth and fluid-soundfont-gm are needed (`make install`)"
    piano, sr = sf.read(wav, dtype="float32", always_2d=True)
    noise = 0.01 * np.random.default_rng(3).standard_normal(piano.shape[0]).astype(np.float32)
    path = folder / "song.wav"
    sf.write(path, np.stack([piano[:, 0], noise], axis=1), sr, subtype="FLOAT")
    return path


def test_live_mood_equals_offline_mood(song, tmp_path):
    emo_csv = tmp_path / "mood.csv"
    done = subprocess.run([sys.executable, "-m", "mirage", "analyze", str(song), "--emotion-out", str(emo_csv)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    offline = np.loadtxt(emo_csv, delimiter=",", skiprows=1, ndmin=2)
    assert emo_csv.read_text().splitlines()[0] == "time_s,arousal,valence"
    assert np.allclose(np.diff(offline[:, 0]), 0.5) and offline[0, 0] == 0.5
    assert np.all(np.abs(offline[:, 1:]) <= 1.0)

    with PythonOscReceiver() as osc:
        done = run_engine(["--input", str(song), "--clock", "--osc-port", str(osc.port),
                           "--stats-json", str(tmp_path / "s.json")])
        assert done.returncode == 0, done.stderr
        sent = read_stats(tmp_path / "s.json")["emotion_sent"]
        assert wait_for(lambda: sum(1 for a, _ in list(osc.received) if a == "/Hfmsg_ch0") >= sent, 60)
    live = np.array([args for address, args in osc.received if address == "/Hfmsg_ch0"], dtype=np.float64)
    assert sent == len(live)
    assert len(live) == len(offline), (len(live), len(offline))
    # Same features, same model, one step per inference (the int8 model quantizes per call);
    # the live values travel as float32.
    worst = np.max(np.abs(live - offline[:, 1:]))
    assert worst < 1e-6, worst
