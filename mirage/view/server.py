"""The HTTP side of ``mirage view``: the page, its files and the WebSocket fan-out (aiohttp).

Routes::

    GET /          static/index.html
    GET /static/   view.js, view.css (shipped inside the package: no CDN, no internet needed)
    GET /ws        the WebSocket: JSON text messages (formats: `mirage.view.state`)

A page that connects first gets ``hello`` and a snapshot of everything known, then the
pushes. The push task waits for data, then for the `Throttle` (at most `MAX_PUSH_HZ` pushes
a second) and sends what `ViewState.drain` coalesced to every page; a page that went away or
stalls (`SEND_TIMEOUT_S`) is dropped. A ``listener`` message goes out once a second, data or
not, so a page can tell a silent stream from a dead viewer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from pathlib import Path

from aiohttp import WSMsgType, web

from mirage.view.osc_listener import OscListener
from mirage.view.state import MAX_PUSH_HZ, Throttle, ViewState

STATIC_DIR = Path(__file__).with_name("static")
LISTENER_PERIOD_S = 1.0
_STOP_POLL_S = 0.1
_CLOSE_TIMEOUT_S = 2.0
SEND_TIMEOUT_S = 1.0
"""A page that cannot take one push within this time is dropped (it reconnects and gets a
fresh snapshot), so one stalled browser never holds the others back."""


class Hub:
    """The state, the connected pages and the pushes between them."""

    def __init__(self, state: ViewState, listen: str, max_push_hz: float = MAX_PUSH_HZ):
        self.state = state
        self.listen = listen
        self.max_push_hz = max_push_hz
        self.throttle = Throttle(max_push_hz)
        self.clients: set[web.WebSocketResponse] = set()
        self.data = asyncio.Event()
        self.pushes = 0

    def hello(self) -> dict:
        return {"type": "hello", "listen": self.listen, "max_push_hz": self.max_push_hz,
                "trail_points": self.state.trail_points}

    async def broadcast(self, messages: list[dict]) -> None:
        """Send each message as one text frame to every page; forget pages that fail."""
        if not messages or not self.clients:
            return
        texts = [json.dumps(m, separators=(",", ":")) for m in messages]
        clients = list(self.clients)
        results = await asyncio.gather(*(asyncio.wait_for(_send_all(ws, texts), SEND_TIMEOUT_S) for ws in clients),
                                       return_exceptions=True)
        for ws, result in zip(clients, results):
            if isinstance(result, Exception):
                self.clients.discard(ws)
                await _close(ws)

    async def push_forever(self) -> None:
        """Wait for data, respect the throttle, drain, broadcast; forever."""
        loop = asyncio.get_running_loop()
        while True:
            await self.data.wait()
            delay_s = self.throttle.wait_s(loop.time())
            if delay_s > 0:
                await asyncio.sleep(delay_s)
            self.data.clear()
            self.throttle.pushed(loop.time())
            messages = self.state.drain()
            if messages:
                self.pushes += 1
                await self.broadcast(messages)

    async def listener_forever(self) -> None:
        while True:
            await asyncio.sleep(LISTENER_PERIOD_S)
            await self.broadcast([self.state.listener_message(time.time())])


async def _close(ws: web.WebSocketResponse) -> None:
    with contextlib.suppress(asyncio.TimeoutError, ConnectionError):
        await asyncio.wait_for(ws.close(), _CLOSE_TIMEOUT_S)


async def _send_all(ws: web.WebSocketResponse, texts: list[str]) -> None:
    for text in texts:
        await ws.send_str(text)


def make_app(hub: Hub) -> web.Application:
    """The aiohttp application: ``/``, ``/static/`` and ``/ws`` (module docstring)."""

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=10.0)
        await ws.prepare(request)
        await _send_all(ws, [json.dumps(m, separators=(",", ":")) for m in [hub.hello(), *hub.state.snapshot()]])
        hub.clients.add(ws)
        try:
            async for message in ws:  # the page sends nothing we act on; read to see it close
                if message.type == WSMsgType.ERROR:
                    break
        finally:
            hub.clients.discard(ws)
        return ws

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/ws", websocket)
    app.router.add_static("/static/", STATIC_DIR)
    return app


async def serve(udp_sock: socket.socket, http_sock: socket.socket, stop, *, listen: str,
                deadline_s: float = float("inf")) -> Hub:
    """Run the view on two bound sockets until `stop` (a `threading.Event`) is set or the
    monotonic `deadline_s` passes; then close the pages, the server and the UDP socket.
    Returns the hub (its counters) for the final line."""
    loop = asyncio.get_running_loop()
    hub = Hub(ViewState(), listen)
    transport, _ = await loop.create_datagram_endpoint(lambda: OscListener(hub.state, hub.data.set),
                                                       sock=udp_sock)
    runner = web.AppRunner(make_app(hub), access_log=None)
    await runner.setup()
    tasks = []
    try:
        await web.SockSite(runner, http_sock).start()
        tasks = [asyncio.create_task(hub.push_forever()), asyncio.create_task(hub.listener_forever())]
        while not stop.is_set() and time.monotonic() < deadline_s:
            # the signal handler (mirage.lifecycle.Shutdown) sets a threading.Event: poll it
            await asyncio.sleep(_STOP_POLL_S)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for ws in list(hub.clients):
            await _close(ws)
        await runner.cleanup()
        transport.close()
    return hub
