"""``mirage view``: a live web page of a MIRAGE OSC stream, for the rig and for web visuals.

Listens for OSC on UDP (``--listen [HOST:]PORT``, default 127.0.0.1:12345: next to ``mirage
run -o 127.0.0.1:12345``, or a replay) and serves a page on ``http://--host:--http-port/``
(default 127.0.0.1:8765, this machine only) with per-track meters, the mood on the
valence/arousal plane and the engine's status, fed by a WebSocket (the library:
`mirage.view`). Needs aiohttp, the ``view`` extra: without it, one line naming the extra and
exit code 2.

Stops cleanly, exit code 0, on Ctrl-C, SIGTERM or after ``--duration`` seconds
(`mirage.lifecycle.Shutdown`, deferred at once as in ``mirage monitor``: nothing here
outlives the process). A port that cannot be bound or a host that does not resolve is an
`InputError`: one line, exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import time

from mirage.errors import EXIT_OK, InputError, ParameterError
from mirage.lifecycle import Shutdown

DEFAULT_LISTEN_HOST = "127.0.0.1"
DEFAULT_LISTEN_PORT = 12345
DEFAULT_HTTP_HOST = "127.0.0.1"
DEFAULT_HTTP_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--listen", default=f"{DEFAULT_LISTEN_HOST}:{DEFAULT_LISTEN_PORT}", metavar="[HOST:]PORT",
                        help="UDP port (and address) to receive MIRAGE's OSC on; 0.0.0.0:PORT for every "
                             "interface (default: %(default)s)")
    parser.add_argument("--host", default=DEFAULT_HTTP_HOST,
                        help="address to serve the page on; 0.0.0.0 to let other machines see it "
                             "(default: %(default)s)")
    parser.add_argument("--http-port", type=int, default=DEFAULT_HTTP_PORT,
                        help="TCP port of the page; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--duration", type=float, default=None, metavar="S",
                        help="stop after S seconds (default: until Ctrl-C)")


def parse_listen(text: str) -> tuple[str, int]:
    """``"12345"`` or ``"HOST:12345"`` -> (host, port); `ParameterError` otherwise."""
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]") if sep else DEFAULT_LISTEN_HOST
    try:
        port = int(port_text)
    except ValueError:
        raise ParameterError(f"--listen must be PORT or HOST:PORT, got {text!r}") from None
    if not 0 <= port <= 65535 or not host:
        raise ParameterError(f"--listen must be PORT or HOST:PORT with a port in 0..65535, got {text!r}")
    return host, port


def _import_server():
    try:
        from mirage.view import server
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("aiohttp", "multidict", "yarl"):
            raise InputError("mirage view needs aiohttp: pip install 'mirage-engine[view]'") from None
        raise
    return server


def main(args: argparse.Namespace) -> int:
    """Serve the view until Ctrl-C, SIGTERM or ``--duration``; returns 0."""
    listen_host, listen_port = parse_listen(args.listen)
    if not 0 <= args.http_port <= 65535:
        raise ParameterError(f"--http-port must be in 0..65535, got {args.http_port}")
    if args.duration is not None and not args.duration > 0:
        raise ParameterError(f"--duration must be > 0 seconds, got {args.duration}")
    server = _import_server()
    from mirage.view.sockets import bind_socket

    udp_sock = bind_socket(listen_host, listen_port, kind=socket.SOCK_DGRAM, purpose="listen for OSC")
    try:
        http_sock = bind_socket(args.host, args.http_port, kind=socket.SOCK_STREAM, purpose="serve the view")
    except InputError:
        udp_sock.close()
        raise
    listen = f"{listen_host}:{udp_sock.getsockname()[1]}"
    http_host, http_port = http_sock.getsockname()[:2]
    url_host = f"[{http_host}]" if ":" in http_host else http_host
    shutdown = Shutdown().install().defer()
    start_s = time.monotonic()
    deadline_s = start_s + args.duration if args.duration is not None else float("inf")
    print(f"mirage: view on http://{url_host}:{http_port}/ — OSC in on UDP {listen}; Ctrl-C to stop",
          flush=True)
    try:
        hub = asyncio.run(server.serve(udp_sock, http_sock, shutdown.event, listen=listen,
                                       deadline_s=deadline_s))
    finally:
        shutdown.uninstall()
    state = hub.state
    print(f"mirage: view stopped after {time.monotonic() - start_s:.1f}s: {state.messages} OSC messages "
          f"({state.unknown} not MIRAGE's, {state.malformed} malformed), {hub.pushes} pushes", flush=True)
    return EXIT_OK
