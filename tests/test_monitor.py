"""`mirage monitor` run as a real process, fed by our sender."""

import io
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from rich.console import Console

from mirage.errors import ParameterError
from mirage.commands.monitor import AddressRow, Traffic, format_plain, main, render_table
from mirage.osc.emotion_encoder import EmotionEncoder
from mirage.osc.hop_encoder import make_hop_encoder
from mirage.osc.sender import OscSender
from tests.osc_receivers import HANG_S


def _free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_monitor(*args):
    return subprocess.Popen([sys.executable, "-m", "mirage.commands.monitor", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class _Feeder:
    """Send one 2-track readme bundle and one emotion message every 10 ms until stopped."""

    def __init__(self, port):
        self.sender = OscSender([f"127.0.0.1:{port}"])
        self.features = np.zeros((2, 8), np.float32)
        self.features[0] = (440.0, 120.5, 0.25, 900.0, 220.0, 0.0, 0.0, 0.0)
        self.features[1] = (1000.0, 50.0, 0.5, 3000.0, 0.0, 0.0, 0.0, 0.0)
        self.hop = make_hop_encoder(2)
        self.emotion = EmotionEncoder()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self):
        while not self.stop.wait(0.01):
            self.sender.send(self.hop.encode(self.features, time.time()))
            self.sender.send([self.emotion.encode(0.5, -0.25, time.time())])

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sender.close()


def _read_until(monitor, done, timeout_s=HANG_S):
    """The monitor's stdout lines, read as they come until ``done(lines)`` (no sleep guesses
    how long a loaded machine takes to start it or to deliver the datagrams)."""
    lines, deadline = [], time.monotonic() + timeout_s
    while not done(lines):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"monitor output never satisfied the test: {lines[-5:]}"
        if select.select([monitor.stdout], [], [], remaining)[0]:
            line = monitor.stdout.readline()
            assert line, f"monitor exited early ({monitor.wait()}): {monitor.stderr.read()}"
            lines.append(line.rstrip("\n"))
    return lines


def _listening(lines):
    """Printed once the socket is bound and the signal handlers are installed."""
    return any(line.startswith("monitor listening on UDP") for line in lines)


def _counts_at_least(n, addresses):
    """A printed block shows every one of ``addresses`` with count >= n."""
    def done(lines):
        counts = {line.split(" ")[0]: int(line.split(" ")[1].removeprefix("count="))
                  for line in lines if " count=" in line}
        return all(counts.get(a, 0) >= n for a in addresses)
    return done


def _last_block(stdout):
    """The final plain block: header line + one line per address, before the summary."""
    lines = stdout.strip().splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("monitor t="))
    assert lines[-1].startswith("monitor stopped after")
    return lines[start:-1]


def test_monitor_shows_counts_rates_and_values():
    """The feeder runs until the monitor has shown 30 of each message, then SIGTERM ends it:
    counts and values are checked exactly; the rate only for being there (its arithmetic is
    `test_rate_over_the_window`; arrival times on a loaded machine are not a test's business)."""
    port = _free_udp_port()
    addresses = {"/Hfmsg_ch0", "/Lfmsg_ch0", "/Lfmsg_ch1"}
    monitor = _start_monitor("--port", str(port))
    try:
        head = _read_until(monitor, _listening)
        feeder = _Feeder(port)
        try:
            head += _read_until(monitor, _counts_at_least(30, addresses))
            monitor.send_signal(signal.SIGTERM)
            stdout, stderr = monitor.communicate(timeout=HANG_S)
        finally:
            feeder.close()
    finally:
        monitor.kill()
    stdout = "\n".join(head) + "\n" + stdout
    assert monitor.returncode == 0, stderr
    assert f"listening on UDP 127.0.0.1:{port}" in stdout
    block = _last_block(stdout)
    assert block[0].endswith("addresses=3")
    rows = {line.split(" ")[0]: line for line in block[1:]}
    assert set(rows) == {"/Hfmsg_ch0", "/Lfmsg_ch0", "/Lfmsg_ch1"}
    assert rows["/Lfmsg_ch0"].endswith("last: centroid=440 bandwidth=120.5 flatness=0.25 rolloff=900 "
                                       "pitch1=220 pitch2=0 pitch3=0 pitch4=0")
    assert rows["/Lfmsg_ch1"].endswith("last: centroid=1000 bandwidth=50 flatness=0.5 rolloff=3000 "
                                       "pitch1=0 pitch2=0 pitch3=0 pitch4=0")
    assert rows["/Hfmsg_ch0"].endswith("last: arousal=0.5 valence=-0.25")
    for line in rows.values():
        fields = dict(f.split("=") for f in line.split(" ")[1:3])
        assert int(fields["count"]) >= 30
        assert float(fields["rate_hz"]) > 0  # still arriving when it stopped
    summary = stdout.strip().splitlines()[-1]
    assert summary.startswith("monitor stopped after") and "3 addresses" in summary


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_monitor_stops_cleanly_on_a_signal(sig):
    port = _free_udp_port()
    monitor = _start_monitor("--port", str(port))
    try:
        _read_until(monitor, _listening)  # a signal before the handlers are set would kill it
        monitor.send_signal(sig)
        stdout, stderr = monitor.communicate(timeout=HANG_S)
    finally:
        monitor.kill()
    assert monitor.returncode == 0, stderr
    assert "monitor stopped after" in stdout
    assert "Traceback" not in stderr

