"""The controller end to end: a real `mirage run` on JACK, commands from liblo's `oscsend`,
the state answers seen by liblo's `oscdump` (``--control-reply-to``), the features by a
python-osc server, the namespace by a real HTTP client (OSCQuery)."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.engine_runs import read_stats, start_engine
from tests.osc_receivers import HANG_S, OSCDUMP, OscDump, PythonOscReceiver, free_udp_port, wait_for

OSCSEND = shutil.which("oscsend")
pytestmark = pytest.mark.skipif(OSCSEND is None or OSCDUMP is None,
                                reason="liblo-tools (oscsend, oscdump) is installed by `make test`")


def _send(port: int, address: str, *typed: str) -> None:
    subprocess.run([OSCSEND, "127.0.0.1", str(port), address, *typed], check=True, timeout=10)


def _get(port: int, path: str):
    """(status, JSON body or None) of ``GET path`` on the OSCQuery server."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            body = answer.read()
            assert not body or answer.headers["Content-Type"] == "application/json"
            return answer.status, json.loads(body) if body else None
    except urllib.error.HTTPError as exc:
        return exc.code, None


def _dumped(dump: OscDump, text: str) -> bool:
    return any(line.split(" ", 1)[1] == text for line in list(dump.lines) if " " in line)


def _since(received, start, address):
    return [args for a, args in received[start:] if a == address]


@pytest.mark.jack
def test_oscsend_commands_on_jack_answered_in_oscdump_and_oscquery_lists_them(jack_server, tmp_path):
    control_port = free_udp_port()
    dump = OscDump()
    try:
        with PythonOscReceiver() as osc:
            proc = start_engine(["demo", "--device", "system", "--osc-profile", "mirage-code", "--no-zeroconf",
                                 "--osc-port", str(osc.port), "--control-port", str(control_port),
                                 "--control-reply-to", f"127.0.0.1:{dump.port}",
                                 "--stats-json", str(tmp_path / "s.json")], env=jack_server.env)
            try:
                assert wait_for(lambda: any(a == "/LFmsg_ch1" for a, _ in list(osc.received)), HANG_S)
                # a song (the one there is), by index; one that is not there: the truth comes back
                _send(control_port, "/mirage/song", "i", "0")
                assert wait_for(lambda: _dumped(dump, '/mirage/state/song is 0 "demo"'))
                _send(control_port, "/mirage/song", "i", "5")
                assert wait_for(lambda: [x.split(" ", 1)[1] for x in list(dump.lines) if "/mirage/state/song " in x]
                                == ['/mirage/state/song is 0 "demo"'] * 2)
                # a track's profile: answered, and the mirage-code string of its messages changes
                _send(control_port, "/mirage/track/1/profile", "s", "voice")
                assert wait_for(lambda: _dumped(dump, '/mirage/state/track/1/profile s "VOICE"'))
                mark = len(osc.received)
                assert wait_for(lambda: any(args[0] == "VOICE" for args in _since(osc.received, mark, "/LFmsg_ch1")))
                # the transport: stopped, no features between two status messages; started, they flow
                _send(control_port, "/mirage/transport/stop")
                assert wait_for(lambda: _dumped(dump, "/mirage/state/transport i 0"))
                mark = len(osc.received)
                assert wait_for(lambda: len(_since(osc.received, mark, "/mirage/status")) >= 2, HANG_S)
                received = list(osc.received)
                first, second = [i for i, (a, _) in enumerate(received) if a == "/mirage/status" and i >= mark][:2]
                assert not [a for a, _ in received[first:second] if a.startswith(("/LF", "/HF"))]
                _send(control_port, "/mirage/transport/start")
                assert wait_for(lambda: _dumped(dump, "/mirage/state/transport i 1"))
                mark = len(osc.received)
                assert wait_for(lambda: len(_since(osc.received, mark, "/LFmsg_ch0")) >= 3)
                _send(control_port, "/mirage/emotion/reset")
                assert wait_for(lambda: _dumped(dump, "/mirage/state/emotion/reset i 1"))

                # OSCQuery: what a client (ossia score, Chataigne, VDMX) reads
                status, info = _get(control_port, "/?HOST_INFO")
                assert status == 200
                assert (info["OSC_PORT"], info["OSC_TRANSPORT"], info["OSC_IP"]) == (control_port, "UDP", "127.0.0.1")
                assert info["EXTENSIONS"]["ACCESS"] and info["EXTENSIONS"]["RANGE"]
                status, tree = _get(control_port, "/")
                mirage = tree["CONTENTS"]["mirage"]["CONTENTS"]
                assert set(mirage) >= {"transport", "song", "track", "emotion", "state", "status"}
                assert mirage["transport"]["CONTENTS"]["start"] == {
                    "FULL_PATH": "/mirage/transport/start", "TYPE": "N", "ACCESS": 2,
                    "DESCRIPTION": "start: a recorded song plays, live input is sent"}
                song = mirage["song"]
                assert (song["TYPE"], song["ACCESS"], song["VALUE"], song["RANGE"]) == ("i", 3, [0], [{"MIN": 0, "MAX": 0}])
                profile = mirage["track"]["CONTENTS"]["1"]["CONTENTS"]["profile"]
                assert (profile["TYPE"], profile["VALUE"]) == ("s", ["VOICE"])
                assert "DRUMS" in profile["RANGE"][0]["VALS"]
                features = tree["CONTENTS"]["LFmsg_ch1"]
                assert (features["TYPE"], features["ACCESS"]) == ("sffffffff", 1)
                assert features["UNIT"][1] == "time.hz" and features["RANGE"][1] == {"MIN": 0.0, "MAX": 24000.0}
                assert features["RANGE"][5] == {"MIN": 0.0, "MAX": 4000.0}  # VOICE's pitch range
                assert tree["CONTENTS"]["HFmsg_ch0"]["RANGE"] == [{"MIN": -1.0, "MAX": 1.0}] * 2
                assert mirage["status"]["TYPE"] == "iiiiis"
                assert _get(control_port, "/mirage/track/1/profile?VALUE") == (200, {"VALUE": ["VOICE"]})
                assert _get(control_port, "/mirage/transport?VALUE") == (200, {"VALUE": [1]})
                assert _get(control_port, "/mirage/transport/start?VALUE") == (204, None)
                assert _get(control_port, "/mirage/song?NO_SUCH_ATTRIBUTE") == (400, None)
                assert _get(control_port, "/mirage/nowhere") == (404, None)
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(timeout=HANG_S) == 0
                stderr = proc.stderr.read()
            finally:
                proc.kill()
    finally:
        dump.stop()
    control = read_stats(tmp_path / "s.json")["control"]
    assert control["received"] == {"/mirage/song": 2, "/mirage/track/{}/profile": 1, "/mirage/transport/stop": 1,
                                   "/mirage/transport/start": 1, "/mirage/emotion/reset": 1}
    assert control["bad_input"] == {"out_of_range": 1}
    assert control["osc"]["reply_errors"] == 0
    assert control["oscquery"]["requests"] == {"ok": 5, "not_found": 1, "bad_request": 1, "not_allowed": 0, "failed": 0}
    assert "control: /mirage/song 5: no such song" in stderr
    assert "Traceback" not in stderr


