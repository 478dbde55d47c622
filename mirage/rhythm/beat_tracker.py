"""`BeatTracker`: the mix's tempo, beat phase and beat triggers, fed one hop at a time.

The one object used offline (`mirage.rhythm.offline_beats`) and live (the engine's beat
stage, `mirage.engine.beat_stage`), so both give the same beats for the same mix. Per hop:

    mix samples ─► MixNovelty ─► novelty n ─┬─► TempoEstimator ─► bpm, confidence ─► BeatGate
                                            └─► CumulativeBeatScore ─► predicted beat ─► Beat

Times are seconds from the stream's first sample; hop ``h`` (from 0) ends at
``(h + 1) · hop / sr``. `push_novelty` is the interface for another novelty source (e.g.
per-track flux summed over the tracks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirage.rhythm.beat_phase import WINDOW_FRACTION, CumulativeBeatScore
from mirage.rhythm.beat_scheduler import FIRST_WINDOW_FRACTION, NOVELTY_DELAY_S, Beat, BeatGate, beat_phase
from mirage.rhythm.mix_novelty import MixNovelty
from mirage.rhythm.tempo_estimator import BPM_MIN, TempoEstimator


@dataclass(frozen=True)
class HopRhythm:
    """What one hop tells: ``time_s`` (the hop's end), ``bpm``, ``confidence``, ``phase``
    (0–1), ``beats`` (the triggers decided at this hop: 0 or 1)."""

    time_s: float
    bpm: float
    confidence: float
    phase: float
    beats: tuple[Beat, ...]


class BeatTracker:
    """Tempo, phase and beats of a mono mix; `push` one hop of samples at a time."""

    def __init__(self, sr_hz: float, hop: int):
        self.sr_hz, self.hop = float(sr_hz), int(hop)
        self.hop_s = self.hop / self.sr_hz
        self.novelty = MixNovelty(self.sr_hz, self.hop)
        self.tempo = TempoEstimator(self.hop_s)
        self.score = CumulativeBeatScore(60.0 / (BPM_MIN * self.hop_s))
        self.gate = BeatGate()
        self.hops = 0
        self.beats_sent = 0
        self._last_position = None  # hop position (fractional) of the last scheduled beat's novelty peak
        self._previous_s = None     # the latest beat time already passed
        self._next_s = None         # the scheduled beat still ahead, if any

    def forget(self) -> None:
        """Forget the music heard so far (a new song): novelty history, tempo belief, beat score,
        gate and the scheduled beat start again; the clock (``hops``) and the beat index
        (``beats_sent``) go on, so times and indices stay monotonic on the wire."""
        self.novelty = MixNovelty(self.sr_hz, self.hop)
        self.tempo = TempoEstimator(self.hop_s)
        self.score = CumulativeBeatScore(60.0 / (BPM_MIN * self.hop_s))
        self.gate = BeatGate()
        self._last_position = self._previous_s = self._next_s = None

    def push(self, samples: np.ndarray) -> HopRhythm:
        """One hop of the mono mix (``hop`` samples)."""
        return self.push_novelty(self.novelty.push(samples))

    def push_novelty(self, novelty: float) -> HopRhythm:
        """One hop's novelty (from `MixNovelty` or another source on the same hop grid)."""
        h = self.hops
        self.hops += 1
        t_s = (h + 1) * self.hop_s
        tempo = self.tempo
        tempo.push(novelty)
        period = tempo.period_hops
        self.score.push(novelty, period)
        beats = ()
        if self._next_s is not None and self._next_s <= t_s:
            self._previous_s, self._next_s = self._next_s, None
        if self.gate.update(tempo.confidence):
            if self._last_position is None or h >= self._last_position + period / 2:
                if self._last_position is None:
                    ahead = self.score.predict(period, 0.75 * period, FIRST_WINDOW_FRACTION * period)
                else:
                    ahead = self.score.predict(period, self._last_position + period - h,
                                               WINDOW_FRACTION * period)
                self._last_position = h + ahead
                time_s = max(t_s, (h + 1 + ahead) * self.hop_s - NOVELTY_DELAY_S)
                beat = Beat(time_s, self.beats_sent, tempo.bpm, tempo.confidence, t_s)
                self.beats_sent += 1
                beats = (beat,)
                if time_s <= t_s:
                    self._previous_s = time_s
                else:
                    self._next_s = time_s
        else:
            self._last_position = None
        phase = beat_phase(t_s, self._previous_s, self._next_s, 60.0 / tempo.bpm)
        return HopRhythm(t_s, tempo.bpm, tempo.confidence, phase, beats)
