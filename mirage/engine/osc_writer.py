"""The OSC writer thread: drains the feature ring, encodes, sends; forwards the emotion.

With a rhythm encoder (``--rhythm``) each hop's per-track rhythm values
(`mirage.osc.track_rhythm_encoder`) follow its feature datagrams, with the same time tag.

It is the feature ring's only consumer. Per hop record it converts the features to float32,
encodes them with the preallocated template encoder (`mirage.osc.hop_encoder`), sends the
datagrams to every target (`mirage.osc.sender`, non-blocking, errors counted), and logs
``hop_to_send`` = the time ``sendto`` returned for the hop's last datagram − the capture time
of the hop's last sample (both CLOCK_MONOTONIC; counted whether or not the send succeeded).
The OSC time tag is the capture time on the wall clock (monotonic + an offset taken at
start). A slow or failing writer never reaches the callback: the ring drops the oldest hops
and counts them.

Once a second, at once when the audio device is lost or back, and once more when it stops,
it also sends ``/mirage/status`` (`mirage.osc.status_encoder`): five int32 — xruns, dropped hops, OSC send errors,
emotion-worker restarts, audio-device losses — and a string, the device state (``"running"``
or ``"lost"``; receivers that route only MIRAGE's feature addresses ignore it), and logs a
line whenever xruns or drops grew.

``paused`` (set by the control's transport stop on live input, `mirage.engine.rig_control`):
the hops and mood steps are still drained (the rings never fill) but not sent; counted in
``hops_paused``.

Songs and profiles change while it runs (`mirage.engine.rig_control`): each hop record carries
the generation of the parameters the callback computed it with (``REC_GENERATION``), and the
hop is encoded by the encoder registered for that generation (`add_encoder`, before the
change is staged): its track count and instrument strings are those of the song the hop
belongs to, whenever the writer gets to it.

``--rhythm``: it also takes the beat stage's hops (`mirage.engine.beat_stage`) and sends
``/mirage/tempo`` and ``/mirage/phase`` per hop (time tag: the hop's capture time) and each
``/mirage/beat`` at once, time-tagged with the predicted beat time (with ``--no-bundle``,
which has no time tags, each beat is held and sent when its time comes);
`mirage.osc.beat_encoder`.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
import time

import numpy as np

from kernels.layout import N_FEATURES
from kernels.ring import ring_pop
from mirage.audio.state_table_layout import ST_BLOCKSIZE
from kernels.rhythm_layout import N_RHYTHM, RH_ONSET
from mirage.engine.callback_layout import (
    HEADER_ROW, REC_CAPTURE_NS, REC_GENERATION, REC_RHYTHM0, TRACK_ROW0, feature_record_shape,
)
from mirage.engine.latency import LatencyLog
from mirage.osc.addresses import STATUS_DEVICE_STATES
from mirage.osc.status_encoder import encode_status

log = logging.getLogger("mirage.osc")

POLL_S = 0.0001
STATUS_PERIOD_S = 1.0
DEVICE_RUNNING, DEVICE_LOST = STATUS_DEVICE_STATES
WRITER_PRIORITY = 10          # SCHED_FIFO priority, below JACK's audio threads (70+)
_PR_SET_TIMERSLACK = 29


def _make_this_thread_punctual() -> str:
    """Give the calling thread 1 µs timer slack and, where allowed, SCHED_FIFO priority.

    Returns a word for the log: "realtime" or "normal" scheduling.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_TIMERSLACK, 1000, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(WRITER_PRIORITY))
        return "realtime"
    except (OSError, AttributeError):
        return "normal"


