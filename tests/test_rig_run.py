"""A two-song setlist from a rig file, run on JACK: liblo's `oscsend` changes the song (the
track count and the addresses follow), a track's profile (the mirage-code string), the
transport; every answer seen by liblo's `oscdump`, the features by a python-osc server."""

from __future__ import annotations

import shutil
import signal
import subprocess

import numpy as np
import pytest
import soundfile as sf

from tests.engine_runs import read_stats, start_engine
from tests.osc_receivers import HANG_S, OSCDUMP, OscDump, PythonOscReceiver, free_udp_port, wait_for

OSCSEND = shutil.which("oscsend")
pytestmark = pytest.mark.skipif(OSCSEND is None or OSCDUMP is None,
                                reason="liblo-tools (oscsend, oscdump) is installed by `make test`")


def _send(port: int, address: str, *typed: str) -> None:
    subprocess.run([OSCSEND, "127.0.0.1", str(port), address, *typed], check=True, timeout=10)


def _dumped(dump: OscDump, text: str) -> bool:
    return any(line.split(" ", 1)[1] == text for line in list(dump.lines) if " " in line)


def two_tone_stems(folder):
    """A stems folder of two tracks (220 Hz, 660 Hz), 20 s at 48 kHz."""
    folder.mkdir()
    t = np.arange(20 * 48000) / 48000
    for name, hz in (("a_low", 220.0), ("b_high", 660.0)):
        sf.write(folder / f"{name}.wav", (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32), 48000)
    return folder


def features(received, mark=0):
    return [(a, args) for a, args in list(received)[mark:] if a.startswith("/LFmsg_ch")]


def settled_on(received, mark, channels, n=24) -> bool:
    """The last ``n`` feature messages since ``mark`` use exactly the addresses of ``channels`` tracks."""
    last = features(received, mark)[-n:]
    return len(last) == n and {a for a, _ in last} == {f"/LFmsg_ch{c}" for c in range(channels)}


@pytest.mark.jack
def test_a_setlist_changes_song_profile_and_transport_on_command(jack_server, tmp_path):
    stems = two_tone_stems(tmp_path / "tones")
    control_port = free_udp_port()
    rig = tmp_path / "rig.toml"
    rig.write_text(f"""
osc_profile = "mirage-code"
control_port = {control_port}
no_zeroconf = true
advance = "hold"

[[songs]]
name = "Opening"
source = "demo"

[[songs]]
name = "Tones"
source = "{stems.name}"
tracks = [{{ name = "low", profile = "GUITAR" }}, {{ name = "high" }}]
""")
    dump = OscDump()
    try:
        with PythonOscReceiver() as osc:
            proc = start_engine(["--config", str(rig), "--device", "system", "--osc-port", str(osc.port),
                                 "--control-reply-to", f"127.0.0.1:{dump.port}",
                                 "--stats-json", str(tmp_path / "s.json")], env=jack_server.env)
            try:
                assert wait_for(lambda: settled_on(osc.received, 0, 4), HANG_S)  # the demo: 4 tracks
                # the next song: 2 tracks, their addresses only, its profiles
                _send(control_port, "/mirage/song/next")
                assert wait_for(lambda: _dumped(dump, '/mirage/state/song is 1 "Tones"'))
                mark = len(osc.received)
                assert wait_for(lambda: settled_on(osc.received, mark, 2))
                names = {a: args[0] for a, args in features(osc.received, mark)[-4:]}
                assert names == {"/LFmsg_ch0": "GUITAR", "/LFmsg_ch1": "DEFAULT"}  # DEFAULT: mirage-code's default
                # a track's profile: answered, and the string changes at a hop
                _send(control_port, "/mirage/track/1/profile", "s", "voice")
                assert wait_for(lambda: _dumped(dump, '/mirage/state/track/1/profile s "VOICE"'))
                mark = len(osc.received)
                assert wait_for(lambda: any(args[0] == "VOICE" for a, args in features(osc.received, mark)
                                            if a == "/LFmsg_ch1"))
                # the transport: stopped, no features between two status messages; started, they flow
                _send(control_port, "/mirage/transport/stop")
                assert wait_for(lambda: _dumped(dump, "/mirage/state/transport i 0"))
                mark = len(osc.received)
                assert wait_for(lambda: sum(a == "/mirage/status" for a, _ in list(osc.received)[mark:]) >= 2, HANG_S)
                received = list(osc.received)
                first, second = [i for i, (a, _) in enumerate(received) if a == "/mirage/status" and i >= mark][:2]
                assert not features(received[first:second])
                _send(control_port, "/mirage/transport/start")
                assert wait_for(lambda: _dumped(dump, "/mirage/state/transport i 1"))
                mark = len(osc.received)
                assert wait_for(lambda: len(features(osc.received, mark)) >= 6)
                # back by name: 4 tracks again, the demo's stem profiles
                _send(control_port, "/mirage/song", "s", "opening")
                assert wait_for(lambda: _dumped(dump, '/mirage/state/song is 0 "Opening"'))
                mark = len(osc.received)
                assert wait_for(lambda: settled_on(osc.received, mark, 4))
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(timeout=HANG_S) == 0
                stderr = proc.stderr.read()
            finally:
                proc.kill()
    finally:
        dump.stop()
    stats = read_stats(tmp_path / "s.json")
    assert "Traceback" not in stderr
    assert stats["songs"] == ["Opening", "Tones"] and stats["song"] == 0
    assert len(stats["song_changes_ms"]) == 2 and all(ms is not None for ms in stats["song_changes_ms"])
    assert stats["emotion_resets"] >= 1
    assert stats["control"]["bad_input"] == {}
    assert stats["dropped_frames"] == 0


def short_song(folder, hz: float, seconds: float = 1.5):
    folder.mkdir()
    t = np.arange(int(seconds * 48000)) / 48000
    sf.write(folder / "a.wav", (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32), 48000)
    return folder


@pytest.mark.parametrize("advance, song, ends", [("next", 1, True), ("stop", 0, True), ("hold", 0, False)])
def test_at_a_songs_end_next_stop_or_hold(tmp_path, advance, song, ends):
    """next: the second song follows, and its end ends the run; stop: the first song's end
    ends it; hold: it waits (until --duration here)."""
    from tests.engine_runs import run_engine

    short_song(tmp_path / "one", 330.0)
    short_song(tmp_path / "two", 440.0)
    rig = tmp_path / "rig.toml"
    rig.write_text('[[songs]]\nsource = "one"\n[[songs]]\nsource = "two"\n')
    done = run_engine(["--config", str(rig), "--clock", "--no-emotion", "--advance", advance,
                       "--duration", "20" if ends else "4",
                       "--stats-json", str(tmp_path / "s.json")], timeout_s=120)
    assert done.returncode == 0, done.stderr
    stats = read_stats(tmp_path / "s.json")
    assert stats["song"] == song
    assert len(stats["song_changes_ms"]) == (1 if advance == "next" else 0)
    frames = int((1.5 * 48000 - 2048) // 512) + 1  # every frame of one song
    assert stats["hops_sent"] == frames * (2 if advance == "next" else 1)
    assert ("song 0 ended: next, 1 (two)" in done.stderr) == (advance == "next")
    if ends:  # long before --duration
        assert stats["callbacks"] * 512 < 10 * 48000
