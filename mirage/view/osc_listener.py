"""The UDP side of ``mirage view``: datagrams in, `ViewState` updated.

python-osc parses each datagram (a message or a bundle, nested bundles unpacked; the time
tags are not used: what the page shows is what arrived last); `mirage.view.decode` says what
each message means. Runs on the server's asyncio loop (`asyncio.DatagramProtocol`), so the
state needs no lock. A datagram that is not OSC, a message to another address and a MIRAGE
message with wrong arguments are counted (`ViewState.malformed`, `.unknown`) and skipped:
the view never stops for what arrives on its port.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable

from pythonosc.osc_packet import OscPacket, ParseError

from mirage.view.decode import DecodeError, decode
from mirage.view.state import ViewState


def feed_datagram(state: ViewState, data: bytes, now_s: float) -> None:
    """Decode one datagram that arrived at Unix time `now_s` into `state` (pure apart from it)."""
    state.datagrams += 1
    try:
        messages = OscPacket(data).messages
    except ParseError:
        state.malformed += 1
        return
    for timed in messages:
        state.messages += 1
        message = timed.message
        try:
            item = decode(message.address, message.params)
        except DecodeError:
            state.malformed += 1
            continue
        if item is None:
            state.unknown += 1
        else:
            state.apply(item, now_s)


class OscListener(asyncio.DatagramProtocol):
    """Feeds every datagram into `state`, then calls `on_data` (the server's wake-up)."""

    def __init__(self, state: ViewState, on_data: Callable[[], None]):
        self.state = state
        self.on_data = on_data

    def datagram_received(self, data: bytes, addr) -> None:
        feed_datagram(self.state, data, time.time())
        self.on_data()