class OscWriter(threading.Thread):
    """Background thread; `stop()` ends it after a last drain."""

    def __init__(self, graph, hop_encoder, sender, *, emotion=None, emotion_encoder=None, poll_s: float = POLL_S,
                 rhythm_encoder=None, beat_stage=None, beat_encoder=None):
        super().__init__(name="mirage-osc-writer", daemon=True)
        self.graph = graph
        self.encoders = {0: hop_encoder}  # generation -> hop encoder (mirage.engine.rig_control)
        self.hop_encoder = hop_encoder     # the newest
        self.sender = sender
        self.emotion = emotion
        self.emotion_encoder = emotion_encoder
        self.poll_s = poll_s
        self.hop_to_send = LatencyLog()
        self.hops_sent = 0
        self.hops_paused = 0
        self.emotion_sent = 0
        self.beat_stage = beat_stage
        self.beat_encoder = beat_encoder
        self.rhythm_hops_sent = 0
        self.beats_sent = 0
        self.latest_tempo = None    # the latest mirage.rhythm.beat_tracker.HopRhythm sent
        self._held_beats = []       # --no-bundle: (wall time s, datagram) sent when due
        self.paused = False
        self.latest_features: np.ndarray | None = None
        self.latest_emotion: tuple[float, float] | None = None
        self.rhythm_encoder = rhythm_encoder  # the first song's; rhythm_encoders: one per track count
        self.rhythm_encoders = {} if rhythm_encoder is None else {rhythm_encoder.n_tracks: rhythm_encoder}
        self.latest_rhythm: np.ndarray | None = None
        self.onsets_sent = 0
        self.wall_offset_ns = time.time_ns() - time.monotonic_ns()
        self.scheduling = "not started"
        self._stop_event = threading.Event()
        self._record = np.zeros(feature_record_shape(graph.n_tracks), dtype=np.float64)
        self._features = np.zeros((graph.n_tracks, N_FEATURES), dtype=np.float32)
        self._rhythm = np.zeros((graph.n_tracks, N_RHYTHM), dtype=np.float32)
        self._onset_held = np.zeros(graph.n_tracks, dtype=np.float32)
        self.drain()  # compiles (or loads) ring_pop for these record types before the first hop
        self._next_status_s = 0.0
        self._reported = (0, 0)
        self.device_state = DEVICE_RUNNING
        self.device_losses = 0

    def add_encoder(self, generation: int, hop_encoder) -> None:
        """Encode the hops of ``generation`` with ``hop_encoder`` (called before the callback
        can produce one); encoders of generations long gone are forgotten."""
        self.encoders[generation] = hop_encoder
        self.hop_encoder = hop_encoder
        n = hop_encoder.n_tracks
        if self.rhythm_encoder is not None and n not in self.rhythm_encoders:  # a song of another size
            self.rhythm_encoders[n] = self.rhythm_encoder.resized(n)
        for old in [g for g in self.encoders if g < generation - 8]:
            self.encoders.pop(old, None)

    def stop(self, timeout_s: float = 1.0) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout_s)

    def run(self) -> None:
        self.scheduling = _make_this_thread_punctual()
        while not self._stop_event.is_set():
            if not self.drain():
                now_s = time.monotonic()
                if now_s >= self._next_status_s:
                    self._next_status_s = now_s + STATUS_PERIOD_S
                    self.send_status()
                time.sleep(self.poll_s)
        self.drain()
        self.send_status()

    def drain(self) -> int:
        """Take everything waiting and send it (while ``paused``, hops are only counted in
        ``hops_paused``); returns the number of hops and emotion steps taken."""
        ring = self.graph.feature_ring
        header, data = ring.header, ring.data
        record, features = self._record, self._features
        taken = 0
        n_tracks = None
        while ring_pop(header, data, record):
            np.copyto(features, record[TRACK_ROW0:, :N_FEATURES], casting="unsafe")
            taken += 1
            if self.paused:
                self.hops_paused += 1
                continue
            encoder = self.encoders.get(int(record[HEADER_ROW, REC_GENERATION]), self.hop_encoder)
            n_tracks = encoder.n_tracks
            capture_ns = int(record[HEADER_ROW, REC_CAPTURE_NS])
            capture_s = (capture_ns + self.wall_offset_ns) * 1e-9
            datagrams = encoder.encode(features[:n_tracks], capture_s)
            self.sender.send(datagrams, capture_s)
            if self.rhythm_encoder is not None:
                rhythm = self._rhythm
                np.copyto(rhythm, record[TRACK_ROW0:, REC_RHYTHM0:REC_RHYTHM0 + N_RHYTHM], casting="unsafe")
                rhythm_encoder = self.rhythm_encoders.get(n_tracks, self.rhythm_encoder)
                self.sender.send(rhythm_encoder.encode(rhythm[:n_tracks], capture_s), capture_s)
                rhythm[n_tracks:] = 0.0
                onsets = rhythm[:, RH_ONSET]
                self.onsets_sent += int(np.count_nonzero(onsets))
                np.maximum(self._onset_held, onsets, out=self._onset_held)
            self.hop_to_send.add(time.monotonic_ns() - capture_ns)
            self.hops_sent += 1
        if n_tracks is not None:
            self.latest_features = features[:n_tracks].copy()
            if self.rhythm_encoder is not None:
                self.latest_rhythm = self._rhythm[:n_tracks].copy()
        if self.emotion is not None:
            while (result := self.emotion.pop_result()) is not None:
                arousal, valence, time_s = result
                taken += 1
                if self.paused:
                    continue
                capture_ns = self.sample0_ns() + time_s * 1e9
                capture_s = (capture_ns + self.wall_offset_ns) * 1e-9
                datagram = self.emotion_encoder.encode(arousal, valence, capture_s)
                self.sender.send([datagram], capture_s)
                self.latest_emotion = (arousal, valence)
                self.emotion_sent += 1
        if self.beat_stage is not None:
            taken += self._drain_rhythm()
        return taken

    def take_rhythm(self) -> np.ndarray | None:
        """The latest per-track rhythm values, their onset column the strongest onset sent
        since the previous call (then forgotten; a race with the writer only affects the
        display). None without ``--rhythm`` or before the first hop."""
        if self.latest_rhythm is None:
            return None
        latest = self.latest_rhythm.copy()
        latest[:, RH_ONSET] = self._onset_held[:latest.shape[0]]
        self._onset_held[:] = 0.0
        return latest
    def _drain_rhythm(self) -> int:
        taken = 0
        encoder = self.beat_encoder
        while (rhythm := self.beat_stage.pop()) is not None:
            taken += 1
            if self.paused:
                continue
            capture_s = self._wall_s(rhythm.time_s)
            self.sender.send(encoder.encode_hop(rhythm.bpm, rhythm.confidence, rhythm.phase, capture_s), capture_s)
            self.rhythm_hops_sent += 1
            self.latest_tempo = rhythm
            for beat in rhythm.beats:
                beat_s = self._wall_s(beat.time_s)
                datagram = encoder.encode_beat(beat.index, beat.bpm, beat_s)
                if encoder.bundle:
                    self.sender.send([datagram], beat_s)
                    self.beats_sent += 1
                else:
                    self._held_beats.append((beat_s, datagram))
        if self._held_beats:
            now_s = time.time()
            while self._held_beats and self._held_beats[0][0] <= now_s:
                beat_s, datagram = self._held_beats.pop(0)
                self.sender.send([datagram], beat_s)
                self.beats_sent += 1
        return taken

    def _wall_s(self, stream_time_s: float) -> float:
        """Seconds from the source's sample 0 → Unix time (the OSC time tag's clock)."""
        return (self.sample0_ns() + stream_time_s * 1e9 + self.wall_offset_ns) * 1e-9

    def counts(self) -> tuple[int, int, int, int]:
        """(xruns, dropped hops, OSC send errors, emotion restarts) so far. xruns: callbacks
        PortAudio flagged with one (an xrun of a duplex stream flags its input and output
        together: one xrun, as JACK counts it)."""
        c = self.graph.table.counters()
        xruns = c["xrun_callbacks"]
        dropped = self.graph.feature_ring.dropped + self.graph.hops_lost_no_room
        restarts = self.emotion.restarts if self.emotion is not None else 0
        return xruns, dropped, self.sender.errors, restarts

    def send_status(self) -> None:
        xruns, dropped, errors, restarts = counts = self.counts()
        if (xruns, dropped) != self._reported:
            log.warning("xruns %d, dropped hops %d so far", xruns, dropped)
            self._reported = (xruns, dropped)
        self.sender.send([encode_status((*counts, self.device_losses), self.device_state)])

    def set_device_state(self, state: str, losses: int) -> None:
        """The audio device is ``DEVICE_LOST`` or ``DEVICE_RUNNING`` (again); the thread
        sends ``/mirage/status`` at its next idle moment, not at the next second."""
        self.device_state, self.device_losses = state, losses
        self._next_status_s = 0.0

    def sample0_ns(self) -> float:
        """Capture time (monotonic ns) of the source's sample 0: the first callback's start
        minus the rest of its block (one block at the stream's nominal size)."""
        block = self.graph.table.array[ST_BLOCKSIZE] or self.graph.hop
        return self.graph.first_callback_ns - (block - 1) * 1e9 / self.graph.sr_hz
