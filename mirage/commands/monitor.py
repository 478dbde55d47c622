"""``mirage monitor``: listen for OSC and show what arrives, per address.

A quick look at the wire for whoever sets up a stage rig: is the engine sending, at what
rate, with which values? Receives with python-osc (bundles unpacked, time tags ignored: a
message is shown when it arrives) and shows, per OSC address, the message count, the rate
in Hz over the last `RATE_WINDOW_S` seconds and the last arguments — named, for MIRAGE's
own addresses, after the wire contract (`mirage.osc.addresses`: ``centroid=… pitch1=…``,
``arousal=… valence=…``). Addresses are in natural order (``/Lfmsg_ch2`` before
``/Lfmsg_ch10``). On a terminal the
table updates live (rich); otherwise a plain block of lines is printed every
`PLAIN_PERIOD_S` seconds, and once more at the end.

Stops cleanly, exit code 0, on Ctrl-C, SIGTERM or after ``--duration`` seconds (the signals
are a stop request, `mirage.lifecycle.Shutdown`, as in ``mirage run``; a second one while the
monitor is showing its last block forces the way out). A port that cannot be bound (already
in use, address not available) is an `InputError`.
"""

from __future__ import annotations

import argparse
import collections
import errno
import re
import sys
import threading
import time
from dataclasses import dataclass, field

from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_server import BlockingOSCUDPServer

from mirage.errors import EXIT_OK, InputError, MirageError, ParameterError
from mirage.lifecycle import Shutdown
from mirage.osc.addresses import argument_names

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 12345
RATE_WINDOW_S = 2.0
"""The rate is measured over the messages of the last this-many seconds."""
LIVE_REFRESH_S = 0.25
PLAIN_PERIOD_S = 1.0
_SERVER_POLL_S = 0.1


@dataclass
class AddressRow:
    """What the monitor shows for one OSC address."""

    address: str
    count: int
    rate_hz: float
    last_args: tuple


@dataclass
class _AddressState:
    count: int = 0
    last_args: tuple = ()
    arrivals_s: collections.deque = field(default_factory=collections.deque)


class Traffic:
    """Per-address counters, fed by the server thread and read by the display (locked)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_address: dict[str, _AddressState] = {}
        self.total = 0

    def record(self, address: str, args: tuple, now_s: float) -> None:
        """Count one message that arrived at monotonic time `now_s`."""
        with self._lock:
            state = self._by_address.setdefault(address, _AddressState())
            state.count += 1
            state.last_args = args
            state.arrivals_s.append(now_s)
            self.total += 1
            _forget_before(state.arrivals_s, now_s - RATE_WINDOW_S)

    def snapshot(self, now_s: float) -> list[AddressRow]:
        """Rows in natural order of address; rate = (n - 1) / span of the arrivals in the window."""
        rows = []
        with self._lock:
            for address, state in sorted(self._by_address.items(), key=lambda item: natural_key(item[0])):
                arrivals = state.arrivals_s
                _forget_before(arrivals, now_s - RATE_WINDOW_S)
                span_s = arrivals[-1] - arrivals[0] if len(arrivals) >= 2 else 0.0
                rate_hz = (len(arrivals) - 1) / span_s if span_s > 0 else 0.0
                rows.append(AddressRow(address, state.count, rate_hz, state.last_args))
        return rows


def _forget_before(arrivals: collections.deque, oldest_s: float) -> None:
    while arrivals and arrivals[0] < oldest_s:
        arrivals.popleft()


def natural_key(address: str) -> list:
    """Sort key that orders the numbers inside an address by value: ``/x_ch2`` < ``/x_ch10``.

    ``re.split`` with a capturing group alternates text and digits, always starting with
    text, so two keys compare text with text and number with number.
    """
    return [int(part) if part.isdigit() else part for part in re.split(r"([0-9]+)", address)]


def format_args(args: tuple, names: tuple[str, ...] | None = None) -> str:
    """Arguments as short text: floats with 6 significant digits, strings quoted; each
    preceded by ``name=`` while `names` has one for its position."""
    parts = []
    for i, value in enumerate(args):
        if isinstance(value, float):
            text = f"{value:.6g}"
        elif isinstance(value, str):
            text = f'"{value}"'
        else:
            text = repr(value)
        parts.append(f"{names[i]}={text}" if names is not None and i < len(names) else text)
    return " ".join(parts)


def format_row_args(row: AddressRow) -> str:
    """The row's last arguments, named if the address is one of MIRAGE's (`argument_names`)."""
    return format_args(row.last_args, argument_names(row.address))


def format_plain(rows: list[AddressRow], elapsed_s: float) -> str:
    """One header line, then one line per address (for logs and pipes)."""
    lines = [f"monitor t={elapsed_s:.1f}s addresses={len(rows)}"]
    for row in rows:
        lines.append(f"{row.address} count={row.count} rate_hz={row.rate_hz:.1f} last: {format_row_args(row)}")
    return "\n".join(lines)


def render_table(rows: list[AddressRow], elapsed_s: float, listen: str):
    """The live view: a rich Table of the rows."""
    from rich.table import Table

    table = Table(title=f"OSC on {listen} — {elapsed_s:.1f} s", title_justify="left")
    table.add_column("address", style="bold")
    table.add_column("count", justify="right")
    table.add_column("rate Hz", justify="right")
    table.add_column("last values", overflow="fold")
    for row in rows:
        table.add_row(row.address, str(row.count), f"{row.rate_hz:.1f}", format_row_args(row))
    return table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the monitor's options to `parser` (also used by the ``mirage`` CLI)."""
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="UDP port to listen on (default: %(default)s)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on; 0.0.0.0 for all interfaces (default: %(default)s)")
    parser.add_argument("--duration", type=float, default=None, metavar="S",
                        help="stop after S seconds (default: until Ctrl-C)")


