"""Numbers of the status display as short texts: notes, dBFS, meters, counters, the plain line.

Pure functions of one value each, shared by the live view (`mirage.engine.status_view`) and
the plain one-line status (`format_plain`, for a pipe or a log file). Odd input (NaN, ±inf,
``None``, not a number) gives a blank, a dash or a clamped bar, never an exception: the
display must not stop the engine over a value it cannot show.
"""

from __future__ import annotations

import math

__all__ = [
    "LEVEL_FLOOR_DB",
    "METER_CEIL_DB",
    "METER_FLOOR_DB",
    "METER_RED_DB",
    "METER_YELLOW_DB",
    "NOTE_NAMES",
    "bipolar_bar",
    "emotion_pair",
    "finite_or_none",
    "format_count",
    "format_elapsed",
    "format_hz",
    "format_pitch",
    "format_plain",
    "format_signed",
    "format_us",
    "hz_to_note",
    "level_dbfs",
    "meter",
]

LEVEL_FLOOR_DB = -120.0
"""`level_dbfs` of silence (and of NaN): the floor instead of −inf."""
METER_FLOOR_DB = -60.0
METER_CEIL_DB = 0.0
METER_YELLOW_DB = -18.0
METER_RED_DB = -6.0

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_PARTIAL_BLOCKS = " ▏▎▍▌▋▊▉"  # 0/8 .. 7/8 of a character cell
_FULL_BLOCK = "█"


