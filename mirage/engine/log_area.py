"""The log area of ``mirage run``'s live view: the last few log lines, timestamped, in the view.

Why: rich's live view redraws itself by moving the cursor back up over its previous frame.
A line written to the same terminal by anyone else while it is live — a ``logging``
handler holds the real stderr, so rich's stderr redirection does not see it — shifts the
screen under the view: the next redraw overwrites the line, and a stale copy of the view's
top rows stays behind. So while the view is live, the records of the ``mirage`` loggers
(a mistyped control address, xruns, an OSC target refusing, the emotion worker restarting)
go to a `LogArea` instead, which the view draws as its last rows. When stderr is not a
terminal nothing is routed: the records stay plain lines on stderr.

A `LogArea` is a ``logging.Handler``: `emit` may run on any thread (the OSC writer, the
control receiver); it only appends to a bounded deque under the handler's lock. The view
reads it from the main thread on its next redraw (within ``STATUS_PERIOD_S``).
"""

from __future__ import annotations

import collections
import logging
import time
from dataclasses import dataclass

LOGGER_NAME = "mirage"
"""The records of this logger and its children (``mirage.run``, ``mirage.osc``, ...) are routed."""
LOG_AREA_LINES = 5
"""How many of the latest lines the live view shows."""


@dataclass(frozen=True)
class LogLine:
    """One shown line: when it was logged (Unix time), how bad, what."""

    created_s: float
    levelno: int
    text: str

    def plain(self) -> str:
        """``"02:41:07 WARNING control: ignored /x"`` (the level is left out for INFO and below)."""
        stamp = time.strftime("%H:%M:%S", time.localtime(self.created_s))
        level = f" {logging.getLevelName(self.levelno)}" if self.levelno > logging.INFO else ""
        return f"{stamp}{level} {self.text}"


class LogArea(logging.Handler):
    """Keeps the latest `max_lines` log records as `LogLine`s for the live view.

    A multi-line record (one with a traceback) is kept as one line, its lines joined by
    ``" | "``, so that it cannot push the rest of the view off the screen.
    """

    def __init__(self, max_lines: int = LOG_AREA_LINES):
        super().__init__(level=logging.NOTSET)
        self.max_lines = max(1, int(max_lines))
        self._lines: collections.deque[LogLine] = collections.deque(maxlen=self.max_lines)
        self.total = 0
        """Records received so far (shown or scrolled out of the area)."""
        self._routed: tuple[logging.Logger, list, bool] | None = None

    def emit(self, record: logging.LogRecord) -> None:  # called with the handler's lock held
        try:
            text = " | ".join(line for line in self.format(record).splitlines() if line.strip())
        except Exception:  # logging's own contract: a bad record never raises into the caller
            self.handleError(record)
            return
        self._lines.append(LogLine(record.created, record.levelno, text))
        self.total += 1

    def lines(self) -> list[LogLine]:
        """The latest lines, oldest first (a copy: safe while other threads log)."""
        self.acquire()
        try:
            return list(self._lines)
        finally:
            self.release()

    # -- routing -------------------------------------------------------------------------

    def route(self, logger_name: str = LOGGER_NAME) -> None:
        """Send `logger_name`'s records here only (not on to the root logger's stderr handler)
        until `unroute`."""
        if self._routed is not None:
            return
        logger = logging.getLogger(logger_name)
        self._routed = (logger, list(logger.handlers), logger.propagate)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.addHandler(self)
        logger.propagate = False

    def unroute(self) -> None:
        """Give the logger back its handlers and propagation, as `route` found them."""
        if self._routed is None:
            return
        logger, handlers, propagate = self._routed
        self._routed = None
        logger.removeHandler(self)
        for handler in handlers:
            logger.addHandler(handler)
        logger.propagate = propagate


def render_lines(lines: list[LogLine], width: int, styles) -> list[list]:
    """`lines` as rows of rich Segments for the live view, each cut to `width` cells.

    `styles` has ``dim``, ``none``, ``warn`` and ``bad`` rich Styles (`mirage.engine.status_view.Styles`).
    """
    from rich.cells import cell_len, set_cell_size
    from rich.segment import Segment

    stamp_len = len("00:00:00")
    rows = []
    for line in lines:
        style = styles.bad if line.levelno >= logging.ERROR else (
            styles.warn if line.levelno >= logging.WARNING else styles.none)
        text = line.plain()
        if cell_len(text) > width:
            text = set_cell_size(text, max(1, width - 1)) + "…"
        rows.append([Segment(text[:stamp_len], styles.dim), Segment(text[stamp_len:], style)])
    return rows
