"""Causal emotion features of a mono mix: one vector every 0.5 s, streamed or offline.

One computation, two drivers: :class:`EmotionFeatures` is fed audio in blocks of any size
(``push``) and emits one vector per completed 0.5 s step; :func:`extract` feeds a whole
signal through the same object. Work is scheduled on the *step grid*, never on the block
boundaries: the STFT frames whose last sample lies in ``(T_{j-1}, T_j]`` are computed in one
call when step ``j`` completes (``T_j = round(j · 0.5 · sr)``), so the two drivers make the
same calls on the same samples and their vectors are bit-identical for any block size.

Rate independence
-----------------
The STFT size follows the rate, ``n_fft = 2^round(log2(2048 · sr / 44100))`` and
``hop = n_fft / 4`` (2048/512 at 44.1 and 48 kHz, 1024/256 at 22.05 kHz); magnitudes are
divided by the window sum, so a sinusoid of amplitude A reads A/2 at any rate; every band is
defined in Hz (mel triangles 40 Hz–8 kHz, semitone peaks 55 Hz–4 kHz, flatness 100 Hz–8 kHz), and
every window in seconds. No resampling happens in the extractor.

Per STFT frame (``S`` = |rfft(periodic Hann · x)| / Σ window, ``P = S²``)::

    level_db   = 10·log10(Σ_f P + 1e-14)
    mel_db[b]  = 10·log10(Σ_f M[b, f]·P + 1e-6·Σ_f P)     (24 mel bands, floor −60 dB re frame)
    shape[b]   = mel_db[b] − mean_b mel_db                 (gain-invariant)
    flux       = Σ_b max(0, mel_db[b] − mel_db_prev[b]) / n_bands
    centroid   = log2(Σ f·S / Σ S + 1)   (Hz)
    flatness   = mean ln P' − ln mean P' (100 Hz–8 kHz, P' = P + 1e-10·mean_f P: gain-invariant)
    semi_db[m] = 10·log10 of the strongest peak (55 Hz–4 kHz, within 60 dB of the frame's
                 strongest) at semitone m (0 = A1), floored 60 dB below the frame's strongest
    chroma[c]  = Σ_{n ≡ c} H[n], H ≥ 0 the note amplitudes that best explain the semitone
                 amplitudes 10^(semi_db/20) as a sum of harmonic note templates
                 (``_note_chroma``: a note's upper partials count for the note, not for
                 the pitch classes they fall on, so the key fit depends less on the timbre)
    peak_onsets = #{m : semi_db[m] − max(semi_db_{k−1}[m], semi_db_{k−2}[m]) > 4 dB and
                        semi_db[m] > top − 25 dB}     (semitone peaks that just rose)
    height, spread = mean and std of m over the semitones within 30 dB of the top,
                 power-weighted;  peak_count = how many semitones are within 30 dB of the top
  (partials count as well as fundamentals: these are pitched-peak statistics, not a
  transcription — in the rendered piano pieces peak_count is typically 20–25)

Per step (the frames of the last ``context_s`` = 3 s), see :data:`FEATURE_NAMES`:
mean spectral shape (24), level mean/std/slope/range, flux mean/std, onset rate (local
flux maxima above mean + std, per second), pulse clarity (max normalised autocorrelation
of the flux for lags 0.25–1.5 s), centroid and flatness means, chroma entropy, the
Krumhansl–Kessler key fit of the 3 s chroma (best major r, best minor r, their difference),
the onset density at fixed thresholds (flux maxima over ±2 frames above 1 dB and above
3 dB, per second: the adaptive threshold above saturates on dense textures), the beat period (the
autocorrelation lag of the pulse clarity, s), and the pitched-peak features (peak onsets per
second; register height and spread in semitones and the peak count, means over the frames
with peaks): read from peak positions on a semitone grid, they depend less on the
instrument's timbre than the band shape does.
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

from mirage.errors import ParameterError

try:  # the project's STFT kernel, once it exists
    from kernels.stft import magnitude_frames as _magnitude_frames
    STFT_SOURCE = "kernels.stft"
except ImportError:  # identical numpy reference (librosa center=False, periodic Hann, |rfft|)
    _magnitude_frames = None
    STFT_SOURCE = "numpy"

# Bumped whenever what a feature measures changes while its name stays (a model records the
# version it was trained on; mirage.emotion.model refuses another). 2: note-activation chroma.
FEATURES_VERSION = 2
STEP_S = 0.5
CONTEXT_S = 3.0
LONG_CONTEXT_S = 15.0
RUNNING_CONTEXT_S = 120.0
N_MEL = 24
MEL_FMIN_HZ, MEL_FMAX_HZ = 40.0, 8000.0
PEAKS_FMIN_HZ, PEAKS_FMAX_HZ = 55.0, 4000.0   # semitone 0 = A1 = 55 Hz
N_SEMITONES = 72
PEAK_RISE_DB, PEAK_GATE_DB, ACTIVE_DB, SEMI_FLOOR_DB = 4.0, 25.0, 30.0, 60.0
SILENCE_DB = -120.0
N_NOTES, NOTE_HARMONICS, NOTE_DECAY, NOTE_ITERATIONS = 60, 8, 0.85, 40  # A1 … G#6

_KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

_SHORT_NAMES = (
    [f"shape{b}" for b in range(N_MEL)]
    + ["level_db", "level_std_db", "level_slope_db_s", "level_range_db",
       "flux_mean", "flux_std", "onset_rate_hz", "pulse_clarity",
       "centroid_log2hz", "flatness", "chroma_entropy",
       "key_major_r", "key_minor_r", "key_mode",
       "onset_rate_1db_hz", "onset_rate_3db_hz", "beat_period_s",
       "peak_onset_rate_hz", "peak_height_st", "peak_spread_st", "peak_count"]
)
FEATURE_NAMES = tuple(
    [f"s_{n}" for n in _SHORT_NAMES] + [f"l_{n}" for n in _SHORT_NAMES]
    + ["l_key_major_r15", "l_key_minor_r15", "l_key_mode15"]
    + [f"e_{n}" for n in _SHORT_NAMES]
    + ["e_chroma_key_major_r", "e_chroma_key_minor_r", "e_chroma_key_mode"]
)
N_SHORT = len(_SHORT_NAMES)
N_FEATURES = len(FEATURE_NAMES)


def magnitude_frames_numpy(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """``float32[K, n_fft//2+1]``: |rfft| of periodic-Hann frames ``[k·hop, k·hop+n_fft)``."""
    k = 1 + (x.size - n_fft) // hop if x.size >= n_fft else 0
    if k <= 0:
        return np.zeros((0, n_fft // 2 + 1), np.float32)
    frames = np.lib.stride_tricks.as_strided(
        x, shape=(k, n_fft), strides=(x.strides[0] * hop, x.strides[0]), writeable=False)
    n = np.arange(n_fft)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)).astype(np.float32)
    return np.abs(np.fft.rfft(frames * window, axis=1)).astype(np.float32)


def magnitude_frames(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    if _magnitude_frames is not None:
        return np.asarray(_magnitude_frames(np.ascontiguousarray(x, np.float32), n_fft, hop))
    return magnitude_frames_numpy(x, n_fft, hop)


def stft_size(sr_hz: float) -> tuple[int, int]:
    """``(n_fft, hop)`` for a rate: ≈ 46 ms frames, 75 % overlap."""
    n_fft = int(2 ** round(np.log2(2048 * sr_hz / 44100.0)))
    return n_fft, n_fft // 4


def _mel_matrix(sr_hz: float, n_fft: int) -> np.ndarray:
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr_hz)
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
    hz = lambda m: 700.0 * (10 ** (m / 2595.0) - 1.0)  # noqa: E731
    edges = hz(np.linspace(mel(MEL_FMIN_HZ), mel(MEL_FMAX_HZ), N_MEL + 2))
    m = np.zeros((N_MEL, freqs.size))
    for b in range(N_MEL):
        lo, c, hi = edges[b], edges[b + 1], edges[b + 2]
        up = (freqs - lo) / (c - lo)
        down = (hi - freqs) / (hi - c)
        m[b] = np.maximum(0.0, np.minimum(up, down)) * 2.0 / (hi - lo) * 100.0
    return m.T.astype(np.float32)  # [F, N_MEL]


def _semitone_db(P: np.ndarray, freqs: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``float64[K, N_SEMITONES]``: dB of the strongest spectral peak per semitone.

    Peaks of bins ``[lo, hi)`` within :data:`SEMI_FLOOR_DB` of the frame's strongest bin,
    parabolic-interpolated like the chroma; semitone ``m = round(12·log2(f / 55 Hz))``.
    Every value is floored :data:`SEMI_FLOOR_DB` below the frame's strongest semitone, so
    the result shifts with the gain and nothing else.
    """
    K = P.shape[0]
    L = np.log(P[:, lo - 1:hi + 1].astype(np.float64) + 1e-30)
    c, left, right = L[:, 1:-1], L[:, :-2], L[:, 2:]
    thr = L.max(axis=1, keepdims=True) - SEMI_FLOOR_DB * np.log(10) / 10
    k, b = np.nonzero((c > left) & (c >= right) & (c > thr))
    semi = np.full((K, N_SEMITONES), 1e-30)
    if k.size:
        den = left[k, b] - 2 * c[k, b] + right[k, b]
        delta = np.where(np.abs(den) > 1e-12, 0.5 * (left[k, b] - right[k, b]) / den, 0.0)
        f = freqs[lo + b] + np.clip(delta, -0.5, 0.5) * (freqs[1] - freqs[0])
        m = np.clip(np.round(12 * np.log2(f / PEAKS_FMIN_HZ)).astype(np.int64), 0, N_SEMITONES - 1)
        np.maximum.at(semi, (k, m), np.exp(c[k, b]))
    db = 10 * np.log10(semi)
    return np.maximum(db, db.max(axis=1, keepdims=True) - SEMI_FLOOR_DB)


def _note_templates() -> tuple[np.ndarray, np.ndarray]:
    """``W`` ``float64[N_NOTES, N_SEMITONES]``: note ``n`` (semitone ``n``, 0 = A1) has
    partials ``h = 1…NOTE_HARMONICS`` at semitone ``n + round(12·log2 h)`` with amplitude
    ``NOTE_DECAY^(h−1)``; and ``float64[N_NOTES, 12]``, each note's pitch class (C = 0)."""
    W = np.zeros((N_NOTES, N_SEMITONES))
    for n in range(N_NOTES):
        for h in range(1, NOTE_HARMONICS + 1):
            m = n + int(round(12 * np.log2(h)))
            if m < N_SEMITONES:
                W[n, m] += NOTE_DECAY ** (h - 1)
    classes = np.zeros((N_NOTES, 12))
    classes[np.arange(N_NOTES), (np.arange(N_NOTES) + 9) % 12] = 1.0
    return W, classes


_NOTES, _NOTE_CLASSES = _note_templates()
_NOTES_GRAM = _NOTES @ _NOTES.T


def _note_chroma(semi: np.ndarray) -> np.ndarray:
    """``float64[K, 12]``: pitch-class amplitudes of the notes explaining each frame.

    ``semi`` is :func:`_semitone_db`. With ``V = 10^((semi − top)/20)`` (0 on the floor),
    ``H ≥ 0`` minimises ``‖V − H·W‖²`` (:func:`_note_templates`) by ``NOTE_ITERATIONS``
    multiplicative updates ``H ← H ⊙ (V·Wᵀ) / (H·W·Wᵀ)`` from ``H = 0.1`` (Lee & Seung), and
    ``chroma = 10^(top/20) · H · classes``: the 3rd and 5th partials of a note count for the
    note, not for its fifth and major third. Measured on 60 VGMIDI pieces, the mean 3 s key
    mode of this chroma correlates r ≈ 0.8 between soundfonts (FluidR3, MuseScore,
    TimGM6mb) against r ≈ 0.35–0.5 for the summed power of the raw spectral peaks.
    """
    top = semi.max(axis=1, keepdims=True)
    V = np.where(semi > top - SEMI_FLOOR_DB + 0.01, 10 ** ((semi - top) / 20), 0.0)
    V[top[:, 0] < 2 * SILENCE_DB] = 0.0   # no peaks at all: every semitone on the floor
    H = np.full((semi.shape[0], N_NOTES), 0.1)
    VW = V @ _NOTES.T
    for _ in range(NOTE_ITERATIONS):
        H *= VW / (H @ _NOTES_GRAM + 1e-12)
    return (H @ _NOTE_CLASSES) * 10 ** (top / 20)


def _peak_statistics(semi: np.ndarray, past: np.ndarray) -> np.ndarray:
    """``float64[K, 4]`` per frame: peak onsets, height, spread (semitones), peak count.

    ``semi`` is :func:`_semitone_db` of ``K`` frames, ``past`` that of the two frames before
    them. An onset is a semitone ``PEAK_RISE_DB`` above its level in both previous frames
    and within ``PEAK_GATE_DB`` of the frame's strongest; height and spread are the
    power-weighted mean and std of the semitones within ``ACTIVE_DB`` of the strongest.
    """
    both = np.vstack([past, semi])
    top = semi.max(axis=1, keepdims=True)
    onsets = ((semi - np.maximum(both[1:-1], both[:-2]) > PEAK_RISE_DB)
              & (semi > top - PEAK_GATE_DB)).sum(axis=1)
    w = np.where(semi > top - ACTIVE_DB, 10 ** ((semi - top) / 10), 0.0)
    wsum = w.sum(axis=1)
    st = np.arange(N_SEMITONES, dtype=np.float64)
    height = (w @ st) / wsum
    spread = np.sqrt(np.maximum((w @ (st * st)) / wsum - height * height, 0.0))
    return np.column_stack([onsets, height, spread, (w > 0).sum(axis=1)])


def _key_profiles() -> np.ndarray:
    rows = [np.roll(_KK_MAJOR, k) for k in range(12)] + [np.roll(_KK_MINOR, k) for k in range(12)]
    p = np.array(rows)
    p = p - p.mean(axis=1, keepdims=True)
    return p / np.linalg.norm(p, axis=1, keepdims=True)


_PROFILES = _key_profiles()


def key_fit(chroma: np.ndarray) -> tuple[float, float, float]:
    """(best major r, best minor r, major − minor) of a 12-bin chroma vs Krumhansl–Kessler."""
    c = chroma - chroma.mean()
    n = np.linalg.norm(c)
    if n < 1e-12:
        return 0.0, 0.0, 0.0
    r = _PROFILES @ (c / n)
    ma, mi = float(r[:12].max()), float(r[12:].max())
    return ma, mi, ma - mi


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
        self._mel = _mel_matrix(self.sr_hz, self.n_fft)
        self._peaks_lo = int(np.searchsorted(freqs, PEAKS_FMIN_HZ))
        self._peaks_hi = int(np.searchsorted(freqs, PEAKS_FMAX_HZ))
        self._flat_mask = (freqs >= 100.0) & (freqs < 8000.0)
        n = np.arange(self.n_fft)
        self._wsum = float(np.sum(0.5 - 0.5 * np.cos(2 * np.pi * n / self.n_fft)))
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
        semi = _semitone_db(P, self._freqs, self._peaks_lo, self._peaks_hi)
        past = semi[[0, 0]] if self._prev_semi is None else self._prev_semi
        peaks = _peak_statistics(semi, past)
        self._prev_semi = np.vstack([past, semi])[-2:].copy()
        rows = np.column_stack([shape, level, flux, np.log2(cent + 1.0), flat, peaks])
        self._frame_rows.extend(rows)
        self._chroma_rows.extend(_note_chroma(semi))
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
            shape, level, flux = F[:, :N_MEL], F[:, N_MEL], F[:, N_MEL + 1]
            audible = level > SILENCE_DB
            t = np.arange(n) / self.frames_per_s
            short[:N_MEL] = shape[audible].mean(axis=0) if audible.any() else 0.0
            short[N_MEL] = level.mean()
            short[N_MEL + 1] = level.std()
            short[N_MEL + 2] = np.polyfit(t, level, 1)[0] if n >= 3 else 0.0
            short[N_MEL + 3] = level.max() - level.min()
            short[N_MEL + 4] = flux.mean()
            short[N_MEL + 5] = flux.std()
            seconds = n / self.frames_per_s
            if n >= 3:
                thr = flux.mean() + flux.std()
                local_max = (flux[1:-1] > flux[:-2]) & (flux[1:-1] >= flux[2:])
                short[N_MEL + 6] = (local_max & (flux[1:-1] > thr)).sum() / seconds
            if n >= 5:  # onsets: maxima over ±2 frames (≈ ±23 ms), above a fixed rise
                c = flux[2:-2]
                peak = ((c > flux[1:-3]) & (c > flux[:-4]) & (c >= flux[3:-1]) & (c >= flux[4:]))
                short[N_MEL + 14] = (peak & (c > 1.0)).sum() / seconds
                short[N_MEL + 15] = (peak & (c > 3.0)).sum() / seconds
            short[N_MEL + 7], short[N_MEL + 16] = self._pulse(flux)
            short[N_MEL + 17] = F[:, N_MEL + 4].sum() / seconds
            # register and peak count over the frames that have peaks (a silent frame has
            # none: its semitones all sit on the floor, so every one counts as "active")
            tonal = audible & (F[:, N_MEL + 7] < N_SEMITONES)
            if tonal.any():
                short[N_MEL + 18:N_MEL + 21] = F[tonal, N_MEL + 5:N_MEL + 8].mean(axis=0)
            short[N_MEL + 8] = F[audible, N_MEL + 2].mean() if audible.any() else 0.0
            short[N_MEL + 9] = F[audible, N_MEL + 3].mean() if audible.any() else 0.0
            chroma_sum = C.sum(axis=0)
            tot = chroma_sum.sum()
            if tot > 1e-12:
                pc = chroma_sum / tot
                short[N_MEL + 10] = -np.sum(pc * np.log2(pc + 1e-12)) / np.log2(12)
                short[N_MEL + 11:N_MEL + 14] = key_fit(pc)
            else:
                short[N_MEL + 10] = 1.0
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
        out = np.concatenate([short, long, long_key, self._run, key_fit(self._run_chroma)])
        return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)

    def _pulse(self, flux: np.ndarray) -> tuple[float, float]:
        """(pulse clarity, beat period in s): the highest normalised autocorrelation of the
        flux over lags 0.25–1.5 s, and that lag (0 when there is no pulse to measure)."""
        lo = int(round(0.25 * self.frames_per_s))
        hi = int(round(1.5 * self.frames_per_s))
        if flux.size < hi + 4:
            return 0.0, 0.0
        f = flux - flux.mean()
        den = float(f @ f)
        if den < 1e-12:
            return 0.0, 0.0
        n = f.size
        spec = np.fft.rfft(f, 2 * n)
        ac = np.fft.irfft(spec * np.conj(spec), 2 * n)[lo:hi + 1] / den
        k = int(np.argmax(ac))
        return float(ac[k]), (lo + k) / self.frames_per_s


def extract(x: np.ndarray, sr_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Offline driver: features ``float32[K, N_FEATURES]`` and step end times ``[K]`` (s)."""
    ex = EmotionFeatures(sr_hz)
    return ex.push(x)
