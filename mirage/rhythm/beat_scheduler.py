"""When beats are predicted and sent, whether there is a pulse at all, and the phase.

* **Gate** (hysteresis on the tempo confidence): beats start when the confidence reaches
  `CONFIDENCE_ON` and stop when it falls below `CONFIDENCE_OFF`; no pulse, no beats.
* **Schedule**: half a period after the last scheduled beat (or at once when the gate
  opens) the next beat is predicted (`mirage.rhythm.beat_phase`) and committed: its time is
  the predicted novelty peak minus `NOVELTY_DELAY_S` (the frame's delay in seeing an onset,
  measured on clicks), never earlier than the decision. Live, the trigger is sent at the
  decision with the OSC time tag of the beat (a receiver that honours time tags fires it on
  the beat); a committed beat is not taken back.
* **Phase** at time ``t``: ``(t − b_prev) / (b_next − b_prev)`` between the scheduled beats
  around ``t`` (``b_next = b_prev + 60 / bpm`` when none is scheduled yet), in [0, 1);
  0 before the first beat.
"""

from __future__ import annotations

from dataclasses import dataclass

CONFIDENCE_ON = 0.20
CONFIDENCE_OFF = 0.10
NOVELTY_DELAY_S = 0.021
FIRST_WINDOW_FRACTION = 0.6


@dataclass(frozen=True)
class Beat:
    """One beat trigger: ``time_s`` (its OSC time tag, s from the stream's first sample),
    ``index`` (0, 1, … since the start), ``bpm`` and ``confidence`` at the decision,
    ``decided_s`` (the end of the hop at which it was predicted and sent, ≤ ``time_s``)."""

    time_s: float
    index: int
    bpm: float
    confidence: float
    decided_s: float


class BeatGate:
    """Confidence hysteresis: `update(confidence)` → whether beats are on."""

    def __init__(self):
        self.on = False

    def update(self, confidence: float) -> bool:
        if self.on and confidence < CONFIDENCE_OFF:
            self.on = False
        elif not self.on and confidence >= CONFIDENCE_ON:
            self.on = True
        return self.on


def beat_phase(t_s: float, previous_s: float | None, next_s: float | None, period_s: float) -> float:
    """The phase at ``t_s`` (see the module docstring)."""
    if previous_s is None:
        return 0.0
    if next_s is not None and next_s > previous_s:
        span = next_s - previous_s
    else:
        span = period_s
    return ((t_s - previous_s) / span) % 1.0
