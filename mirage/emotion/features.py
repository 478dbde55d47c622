"""Causal emotion features of a mono mix: one vector every 0.5 s, streamed or offline.

One computation, two drivers: :class:`EmotionFeatures` is fed audio in blocks of any size
(``push``) and emits one vector per completed 0.5 s step; :func:`extract` feeds a whole
signal through the same object. Work is scheduled on the *step grid*, never on the block
boundaries: the STFT frames whose last sample lies in ``(T_{j-1}, T_j]`` are computed in one
call when step ``j`` completes (``T_j = round(j · STEP_S · sr)``), so the two drivers make the
same calls on the same samples and their vectors are bit-identical for any block size.

The pieces, one concept per module: the vector's names and slots
(`mirage.emotion.feature_layout`), the mel bands (`mirage.emotion.mel`), the semitone peaks
and their statistics (`mirage.emotion.semitones`), the note-activation chroma
(`mirage.emotion.chroma`), the key fit (`mirage.emotion.key_profiles`) and the pulse
(`mirage.emotion.pulse`); the STFT is `kernels.stft`, the window `kernels.window`.

Rate independence
-----------------
The STFT size follows the rate, ``n_fft = 2^round(log2(2048 · sr / 44100))`` and
``hop = n_fft / 4`` (2048/512 at 44.1 and 48 kHz, 1024/256 at 22.05 kHz); magnitudes are
divided by the window sum, so a sinusoid of amplitude A reads A/2 at any rate; every band is
defined in Hz (mel triangles 40 Hz–8 kHz, semitone peaks 55 Hz–4 kHz, flatness 100 Hz–8 kHz), and
every window in seconds. No resampling happens in the extractor.

Per STFT frame (``S`` = |rfft(periodic Hann · x)| / Σ window, ``P = S²``), the columns
``FRAME_*`` of `mirage.emotion.feature_layout`::

    level_db   = 10·log10(Σ_f P + 1e-14)
    mel_db[b]  = 10·log10(Σ_f M[b, f]·P + 1e-6·Σ_f P)     (24 mel bands, floor −60 dB re frame)
    shape[b]   = mel_db[b] − mean_b mel_db                 (gain-invariant)
    flux       = Σ_b max(0, mel_db[b] − mel_db_prev[b]) / n_bands
    centroid   = log2(Σ f·S / Σ S + 1)   (Hz)
    flatness   = mean ln P' − ln mean P' (100 Hz–8 kHz, P' = P + 1e-10·mean_f P: gain-invariant)
    peak_onsets, height, spread, peak_count   of the semitone peaks (`mirage.emotion.semitones`)
  and, kept beside the rows, the frame's note-activation chroma (`mirage.emotion.chroma`).

Per step (the frames of the last ``CONTEXT_S`` = 3 s), the short vector, see
:data:`~mirage.emotion.feature_layout.SHORT_NAMES`: mean spectral shape (24) of the audible
frames, level mean/std/slope/range, flux mean/std, onset rate (local flux maxima above
mean + std, per second), pulse clarity and beat period (`mirage.emotion.pulse`), centroid
and flatness means, chroma entropy, the Krumhansl–Kessler key fit of the 3 s chroma (best
major r, best minor r, their difference), the onset density at fixed thresholds (flux maxima
over ±2 frames above 1 dB and above 3 dB, per second: the adaptive threshold above
saturates on dense textures), and the pitched-peak features (peak onsets per second;
register height and spread in semitones and the peak count, means over the frames with
peaks): read from peak positions on a semitone grid, they depend less on the instrument's
timbre than the band shape does.
Long context: the mean of those step vectors over the last ``LONG_CONTEXT_S`` = 15 s (a
boxcar over the available steps at the start) plus the key fit of the 15 s summed chroma
(``l_*``); and a running mean of the step vectors and of the step chroma (``e_*``) with a
warm-up: after step ``n`` (1-based)::

    e_n = e_{n-1} + a_n · (x_n − e_{n-1}),   a_n = max(1/n, 1 − exp(−STEP_S / RUNNING_CONTEXT_S))

i.e. the plain mean of every step so far until ``n ≈ RUNNING_CONTEXT_S / STEP_S``, then an
exponential average with time constant ``RUNNING_CONTEXT_S`` = 120 s: no weight piles up
on the first step, and the mood of a long set follows the last few minutes.
Silence (level below −120 dB) gives finite values. NaN/Inf samples are replaced by 0 and
counted in ``nonfinite_count``.
"""