def finite_or_none(value) -> float | None:
    """`value` as a finite float, or None (None, NaN, ±inf, not a number)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def hz_to_note(hz: float) -> str:
    """Name of the equal-tempered note nearest to `hz` (A4 = 440 Hz), e.g. ``"C#5"``.

    ``midi = round(69 + 12·log2(hz / 440))``; name = ``NOTE_NAMES[midi mod 12]`` followed by
    the octave ``midi // 12 − 1`` (MIDI 60 = C4). Returns ``""`` for 0 (no pitch), negative
    or non-finite input.
    """
    x = finite_or_none(hz)
    if x is None or x <= 0.0:
        return ""
    midi = round(69.0 + 12.0 * math.log2(x / 440.0))
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def level_dbfs(peak: float) -> float:
    """Peak level in dB relative to full scale: ``max(LEVEL_FLOOR_DB, 20·log10(|peak|))``.

    Silence (0) and NaN give the floor (−120 dB) instead of −inf; +inf stays +inf.
    """
    try:
        x = abs(float(peak))
    except (TypeError, ValueError):
        return LEVEL_FLOOR_DB
    if not x > 0.0:  # 0 or NaN
        return LEVEL_FLOOR_DB
    if math.isinf(x):
        return math.inf
    return max(LEVEL_FLOOR_DB, 20.0 * math.log10(x))


def _meter_eighths(db: float, width: int, floor_db: float, ceil_db: float) -> int:
    x = finite_or_none(db)
    if x is None:
        fraction = 1.0 if db == math.inf else 0.0
    else:
        fraction = min(1.0, max(0.0, (x - floor_db) / (ceil_db - floor_db)))
    return round(fraction * width * 8)


def meter(db: float, width: int, *, floor_db: float = METER_FLOOR_DB, ceil_db: float = METER_CEIL_DB) -> str:
    """A horizontal bar of exactly `width` characters for a level of `db` dB.

    The bar fills ``(db − floor_db) / (ceil_db − floor_db)`` of the width (clamped to
    0..1) in eighths of a character (``▏▎▍▌▋▊▉█``), padded with spaces. NaN draws an empty
    bar, +inf a full one.
    """
    width = max(0, int(width))
    if width == 0:
        return ""
    eighths = _meter_eighths(db, width, floor_db, ceil_db)
    full, part = divmod(eighths, 8)
    bar = _FULL_BLOCK * full + (_PARTIAL_BLOCKS[part] if part else "")
    return bar.ljust(width)


def bipolar_bar(value: float, half_width: int) -> str:
    """A ``2·half_width + 1``-character bar for `value` in [−1, 1], centred on ``│``.

    ``+0.5`` with half_width 4: ``"────│██──"``. Clamped to ±1; NaN/None draw no fill.
    """
    half_width = max(0, int(half_width))
    x = finite_or_none(value)
    n = 0 if x is None else round(min(1.0, abs(x)) * half_width)
    if x is not None and x < 0:
        return "─" * (half_width - n) + "█" * n + "│" + "─" * half_width
    return "─" * half_width + "│" + "█" * n + "─" * (half_width - n)


def format_hz(value) -> str:
    """A frequency in whole Hz without the unit (``"1234"``); ``""`` if not finite."""
    x = finite_or_none(value)
    return "" if x is None else f"{x:.0f}"


def format_pitch(value) -> str:
    """``"A4    440"`` (note left, Hz right, 9 characters); ``""`` for no pitch."""
    note = hz_to_note(value)
    return f"{note:<3} {float(value):>5.0f}" if note else ""


def format_signed(value) -> str:
    """``"+0.12"``; ``"  –  "`` if not finite."""
    x = finite_or_none(value)
    return "  –  " if x is None else f"{x:+.2f}"


def format_us(value) -> str:
    """A latency in whole microseconds, ``"123 µs"``; ``"–"`` while not measured."""
    x = finite_or_none(value)
    return "–" if x is None else f"{x:.0f} µs"


def format_count(value) -> str:
    """A counter as an integer; ``"–"`` if it is not one."""
    try:
        return str(int(value))
    except (TypeError, ValueError, OverflowError):
        return "–"


def format_elapsed(value) -> str:
    """Seconds as ``"HH:MM:SS.s"`` (``"00:01:05.3"``); ``"–"`` if not finite."""
    x = finite_or_none(value)
    if x is None:
        return "–"
    sign = "-" if x < 0 else ""
    x = abs(x)
    hours, rest = divmod(x, 3600.0)
    minutes, seconds = divmod(rest, 60.0)
    return f"{sign}{int(hours):02d}:{int(minutes):02d}:{seconds:04.1f}"


def emotion_pair(emotion) -> tuple[float | None, float | None] | None:
    """``(arousal, valence)`` with each non-finite value as None; None if not a pair."""
    if emotion is None:
        return None
    try:
        arousal, valence = emotion
    except (TypeError, ValueError):
        return None
    return finite_or_none(arousal), finite_or_none(valence)


def format_plain(snap) -> str:
    """The one-line status of plain mode (no escape codes) of an `EngineSnapshot`, e.g.

    ``status t=12.3s callbacks=1153 xruns=0 drops=0 osc_errors=0 emotion_restarts=0
    emotion_resets=0 arousal=+0.12 valence=-0.40``
    """
    x = finite_or_none(getattr(snap, "elapsed_s", None))
    elapsed = "-" if x is None else f"{x:.1f}s"
    pair = emotion_pair(getattr(snap, "emotion", None))
    if pair is None:
        mood = "emotion=-"
    else:
        mood = " ".join(
            f"{name}={'-' if v is None else format(v, '+.2f')}" for name, v in zip(("arousal", "valence"), pair)
        )
    return (
        f"status t={elapsed} callbacks={format_count(getattr(snap, 'callbacks', None))}"
        f" xruns={format_count(getattr(snap, 'xruns', None))}"
        f" drops={format_count(getattr(snap, 'dropped_frames', None))}"
        f" osc_errors={format_count(getattr(snap, 'osc_errors', None))}"
        f" emotion_restarts={format_count(getattr(snap, 'emotion_restarts', None))}"
        f" emotion_resets={format_count(getattr(snap, 'emotion_resets', None))}"
        f"{_device_plain(snap)}{_control_plain(snap)} {mood}{_rhythm_plain(snap)}"
    ).replace("–", "-")


def rhythm_text(rhythm) -> str | None:
    """``128.0 BPM (conf 0.78) phase 0.42`` of ``(bpm, confidence, phase)``; None if absent or odd."""
    try:
        bpm, confidence, phase = (float(v) for v in rhythm)
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (bpm, confidence, phase)):
        return None
    return f"{bpm:.1f} BPM (conf {confidence:.2f}) phase {phase:.2f}"


def _rhythm_plain(snap) -> str:
    """`` tempo=128.0 confidence=0.78 phase=0.42`` with ``--rhythm``."""
    rhythm = getattr(snap, "tempo", None)
    if rhythm_text(rhythm) is None:
        return ""
    bpm, confidence, phase = rhythm
    return f" tempo={bpm:.1f} confidence={confidence:.2f} phase={phase:.2f}"


def _control_plain(snap) -> str:
    """`` control_bad=N`` (and `` transport=stopped``) when there is a control input."""
    bad = getattr(snap, "control_bad", None)
    if bad is None:
        return ""
    return f" control_bad={format_count(bad)}" + ("" if getattr(snap, "transport_running", True) else " transport=stopped")


def _device_plain(snap) -> str:
    """`` device_losses=N`` (and `` device=lost`` while away) once the device was lost."""
    losses = getattr(snap, "device_losses", 0)
    if not losses:
        return ""
    return f" device_losses={format_count(losses)}" + (" device=lost" if getattr(snap, "device_lost", False) else "")
