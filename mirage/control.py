"""OSC control input of `mirage run`: commands from the artists' software, on their own port.

``mirage run --control-port PORT`` listens for OSC on UDP ``--control-host:PORT`` (default
all interfaces: the visuals usually run on another machine) in a daemon thread. Messages
(plain or in bundles, any arguments ignored):

=========================  =================================================================
address                    effect
=========================  =================================================================
``/mirage/emotion/reset``  the mood starts a new context at the next hop of the mix, as if
                           the mix began there (a new song in a live set): the emotion
                           features otherwise remember the last minutes of the mix
                           (:meth:`mirage.emotion.worker.EmotionSupervisor.request_reset`)
=========================  =================================================================

Commands act when they arrive (bundle time tags are not scheduled). An unknown address or a
datagram that is not OSC is counted and logged once per kind, never raised: a typo in a
patch must not stop the show. The thread only parses datagrams and sets counters; it takes no
lock the audio callback or the OSC writer could wait on.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable

from mirage.errors import InputError, ParameterError

log = logging.getLogger("mirage.control")

RESET_EMOTION = "/mirage/emotion/reset"
ADDRESSES = (RESET_EMOTION,)
DEFAULT_HOST = "0.0.0.0"
POLL_S = 0.2          # how often the thread looks at its stop flag
MAX_DATAGRAM = 65536


class ControlReceiver:
    """Receive OSC commands on ``host:port`` and call ``handlers[address]()`` for each.

    ``port`` 0 picks a free port (``self.port`` tells which). Binding fails with a one-line
    :class:`~mirage.errors.InputError` (port in use, no such address).
    """

    def __init__(self, port: int, handlers: dict[str, Callable[[], object]], host: str = DEFAULT_HOST):
        if not 0 <= port < 65536:
            raise ParameterError(f"--control-port must be within 1..65535, got {port}")
        self.handlers = dict(handlers)
        self.received = {address: 0 for address in self.handlers}
        self.ignored = 0
        self._warned: set[str] = set()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._sock.bind((host, port))
        except OSError as exc:
            self._sock.close()
            raise InputError(f"--control-port {port}: cannot listen on {host}:{port} "
                             f"({exc.strerror or exc})") from None
        self._sock.settimeout(POLL_S)
        self.host, self.port = host, self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="mirage-control", daemon=True)

    def start(self) -> ControlReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread (if started) and close the socket."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2 * POLL_S + 1.0)
        self._sock.close()

    def __enter__(self) -> ControlReceiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                datagram = self._sock.recv(MAX_DATAGRAM)
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            self.handle(datagram)

    def handle(self, datagram: bytes) -> None:
        """Act on one datagram (the thread's work; callable directly)."""
        from pythonosc.osc_packet import OscPacket, ParseError

        try:
            messages = [timed.message for timed in OscPacket(datagram).messages]
        except (ParseError, ValueError, IndexError, TypeError):
            self._ignore("not OSC", f"control: ignored a datagram that is not OSC ({len(datagram)} bytes)")
            return
        for message in messages:
            handler = self.handlers.get(message.address)
            if handler is None:
                self._ignore(message.address, f"control: ignored {message.address} "
                                              f"(known: {', '.join(self.handlers)})")
                continue
            self.received[message.address] += 1
            try:
                handler()
            except Exception as exc:  # a failing command must not end the control thread
                log.error("control: %s failed: %s", message.address, exc)

    def _ignore(self, kind: str, text: str) -> None:
        self.ignored += 1
        if kind not in self._warned:
            self._warned.add(kind)
            log.warning(text)