from __future__ import annotations

import numpy as np

from kernels.stft import magnitude_frames
from kernels.window import periodic_hann
from mirage.emotion import feature_layout as fl
from mirage.emotion.chroma import note_chroma
from mirage.emotion.feature_layout import (CONTEXT_S, LONG_CONTEXT_S, N_FEATURES, N_SHORT,
                                           RUNNING_CONTEXT_S, STEP_S)
from mirage.emotion.key_profiles import key_fit
from mirage.emotion.mel import mel_matrix
from mirage.emotion.pulse import pulse
from mirage.emotion.semitones import (N_SEMITONES, PEAKS_FMAX_HZ, PEAKS_FMIN_HZ,
                                      peak_statistics, semitone_db)
from mirage.errors import ParameterError

SILENCE_DB = -120.0
"""Frames below this level (dB) are silent: left out of the shape, centroid, flatness and
register means."""
FLATNESS_FMIN_HZ, FLATNESS_FMAX_HZ = 100.0, 8000.0


def stft_size(sr_hz: float) -> tuple[int, int]:
    """``(n_fft, hop)`` for a rate: ≈ 46 ms frames, 75 % overlap."""
    n_fft = int(2 ** round(np.log2(2048 * sr_hz / 44100.0)))
    return n_fft, n_fft // 4


