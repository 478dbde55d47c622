"""Onset novelty of the mix, one value per hop: log-compressed spectral flux on a mel bank.

Per hop ``t`` the last ``frame = 2 · hop`` samples of the mono mix are Hann-windowed and
transformed; the magnitude ``|X_t(k)|`` (divided by the window's sum, so a full-scale sine
has magnitude 0.5) is summed into ``N_BANDS`` mel triangles (`mirage.emotion.mel`'s shape,
30 Hz to 10 kHz) and log-compressed; the novelty is the half-wave rectified rise summed
over the bands::

    Y_t(b) = log(1 + GAMMA · Σ_k |X_t(k)| · M(k, b))
    n_t    = Σ_b max(0, Y_t(b) − Y_{t−1}(b))

Silence gives 0; a level change of the whole mix by a factor g shifts ``Y`` by about
``log g`` where it is loud, so the flux is nearly level-independent. The value belongs to
the hop's end (the time of the frame's last sample); a sharp onset peaks
`NOVELTY_DELAY_S`-ish later than it sounds (the frame must take it in), which the beat
predictor subtracts.

`MixNovelty` is the small interface the beat tracker is fed through: ``push(hop samples)
→ novelty``. It could as well be fed by a per-track kernel's flux summed over the tracks.
"""

from __future__ import annotations

import numpy as np

N_BANDS = 32
FMIN_HZ, FMAX_HZ = 30.0, 10000.0
GAMMA = 1000.0


def _mel_bank(sr_hz: float, n_fft: int) -> np.ndarray:
    """``float64[n_fft//2 + 1, N_BANDS]`` triangles equally spaced in mel (peak 1)."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr_hz)
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
    hz = lambda m: 700.0 * (10 ** (m / 2595.0) - 1.0)  # noqa: E731
    edges = hz(np.linspace(mel(FMIN_HZ), mel(min(FMAX_HZ, sr_hz / 2)), N_BANDS + 2))
    bank = np.zeros((freqs.size, N_BANDS))
    for b in range(N_BANDS):
        lo, c, hi = edges[b], edges[b + 1], edges[b + 2]
        bank[:, b] = np.maximum(0.0, np.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)))
        if not bank[:, b].any():  # narrower than a bin: the nearest bin
            bank[np.argmin(np.abs(freqs - c)), b] = 1.0
    return bank


class MixNovelty:
    """Spectral-flux novelty of a mono signal fed one hop at a time (see the module docstring)."""

    def __init__(self, sr_hz: float, hop: int):
        self.sr_hz, self.hop = float(sr_hz), int(hop)
        self.frame = 2 * self.hop
        self._buffer = np.zeros(self.frame, dtype=np.float64)
        window = np.hanning(self.frame + 2)[1:-1]
        self._window = window / window.sum()
        self._bank = _mel_bank(self.sr_hz, self.frame)
        self._previous = np.zeros(N_BANDS)

    def push(self, samples: np.ndarray) -> float:
        """The novelty of the hop ``samples`` (``hop`` values) ends."""
        buf = self._buffer
        buf[:-self.hop] = buf[self.hop:]
        buf[-self.hop:] = samples
        bands = np.log1p(GAMMA * (np.abs(np.fft.rfft(buf * self._window)) @ self._bank))
        rise = bands - self._previous
        self._previous = bands
        return float(np.maximum(rise, 0.0).sum())

    def reset(self) -> None:
        self._buffer[:] = 0.0
        self._previous[:] = 0.0
