"""Causal tempo of a novelty curve: autocorrelation, a comb over the beat's multiples, a
log-Gaussian prior and a tempo HMM.

Every `UPDATE_HOPS` hops, over the last `WINDOW_S` seconds of novelty ``n``:

1. peaks only: ``p = max(0, n − moving mean over 0.25 s)``, smoothed by a Gaussian of σ =
   `SMOOTH_HOPS` hops (7 taps), then ``p − mean(p)``. The smoothing makes a period that falls
   between two hops (150 BPM is 37.5 hops at 512 / 48 kHz: peaks 37 and 38 hops apart in turn)
   correlate as well as its double, which otherwise wins and halves the tempo;
2. autocorrelation ``r(τ) = Σ p_t p_{t−τ} / Σ p_t²`` (FFT, unbiased: scaled by N / (N − τ));
3. for every tempo state (`N_STATES` BPM from `BPM_MIN` to `BPM_MAX`, log-spaced), the beat
   period ``τ = 60 / (bpm · hop_s)`` hops and the comb ``c = Σ_{k=1..4} r(k·τ) / k`` ÷ Σ 1/k,
   each ``r(k·τ)`` the largest within ±1 hop (linear interpolation between hops);
4. the observation ``o = max(c, 0)² · prior``, ``prior = exp(−½ (log2(bpm / PRIOR_BPM) /
   PRIOR_OCTAVES)²)``: of two metrical levels that fit equally well, the one nearer
   120 BPM;
5. HMM forward step ``b ← o · (T b)`` with ``T`` a Gaussian in log-tempo (σ =
   `STEP_STATES` states per update) plus a uniform jump probability `JUMP`, normalised; the
   tempo is the argmax of ``b`` (refined with a parabola through its neighbours).

The confidence is the pulse clarity at the chosen period: ``max(0, c)`` at the chosen tempo
(1 for a click track, near 0 for noise or silence; 0 while the window's novelty is below
`SILENCE_NOVELTY`).
"""

from __future__ import annotations

import numpy as np

WINDOW_S = 6.0
UPDATE_HOPS = 8
BPM_MIN, BPM_MAX = 50.0, 220.0
N_STATES = 150
PRIOR_BPM = 120.0
PRIOR_OCTAVES = 0.9
STEP_STATES = 1.5
JUMP = 0.02
HARMONICS = 4
SILENCE_NOVELTY = 1e-3
PEAK_MEAN_S = 0.25
SMOOTH_HOPS = 0.6
MIN_WINDOW_S = 3.0


class TempoEstimator:
    """Push one novelty value per hop; `bpm` and `confidence` follow (updated every
    `UPDATE_HOPS` hops)."""

    def __init__(self, hop_s: float):
        self.hop_s = float(hop_s)
        self.n_window = int(round(WINDOW_S / self.hop_s))
        self._history = np.zeros(self.n_window)
        self._filled = 0
        self._since_update = 0
        self.states_bpm = np.geomspace(BPM_MIN, BPM_MAX, N_STATES)
        self._periods = 60.0 / (self.states_bpm * self.hop_s)
        self._prior = np.exp(-0.5 * (np.log2(self.states_bpm / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
        idx = np.arange(N_STATES)
        trans = np.exp(-0.5 * ((idx[:, None] - idx[None, :]) / STEP_STATES) ** 2)
        trans /= trans.sum(axis=0, keepdims=True)
        self._transition = (1.0 - JUMP) * trans + JUMP / N_STATES
        self._belief = np.full(N_STATES, 1.0 / N_STATES)
        self._mean_len = max(1, int(round(PEAK_MEAN_S / self.hop_s)))
        taps = np.arange(-3, 4)
        self._smooth = np.exp(-0.5 * (taps / SMOOTH_HOPS) ** 2)
        self.bpm = PRIOR_BPM
        self.confidence = 0.0
        self.comb = np.zeros(N_STATES)

    @property
    def period_hops(self) -> float:
        return 60.0 / (self.bpm * self.hop_s)

    def push(self, novelty: float) -> bool:
        """Add one hop's novelty; True when the estimate was updated."""
        h = self._history
        h[:-1] = h[1:]
        h[-1] = novelty
        self._filled = min(self._filled + 1, self.n_window)
        self._since_update += 1
        if self._since_update < UPDATE_HOPS:
            return False
        self._since_update = 0
        self._update(h[self.n_window - self._filled:])
        return True

    def _update(self, x: np.ndarray) -> None:
        n = x.size
        if n < MIN_WINDOW_S / self.hop_s or x.mean() < SILENCE_NOVELTY:
            self.confidence = 0.0
            self.comb[:] = 0.0
            return
        kernel = np.ones(self._mean_len) / self._mean_len
        local = np.convolve(x, kernel, mode="full")[:n]  # causal moving mean
        p = np.convolve(np.maximum(x - local, 0.0), self._smooth, mode="same")
        p = p - p.mean()
        energy = float(p @ p)
        if energy <= 0.0:
            self.confidence = 0.0
            self.comb[:] = 0.0
            return
        size = 1 << int(np.ceil(np.log2(2 * n)))
        spec = np.fft.rfft(p, size)
        acf = np.fft.irfft(spec * np.conj(spec), size)[:n] / energy
        lags = np.arange(n)
        acf = acf * n / np.maximum(n - lags, n / 4)
        # the largest value within ±1 hop of each lag
        acf_max = np.maximum(acf, np.maximum(np.r_[acf[1:], acf[-1]], np.r_[acf[0], acf[:-1]]))
        comb = np.zeros(N_STATES)
        weights = 0.0
        for k in range(1, HARMONICS + 1):
            lag = k * self._periods
            ok = lag < n - 1
            w = 1.0 / k
            comb += np.where(ok, np.interp(lag, lags, acf_max), 0.0) * w
            weights += w
        comb /= weights
        self.comb = comb
        obs = np.maximum(comb, 0.0) ** 2 * self._prior + 1e-9
        belief = obs * (self._transition @ self._belief)
        belief /= belief.sum()
        self._belief = belief
        i = int(np.argmax(belief))
        bpm = self.states_bpm[i]
        if 0 < i < N_STATES - 1:
            a, b, c = np.log(belief[i - 1:i + 2] + 1e-300)
            denom = a - 2 * b + c
            if denom < 0:
                shift = 0.5 * (a - c) / denom
                bpm = self.states_bpm[i] * (self.states_bpm[1] / self.states_bpm[0]) ** float(np.clip(shift, -0.5, 0.5))
        self.bpm = float(bpm)
        self.confidence = float(max(0.0, comb[i]))

    def reset(self) -> None:
        self._history[:] = 0.0
        self._filled = 0
        self._belief[:] = 1.0 / N_STATES
        self.confidence = 0.0
