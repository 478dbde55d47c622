"""Non-blocking UDP sender of OSC datagrams to one or more ``host:port`` targets.

A stage rig must keep running when a visual machine is switched off, unplugged or not yet
listening, so `OscSender.send` never blocks and never raises on a network condition: every
failed datagram is counted on its target (`TargetStats.errors`, with the last errno name)
and the show goes on.

Each target gets its own *connected*, non-blocking UDP socket. Connecting costs nothing on
the wire, makes every `send` one syscall without address lookup, and lets Linux report
ICMP "port unreachable" as ``ECONNREFUSED`` on that target's next send (an unconnected UDP
socket would drop that information). Host names are resolved once, at construction (this
may wait on DNS there; never in `send`); a name that cannot be resolved leaves the target
unusable, and every datagram for it is counted as an error.

Timing: `OscSender.last_send_ns` is ``time.perf_counter_ns()`` (CLOCK_MONOTONIC on Linux)
taken right after the last successful send of the latest `send` call, so the engine can
measure hop-complete to datagram-sent latency on the same clock.

Recording: `OscSender.tee`, when set (`mirage run --record`: `mirage.recording.recorder`), is
called after every `send` with the datagrams and the capture time they were given.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import re
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from mirage.errors import ParameterError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 12345
DEFAULT_TARGET = f"{DEFAULT_HOST}:{DEFAULT_PORT}"

_HOSTNAME_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
_UNRESOLVED = "EUNRESOLVED"
"""`TargetStats.last_error` of a target whose host name could not be resolved."""

log = logging.getLogger(__name__)


def _check_host(host: str, text: str) -> str:
    """`host` if it is an IP literal or a syntactically valid host name, else ParameterError."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if not host or len(host) > 253 or not all(_HOSTNAME_LABEL.fullmatch(label) for label in labels):
        raise ParameterError(f"bad OSC target {text!r}: {host!r} is not a host name or IP address")
    return host


def parse_target(text: str) -> tuple[str, int]:
    """Split ``host:port`` (or ``[ipv6]:port``) into a checked ``(host, port)``.

    Raises
    ------
    ParameterError
        If the text is not of that form, the host is not a valid name/address, or the port
        is not an integer in 1..65535. The message names the offending value.
    """
    if not isinstance(text, str):
        raise ParameterError(f"OSC target must be a 'host:port' string, got {text!r}")
    if text.startswith("["):
        host, sep, port_text = text[1:].partition("]:")
        if not sep or ":" not in host:
            raise ParameterError(f"bad OSC target {text!r}: expected [ipv6-address]:port")
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or ":" in host:
            raise ParameterError(f"bad OSC target {text!r}: expected host:port (IPv6 as [addr]:port)")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ParameterError(f"bad OSC target {text!r}: port {port_text!r} is not in 1..65535")
    return _check_host(host, text), int(port_text)


def check_resolvable(host: str, port: int) -> None:
    """ParameterError naming `host` if it cannot be resolved to a UDP address now.

    For the command line: a mistyped host name is one line and exit code 2 before anything
    starts. `OscSender` itself does not call this: a library user's unresolvable target is
    counted, not raised (see the module docstring).
    """
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise ParameterError(f"cannot resolve host {host!r} ({exc.strerror})") from None


@dataclass
class TargetStats:
    """Counters of one target; updated by `OscSender.send`, read by anyone."""

    target: str
    """The target as given, ``host:port``."""
    datagrams_sent: int = 0
    bytes_sent: int = 0
    errors: int = 0
    """Datagrams not sent: refused, would block, no buffer space, unreachable, unresolved."""
    last_error: str = ""
    """errno name of the latest error (e.g. ``ECONNREFUSED``), empty if none yet."""
    last_send_ns: int = 0
    """``time.perf_counter_ns()`` after this target's latest successful send, 0 if none."""


@dataclass
class _Target:
    stats: TargetStats
    sock: socket.socket | None = None
    sockaddr: tuple | None = None
    connected: bool = False
    addresses: list = field(default_factory=list)


