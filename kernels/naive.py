"""Reference implementations in plain numpy, written from the definitions in DESIGN.md.

Slow and obvious on purpose: the fast kernels are tested against these (and both against
librosa). Frame k covers samples ``[k*hop, k*hop + n_fft)``; ``S = |rfft(hann * x)|`` with
the periodic Hann window of `kernels.window` (the project's one window; librosa's own is
what the parity tests compare against); ``f = rfftfreq(n_fft, 1/sr)``.
"""

from __future__ import annotations

import numpy as np

from kernels.layout import N_FEATURES, N_PITCHES, PITCH1
from kernels.window import periodic_hann

ROLLOFF_FRACTION = 0.85
FLATNESS_AMIN = 1e-10
PITCH_THRESHOLD = 0.1


def frames(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """The ``center=False`` frames of `x`: float64 [K, n_fft], NaN/Inf replaced by 0."""
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    if x.size < n_fft:
        return np.zeros((0, n_fft))
    k = 1 + (x.size - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(k)[:, None]
    return x[idx]


def magnitude(frame: np.ndarray) -> np.ndarray:
    """``S = |rfft(periodic_hann * frame)|`` (float64 [n_fft//2 + 1])."""
    return np.abs(np.fft.rfft(periodic_hann(frame.size) * frame))


def spectral_features(S: np.ndarray, freqs_hz: np.ndarray) -> tuple[float, float, float, float]:
    """Centroid, bandwidth, flatness and roll-off of one magnitude frame.

    centroid = sum f S / sum S; bandwidth = sqrt(sum S (f - centroid)^2 / sum S);
    flatness = exp(mean ln P) / mean P, P = max(1e-10, S^2);
    rolloff = min f such that cumsum(S) >= 0.85 sum S. Silence gives 0, 0, 1, 0.
    """
    total = S.sum()
    norm = total if total >= np.finfo(np.float32).tiny else 1.0
    centroid = float((freqs_hz * S).sum() / norm)
    bandwidth = float(np.sqrt((S * (freqs_hz - centroid) ** 2).sum() / norm))
    P = np.maximum(FLATNESS_AMIN, S**2)
    flatness = float(np.exp(np.mean(np.log(P))) / np.mean(P))
    reached = np.cumsum(S) >= ROLLOFF_FRACTION * total
    rolloff = float(freqs_hz[np.argmax(reached)])
    return centroid, bandwidth, flatness, rolloff


def top_pitches(S: np.ndarray, sr_hz: float, fmin_hz: float, fmax_hz: float) -> np.ndarray:
    """The 4 piptrack peaks of largest interpolated magnitude (Hz), largest first, 0 padded.

    A peak is a bin k with fmin <= f_k < min(fmax, sr/2), S_k > 0.1 max(S), and, on the
    thresholded spectrum T = S [S > 0.1 max S], T_k > T_{k-1} and (k last or T_k >= T_{k+1}).
    Parabolic interpolation on S: a = S_{k+1} + S_{k-1} - 2 S_k, b = (S_{k+1} - S_{k-1}) / 2,
    shift = -b / a (0 if |b| >= |a| or k is the first or last bin); pitch = (k + shift) sr / n_fft;
    magnitude = S_k + b shift / 2.
    """
    n_bins = S.size
    n_fft = 2 * (n_bins - 1)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr_hz)
    fmax_hz = min(fmax_hz, sr_hz / 2)
    T = S * (S > PITCH_THRESHOLD * S.max())
    found = []
    for k in range(1, n_bins):
        if not (fmin_hz <= freqs[k] < fmax_hz):
            continue
        if not (T[k] > T[k - 1] and (k == n_bins - 1 or T[k] >= T[k + 1])):
            continue
        shift = 0.0
        if k < n_bins - 1:
            a = S[k + 1] + S[k - 1] - 2 * S[k]
            b = (S[k + 1] - S[k - 1]) / 2
            shift = 0.0 if abs(b) >= abs(a) else -b / a
        found.append((S[k] + 0.5 * b * shift if k < n_bins - 1 else S[k], (k + shift) * sr_hz / n_fft))
    found.sort(key=lambda m_f: -m_f[0])
    out = np.zeros(N_PITCHES)
    for i, (_, f) in enumerate(found[:N_PITCHES]):
        out[i] = f
    return out


def analyze_tracks(
    audio: np.ndarray, sr_hz: float, *, n_fft: int = 2048, hop: int = 512, pitch_ranges_hz=None
) -> np.ndarray:
    """All features of all frames of all tracks: float64 [K, C, 8] (see kernels.layout)."""
    audio = np.atleast_2d(audio)
    n_tracks = audio.shape[0]
    if pitch_ranges_hz is None:
        pitch_ranges_hz = np.tile([150.0, 4000.0], (n_tracks, 1))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr_hz)
    per_track = [frames(audio[c], n_fft, hop) for c in range(n_tracks)]
    n_frames = per_track[0].shape[0]
    out = np.zeros((n_frames, n_tracks, N_FEATURES))
    for c in range(n_tracks):
        fmin, fmax = pitch_ranges_hz[c]
        for k in range(n_frames):
            S = magnitude(per_track[c][k])
            out[k, c, :PITCH1] = spectral_features(S, freqs)
            out[k, c, PITCH1:] = top_pitches(S, sr_hz, fmin, fmax)
    return out
