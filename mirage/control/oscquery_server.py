"""The OSCQuery HTTP server of ``mirage run --control-port`` (``--oscquery-port``).

Standard library only (`http.server.ThreadingHTTPServer`, daemon threads). Requests, as the
OSCQuery proposal defines them:

* ``GET /`` — the whole namespace (`mirage.control.oscquery_namespace`), built from the
  engine's state at the time of the request; ``GET /mirage/song`` — that node.
* ``GET /?HOST_INFO`` — the server's name, the OSC port and transport (UDP) to send commands
  to, the attributes it serves (``EXTENSIONS``).
* ``GET /path?ATTRIBUTE`` (e.g. ``?VALUE``) — ``{"ATTRIBUTE": value}``; 204 if the node has no
  such attribute, 400 for an attribute this server does not know, 404 for no such node.

Answers are ``application/json``. Only GET is served (501 otherwise, http.server's answer).
A client outside ``--control-allow`` gets 403 (the namespace is not shown to senders whose
commands would be dropped). A request's errors never
reach the engine: a failing request is a 500 for that client alone.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from mirage.control import oscquery_namespace as Q
from mirage.control.allow_list import AllowList
from mirage.errors import InputError

log = logging.getLogger("mirage.control")


class OscQueryServer:
    """Serve ``tree()`` (the namespace, built per request) and ``info`` (HOST_INFO) on
    ``host:port`` (0: a free port; ``self.port`` tells which). ``start()`` / ``stop()``."""

    def __init__(self, host: str, port: int, tree: Callable[[], dict], info: dict, allow: AllowList | None = None):
        handler = type("Handler", (_Handler,), {"tree": staticmethod(tree), "info": info,
                                                "allow": allow if allow is not None else AllowList()})
        try:
            self._httpd = ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            raise InputError(f"--oscquery-port {port}: cannot listen on {host}:{port} "
                             f"({exc.strerror or exc})") from None
        self._httpd.daemon_threads = True
        self.host, self.port = host, self._httpd.server_address[1]
        self.requests = handler.counts = {"ok": 0, "not_found": 0, "bad_request": 0, "not_allowed": 0, "failed": 0}
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="mirage-oscquery", daemon=True)

    def start(self) -> OscQueryServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> OscQueryServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    tree: Callable[[], dict]
    info: dict
    allow: AllowList
    counts: dict
    server_version = "MIRAGE-OSCQuery"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        try:
            if not self.allow.permits(self.client_address[0]):
                return self._status(HTTPStatus.FORBIDDEN, "not_allowed")
            url = urlsplit(self.path)
            attribute = url.query
            if attribute == "HOST_INFO":
                return self._json(HTTPStatus.OK, self.info)
            node = Q.find(self.tree(), unquote(url.path) or "/")
            if node is None:
                return self._status(HTTPStatus.NOT_FOUND, "not_found")
            if not attribute:
                return self._json(HTTPStatus.OK, node)
            if attribute not in Q.ATTRIBUTES:
                return self._status(HTTPStatus.BAD_REQUEST, "bad_request")
            if attribute not in node:
                return self._status(HTTPStatus.NO_CONTENT, "ok")
            return self._json(HTTPStatus.OK, {attribute: node[attribute]})
        except Exception as exc:  # one client's failure, never the engine's
            log.warning("control: OSCQuery request %r failed: %s: %s", self.path[:80], type(exc).__name__, exc)
            self.counts["failed"] += 1
            try:
                self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR)
            except OSError:
                pass

    def _json(self, status: HTTPStatus, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.counts["ok"] += 1

    def _status(self, status: HTTPStatus, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.counts[kind] += 1

    def log_message(self, format, *args) -> None:  # noqa: A002 (http.server's signature)
        log.debug("oscquery: " + format, *args)
