"""Log lines while `mirage run` shows its live view (mirage.engine.log_area): they appear in
the view's log area, timestamped, never overwritten; without a terminal they stay plain lines."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import pty
import re
import socket
import struct
import subprocess
import termios
import threading

import pyte
from pythonosc.osc_message_builder import OscMessageBuilder
from rich.cells import cell_len

from mirage.engine.log_area import LOG_AREA_LINES, LogArea
from mirage.engine.status_display import StatusDisplay
from tests.engine_runs import mirage_command
from tests.osc_receivers import free_udp_port
from tests.test_status import make_snapshot

STAMP = r"\d\d:\d\d:\d\d"


def render_frames(monkeypatch, log_calls, *, route_logs=True, columns=120, lines=40, n_tracks=3):
    """Run a live display on a string: update, make the log calls, update; the last frame's text."""
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("LINES", str(lines))
    buffer = io.StringIO()
    display = StatusDisplay(live=True, stream=buffer, route_logs=route_logs)
    display.update(make_snapshot(n_tracks))
    log_calls()
    display.update(make_snapshot(n_tracks))
    display.close()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())
    return "MIRAGE" + text.split("MIRAGE")[-1]


def test_a_log_call_appears_in_the_live_view_with_a_timestamp(monkeypatch):
    mirage_logger = logging.getLogger("mirage")
    handlers, propagate = list(mirage_logger.handlers), mirage_logger.propagate
    frame = render_frames(monkeypatch, lambda: logging.getLogger("mirage.control").warning(
        "control: ignored /mirage/emotion/rest (known: /mirage/emotion/reset)"))
    assert re.search(STAMP + r" WARNING control: ignored /mirage/emotion/rest \(known: /mirage/emotion/reset\)$",
                     frame, re.MULTILINE), frame
    assert frame.index("OSC →") < frame.index("control: ignored")  # below the view's footer
    # the logger is given back as it was found
    assert mirage_logger.handlers == handlers and mirage_logger.propagate == propagate


def test_info_lines_have_no_level_and_records_from_other_threads_arrive(monkeypatch):
    def from_a_thread():
        thread = threading.Thread(target=lambda: logging.getLogger("mirage.osc").warning("xruns 3, dropped hops 0 so far"))
        thread.start()
        thread.join()
        logger = logging.getLogger("mirage.emotion.worker")
        level = logger.level
        logger.setLevel(logging.INFO)
        try:
            logger.info("emotion worker restarted in 0.40 s (ready=True)")
        finally:
            logger.setLevel(level)

    frame = render_frames(monkeypatch, from_a_thread)
    assert re.search(STAMP + r" WARNING xruns 3, dropped hops 0 so far$", frame, re.MULTILINE), frame
    assert re.search(STAMP + r" emotion worker restarted in 0.40 s \(ready=True\)$", frame, re.MULTILINE), frame


def test_the_area_keeps_the_last_lines_and_fits_the_terminal(monkeypatch):
    def many():
        for i in range(12):
            logging.getLogger("mirage.run").warning("line %d %s", i, "x" * 200)

    frame = render_frames(monkeypatch, many, columns=80, lines=16, n_tracks=8)
    shown = [int(n) for n in re.findall(r"WARNING line (\d+) ", frame)]
    assert shown == list(range(12 - LOG_AREA_LINES, 12))
    rows = frame.splitlines()
    assert all(len(row) <= 80 for row in rows)
    assert len(rows) <= 16  # tracks made room for the log lines
    assert "more tracks" in frame


def test_a_traceback_is_one_line():
    area = LogArea()
    logger = logging.getLogger("mirage.test_log_area")
    logger.addHandler(area)
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("control: reset failed")
    finally:
        logger.removeHandler(area)
    (line,) = area.lines()
    assert line.text.startswith("control: reset failed | Traceback") and line.text.endswith("ValueError: boom")


def test_not_routed_when_asked_not_to(monkeypatch):
    frame = render_frames(monkeypatch, lambda: logging.getLogger("mirage.run").error("not for the view"),
                          route_logs=False)
    assert "not for the view" not in frame


def test_plain_mode_leaves_log_lines_plain():
    """Without a terminal the display routes nothing: the record reaches the root logger's
    handler as the usual ``mirage: ...`` line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("mirage: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        display = StatusDisplay(live=False, stream=io.StringIO())
        display.update(make_snapshot(2))
        logging.getLogger("mirage.control").warning("control: ignored /x (known: /mirage/emotion/reset)")
        display.close()
    finally:
        root.removeHandler(handler)
    assert stream.getvalue() == "mirage: control: ignored /x (known: /mirage/emotion/reset)\n"


# ---------------------------------------------------------------------------- on a terminal


def _run_on_a_terminal(args, *, columns, rows, marker: bytes, on_marker):
    """Run `mirage run ARGS` with stdout and stderr on a pseudo-terminal of `columns` × `rows`;
    call ``on_marker()`` once `marker` was written; return (exit code, all output bytes)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(mirage_command("run", *args), stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                            env=env)
    os.close(slave)
    output = bytearray()
    started = False
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not chunk:
                break
            output += chunk
            if not started and marker in output:
                started = True
                on_marker()
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
        os.close(master)
    assert started, output.decode(errors="replace")
    return code, bytes(output)


def test_on_a_terminal_a_log_line_stays_in_the_view_and_no_stale_header_is_left():
    """The bug this module fixes: a control typo logged while the live view runs used to be
    overwritten by the next redraw, leaving a stale copy of the view's header behind. A
    terminal emulator (pyte) replays everything written; the final screen must hold the log
    line in the view and exactly one header."""
    columns, rows = 120, 40
    control_port = free_udp_port()

    def send_a_typo():  # once the live view is drawn: the bug needs a view to write over
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(OscMessageBuilder("/mirage/emotion/rest").build().dgram, ("127.0.0.1", control_port))

    code, output = _run_on_a_terminal(
        ["demo", "--clock", "--no-emotion", "--duration", "3", "-o", f"127.0.0.1:{free_udp_port()}",
         "--control-port", str(control_port)], columns=columns, rows=rows,
        marker=b"MIRAGE", on_marker=send_a_typo)
    assert code == 0, output.decode(errors="replace")
    screen = pyte.Screen(columns, rows)
    pyte.ByteStream(screen).feed(output)
    text = [line.rstrip() for line in screen.display]
    headers = [line for line in text if line.startswith("MIRAGE  demo")]
    assert len(headers) == 1, "\n".join(text)
    logged = [line for line in text if "control: ignored /mirage/emotion/rest" in line]
    assert len(logged) == 1 and re.match(STAMP + " WARNING control: ignored", logged[0]), "\n".join(text)
    assert text.index(headers[0]) < text.index(logged[0])


def test_wide_characters_are_cut_by_cells(monkeypatch):
    frame = render_frames(monkeypatch, lambda: logging.getLogger("mirage.run").warning("音" * 100), columns=60)
    (row,) = [r for r in frame.splitlines() if "WARNING" in r]
    assert cell_len(row) <= 60 and row.endswith("…")
