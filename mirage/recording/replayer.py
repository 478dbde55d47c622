"""`mirage replay FILE`: a recording sent again with its original timing.

Schedule (`Schedule`): the recording's datagrams are grouped by send time (one group = one
``send`` call of the live writer: a hop's bundles, a mood step, a status). Group i of pass p
is due at the absolute monotonic deadline ::

    deadline(p, i) = t0 + (p · period + s_i − s_first) / speed

with ``s_i`` its recorded send time, ``s_first`` the first replayed group's (``--start``
skips the groups before ``s_0 + start``), ``period = s_last − s_first + hop / sr`` (a loop
starts one hop after the last group) and ``t0`` the replay's start. Deadlines are absolute,
never accumulated sleeps, so the error of one send never carries over to the next. Waiting:
the thread sleeps until ~1 ms before the deadline (timer slack set to 1 µs), then in short
sleeps and finally spins. The lateness of each group (the time its ``send`` returned minus
its deadline) is kept (`ReplayStats.late_ns`) for the status line and `mirage bench`.

Time tags: a bundle's tag is rewritten so that the tags follow the replay clock::

    new = ref_new + (old + p · period − ref_old) / speed

``ref_old`` = the wall-clock time of the first replayed group's recorded send,
``ref_new`` = the wall-clock time of ``t0``, in NTP units, integer arithmetic. At speed 1
this is ``old`` plus one constant per pass: a recording and its replay are byte-identical
at the receiver apart from that constant. Plain messages carry no tag and are sent as
recorded. ``unbundle`` sends the messages of every bundle as plain messages instead.

Looping: at the start of every pass after the first, the replay sends
``/mirage/emotion/reset`` (no arguments, a plain message) — what a control surface sends to
MIRAGE at a new song. The recorded mood of the next pass starts again from the recording's
first step, i.e. from a new context; the marker tells receivers so (a downstream MIRAGE or a
patch that clears its mood trail routes it; others ignore it).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import time
from dataclasses import dataclass, field

import numpy as np

from mirage.osc.addresses import EMOTION_RESET_ADDRESS
from mirage.errors import ParameterError
from mirage.osc.primitives import message_head
from mirage.recording.datagrams import bundle_time_tag, is_bundle, messages, with_time_tag
from mirage.recording.format import Record, RecordingHeader

__all__ = ["LOOP_MARKER", "ReplayStats", "Replayer", "Schedule"]

LOOP_MARKER = message_head(EMOTION_RESET_ADDRESS, ",")
"""Sent at the start of every pass after the first (see the module docstring)."""
SLEEP_MARGIN_NS = 1_000_000      # sleep until this long before a deadline
SPIN_NS = 150_000                # then short sleeps down to this, then spin
_NTP_PER_NS = (1 << 32) / 1e9
_NTP_UNIX_OFFSET_S = 2208988800
_PR_SET_TIMERSLACK = 29
PRIORITY = 10                    # SCHED_FIFO priority where allowed: the engine's OSC writer's
_LATE_CAPACITY = 1 << 20


def ntp_of_unix_ns(unix_ns: int) -> int:
    """The 64-bit NTP time tag of a Unix time in ns (exact integer arithmetic)."""
    return ((unix_ns + _NTP_UNIX_OFFSET_S * 1_000_000_000) << 32) // 1_000_000_000


@dataclass(frozen=True)
class Schedule:
    """Which groups are replayed and when, relative to the replay's start (pure; tested)."""

    group_send_ns: np.ndarray
    """int64 [G]: recorded send time of each group (non-decreasing)."""
    first: int
    """Index of the first replayed group (``--start``)."""
    period_ns: int
    """Recorded time from one pass's first group to the next pass's first group."""
    speed: float

    @classmethod
    def make(cls, group_send_ns, *, hop_ns: int, start_s: float = 0.0, speed: float = 1.0) -> "Schedule":
        send = np.asarray(group_send_ns, dtype=np.int64)
        if not (speed > 0 and np.isfinite(speed)):
            raise ParameterError(f"--speed must be a positive number, got {speed:g}")
        if not (start_s >= 0 and np.isfinite(start_s)):
            raise ParameterError(f"--start must be >= 0 s, got {start_s:g}")
        if send.size == 0:
            raise ParameterError("the recording holds no datagrams")
        first = int(np.searchsorted(send, send[0] + round(start_s * 1e9), side="left"))
        if first >= send.size:
            duration_s = (send[-1] - send[0]) * 1e-9
            raise ParameterError(f"--start {start_s:g} s is past the recording's end ({duration_s:.3f} s)")
        return cls(send, first, int(send[-1] - send[first]) + int(hop_ns), float(speed))

    def offset_ns(self, pass_index: int, group: int) -> int:
        """Due time of `group` in pass `pass_index`, ns after the replay's start."""
        recorded = pass_index * self.period_ns + int(self.group_send_ns[group] - self.group_send_ns[self.first])
        return round(recorded / self.speed)

    def retag(self, time_tag: int, pass_index: int, ref_old: int, ref_new: int) -> int:
        """A recorded NTP time tag on the replay clock (module docstring)."""
        moved = time_tag + round(pass_index * self.period_ns * _NTP_PER_NS) - ref_old
        return ref_new + (moved if self.speed == 1.0 else round(moved / self.speed))


