"""The demo song: a ~30 s multitrack made by MIRAGE itself, by deterministic synthesis.

Four mono stems -- ``bass``, ``chords``, ``drums``, ``lead`` -- of a 16-bar loop in C major
(I-vi-IV-V: C, Am, F, G) at 128 BPM, 44.1 kHz, so exactly 30 s. Nothing is downloaded: the
stems are synthesised with numpy (additive oscillators, noise bursts, envelopes; the noise
comes from a seeded generator) and written as 16-bit FLAC on first use to a cache folder
outside the repository::

    $MIRAGE_CACHE_DIR/demo/v{DEMO_VERSION}/          if MIRAGE_CACHE_DIR is set, else
    $XDG_CACHE_HOME/mirage/demo/v{DEMO_VERSION}/     (XDG_CACHE_HOME defaults to ~/.cache)

The folder is built under a temporary name and renamed into place, so a reader never sees a
half-written demo, and two processes racing to create it both end up with a complete one.
Bump `DEMO_VERSION` whenever the generator changes: the new version gets a new folder.

Why these sounds: every stem has a clear, known pitch content (bass 41-110 Hz, chord triads
around middle C, a melody at 440-1050 Hz) and the drums are broadband, so the features of
`mirage analyze demo` can be checked by ear and by eye (a low bass centroid, a flat drum
spectrum, the melody's notes in pitch1).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from kernels.cache_dir import cache_root

from mirage.errors import InputError

DEMO_VERSION = 1
DEMO_SR_HZ = 44100
TEMPO_BPM = 128.0
N_BARS = 16
BEATS_PER_BAR = 4
SEED = 20231105

#: Stem names, in the order `mirage analyze demo` reports them (sorted by file name).
STEM_NAMES = ("bass", "chords", "drums", "lead")

#: The instrument profile (`mirage.profiles`) that suits each stem's pitch range.
STEM_PROFILES = {"bass": "GUITAR", "chords": "PIANO", "drums": "DRUMS", "lead": "VOICE"}

_BEAT_S = 60.0 / TEMPO_BPM
_BAR_S = BEATS_PER_BAR * _BEAT_S
DURATION_S = N_BARS * _BAR_S  # 30.0 s
N_SAMPLES = int(round(DURATION_S * DEMO_SR_HZ))

# One bar per chord: (bass root, chord voicing) as MIDI note numbers.
_PROGRESSION = (
    (36, (60, 64, 67)),  # C
    (45, (60, 64, 69)),  # Am
    (41, (60, 65, 69)),  # F
    (43, (59, 62, 67)),  # G
)

# Lead phrases over the 4-bar progression: (start_beat, duration_beats, midi note).
_PHRASE_A = (
    (0, 1, 76), (1, 0.5, 79), (1.5, 0.5, 76), (2, 1, 72), (3, 1, 74),
    (4, 1.5, 76), (5.5, 0.5, 72), (6, 1, 69), (7, 1, 72),
    (8, 1, 77), (9, 0.5, 76), (9.5, 0.5, 74), (10, 1, 72), (11, 1, 69),
    (12, 1, 71), (13, 1, 74), (14, 2, 79),
)
_PHRASE_B = (
    (0, 0.5, 79), (0.5, 0.5, 81), (1, 1, 79), (2, 1, 76), (3, 1, 72),
    (4, 1, 81), (5, 1, 79), (6, 1, 76), (7, 1, 72),
    (8, 1.5, 77), (9.5, 0.5, 81), (10, 1, 84), (11, 1, 81),
    (12, 1, 79), (13, 1, 77), (14, 1, 74), (15, 1, 71),
)
# Bars 0-3 have no lead (an intro), then A, B, A.
_LEAD_PHRASES = ((4, _PHRASE_A), (8, _PHRASE_B), (12, _PHRASE_A))


def _midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


def _sec(n_samples: float) -> int:
    return int(round(n_samples * DEMO_SR_HZ))


def _envelope(n: int, attack_s: float, release_s: float, sustain_n: int) -> np.ndarray:
    """Linear attack, flat sustain until `sustain_n`, exponential release (to -60 dB)."""
    t = np.arange(n) / DEMO_SR_HZ
    env = np.minimum(1.0, t / attack_s)
    t_rel = np.maximum(0, np.arange(n) - sustain_n) / DEMO_SR_HZ
    return env * np.exp(-6.9 * t_rel / release_s)


def _add(out: np.ndarray, start: int, x: np.ndarray) -> None:
    """Mix `x` into `out` at sample `start`, cut at the end of the song."""
    end = min(len(out), start + len(x))
    if start < end:
        out[start:end] += x[: end - start]


def _tone(f0_hz: float, n: int, partials: np.ndarray, vibrato_hz: float = 0.0,
          vibrato_cents: float = 0.0) -> np.ndarray:
    """Additive tone: sum of harmonics k*f0 with amplitudes `partials[k-1]` (below Nyquist)."""
    t = np.arange(n) / DEMO_SR_HZ
    if vibrato_cents:
        depth = np.minimum(1.0, t / 0.25)  # vibrato fades in
        ratio = 2.0 ** (vibrato_cents * depth * np.sin(2 * np.pi * vibrato_hz * t) / 1200.0)
        phase = 2 * np.pi * np.cumsum(f0_hz * ratio) / DEMO_SR_HZ
    else:
        phase = 2 * np.pi * f0_hz * t
    x = np.zeros(n)
    for k, amp in enumerate(partials, start=1):
        if k * f0_hz < 0.45 * DEMO_SR_HZ:
            x += amp * np.sin(k * phase)
    return x


def _render_bass() -> np.ndarray:
    out = np.zeros(N_SAMPLES)
    partials = 1.0 / np.arange(1, 9) ** 1.5
    eighth = _BEAT_S / 2
    for bar in range(N_BARS):
        root, _ = _PROGRESSION[bar % len(_PROGRESSION)]
        for i in range(8):
            note = root + (12 if i in (3, 7) else 0)  # an octave jump on the "and" of 2 and 4
            gate_n = _sec(0.8 * eighth)
            n = gate_n + _sec(0.05)
            env = _envelope(n, 0.005, 0.05, gate_n) * np.exp(-np.arange(n) / (0.4 * DEMO_SR_HZ))
            _add(out, _sec(bar * _BAR_S + i * eighth), env * _tone(_midi_hz(note), n, partials))
    return out


def _render_chords() -> np.ndarray:
    out = np.zeros(N_SAMPLES)
    partials = 1.0 / np.arange(1, 5) ** 2
    for bar in range(N_BARS):
        _, voicing = _PROGRESSION[bar % len(_PROGRESSION)]
        # Two stabs per bar: a long one on 1 and a short one on the "and" of 3.
        for start_beat, dur_beats in ((0.0, 2.5), (2.5, 1.5)):
            gate_n = _sec(0.9 * dur_beats * _BEAT_S)
            n = gate_n + _sec(0.2)
            env = _envelope(n, 0.03, 0.2, gate_n)
            x = sum(_tone(_midi_hz(m), n, partials) for m in voicing)
            _add(out, _sec(bar * _BAR_S + start_beat * _BEAT_S), env * x)
    return out


def _render_lead() -> np.ndarray:
    out = np.zeros(N_SAMPLES)
    partials = np.array([1.0, 0.5, 0.3, 0.2, 0.12, 0.08])
    for first_bar, phrase in _LEAD_PHRASES:
        for start_beat, dur_beats, note in phrase:
            gate_n = _sec(0.92 * dur_beats * _BEAT_S)
            n = gate_n + _sec(0.08)
            env = _envelope(n, 0.01, 0.08, gate_n)
            x = _tone(_midi_hz(note), n, partials, vibrato_hz=5.5, vibrato_cents=15.0)
            _add(out, _sec(first_bar * _BAR_S + start_beat * _BEAT_S), env * x)
    return out


def _render_drums(rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(N_SAMPLES)
    sr = DEMO_SR_HZ
    # Kick: a sine sweeping 150 -> 50 Hz with a fast exponential decay.
    t = np.arange(_sec(0.35)) / sr
    f = 50.0 + 100.0 * np.exp(-t / 0.03)
    kick = np.sin(2 * np.pi * np.cumsum(f) / sr) * np.exp(-t / 0.12)
    # Snare: a 185 Hz body plus a noise burst, the noise slightly smoothed (no harsh top).
    t = np.arange(_sec(0.25)) / sr
    noise = rng.standard_normal(len(t))
    noise = np.convolve(noise, np.ones(3) / 3, mode="same")
    snare = 0.5 * np.sin(2 * np.pi * 185.0 * t) * np.exp(-t / 0.05) + 0.6 * noise * np.exp(-t / 0.07)
    # Closed hi-hat: first difference of noise (a high-pass), very short.
    t = np.arange(_sec(0.06)) / sr
    hat = np.diff(rng.standard_normal(len(t) + 1)) * np.exp(-t / 0.015)
    for bar in range(N_BARS):
        bar_start = bar * _BAR_S
        for beat in range(BEATS_PER_BAR):
            _add(out, _sec(bar_start + beat * _BEAT_S), kick)
            if beat in (1, 3):
                _add(out, _sec(bar_start + beat * _BEAT_S), snare)
        for i in range(8):
            _add(out, _sec(bar_start + i * _BEAT_S / 2), (0.25 if i % 2 else 0.15) * hat)
    return out


def render_demo() -> dict[str, np.ndarray]:
    """Synthesise the stems: ``{name: int16 [N_SAMPLES]}`` (16-bit PCM, peak about -6 dBFS).

    Deterministic: the same numpy version gives the same samples every time.
    """
    rng = np.random.default_rng(SEED)
    stems = {
        "bass": _render_bass(),
        "chords": _render_chords(),
        "drums": _render_drums(rng),
        "lead": _render_lead(),
    }
    pcm = {}
    for name in STEM_NAMES:
        x = stems[name]
        x = 0.5 * x / np.max(np.abs(x))
        pcm[name] = np.round(x * 32767.0).astype(np.int16)
    return pcm


def stem_file_name(name: str) -> str:
    return f"{name}.flac"


def demo_stems_dir() -> Path:
    """The folder holding the demo stems (``bass.flac`` ... ``lead.flac``), made on first use.

    Raises `InputError` if the cache folder cannot be created or written.
    """
    import soundfile as sf

    final = cache_root() / "demo" / f"v{DEMO_VERSION}"
    if final.is_dir():
        return final
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".v{DEMO_VERSION}-", suffix=".tmp", dir=final.parent))
    except OSError as exc:
        raise InputError(f"{final.parent}: cannot create the demo cache folder: "
                         f"{exc.strerror or exc}") from None
    try:
        for name, pcm in render_demo().items():
            sf.write(tmp / stem_file_name(name), pcm, DEMO_SR_HZ, subtype="PCM_16", format="FLAC")
        tmp.chmod(0o755)
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.is_dir():  # not a lost race with another process: a real failure
                raise
    except OSError as exc:
        raise InputError(f"{final}: cannot write the demo stems: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final