class OscSender:
    """Send datagrams to every target without blocking and without raising.

    Parameters
    ----------
    targets : sequence of str
        ``host:port`` strings (``[ipv6]:port`` for IPv6 literals); default
        ``127.0.0.1:12345``. Validated here (`ParameterError` naming the bad value);
        host names are resolved here, once.
    """

    def __init__(self, targets: Sequence[str] = (DEFAULT_TARGET,)):
        if isinstance(targets, str):
            targets = [targets]
        if not targets:
            raise ParameterError("at least one OSC target is needed")
        parsed = [(text, *parse_target(text)) for text in targets]
        self._targets = [self._open(text, host, port) for text, host, port in parsed]
        self.stats: tuple[TargetStats, ...] = tuple(t.stats for t in self._targets)
        self.last_send_ns = 0
        """``time.perf_counter_ns()`` after the latest successful send (any target), 0 if none."""
        self.tee = None
        """None, or ``tee(datagrams, capture_time_s)`` called after every `send` (must not block)."""

    @staticmethod
    def _open(text: str, host: str, port: int) -> _Target:
        target = _Target(TargetStats(text))
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        except socket.gaierror as exc:
            target.stats.last_error = _UNRESOLVED
            log.warning("OSC target %s: cannot resolve %r (%s); its datagrams are counted as errors",
                        text, host, exc.strerror)
            return target
        family, sock_type, proto, _, sockaddr = infos[0]
        sock = socket.socket(family, sock_type, proto)
        sock.setblocking(False)
        target.sock, target.sockaddr = sock, sockaddr
        try:
            sock.connect(sockaddr)
            target.connected = True
        except OSError as exc:
            # e.g. ENETUNREACH, or EACCES for a broadcast address: keep the socket and try
            # sendto per datagram, so the target starts working if the network comes up.
            _record_error(target.stats, exc)
        return target

    def send(self, datagrams: Sequence[bytes | memoryview], capture_time_s: float | None = None) -> int:
        """Send every datagram to every target; return how many sends succeeded.

        Never blocks and never raises on an OS/network condition: a datagram that cannot
        be sent to a target is counted in that target's `TargetStats.errors`.
        `capture_time_s` (Unix time of what the datagrams describe) is only passed on to `tee`.
        """
        n_ok = 0
        for target in self._targets:
            stats = target.stats
            sock = target.sock
            if sock is None:
                stats.errors += len(datagrams)
                continue
            n_ok_target = 0
            for datagram in datagrams:
                try:
                    if target.connected:
                        n_bytes = sock.send(datagram)
                    else:
                        n_bytes = sock.sendto(datagram, target.sockaddr)
                except OSError as exc:
                    _record_error(stats, exc)
                    continue
                stats.datagrams_sent += 1
                stats.bytes_sent += n_bytes
                n_ok_target += 1
            if n_ok_target:
                stats.last_send_ns = time.perf_counter_ns()
                n_ok += n_ok_target
        if n_ok:
            self.last_send_ns = time.perf_counter_ns()
        if self.tee is not None:
            self.tee(datagrams, capture_time_s)
        return n_ok

    @property
    def errors(self) -> int:
        """Datagrams not sent, summed over all targets."""
        return sum(s.errors for s in self.stats)

    def close(self) -> None:
        """Close every socket; `send` then counts every datagram as an error."""
        for target in self._targets:
            if target.sock is not None:
                target.sock.close()
                target.sock = None
                target.stats.last_error = "ECLOSED"

    def __enter__(self) -> OscSender:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _record_error(stats: TargetStats, exc: OSError) -> None:
    """Count one failed datagram; log when the kind of error changes (not per datagram)."""
    stats.errors += 1
    name = errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno else type(exc).__name__
    if name != stats.last_error:
        log.warning("OSC target %s: %s (%s); counting its failed datagrams",
                    stats.target, name, exc.strerror or exc)
        stats.last_error = name