def test_port_in_use_is_a_one_line_error_with_exit_code_2():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        monitor = _start_monitor("--port", str(port), "--duration", "1")
        stdout, stderr = monitor.communicate(timeout=HANG_S)
    assert monitor.returncode == 2
    assert stderr.strip().splitlines() == [
        f"mirage monitor: error: cannot listen for OSC on UDP 127.0.0.1:{port}: port already in use"
    ]


@pytest.mark.parametrize("argv", [["--port", "0"], ["--port", "70000"], ["--duration", "0"]])
def test_bad_arguments_are_parameter_errors(argv):
    with pytest.raises(ParameterError):
        main(argv)


def test_rate_over_the_window():
    traffic = Traffic()
    for i in range(11):
        traffic.record("/a", (1.0, "x"), 100.0 + i * 0.1)  # 10 Hz for 1 s
    (row,) = traffic.snapshot(101.0)
    assert (row.count, row.last_args) == (11, (1.0, "x"))
    assert row.rate_hz == pytest.approx(10.0)
    assert traffic.snapshot(110.0)[0].rate_hz == 0.0  # nothing arrived lately


def test_live_table_renders():
    rows = [AddressRow("/LFmsg_ch0", 12, 93.75, ("VOICE", 440.0, 2.5))]
    console = Console(file=io.StringIO(), width=120, force_terminal=False)
    console.print(render_table(rows, 1.5, "127.0.0.1:12345"))
    text = console.file.getvalue()
    assert "/LFmsg_ch0" in text and "93.8" in text and 'instrument="VOICE" centroid=440 bandwidth=2.5' in text
    assert format_plain(rows, 1.5).splitlines()[1] == \
        '/LFmsg_ch0 count=12 rate_hz=93.8 last: instrument="VOICE" centroid=440 bandwidth=2.5'


def test_addresses_in_natural_order():
    traffic = Traffic()
    for address in ("/Lfmsg_ch10", "/mirage/status", "/Lfmsg_ch2", "/Hfmsg_ch0", "/Lfmsg_ch1", "/Lfmsg_ch0"):
        traffic.record(address, (), 1.0)
    assert [row.address for row in traffic.snapshot(1.0)] == [
        "/Hfmsg_ch0", "/Lfmsg_ch0", "/Lfmsg_ch1", "/Lfmsg_ch2", "/Lfmsg_ch10", "/mirage/status"]


@pytest.mark.parametrize("address, args, text", [
    ("/Lfmsg_ch12", (440.0, 120.5, 0.25, 900.0, 220.0, 0.0, 0.0, 0.0),
     "centroid=440 bandwidth=120.5 flatness=0.25 rolloff=900 pitch1=220 pitch2=0 pitch3=0 pitch4=0"),
    ("/LFmsg_ch3", ("GUITAR", 440.0, 120.0, 0.25, 900.0, 220.0, 330.0),  # 2 of 0-4 pitches
     'instrument="GUITAR" centroid=440 bandwidth=120 flatness=0.25 rolloff=900 pitch1=220 pitch2=330'),
    ("/LFmsg_ch0", ("DRUMS", 100.0, 50.0, 0.5, 3000.0),  # no pitch
     'instrument="DRUMS" centroid=100 bandwidth=50 flatness=0.5 rolloff=3000'),
    ("/Hfmsg_ch0", (0.5, -0.25), "arousal=0.5 valence=-0.25"),
    ("/HFmsg_ch0", (0.5, -0.25), "arousal=0.5 valence=-0.25"),
    ("/mirage/status", (1, 0, 2, 0, 1, "lost"),
     'xruns=1 drops=0 osc_errors=2 emotion_restarts=0 device_losses=1 device="lost"'),
    ("/mirage/track/3/level", (0.75, -12.5), "level=0.75 level_db=-12.5"),  # --rhythm
    ("/mirage/track/0/bands", (1.0, 0.5, 0.0), "bass=1 mid=0.5 high=0"),
    ("/mirage/track/12/onset", (0.5,), "strength=0.5"),
    ("/someone/else", (1.0, "x"), '1 "x"'),  # not ours: unlabelled
    ("/Lfmsg_chX", (1.0,), "1"),
])
def test_values_are_labelled_per_profile(address, args, text):
    row = AddressRow(address, 1, 0.0, args)
    assert format_plain([row], 0.0).splitlines()[1] == f"{address} count=1 rate_hz=0.0 last: {text}"
