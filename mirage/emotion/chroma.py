"""Note-activation chroma: the pitch classes of the notes that explain a frame's semitone peaks.

A note's upper partials count for the note, not for the pitch classes they fall on (its 3rd
and 5th partials are its fifth and major third), so the key fit depends less on the timbre.
Per frame, with ``semi`` the semitone peaks of `mirage.emotion.semitones`::

    V = 10^((semi − top)/20)   (0 on the floor)
    H ≥ 0 minimising ‖V − H·W‖²   (W: harmonic note templates, :func:`note_templates`)
    chroma[c] = 10^(top/20) · Σ_{n ≡ c} H[n]

Measured on 60 VGMIDI pieces, the mean 3 s key mode of this chroma correlates r ≈ 0.8
between soundfonts (FluidR3, MuseScore, TimGM6mb) against r ≈ 0.35–0.5 for the summed power
of the raw spectral peaks.
"""

from __future__ import annotations

import numpy as np

from mirage.emotion.semitones import N_SEMITONES, NO_PEAK_DB, SEMI_FLOOR_DB

N_NOTES, NOTE_HARMONICS, NOTE_DECAY, NOTE_ITERATIONS = 60, 8, 0.85, 40  # A1 … G#6


def note_templates() -> tuple[np.ndarray, np.ndarray]:
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


_NOTES, _NOTE_CLASSES = note_templates()
_NOTES_GRAM = _NOTES @ _NOTES.T


def note_chroma(semi: np.ndarray) -> np.ndarray:
    """``float64[K, 12]``: pitch-class amplitudes of the notes explaining each frame.

    ``semi`` is `mirage.emotion.semitones.semitone_db`. ``H`` (module docstring) comes from
    ``NOTE_ITERATIONS`` multiplicative updates ``H ← H ⊙ (V·Wᵀ) / (H·W·Wᵀ)`` from ``H = 0.1``
    (Lee & Seung); a frame without any peak gives zeros.
    """
    top = semi.max(axis=1, keepdims=True)
    V = np.where(semi > top - SEMI_FLOOR_DB + 0.01, 10 ** ((semi - top) / 20), 0.0)
    V[top[:, 0] < NO_PEAK_DB] = 0.0   # no peaks at all: every semitone on the floor
    H = np.full((semi.shape[0], N_NOTES), 0.1)
    VW = V @ _NOTES.T
    for _ in range(NOTE_ITERATIONS):
        H *= VW / (H @ _NOTES_GRAM + 1e-12)
    return (H @ _NOTE_CLASSES) * 10 ** (top / 20)
