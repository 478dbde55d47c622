"""`mirage setup`: the questions answered on stdin (a pipe), the rig file it writes read back by
the rig parser and run; wrong answers asked again; end of input and an existing file: one line, exit 2."""

from __future__ import annotations

import signal
import subprocess

from mirage.rig_file import load_rig
from tests.engine_runs import mirage_command, read_stats, start_engine
from tests.osc_receivers import HANG_S, PythonOscReceiver, free_udp_port, wait_for
from tests.test_rig_run import two_tone_stems


def setup(tmp_path, answers: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(mirage_command("setup", "--out", str(tmp_path / "rig.toml"), *extra), input=answers,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_piped_answers_write_a_two_song_rig_that_runs_on_jack(jack_server, tmp_path):
    stems = two_tone_stems(tmp_path / "tones")
    port = free_udp_port()
    answers = "\n".join([
        "recorded",                 # 1. live or recorded
        "",                         # 2. the song: Enter = 1, the demo
        "perhaps", "n",             # 3. hear it: a wrong answer, asked again; no
        "", "strings", "", "",      # 4. the demo's 4 tracks: Enter keeps the stem's profile
        "y",                        # another song
        str(tmp_path / "nowhere"), str(stems),  # 2. a path that is not there, asked again
        "voice", "",                # 4. its two tracks
        "n",                        # no more songs
        "osc", "0", str(port),      # 5. a controller: OSC, a port out of range, asked again
    ]) + "\n"
    done = setup(tmp_path, answers)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("answer one of yes, no; again") == 1
    assert done.stdout.count("nor an existing file or folder") == 1
    assert done.stdout.count("a UDP port is a number within 1..65535; again") == 1

    rig = load_rig(tmp_path / "rig.toml")
    assert rig.options == {"no_play": True, "control_port": port, "osc_profile": "mirage-code"}
    assert [s.title for s in rig.songs] == ["demo", "tones"]
    assert [t.profile for t in rig.songs[0].tracks] == ["GUITAR", "STRINGS", "DRUMS", "VOICE"]
    assert [t.profile for t in rig.songs[1].tracks] == ["VOICE", "DEFAULT"]

    with PythonOscReceiver() as osc:
        proc = start_engine(["--config", str(tmp_path / "rig.toml"), "--device", "system", "--no-zeroconf",
                             "--osc-port", str(osc.port), "--song", "1", "--stats-json", str(tmp_path / "s.json")],
                            env=jack_server.env)
        try:
            assert wait_for(lambda: {a for a, _ in list(osc.received)} >= {"/LFmsg_ch0", "/LFmsg_ch1"}, HANG_S)
            subprocess.run(["oscsend", "127.0.0.1", str(port), "/mirage/song/prev"], check=True, timeout=10)
            assert wait_for(lambda: any(a == "/LFmsg_ch3" for a, _ in list(osc.received)), HANG_S)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=HANG_S) == 0
        finally:
            proc.kill()
    stats = read_stats(tmp_path / "s.json")
    assert stats["songs"] == ["demo", "tones"] and stats["song"] == 0
    first_tones = next(args for a, args in osc.received if a == "/LFmsg_ch0")
    assert first_tones[0] == "VOICE"


def test_the_end_of_the_answers_is_one_line_and_exit_2(tmp_path):
    done = setup(tmp_path, "live\n")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "mirage: error: setup: the answers ended before this question: 2. Which inputs are the tracks? "
        "(1-based, e.g. 1-2 or 1,3)"]
    assert not (tmp_path / "rig.toml").exists()


def test_an_existing_rig_file_is_not_overwritten_unless_forced(tmp_path):
    (tmp_path / "rig.toml").write_text("# mine\n")
    done = setup(tmp_path, "live\n1-2\n\n\nn\n\n")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "exists; not overwritten" in done.stderr
    assert (tmp_path / "rig.toml").read_text() == "# mine\n"
    done = setup(tmp_path, "live\n1,3\n\nguitar\nn\nmidi\npedal\n", "--force")
    assert done.returncode == 0, done.stderr
    rig = load_rig(tmp_path / "rig.toml")
    assert rig.options["control_midi"] == "pedal"
    assert [(t.channel, t.profile) for t in rig.songs[0].tracks] == [(1, "DEFAULT"), (3, "GUITAR")]