def test_bound_wide_a_sender_outside_the_allow_list_is_dropped_and_counted(tmp_path):
    """--control-host 0.0.0.0 --control-allow 192.0.2.0/24: this machine's commands are
    dropped unread (counted, logged once); the OSCQuery server, on the same host, answers it 403."""
    control_port = free_udp_port()
    with PythonOscReceiver() as osc:
        proc = start_engine(["demo", "--clock", "--no-emotion", "--osc-port", str(osc.port), "--no-zeroconf",
                             "--control-port", str(control_port), "--control-host", "0.0.0.0",
                             "--control-allow", "192.0.2.0/24", "--stats-json", str(tmp_path / "s.json")])
        try:
            assert wait_for(lambda: any(a == "/Lfmsg_ch0" for a, _ in list(osc.received)), HANG_S)
            for _ in range(3):
                _send(control_port, "/mirage/transport/stop")
            assert _get(control_port, "/?HOST_INFO") == (403, None)  # nor the namespace
            mark = len(osc.received)
            assert wait_for(lambda: len(_since(osc.received, mark, "/Lfmsg_ch0")) >= 5)  # never stopped
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=HANG_S) == 0
            stderr = proc.stderr.read()
        finally:
            proc.kill()
    stats = read_stats(tmp_path / "s.json")
    assert stats["control"]["bad_input"] == {"not_allowed": 3}
    assert stats["control"]["oscquery"]["requests"]["not_allowed"] == 1
    assert stats["control"]["received"] == {}
    assert stats["hops_paused"] == 0
    assert stderr.count("not in --control-allow 192.0.2.0/24") == 1


def test_control_options_are_checked_before_anything_starts():
    from tests.engine_runs import run_engine

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:  # an OSCQuery port in use
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        tcp_port = taken.getsockname()[1]
        done = run_engine(["demo", "--clock", "--duration", "1", "--control-port", str(free_udp_port()),
                           "--oscquery-port", str(tcp_port)], timeout_s=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"--oscquery-port {tcp_port}: cannot listen on 127.0.0.1:{tcp_port}" in done.stderr

    for args, text in [(["--control-port", "9000", "--control-allow", "10.0.0/33"], "--control-allow '10.0.0/33'"),
                       (["--control-allow", "10.0.0.0/8"], "--control-allow needs --control-port"),
                       (["--control-port", "9000", "--control-reply-to", "nowhere"], "--control-reply-to"),
                       (["--control-port", "9000", "--oscquery-port", "70000"], "--oscquery-port must be")]:
        done = run_engine(["demo", "--clock", "--duration", "1", *args], timeout_s=60)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and text in done.stderr, done.stderr
