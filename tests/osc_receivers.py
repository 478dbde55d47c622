"""Real OSC receivers for the tests: python-osc's server and liblo's ``oscdump``."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time

from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_server import BlockingOSCUDPServer

OSCDUMP = shutil.which("oscdump")

HANG_S = 60.0
"""Timeout of the tests' condition waits. They end as soon as their condition holds, so this
only bounds a hang; it is long so that no load on the machine can reach it."""


def wait_for(predicate, timeout_s: float = HANG_S) -> bool:
    """Poll ``predicate`` every 10 ms until it is true (True) or ``timeout_s`` passes (False):
    datagrams arrive on another thread or process."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PythonOscReceiver:
    """python-osc's server on a free port, collecting (address, args) of every message
    (bundles unpacked) from a background thread."""

    def __init__(self):
        self.received: list[tuple[str, list]] = []
        dispatcher = Dispatcher()
        dispatcher.set_default_handler(lambda address, *args: self.received.append((address, list(args))))
        self._server = BlockingOSCUDPServer(("127.0.0.1", 0), dispatcher)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})

    def __enter__(self) -> "PythonOscReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


class OscDump:
    """liblo's `oscdump` on a free port, its stdout lines collected by a thread."""

    def __init__(self):
        self.port = free_udp_port()
        self.proc = subprocess.Popen([OSCDUMP, "-L", str(self.port)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_ready(self, sender):
        """Send probes until oscdump prints one (it prints nothing when it starts)."""
        deadline = time.monotonic() + 10
        while not any(" /probe " in line for line in self.lines):
            assert time.monotonic() < deadline, "oscdump never printed a probe"
            assert self.proc.poll() is None, self.proc.stderr.read()
            sender.send([b"/probe\x00\x00,i\x00\x00\x00\x00\x00\x01"])
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)
        self._reader.join(timeout=5)


def parse_oscdump_line(line):
    """``<timetag> <address> <typetags> <args...>`` -> (timetag, address, typetags, args)."""
    timetag, address, typetags, *rest = line.split(" ")
    args = []
    for tag, token in zip(typetags, rest):
        args.append(token.strip('"') if tag == "s" else float(token))
    assert len(args) == len(typetags)
    return timetag, address, typetags, args


