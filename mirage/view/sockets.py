"""The view's two sockets, bound before anything starts: UDP for the OSC stream, TCP for the page.

A host that does not resolve or a port that is taken is an `InputError` naming the purpose,
the protocol, the address and the reason (one line, exit 2 at the command line).
"""

from __future__ import annotations

import errno
import socket

from mirage.errors import InputError


def bind_socket(host: str, port: int, *, kind: int, purpose: str) -> socket.socket:
    """A non-blocking socket of `kind` (``socket.SOCK_DGRAM`` or ``SOCK_STREAM``, then
    listening) bound to `host`:`port` (port 0: any free one); `purpose` words the error,
    e.g. "listen for OSC"."""
    protocol = "UDP" if kind == socket.SOCK_DGRAM else "TCP"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=kind)[0]
    except socket.gaierror as exc:
        raise InputError(f"cannot {purpose} on {host}:{port}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        if kind == socket.SOCK_STREAM:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once after a stop
        sock.bind(address)
        if kind == socket.SOCK_STREAM:
            sock.listen(128)
    except OSError as exc:
        sock.close()
        reason = "port already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise InputError(f"cannot {purpose} on {protocol} {host}:{port}: {reason}") from None
    sock.setblocking(False)
    return sock
