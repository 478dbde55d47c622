"""Bad control input, counted by kind; the first of each kind logged once.

A typo in a patch, a stray datagram or a flood must never stop the show, nor fill the log:
every rejected datagram or command is counted under one of `KINDS`, and only the first of
each kind is logged (a warning naming what was wrong). The counts go to ``mirage run
--stats-json`` (``control.bad_input``) and the status view.

Thread-safety: the OSC receiver's thread and RtMidi's thread both count; a lock that only
control threads take keeps the counts exact (the audio callback and the OSC writer never
touch it).
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("mirage.control")

NOT_ALLOWED = "not_allowed"          # a sender outside --control-allow (dropped unread)
NOT_OSC = "not_osc"                  # a datagram that does not parse as OSC
UNKNOWN_ADDRESS = "unknown_address"  # OSC, but no such command
WRONG_ARGUMENTS = "wrong_arguments"  # a command with arguments of the wrong type or count
OUT_OF_RANGE = "out_of_range"        # a song or track index the engine does not have
UNKNOWN_NAME = "unknown_name"        # a song or profile name the engine does not know
FLOOD_DROPPED = "flood_dropped"      # datagrams the kernel dropped while the receiver was rate-limited
COMMAND_FAILED = "command_failed"    # the engine raised something unexpected (a bug, logged)
KINDS = (NOT_ALLOWED, NOT_OSC, UNKNOWN_ADDRESS, WRONG_ARGUMENTS, OUT_OF_RANGE, UNKNOWN_NAME,
         FLOOD_DROPPED, COMMAND_FAILED)


class BadInputLog:
    """``count(kind, text)``: one more of ``kind``; ``text`` is logged if it is the first."""

    def __init__(self):
        self.counts = {kind: 0 for kind in KINDS}
        self._lock = threading.Lock()

    def count(self, kind: str, text: str, n: int = 1) -> None:
        with self._lock:
            first = self.counts[kind] == 0
            self.counts[kind] += n
        if first:  # a sender's bytes never reach the terminal as control characters
            log.warning("control: %s (the next ones are only counted)", printable(text))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def nonzero(self) -> dict[str, int]:
        """The kinds seen so far and their counts."""
        return {kind: n for kind, n in self.counts.items() if n}


def printable(text: str) -> str:
    """``text`` with every non-printable character (escape codes, newlines) as ``?``."""
    return "".join(c if c.isprintable() else "?" for c in text)
