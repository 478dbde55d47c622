"""Where the next beat falls: a cumulative beat score over the novelty, projected ahead.

Per hop ``t``, with the current beat period ``τ`` (hops), the score remembers the best chain
of beats ending at ``t`` (a causal form of Ellis's dynamic-programming beat tracker, as in
Stark et al.'s real-time BTrack)::

    W(d)   = exp(−½ (η · ln(d / τ))²),        d = ⌈τ/2⌉ … ⌊2τ⌋ hops back
    C(t)   = (1 − α) · n(t) + α · max_d W(d) · C(t − d)

To predict, the score is continued into the future with no novelty (``n = 0``) for ``K``
hops, weighted by a Gaussian around the beat the current tempo expects (one period after
the last beat, σ = `WINDOW_FRACTION` · τ), and the largest value (refined by a parabola
through its neighbours) is the predicted beat, in hops ahead of ``t``. The prediction is
made half a period before the beat, so it is known ~τ/2 ahead of time.
"""

from __future__ import annotations

import numpy as np

ALPHA = 0.8
TIGHTNESS = 5.0
WINDOW_FRACTION = 0.4


class CumulativeBeatScore:
    """The score ``C`` over the last few periods; `push` per hop, `predict` when a beat is due."""

    def __init__(self, max_period_hops: float):
        self.length = int(np.ceil(2.5 * max_period_hops)) + 4
        self.score = np.zeros(self.length)
        self._tau = 0.0
        self._d = self._w = None

    def _weights(self, period_hops: float):
        if period_hops != self._tau:
            self._tau = period_hops
            d = np.arange(max(1, int(np.ceil(period_hops / 2))), int(np.floor(2 * period_hops)) + 1)
            self._d = d
            self._w = np.exp(-0.5 * (TIGHTNESS * np.log(d / period_hops)) ** 2)
        return self._d, self._w

    def push(self, novelty: float, period_hops: float) -> None:
        d, w = self._weights(period_hops)
        s = self.score
        best = float(np.max(w * s[self.length - d])) if d.size else 0.0
        s[:-1] = s[1:]
        s[-1] = (1.0 - ALPHA) * novelty + ALPHA * best

    def predict(self, period_hops: float, expected_ahead_hops: float, sigma_hops: float) -> float:
        """Hops after the current one at which the next beat is most likely (≥ 1)."""
        d, w = self._weights(period_hops)
        k_max = int(np.ceil(expected_ahead_hops + 2 * sigma_hops)) + 1
        k_max = max(2, min(k_max, int(np.ceil(2 * period_hops))))
        ext = np.concatenate([self.score, np.zeros(k_max)])
        base = self.length - 1  # index of the current hop
        for k in range(1, k_max + 1):
            ext[base + k] = ALPHA * np.max(w * ext[base + k - d])
        future = ext[base + 1:base + 1 + k_max]
        ks = np.arange(1, k_max + 1, dtype=np.float64)
        weighted = future * np.exp(-0.5 * ((ks - expected_ahead_hops) / sigma_hops) ** 2)
        i = int(np.argmax(weighted))
        ahead = float(ks[i])
        if 0 < i < k_max - 1:
            a, b, c = weighted[i - 1:i + 2]
            denom = a - 2 * b + c
            if denom < 0:
                ahead += float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5))
        return max(1.0, ahead)

    def reset(self) -> None:
        self.score[:] = 0.0