@dataclass
class ReplayStats:
    passes: int = 0
    groups_sent: int = 0
    datagrams_sent: int = 0
    markers_sent: int = 0
    late_ns: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    """Lateness of every group sent (send returned − deadline), ns (the last 2**20)."""
    elapsed_s: float = 0.0

    def late_ms(self) -> dict:
        """``{"p50", "p99", "max"}`` of the lateness in ms (zeros before any send)."""
        if self.late_ns.size == 0:
            return {"p50": 0.0, "p99": 0.0, "max": 0.0}
        v = self.late_ns * 1e-6
        return {"p50": float(np.percentile(v, 50)), "p99": float(np.percentile(v, 99)), "max": float(v.max())}


def group_records(records: list[Record]) -> tuple[np.ndarray, list[list[Record]]]:
    """Records with the same send time (one live ``send`` call) as groups, in order."""
    groups: list[list[Record]] = []
    send: list[int] = []
    for record in records:
        if groups and record.send_ns == send[-1]:
            groups[-1].append(record)
        else:
            groups.append([record])
            send.append(record.send_ns)
    return np.asarray(send, dtype=np.int64), groups


@contextlib.contextmanager
def _punctual():
    """While inside: 1 µs timer slack for this thread, so that short sleeps end when asked,
    and where allowed (root / rtprio) SCHED_FIFO priority `PRIORITY`, as the engine's OSC
    writer — not inherited by children (SCHED_RESET_ON_FORK), and given back on the way out
    (a library caller's thread keeps its own policy). Yields ``"realtime"`` or ``"normal"``."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_TIMERSLACK, 1000, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    try:
        before = (os.sched_getscheduler(0), os.sched_getparam(0))
        os.sched_setscheduler(0, os.SCHED_FIFO | getattr(os, "SCHED_RESET_ON_FORK", 0),
                              os.sched_param(PRIORITY))
    except (OSError, AttributeError):
        yield "normal"
        return
    try:
        yield "realtime"
    finally:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, *before)


class Replayer:
    """Sends a recording's datagrams through `sender` (an `OscSender`) on its schedule.

    Parameters
    ----------
    header, records
        The recording (`mirage.recording.format.read_recording`).
    sender
        Anything with ``send(list_of_bytes)``.
    speed, start_s, loop, unbundle
        As ``mirage replay``'s ``--speed``, ``--start``, ``--loop``, ``--no-bundle``.
    """

    def __init__(self, header: RecordingHeader, records: list[Record], sender, *, speed: float = 1.0,
                 start_s: float = 0.0, loop: bool = False, unbundle: bool = False):
        send_ns, self.groups = group_records(records)
        self.header = header
        self.schedule = Schedule.make(send_ns, hop_ns=round(header.hop / header.sr_hz * 1e9),
                                      start_s=start_s, speed=speed)
        self.sender = sender
        self.loop = loop
        self.unbundle = unbundle
        self.stats = ReplayStats()
        self.scheduling = "not started"
        self._late = np.zeros(_LATE_CAPACITY, dtype=np.int64)
        first = self.schedule.first
        self.ref_old = ntp_of_unix_ns(header.t0_unix_ns + int(send_ns[first]))

    @property
    def pass_duration_s(self) -> float:
        return self.schedule.period_ns / self.schedule.speed * 1e-9

    def _datagrams(self, group: list[Record], pass_index: int, ref_new: int) -> list[bytes]:
        out: list[bytes] = []
        for record in group:
            datagram = record.datagram
            if is_bundle(datagram):
                if self.unbundle:
                    out.extend(messages(datagram))
                    continue
                tag = self.schedule.retag(bundle_time_tag(datagram), pass_index, self.ref_old, ref_new)
                datagram = with_time_tag(datagram, tag)
            out.append(datagram)
        return out

    def run(self, stop=None, on_progress=None, progress_period_s: float = 0.25) -> ReplayStats:
        """Replay until the end (or forever with `loop`) or until the `threading.Event`
        `stop` is set. `on_progress(replayer, pass_index, position_s)` is called about every
        `progress_period_s`, right after a send (the next deadline is then furthest away)."""
        gc.collect()
        gc.freeze()  # the recording's objects never reach a collection during the replay
        try:
            with _punctual() as self.scheduling:
                return self._run(stop, on_progress, progress_period_s)
        finally:
            gc.unfreeze()

    def _run(self, stop, on_progress, progress_period_s: float) -> ReplayStats:
        schedule, stats, late = self.schedule, self.stats, self._late
        t0 = time.monotonic_ns() + 2_000_000   # a little ahead: the first group is on time too
        ref_new = ntp_of_unix_ns(time.time_ns() + (t0 - time.monotonic_ns()))
        next_progress = time.monotonic()
        pass_index = 0
        n_late = 0
        stopped = False
        while not stopped:
            stats.passes = pass_index + 1
            for g in range(schedule.first, len(self.groups)):
                deadline = t0 + schedule.offset_ns(pass_index, g)
                datagrams = self._datagrams(self.groups[g], pass_index, ref_new)
                if g == schedule.first and pass_index > 0:
                    datagrams.insert(0, LOOP_MARKER)
                    stats.markers_sent += 1
                if _wait_until(deadline, stop):
                    stopped = True
                    break
                self.sender.send(datagrams)
                late[n_late % late.size] = time.monotonic_ns() - deadline
                n_late += 1
                stats.groups_sent += 1
                stats.datagrams_sent += len(datagrams)
                if on_progress is not None and time.monotonic() >= next_progress:
                    next_progress = time.monotonic() + progress_period_s
                    on_progress(self, pass_index, (deadline - t0) * 1e-9)
            if not self.loop:
                break
            pass_index += 1
        stats.late_ns = late[:min(n_late, late.size)].copy()
        stats.elapsed_s = (time.monotonic_ns() - t0) * 1e-9
        return stats


def _wait_until(deadline_ns: int, stop) -> bool:
    """Wait for the monotonic `deadline_ns`; True if `stop` was set meanwhile."""
    while True:
        remaining = deadline_ns - time.monotonic_ns()
        if remaining <= 0:
            return stop is not None and stop.is_set()
        if remaining > SLEEP_MARGIN_NS + 1_000_000:
            if stop is not None:
                if stop.wait((remaining - SLEEP_MARGIN_NS) * 1e-9):
                    return True
            else:
                time.sleep((remaining - SLEEP_MARGIN_NS) * 1e-9)
        elif remaining > SPIN_NS:
            time.sleep((remaining - SPIN_NS) * 1e-9 * 0.5)
        # else: spin
