"""OSC control input (`mirage run --control-port`): commands from a real sender (liblo's
`oscsend`) reach the engine; bad datagrams and unknown addresses are counted, never fatal."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time

import numpy as np
import pytest
import soundfile as sf
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder

from mirage.control import ControlReceiver
from mirage.control.addresses import EMOTION_RESET as RESET_EMOTION
from mirage.control.addresses import SONG, STATE_SONG
from mirage.control.allow_list import AllowList
from mirage.control.commands import ControlCommands
from mirage.control.osc_receiver import encode_message, parse_datagram
from mirage.errors import InputError, ParameterError
from tests.control_targets import Setlist
from tests.engine_runs import read_stats, run_engine, start_engine
from tests.osc_receivers import HANG_S, PythonOscReceiver, free_udp_port, wait_for

OSCSEND = shutil.which("oscsend")
SONG_S = 8.0


def _song(tmp_path):
    """An 8 s tone: a run that ends by itself, after which the engine lets the emotion worker
    read the whole mix (so a reset requested while it plays is served before the stats are
    written, whatever the load; a --duration would stop the worker wherever it is)."""
    sr_hz = 48000
    t = np.arange(int(SONG_S * sr_hz)) / sr_hz
    tone = (0.2 * np.sin(2 * np.pi * 330 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 1.5 * t))).astype(np.float32)
    path = tmp_path / "song.wav"
    sf.write(path, tone, sr_hz, subtype="FLOAT")
    return str(path)


def _count(osc, address, start=0):
    return sum(1 for a, _ in osc.received[start:] if a == address)


def _read_stderr_until(proc, needle, timeout_s=HANG_S):
    """The engine's stderr lines up to the one containing ``needle`` (the status display
    keeps writing, so this never blocks long), for a command the test must know handled."""
    lines, deadline = [], time.monotonic() + timeout_s
    while not lines or needle not in lines[-1]:
        lines.append(proc.stderr.readline())
        assert lines[-1] and time.monotonic() < deadline, f"engine never logged {needle!r}: {lines[-5:]}"
    return lines


def _message(address: str):
    return OscMessageBuilder(address).build()


def _receiver(target=None, **kwargs) -> ControlReceiver:
    return ControlReceiver(0, ControlCommands(target or Setlist()), host="127.0.0.1", **kwargs)


def test_messages_and_bundles_reach_the_commands_and_the_rest_is_counted():
    setlist = Setlist()
    receiver = _receiver(setlist)
    try:
        receiver.handle(_message(RESET_EMOTION).dgram)
        bundle = OscBundleBuilder(IMMEDIATELY)
        bundle.add_content(_message(RESET_EMOTION))
        bundle.add_content(_message("/mirage/emotion/rest"))  # a typo
        receiver.handle(bundle.build().dgram)
        receiver.handle(b"not an OSC packet")
        receiver.handle(b"")
    finally:
        receiver.stop()
    assert setlist.resets == 2
    assert receiver.commands.stats()["received"] == {RESET_EMOTION: 2}
    assert receiver.bad.nonzero() == {"unknown_address": 1, "not_osc": 2}


def test_a_failing_command_does_not_end_the_control():
    setlist = Setlist()
    setlist.reset_emotion = lambda: 1 / 0
    with _receiver(setlist) as receiver:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(_message(RESET_EMOTION).dgram, ("127.0.0.1", receiver.port))
            assert wait_for(lambda: receiver.commands.received[RESET_EMOTION] == 1)
            s.sendto(_message(RESET_EMOTION).dgram, ("127.0.0.1", receiver.port))
            assert wait_for(lambda: receiver.commands.received[RESET_EMOTION] == 2)
    assert receiver.bad.nonzero() == {"command_failed": 2}


def test_the_sender_gets_the_new_state_from_the_control_port():
    """A control surface's own socket: each command is answered to its address and port."""
    with _receiver() as receiver, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as surface:
        surface.settimeout(HANG_S)
        surface.sendto(encode_message(SONG, ("Finale",)), ("127.0.0.1", receiver.port))
        data, source = surface.recvfrom(65536)
        assert parse_datagram(data) == [(STATE_SONG, (2, "Finale"))]
        assert source == ("127.0.0.1", receiver.port)


