"""The engine's beat stage: a thread that taps the mix ring and runs the `BeatTracker`.

The callback writes the mono mix, one ``float32[hop]`` record per hop, into the mix ring
(the emotion worker's input; with ``--rhythm`` it exists even without the emotion model).
This thread reads the same records with `kernels.ring.ring_peek` — a read-only tap beside
the ring's one consumer — feeds them to the tracker (`mirage.rhythm.beat_tracker`, the
object ``mirage analyze --beats-out`` uses, so offline equals live), and leaves each hop's
`HopRhythm` for the OSC writer (`pop`). Nothing here touches the callback.

A new song (`request_reset`) makes the tracker forget the previous song's tempo from a given
hop on: the hop the callback was capturing when the song changed, not wherever this thread
happens to be.

If the thread falls more than the ring's depth (8 s) behind, the lost hops are skipped and
counted in ``hops_lost`` (the tracker then sees a jump in the audio).
"""

from __future__ import annotations

import collections
import logging
import threading

import numpy as np

from kernels.ring import ring_peek
from mirage.rhythm.beat_tracker import BeatTracker

log = logging.getLogger("mirage.rhythm")

POLL_S = 0.002


class BeatStage(threading.Thread):
    """Background thread from the mix ring to a queue of `HopRhythm` (`pop`)."""

    def __init__(self, mix_ring, sr_hz: float, hop: int, poll_s: float = POLL_S):
        super().__init__(name="mirage-beat-stage", daemon=True)
        self.ring = mix_ring
        self.tracker = BeatTracker(sr_hz, hop)
        self.poll_s = poll_s
        self.next_record = mix_ring.written
        self.hops_lost = 0
        self.hops_done = 0
        self.latest = None
        self._queue = collections.deque()
        self._record = np.zeros(mix_ring.record_shape, dtype=np.float32)
        self._stop_event = threading.Event()
        self._reset_at = None  # record index from which the tracker forgets (set by another thread)
        ring_peek(mix_ring.header, mix_ring.data, 0, self._record)  # compile (or load) before the first hop

    def run(self) -> None:
        while not self._stop_event.is_set():
            if not self.step():
                self._stop_event.wait(self.poll_s)
        self.step()

    def step(self) -> int:
        """Track every hop published since the last call; returns how many."""
        ring, record = self.ring, self._record
        done = 0
        while True:
            got = ring_peek(ring.header, ring.data, self.next_record, record)
            if got == 0:
                return done
            if got < 0:  # overwritten before it was read: go on from the oldest one left
                oldest = ring.written - (ring.capacity - 1)
                self.hops_lost += max(1, oldest - self.next_record)
                self.next_record = max(self.next_record + 1, oldest)
                continue
            reset_at = self._reset_at
            if reset_at is not None and self.next_record >= reset_at:
                self._reset_at = None
                self.tracker.forget()
            self.next_record += 1
            rhythm = self.tracker.push(record)
            self.latest = rhythm
            self._queue.append(rhythm)
            self.hops_done += 1
            done += 1

    def request_reset(self, at_record: int) -> None:
        """Forget the tempo from mix record ``at_record`` on (`BeatTracker.forget`), applied by
        this thread when it reaches that hop (at once if it is already past it)."""
        self._reset_at = int(at_record)

    def pop(self):
        """The oldest `HopRhythm` not taken yet, or None."""
        try:
            return self._queue.popleft()
        except IndexError:
            return None

    def stop(self, timeout_s: float = 1.0) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout_s)
