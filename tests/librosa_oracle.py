"""librosa used as the oracle: per-frame features exactly as DESIGN.md defines them."""

from __future__ import annotations

import librosa
import numpy as np


def librosa_features(y: np.ndarray, sr_hz: float, *, n_fft=2048, hop=512, fmin_hz=150.0, fmax_hz=4000.0):
    """float64 [K, 8] features and the magnitude spectrogram S [n_bins, K] librosa computes."""
    S = np.abs(librosa.stft(np.asarray(y, np.float32), n_fft=n_fft, hop_length=hop, center=False))
    kw = dict(S=S, sr=sr_hz, n_fft=n_fft, hop_length=hop)
    centroid = librosa.feature.spectral_centroid(**kw)[0]
    bandwidth = librosa.feature.spectral_bandwidth(**kw)[0]
    flatness = librosa.feature.spectral_flatness(S=S)[0]
    rolloff = librosa.feature.spectral_rolloff(**kw, roll_percent=0.85)[0]
    pitches, mags = librosa.piptrack(S=S, sr=sr_hz, n_fft=n_fft, fmin=fmin_hz, fmax=fmax_hz)
    out = np.zeros((S.shape[1], 8))
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = centroid, bandwidth, flatness, rolloff
    for k in range(S.shape[1]):
        found = np.nonzero(mags[:, k] > 0)[0]
        found = found[np.argsort(-mags[found, k], kind="stable")][:4]
        out[k, 4 : 4 + found.size] = pitches[found, k]
    return out, S