def test_a_sender_outside_the_allow_list_is_dropped_unread_and_counted():
    setlist = Setlist()
    with _receiver(setlist, allow=AllowList(["192.0.2.0/24"])) as receiver:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.5)
            for _ in range(3):
                s.sendto(_message(RESET_EMOTION).dgram, ("127.0.0.1", receiver.port))
            assert wait_for(lambda: receiver.datagrams == 3)
            with pytest.raises(TimeoutError):
                s.recv(65536)  # no answer either
    assert setlist.resets == 0
    assert receiver.bad.nonzero() == {"not_allowed": 3}
    assert AllowList(["127.0.0.0/8", "10.0.0.7"]).permits("127.0.0.1")
    assert not AllowList(["10.0.0.7"]).permits("10.0.0.8")
    with pytest.raises(ParameterError, match="--control-allow '10.0.0/33'"):
        AllowList(["10.0.0/33"])


@pytest.mark.skipif(OSCSEND is None, reason="liblo-tools (oscsend) is installed by `make test`")
def test_liblo_oscsend_reaches_the_receiver():
    setlist = Setlist()
    with _receiver(setlist) as receiver:
        subprocess.run([OSCSEND, "127.0.0.1", str(receiver.port), RESET_EMOTION], check=True, timeout=10)
        subprocess.run([OSCSEND, "127.0.0.1", str(receiver.port), SONG, "s", "Blue Room"], check=True, timeout=10)
        subprocess.run([OSCSEND, "127.0.0.1", str(receiver.port), "/mirage/track/1/profile", "s", "piano"],
                       check=True, timeout=10)
        assert wait_for(lambda: receiver.datagrams == 3), receiver.stats()
    assert (setlist.resets, setlist.song, setlist.profiles) == (1, 1, ["DEFAULT", "PIANO"])


def test_a_port_in_use_is_a_one_line_input_error():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(InputError, match=f"--control-port {port}: cannot listen"):
            ControlReceiver(port, ControlCommands(Setlist()), host="127.0.0.1")