def _open_server(host: str, port: int, traffic: Traffic) -> BlockingOSCUDPServer:
    dispatcher = Dispatcher(strict_timing=False)  # never sleep on future time tags
    dispatcher.set_default_handler(
        lambda address, *args: traffic.record(address, args, time.monotonic())
    )
    try:
        return BlockingOSCUDPServer((host, port), dispatcher)
    except OSError as exc:
        reason = "port already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise InputError(f"cannot listen for OSC on UDP {host}:{port}: {reason}") from None


def run(args: argparse.Namespace) -> int:
    """Run the monitor with parsed arguments (see `add_arguments`); return the exit code."""
    if not 1 <= args.port <= 65535:
        raise ParameterError(f"--port must be in 1..65535, got {args.port}")
    if args.duration is not None and not args.duration > 0:
        raise ParameterError(f"--duration must be > 0 seconds, got {args.duration}")
    traffic = Traffic()
    server = _open_server(args.host, args.port, traffic)
    listen = f"{args.host}:{args.port}"
    shutdown = Shutdown().install().defer()  # SIGINT/SIGTERM set shutdown.event (main thread only)
    stop = shutdown.event
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": _SERVER_POLL_S},
                              name="mirage-monitor-osc", daemon=True)
    thread.start()
    start_s = time.monotonic()
    deadline_s = start_s + args.duration if args.duration is not None else float("inf")
    try:
        if sys.stdout.isatty():
            _show_live(traffic, stop, start_s, deadline_s, listen)
        else:
            _show_plain(traffic, stop, start_s, deadline_s, listen)
    finally:
        with shutdown.releasing():  # a further signal here is counted, never raised
            server.shutdown()
            thread.join()
            server.server_close()
        shutdown.uninstall()
    elapsed_s = time.monotonic() - start_s
    print(f"monitor stopped after {elapsed_s:.1f}s: {traffic.total} messages, "
          f"{len(traffic.snapshot(time.monotonic()))} addresses", flush=True)
    return EXIT_OK


def _wait(stop: threading.Event, period_s: float, deadline_s: float) -> bool:
    """Sleep up to `period_s` (not past the deadline); True if it is time to stop."""
    remaining_s = deadline_s - time.monotonic()
    if remaining_s <= 0:
        return True
    return stop.wait(min(period_s, remaining_s)) or time.monotonic() >= deadline_s


def _show_plain(traffic: Traffic, stop: threading.Event, start_s: float, deadline_s: float, listen: str):
    print(f"monitor listening on UDP {listen}", flush=True)
    while not _wait(stop, PLAIN_PERIOD_S, deadline_s):
        now_s = time.monotonic()
        print(format_plain(traffic.snapshot(now_s), now_s - start_s), flush=True)
    now_s = time.monotonic()
    print(format_plain(traffic.snapshot(now_s), now_s - start_s), flush=True)


def _show_live(traffic: Traffic, stop: threading.Event, start_s: float, deadline_s: float, listen: str):
    from rich.live import Live

    def table():
        now_s = time.monotonic()
        return render_table(traffic.snapshot(now_s), now_s - start_s, listen)

    with Live(table(), auto_refresh=False) as live:
        while not _wait(stop, LIVE_REFRESH_S, deadline_s):
            live.update(table(), refresh=True)
        live.update(table(), refresh=True)


def main(argv: list[str] | None = None) -> int:
    """``mirage monitor [--port P] [--host H] [--duration S]``; raises `MirageError` on bad input."""
    parser = argparse.ArgumentParser(prog="mirage monitor", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except MirageError as error:
        print(f"mirage monitor: error: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