class EmotionFeatures:
    """Streaming extractor: ``push(block)`` → ``float32[n_steps, N_FEATURES]``, ``times_s``.

    Parameters
    ----------
    sr_hz : float
        Sample rate of the mono mix (any rate ≥ 16 kHz).
    """

    def __init__(self, sr_hz: float):
        if not (16000 <= sr_hz <= 384000):
            raise ParameterError(f"emotion features need 16 kHz ≤ sr ≤ 384 kHz, got {sr_hz!r}")
        self.sr_hz = float(sr_hz)
        self.n_fft, self.hop = stft_size(self.sr_hz)
        freqs = np.fft.rfftfreq(self.n_fft, 1.0 / self.sr_hz)
        self._freqs = freqs
        self._freqs32 = freqs.astype(np.float32)
        self._mel = mel_matrix(self.sr_hz, self.n_fft)
        self._peaks_lo = int(np.searchsorted(freqs, PEAKS_FMIN_HZ))
        self._peaks_hi = int(np.searchsorted(freqs, PEAKS_FMAX_HZ))
        self._flat_mask = (freqs >= FLATNESS_FMIN_HZ) & (freqs < FLATNESS_FMAX_HZ)
        self._wsum = float(np.sum(periodic_hann(self.n_fft)))
        self.frames_per_s = self.sr_hz / self.hop
        self._ctx_frames = int(round(CONTEXT_S * self.frames_per_s))
        self._long_steps = int(round(LONG_CONTEXT_S / STEP_S))
        self.reset()

    def reset(self) -> None:
        """Forget all audio: the next sample is sample 0."""
        self._buf = np.zeros(0, np.float32)
        self._buf_start = 0        # absolute index of _buf[0]
        self._n_in = 0             # samples received
        self._next_frame = 0       # index of the next STFT frame to compute
        self._step = 0             # steps emitted
        self._prev_mel = None
        self._prev_semi = None                     # semitone dB of the last two frames
        self._frame_rows: list[np.ndarray] = []   # per-frame features, last context
        self._chroma_rows: list[np.ndarray] = []
        self._short_hist: list[np.ndarray] = []   # last long-context step vectors
        self._chroma_hist: list[np.ndarray] = []  # per-step chroma sums
        self._run = None                           # running mean of the steps (warm-up)
        self._run_chroma = None
        self.nonfinite_count = 0

    def step_end_sample(self, j: int) -> int:
        return int(round(j * STEP_S * self.sr_hz))

    def push(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Feed mono samples; return (features ``[n, N_FEATURES]``, times ``[n]`` in s)."""
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        bad = ~np.isfinite(x)
        if bad.any():
            self.nonfinite_count += int(bad.sum())
            x = np.where(bad, np.float32(0.0), x)
        self._buf = np.concatenate([self._buf, x]) if self._buf.size else x.copy()
        self._n_in += x.size
        feats, times = [], []
        while self.step_end_sample(self._step + 1) <= self._n_in:
            self._step += 1
            t_end = self.step_end_sample(self._step)
            feats.append(self._compute_step(t_end))
            times.append(t_end / self.sr_hz)
        if feats:
            return np.stack(feats).astype(np.float32), np.asarray(times)
        return np.zeros((0, N_FEATURES), np.float32), np.zeros(0)

    # -- internals -------------------------------------------------------------------------
    def _compute_step(self, t_end: int) -> np.ndarray:
        # frames k with k*hop + n_fft <= t_end not yet computed
        last = (t_end - self.n_fft) // self.hop if t_end >= self.n_fft else -1
        if last >= self._next_frame:
            a = self._next_frame * self.hop - self._buf_start
            b = last * self.hop + self.n_fft - self._buf_start
            S = magnitude_frames(self._buf[a:b], self.n_fft, self.hop)
            self._frame_features(S * np.float32(1.0 / self._wsum))
            self._next_frame = last + 1
        keep_from = self._next_frame * self.hop
        if keep_from > self._buf_start:  # a view: no copy per step
            self._buf = self._buf[keep_from - self._buf_start:]
            self._buf_start = keep_from
        return self._summarise()

    def _frame_features(self, S: np.ndarray) -> None:
        """Append the rows (columns ``FRAME_*``) and chroma of the frames ``S`` [K, F]."""
        P = S * S  # float32 [K, F]
        total = P.sum(axis=1, dtype=np.float64)
        level = 10 * np.log10(total + 1e-14)
        # floor relative to the frame's power (−60 dB): shape and flux are gain-invariant
        floor = 1e-6 * total[:, None] + 1e-20
        mel = 10 * np.log10((P @ self._mel).astype(np.float64) + floor)
        shape = mel - mel.mean(axis=1, keepdims=True)
        prev = np.vstack([mel[:1] if self._prev_mel is None else self._prev_mel[None], mel[:-1]])
        flux = np.maximum(0.0, mel - prev).mean(axis=1)
        self._prev_mel = mel[-1].copy()
        ssum = S.sum(axis=1)
        cent = np.where(ssum > 1e-12, (S @ self._freqs32) / np.maximum(ssum, 1e-12), 0.0)
        Pf = P[:, self._flat_mask].astype(np.float64) + (1e-10 * total[:, None] / P.shape[1] + 1e-30)
        flat = (np.log(Pf).mean(axis=1, dtype=np.float64)
                - np.log(Pf.mean(axis=1, dtype=np.float64)))
        semi = semitone_db(P, self._freqs, self._peaks_lo, self._peaks_hi)
        past = semi[[0, 0]] if self._prev_semi is None else self._prev_semi
        peaks = peak_statistics(semi, past)
        self._prev_semi = np.vstack([past, semi])[-2:].copy()
        # column order: feature_layout.FRAME_SHAPE, FRAME_LEVEL_DB ... FRAME_PEAK_REGISTER
        rows = np.column_stack([shape, level, flux, np.log2(cent + 1.0), flat, peaks])
        self._frame_rows.extend(rows)
        self._chroma_rows.extend(note_chroma(semi))
        excess = len(self._frame_rows) - self._ctx_frames
        if excess > 0:
            del self._frame_rows[:excess]
            del self._chroma_rows[:excess]

    def _summarise(self) -> np.ndarray:
        short = np.zeros(N_SHORT)
        chroma_sum = np.zeros(12)
        if self._frame_rows:
            F = np.asarray(self._frame_rows)
            C = np.asarray(self._chroma_rows)
            n = F.shape[0]
            shape, level, flux = F[:, fl.FRAME_SHAPE], F[:, fl.FRAME_LEVEL_DB], F[:, fl.FRAME_FLUX]
            audible = level > SILENCE_DB
            t = np.arange(n) / self.frames_per_s
            short[fl.SHAPE] = shape[audible].mean(axis=0) if audible.any() else 0.0
            short[fl.LEVEL_DB] = level.mean()
            short[fl.LEVEL_STD_DB] = level.std()
            short[fl.LEVEL_SLOPE_DB_S] = np.polyfit(t, level, 1)[0] if n >= 3 else 0.0
            short[fl.LEVEL_RANGE_DB] = level.max() - level.min()
            short[fl.FLUX_MEAN] = flux.mean()
            short[fl.FLUX_STD] = flux.std()
            seconds = n / self.frames_per_s
            if n >= 3:
                thr = flux.mean() + flux.std()
                local_max = (flux[1:-1] > flux[:-2]) & (flux[1:-1] >= flux[2:])
                short[fl.ONSET_RATE_HZ] = (local_max & (flux[1:-1] > thr)).sum() / seconds
            if n >= 5:  # onsets: maxima over ±2 frames (≈ ±23 ms), above a fixed rise
                c = flux[2:-2]
                peak = ((c > flux[1:-3]) & (c > flux[:-4]) & (c >= flux[3:-1]) & (c >= flux[4:]))
                short[fl.ONSET_RATE_1DB_HZ] = (peak & (c > 1.0)).sum() / seconds
                short[fl.ONSET_RATE_3DB_HZ] = (peak & (c > 3.0)).sum() / seconds
            short[fl.PULSE_CLARITY], short[fl.BEAT_PERIOD_S] = pulse(flux, self.frames_per_s)
            short[fl.PEAK_ONSET_RATE_HZ] = F[:, fl.FRAME_PEAK_ONSETS].sum() / seconds
            # register and peak count over the frames that have peaks (a silent frame has
            # none: its semitones all sit on the floor, so every one counts as "active")
            tonal = audible & (F[:, fl.FRAME_PEAK_COUNT] < N_SEMITONES)
            if tonal.any():
                short[fl.PEAK_REGISTER] = F[tonal, fl.FRAME_PEAK_REGISTER].mean(axis=0)
            short[fl.CENTROID_LOG2HZ] = (F[audible, fl.FRAME_CENTROID_LOG2HZ].mean()
                                         if audible.any() else 0.0)
            short[fl.FLATNESS] = F[audible, fl.FRAME_FLATNESS].mean() if audible.any() else 0.0
            chroma_sum = C.sum(axis=0)
            tot = chroma_sum.sum()
            if tot > 1e-12:
                pc = chroma_sum / tot
                short[fl.CHROMA_ENTROPY] = -np.sum(pc * np.log2(pc + 1e-12)) / np.log2(12)
                short[fl.KEY_FIT] = key_fit(pc)
            else:
                short[fl.CHROMA_ENTROPY] = 1.0
        self._short_hist.append(short)
        step_chroma = chroma_sum / max(chroma_sum.sum(), 1e-12)
        self._chroma_hist.append(step_chroma)
        if len(self._short_hist) > self._long_steps:
            del self._short_hist[0]
            del self._chroma_hist[0]
        long = np.mean(self._short_hist, axis=0)
        long_key = key_fit(np.sum(self._chroma_hist, axis=0))
        if self._run is None:
            self._run, self._run_chroma = short.copy(), step_chroma.copy()
        else:
            a = max(1.0 / self._step, 1.0 - np.exp(-STEP_S / RUNNING_CONTEXT_S))
            self._run += a * (short - self._run)
            self._run_chroma += a * (step_chroma - self._run_chroma)
        # the parts of feature_layout.PARTS, in order
        out = np.concatenate([short, long, long_key, self._run, key_fit(self._run_chroma)])
        return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)


def extract(x: np.ndarray, sr_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Offline driver: features ``float32[K, N_FEATURES]`` and step end times ``[K]`` (s)."""
    ex = EmotionFeatures(sr_hz)
    return ex.push(x)