def test_run_with_a_taken_control_port_exits_2_in_one_line():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("0.0.0.0", 0))
        port = taken.getsockname()[1]
        done = run_engine(["--input", "demo", "--clock", "--duration", "1", "--control-port", str(port)],
                          timeout_s=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert any(f"--control-port {port}" in line and "error" in line for line in done.stderr.splitlines())


@pytest.mark.skipif(OSCSEND is None, reason="liblo-tools (oscsend) is installed by `make test`")
def test_emotion_reset_through_a_running_engine(tmp_path):
    """`oscsend` → /mirage/emotion/reset while the demo plays: the worker serves it, the mood
    keeps coming and the per-hop stream never pauses; a typo is logged and counted."""
    control_port = free_udp_port()
    with PythonOscReceiver() as osc:
        proc = start_engine(["--input", _song(tmp_path), "--clock", "--osc-port", str(osc.port),
                             "--control-port", str(control_port), "--stats-json", str(tmp_path / "s.json")])
        try:
            assert wait_for(lambda: _count(osc, "/Hfmsg_ch0") > 0, HANG_S), "no mood before the reset"
            subprocess.run([OSCSEND, "127.0.0.1", str(control_port), RESET_EMOTION], check=True, timeout=10)
            subprocess.run([OSCSEND, "127.0.0.1", str(control_port), "/mirage/emotion/rest"], check=True,
                           timeout=10)
            reset_at = len(osc.received)
            assert proc.wait(timeout=HANG_S) == 0
            stderr = proc.stderr.read()
        finally:
            proc.kill()
        stats = read_stats(tmp_path / "s.json")
        assert wait_for(lambda: _count(osc, "/Lfmsg_ch0") >= stats["hops_sent"]
                        and _count(osc, "/Hfmsg_ch0") >= stats["emotion_sent"], HANG_S)
    assert stats["control"]["received"] == {RESET_EMOTION: 1}
    assert stats["control"]["bad_input"] == {"unknown_address": 1}
    assert stats["emotion_resets"] == 1
    assert "emotion context reset requested (#1)" in stderr
    assert "control: ignored /mirage/emotion/rest (not a MIRAGE command)" in stderr
    assert _count(osc, "/Hfmsg_ch0", reset_at) >= 3  # the mood goes on
    assert _count(osc, "/Lfmsg_ch0") == stats["hops_sent"]
    assert stats["dropped_frames"] == 0


def test_a_missing_midi_input_exits_2_naming_it():
    done = run_engine(["--input", "demo", "--clock", "--duration", "1", "--control-midi", "no-such-port-xyz"],
                      timeout_s=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert any("no-such-port-xyz" in line and "error" in line for line in done.stderr.splitlines()), done.stderr


@pytest.mark.jack
def test_midi_program_change_song_select_and_realtime_transport(jack_server, tmp_path):
    """A foot controller on a JACK MIDI port: Program Change 0 and Song Select 0 select the
    one song (each starts it again, a new mood context), Stop and Start drive the transport
    (the recorded song pauses: the features stop and come back), Program Change 4 is out of
    range (counted); notes are counted and ignored. The new state goes to --control-reply-to
    (no OSC sender to answer)."""
    import uuid

    import rtmidi

    pedal = rtmidi.MidiOut(rtmidi.API_UNIX_JACK)
    name = f"mirage-pedal-{uuid.uuid4().hex[:6]}"
    pedal.open_virtual_port(name)
    try:
        with PythonOscReceiver() as osc, PythonOscReceiver() as surface:
            proc = start_engine(["--input", _song(tmp_path), "--clock", "--osc-port", str(osc.port),
                                 "--control-midi", name, "--control-port", str(free_udp_port()), "--no-oscquery",
                                 "--control-reply-to", f"127.0.0.1:{surface.port}",
                                 "--stats-json", str(tmp_path / "s.json")])
            try:
                assert wait_for(lambda: _count(osc, "/Hfmsg_ch0") > 0, HANG_S), "no mood before the pedal"
                pedal.send_message([0x90, 60, 100])  # note on, channel 1
                pedal.send_message([0xC0 | 9, 0])    # program change 0, channel 10
                head = _read_stderr_until(proc, "emotion context reset requested (#1)")
                hops = _count(osc, "/Lfmsg_ch0")     # handled, and hops later: two separate resets
                assert wait_for(lambda: _count(osc, "/Lfmsg_ch0") >= hops + 2, HANG_S)
                pedal.send_message([0x80, 60, 0])
                pedal.send_message([0xF3, 0])        # song select
                pedal.send_message([0xC0, 4])        # program change 4: no such song
                pedal.send_message([0xFC])           # stop
                assert wait_for(lambda: ("/mirage/state/transport", [0]) in surface.received, HANG_S)
                time.sleep(0.5)                      # paused: ~40 hops that are not computed
                pedal.send_message([0xFA])           # start
                assert wait_for(lambda: ("/mirage/state/transport", [1]) in surface.received, HANG_S)
                assert proc.wait(timeout=HANG_S) == 0
                stderr = "".join(head) + proc.stderr.read()
            finally:
                proc.kill()
            stats = read_stats(tmp_path / "s.json")
            assert wait_for(lambda: _count(osc, "/Lfmsg_ch0") >= stats["hops_sent"])
    finally:
        pedal.delete()
    midi = stats["control"]["midi"]
    assert midi["port"].endswith(name)
    assert midi["acted"] == {"program_change": 2, "song_select": 1, "stop": 1, "start": 1}
    assert midi["ignored"] == 2
    assert stats["control"]["bad_input"] == {"out_of_range": 1}
    assert stats["emotion_resets"] == 2
    assert "emotion context reset requested (#2)" in stderr
    assert stats["hops_paused"] == 0  # a recorded song pauses: nothing computed, nothing to drain
    assert _count(osc, "/Lfmsg_ch0") == stats["hops_sent"]
    # every frame of the song after its last restart, and those before it
    assert stats["hops_sent"] > int((SONG_S * 48000 - 2048) // 512) + 1
    assert [m for m in surface.received if m[0] == "/mirage/state/song"] == [("/mirage/state/song", [0, "song"])] * 3


@pytest.mark.skipif(OSCSEND is None, reason="liblo-tools (oscsend) is installed by `make test`")
def test_a_reset_without_the_emotion_model_is_logged_and_harmless(tmp_path):
    control_port = free_udp_port()
    with PythonOscReceiver() as osc:
        proc = start_engine(["--input", "demo", "--clock", "--no-emotion",
                             "--osc-port", str(osc.port), "--control-port", str(control_port),
                             "--stats-json", str(tmp_path / "s.json")])
        try:
            assert wait_for(lambda: _count(osc, "/Lfmsg_ch0") > 0, HANG_S)
            subprocess.run([OSCSEND, "127.0.0.1", str(control_port), RESET_EMOTION], check=True, timeout=10)
            # ended once the command is handled (it is logged), not when a --duration guesses
            stderr = "".join(_read_stderr_until(proc, "emotion reset ignored"))
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=HANG_S) == 0
            stderr += proc.stderr.read()
        finally:
            proc.kill()
    stats = read_stats(tmp_path / "s.json")
    assert stats["control"]["received"] == {RESET_EMOTION: 1}
    assert stats["emotion_resets"] == 0 and stats["emotion_sent"] == 0
    assert "emotion reset ignored: the emotion model is off" in stderr


def test_a_midi_map_is_checked_and_names_the_wrong_entry():
    from mirage.control.midi import DEFAULT_MIDI_MAP, check_midi_map, midi_message_kind

    assert check_midi_map(DEFAULT_MIDI_MAP) == DEFAULT_MIDI_MAP
    with pytest.raises(ParameterError, match="unknown message 'note_on'"):
        check_midi_map({"note_on": "song"})
    with pytest.raises(ParameterError, match="stop = 'pause' is not an action"):
        check_midi_map({"stop": "pause"})
    assert [midi_message_kind(m) for m in ([0xC5, 3], [0xF3, 1], [0xFA], [0xFB], [0xFC], [0x90, 60, 1], [])] == [
        "program_change", "song_select", "start", "continue", "stop", None, None]


@pytest.mark.jack
def test_a_changed_midi_map_acts_on_jack_midi(jack_server):
    """The rig file's map, here Program Change → a mood reset and Stop ignored, on a real JACK
    MIDI port: the setlist stays where it is, the transport keeps running."""
    import uuid

    import rtmidi

    from mirage.control.midi import MidiControl

    pedal = rtmidi.MidiOut(rtmidi.API_UNIX_JACK)
    name = f"mirage-pedal-{uuid.uuid4().hex[:6]}"
    pedal.open_virtual_port(name)
    setlist, states = Setlist(), []
    try:
        with MidiControl(name, ControlCommands(setlist), midi_map={"program_change": "emotion_reset",
                                                                     "stop": "ignore", "continue": "song_next"},
                         on_state=states.append) as midi:
            pedal.send_message([0xC0, 2])
            pedal.send_message([0xFC])
            pedal.send_message([0xFB])
            assert wait_for(lambda: len(states) == 2 and midi.ignored == 1)
    finally:
        pedal.delete()
    assert (setlist.resets, setlist.song, setlist.running) == (1, 1, True)
    assert states == [[("/mirage/state/emotion/reset", (1,))], [("/mirage/state/song", (1, "Blue Room"))]]
    assert midi.stats()["acted"] == {"program_change": 1, "continue": 1}
