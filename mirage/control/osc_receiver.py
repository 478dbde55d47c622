"""The OSC control input of ``mirage run --control-port``: a UDP socket read by a daemon thread.

Per datagram, in order: the sender must be allowed (`mirage.control.allow_list`; otherwise
dropped unread), the datagram must parse as OSC (a message or a bundle, nested bundles too;
bundle time tags are not scheduled: commands act when they arrive), then each message goes to
`mirage.control.commands.ControlCommands`, and the state messages it returns are sent back
to the sender's address and port from this socket (and to every ``--control-reply-to``).
Anything wrong is counted by kind and logged once (`mirage.control.bad_input`); nothing a
sender does can end the thread.

Flood: a token bucket (`mirage.control.rate_limit`) bounds the datagrams read per second, so
the thread cannot hog the GIL the OSC writer needs every hop; the excess waits in, then is
dropped from, the socket's receive buffer. The kernel's count of those drops (``SO_RXQ_OVFL``,
Linux) is read with each datagram and counted as ``flood_dropped``.

The thread takes no lock the audio callback or the OSC writer could wait on.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from collections.abc import Sequence

from mirage.control.allow_list import AllowList
from mirage.control.bad_input import FLOOD_DROPPED, NOT_ALLOWED, NOT_OSC, BadInputLog
from mirage.control.commands import ControlCommands, Message
from mirage.control.rate_limit import TokenBucket
from mirage.errors import InputError, ParameterError

log = logging.getLogger("mirage.control")

DEFAULT_HOST = "127.0.0.1"
POLL_S = 0.2          # how often the thread looks at its stop flag
MAX_DATAGRAM = 65536
SO_RXQ_OVFL = getattr(socket, "SO_RXQ_OVFL", 40)  # Linux: the drop count as ancillary data
RECEIVE_BUFFER_BYTES = 64 * 1024  # a few hundred commands: enough for a burst, not a backlog


def encode_message(address: str, args: Sequence) -> bytes:
    """One OSC message (python-osc's builder: ints as i, floats as f, strings as s)."""
    from pythonosc.osc_message_builder import OscMessageBuilder

    builder = OscMessageBuilder(address)
    for value in args:
        builder.add_arg(value)
    return builder.build().dgram


def parse_datagram(datagram: bytes) -> list[tuple[str, tuple]]:
    """The messages of a datagram, (address, args) in order; ValueError if it is not OSC."""
    from pythonosc.osc_packet import OscPacket, ParseError

    try:
        return [(timed.message.address, tuple(timed.message.params)) for timed in OscPacket(datagram).messages]
    except (ParseError, ValueError, IndexError, TypeError, struct.error, OverflowError, UnicodeError) as exc:
        raise ValueError(str(exc)) from None


class ControlReceiver:
    """Receive OSC commands on ``host:port`` for ``commands``; ``start()`` / ``stop()``.

    ``port`` 0 picks a free port (``self.port`` tells which). Binding fails with a one-line
    `~mirage.errors.InputError` (port in use, no such address). ``reply_to``: ``(host, port)``
    pairs that also get every state message (a surface that listens on a fixed port).
    """

    def __init__(self, port: int, commands: ControlCommands, host: str = DEFAULT_HOST,
                 allow: AllowList | None = None, reply_to: Sequence[tuple[str, int]] = (),
                 bucket: TokenBucket | None = None):
        if not 0 <= port < 65536:
            raise ParameterError(f"--control-port must be within 0..65535 (0: a free port), got {port}")
        self.commands = commands
        self.bad: BadInputLog = commands.bad
        self.allow = allow if allow is not None else AllowList()
        self.reply_to = list(reply_to)
        self.bucket = bucket if bucket is not None else TokenBucket()
        self.datagrams = 0
        self.replies_sent = 0
        self.reply_errors = 0
        self._kernel_drops = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._sock.bind((host, port))
        except OSError as exc:
            self._sock.close()
            raise InputError(f"--control-port {port}: cannot listen on {host}:{port} "
                             f"({exc.strerror or exc})") from None
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
            self._sock.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
            self._ancillary = socket.CMSG_SPACE(4)
        except OSError:  # not Linux: no drop count
            self._ancillary = 0
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
            wait_s = self.bucket.take()
            if wait_s:
                time.sleep(max(wait_s, 0.005))  # a flood: let the kernel drop the excess
                continue
            try:
                datagram, ancillary, _flags, sender = self._sock.recvmsg(MAX_DATAGRAM, self._ancillary)
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            self._count_kernel_drops(ancillary)
            try:
                self.handle(datagram, sender)
            except Exception as exc:  # a bug of ours: counted and logged, the control goes on
                from mirage.control.bad_input import COMMAND_FAILED

                self.bad.count(COMMAND_FAILED, f"a datagram failed: {type(exc).__name__}: {exc}")

    def _count_kernel_drops(self, ancillary) -> None:
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_RXQ_OVFL and len(data) >= 4:
                total = struct.unpack("=I", data[:4])[0]
                if total > self._kernel_drops:
                    self.bad.count(FLOOD_DROPPED, f"more than {self.bucket.rate_per_s:.0f} datagrams/s "
                                                  f"on the control port: the excess is dropped",
                                   total - self._kernel_drops)
                    self._kernel_drops = total

    def handle(self, datagram: bytes, sender: tuple[str, int] | None = None) -> list[Message]:
        """Act on one datagram from ``sender`` and send the state back (the thread's work;
        callable directly). Returns the state messages."""
        self.datagrams += 1
        if sender is not None and not self.allow.permits(sender[0]):
            self.bad.count(NOT_ALLOWED, f"dropped a datagram from {sender[0]} (not in --control-allow "
                                        f"{self.allow})")
            return []
        try:
            messages = parse_datagram(datagram)
        except ValueError:
            self.bad.count(NOT_OSC, f"ignored a datagram that is not OSC ({len(datagram)} bytes)")
            return []
        replies: list[Message] = []
        for address, args in messages:
            replies += self.commands.handle(address, args)
        destinations = ([sender] if sender is not None else []) + self.reply_to
        for address, args in replies:
            datagram = encode_message(address, args)
            for destination in destinations:
                self._reply(datagram, destination)
        return replies

    def send_state(self, messages: list[Message]) -> None:
        """Send state messages to the ``reply_to`` destinations (a change from MIDI)."""
        for address, args in messages:
            datagram = encode_message(address, args)
            for destination in self.reply_to:
                self._reply(datagram, destination)

    def _reply(self, datagram: bytes, destination: tuple[str, int]) -> None:
        try:
            self._sock.sendto(datagram, destination)
            self.replies_sent += 1
        except OSError as exc:  # a sender that went away; counted, logged once
            self.reply_errors += 1
            if self.reply_errors == 1:
                log.warning("control: cannot answer %s:%d (%s)", *destination, exc.strerror or exc)

    def stats(self) -> dict:
        """The socket's side (the commands' counts are `ControlCommands.stats`)."""
        return {"host": self.host, "port": self.port, "allow": str(self.allow), "datagrams": self.datagrams,
                "replies_sent": self.replies_sent, "reply_errors": self.reply_errors}
