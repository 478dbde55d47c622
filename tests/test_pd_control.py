"""The Pure Data control surface (`examples/puredata/mirage-control.pd`) run for real: Debian's
`pd`, headless, driving a running `mirage run` over OSC and printing the `/mirage/state`
answers MIRAGE sends back (``--control-reply-to``).

The harness patch holds ``[mirage-control PORT REPLYPORT]`` and a FUDI ``[netreceive]`` through
which the test presses the surface's buttons (``mirage-next bang;`` → ``[s mirage-next]``).
Each command must come back as Pd's print of the new state, and MIRAGE must have counted every
command and no bad input (a wrongly formatted message from the patch would be counted)."""

from __future__ import annotations

import signal
import socket

from tests.engine_runs import read_stats, start_engine
from tests.osc_receivers import HANG_S, PythonOscReceiver, free_udp_port, wait_for
from tests.test_pd_receiver import PdProcess, require_pd

BUTTONS = ("mirage-next", "mirage-prev", "mirage-start", "mirage-stop", "mirage-reset", "mirage-query",
           "mirage-song", "mirage-profile")


def _harness(control_port: int, reply_port: int, fudi_port: int) -> str:
    lines = ["#N canvas 0 50 400 200 12;", f"#X obj 10 10 mirage-control {control_port} {reply_port};",
             f"#X obj 10 40 netreceive -u {fudi_port};", f"#X obj 10 70 route {' '.join(BUTTONS)};"]
    lines += [f"#X obj {10 + 110 * i} 100 s {name};" for i, name in enumerate(BUTTONS)]
    lines += ["#X connect 1 0 2 0;"] + [f"#X connect 2 {i} {3 + i} 0;" for i in range(len(BUTTONS))]
    return "\n".join(lines) + "\n"


def test_the_pd_control_surface_drives_mirage_and_shows_its_state(tmp_path):
    require_pd()
    control_port, reply_port, fudi_port = free_udp_port(), free_udp_port(), free_udp_port()
    with PythonOscReceiver() as osc, PdProcess(tmp_path, _harness(control_port, reply_port, fudi_port)) as pd, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hand:
        engine = start_engine(["demo", "--clock", "--no-emotion", "--osc-profile", "mirage-code", "--no-zeroconf",
                               "--osc-port", str(osc.port), "--control-port", str(control_port),
                               "--control-reply-to", f"127.0.0.1:{reply_port}",
                               "--stats-json", str(tmp_path / "s.json")])

        def press(fudi: str) -> None:
            hand.sendto(fudi.encode() + b";\n", ("127.0.0.1", fudi_port))

        def shows(line: str, count: int = 1) -> bool:
            return pd.lines().count(f"mirage-state: {line}") >= count

        try:
            assert wait_for(lambda: any(a == "/LFmsg_ch0" for a, _ in list(osc.received)), HANG_S)
            # Pd's sockets open at load; the first query that gets through is answered in full
            assert wait_for(lambda: press("mirage-query bang") or shows("songs demo"), HANG_S), pd.lines()
            queries = pd.lines().count("mirage-state: songs demo")
            assert shows("tracks 4") and shows("transport 1")
            for button, answer in [("mirage-profile 1 VOICE", "track 1 profile VOICE"),
                                   ("mirage-stop bang", "transport 0"), ("mirage-start bang", "transport 1"),
                                   ("mirage-song 0", "song 0 demo"), ("mirage-song symbol demo", "song 0 demo"),
                                   ("mirage-next bang", "song 0 demo"), ("mirage-reset bang", "emotion reset 1")]:
                before = pd.lines().count(f"mirage-state: {answer}")
                press(button)
                assert wait_for(lambda: shows(answer, before + 1), HANG_S), (button, pd.lines()[-10:])
            assert wait_for(lambda: any(a == "/LFmsg_ch1" and args[0] == "VOICE" for a, args in list(osc.received)))
            engine.send_signal(signal.SIGTERM)
            assert engine.wait(timeout=HANG_S) == 0
        finally:
            engine.kill()
    control = read_stats(tmp_path / "s.json")["control"]
    assert control["bad_input"] == {}, control
    assert control["received"].pop("/mirage/state") >= queries  # a last one may have been in flight
    assert control["received"] == {"/mirage/track/{}/profile": 1,
                                   "/mirage/transport/stop": 1, "/mirage/transport/start": 1, "/mirage/song": 2,
                                   "/mirage/song/next": 1, "/mirage/emotion/reset": 1}
