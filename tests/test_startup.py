"""What `mirage run` says when it starts (mirage.startup): the OSC addresses and argument
counts from the encoders, the destinations, the input → track mapping, how to stop."""

from __future__ import annotations

import re
import socket

import pytest
from pythonosc.osc_message_builder import OscMessageBuilder

from mirage.osc.emotion_encoder import EmotionEncoder
from mirage.osc.hop_encoder import make_hop_encoder
from mirage.startup import STOP_HINT, startup_lines
from tests.engine_runs import start_engine
from tests.osc_receivers import PythonOscReceiver, free_udp_port, wait_for


def lines_for(profile="readme", n_tracks=6, *, emotion=True, bundle=True, **kwargs):
    return startup_lines(source_label="demo", sr_hz=48000.0, hop_samples=512,
                         hop_encoder=make_hop_encoder(n_tracks, profile=profile, bundle=bundle),
                         emotion_encoder=EmotionEncoder(profile), emotion=emotion,
                         targets=kwargs.pop("targets", ["127.0.0.1:12345"]), **kwargs)


def test_readme_profile():
    assert lines_for() == [
        "demo: 6 track(s) at 48000 Hz, hop 512, OSC profile readme",
        "OSC out: /Lfmsg_ch0..5 (8 floats), /Hfmsg_ch0 (2 floats), /mirage/status (5 ints, 1 string) → 127.0.0.1:12345",
    ]


def test_mirage_code_profile_without_emotion_to_two_targets_unbundled():
    assert lines_for("mirage-code", emotion=False, bundle=False, targets=["127.0.0.1:12345", "10.0.0.2:9000"]) == [
        "demo: 6 track(s) at 48000 Hz, hop 512, OSC profile mirage-code, no emotion",
        "OSC out: /LFmsg_ch0..5 (name + 4 floats + 0–4 pitches), /mirage/status (5 ints, 1 string)"
        " → 127.0.0.1:12345, 10.0.0.2:9000 (plain messages, no bundles)",
    ]


def test_input_to_track_mapping():
    lines = lines_for(n_tracks=2, input_channels=[2, 6])
    assert lines[-1] == "inputs: input 3 → track 0 (/Lfmsg_ch0), input 7 → track 1 (/Lfmsg_ch1)"
    assert lines_for("mirage-code", n_tracks=1, input_channels=[0])[-1] == "inputs: input 1 → track 0 (/LFmsg_ch0)"


def test_a_run_says_it_and_logs_plain_lines_when_stderr_is_not_a_terminal():
    """`mirage run demo -o HOST:PORT`, stderr a pipe: the start-up lines, then a mistyped
    control address logged as a plain ``mirage:`` line (no escape codes); the features go
    only to the -o destination."""
    control_port = free_udp_port()
    with PythonOscReceiver() as osc:
        proc = start_engine(["demo", "--clock", "--no-emotion", "--duration", "2", "-o", f"127.0.0.1:{osc.port}",
                             "--control-port", str(control_port), "--no-zeroconf"])
        try:
            head = []
            while STOP_HINT not in (line := proc.stderr.readline()):
                assert line, "".join(head)
                head.append(line)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.sendto(OscMessageBuilder("/mirage/emotion/rest").build().dgram, ("127.0.0.1", control_port))
            assert proc.wait(timeout=60) == 0
            rest = proc.stderr.read()
        finally:
            proc.kill()
        assert wait_for(lambda: any(a == "/Lfmsg_ch3" for a, _ in list(osc.received)), 5)
    head = [line.rstrip("\n") for line in head  # notices: no sound card; a cold cache's compiling line
            if not line.startswith("mirage: notice:") and "compiling the audio kernels, once" not in line]
    assert head == [
        "mirage: demo: 4 track(s) at 44100 Hz, hop 512, OSC profile readme, no emotion",
        f"mirage: OSC out: /Lfmsg_ch0..3 (8 floats), /mirage/status (5 ints, 1 string) → 127.0.0.1:{osc.port}",
        f"mirage: control: OSC in on udp 127.0.0.1:{control_port}, senders: any sender; state answered to the sender",
        f"mirage: control: OSCQuery namespace on http://127.0.0.1:{control_port}/",
    ]
    assert ("mirage: control: ignored /mirage/emotion/rest (not a MIRAGE command) (the next ones are only counted)"
            in rest.splitlines())
    assert not re.search(r"\x1b\[", rest)


@pytest.mark.jack
def test_live_channels_name_the_input_of_each_track(jack_server):
    proc = start_engine(["-i", "live", "-d", "system", "-c", "2,1", "--no-emotion", "--duration", "1",
                         "-o", f"127.0.0.1:{free_udp_port()}"])
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "mirage: inputs: input 2 → track 0 (/Lfmsg_ch0), input 1 → track 1 (/Lfmsg_ch1)" in err.splitlines()
