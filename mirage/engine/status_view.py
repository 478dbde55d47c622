"""The live view of ``mirage run``'s status: one `EngineSnapshot` as rich Segment lines.

One compact line per track — index, name, a peak meter in dBFS (−60..0 dB, eighth-block
resolution; green, yellow from −18 dB, red from −6 dB), with ``--rhythm`` the bass / mid /
high bands as three blocks and ``●`` after an onset, centroid, rolloff, flatness, the
four pitches as note name + Hz (``"A4 440"``) and the instrument profile — then a footer
with the emotion (arousal and valence as bipolar bars), elapsed time, callback / xrun /
drop / OSC-error / emotion-restart counts, the callback and hop→send p99 latencies and the
OSC destinations, and the last few log lines (`mirage.engine.log_area`). Columns are
dropped, least important first, when the terminal is too narrow; tracks that do not fit
its height are summed up as ``"… N more tracks"``.

Cost: the view is drawn as pre-built rich ``Segment`` lines rather than a rich ``Table`` — a
table measures every cell on every redraw, which costs several milliseconds for 16 tracks,
most of the 2 ms the display may take per update (the OSC writer thread shares the GIL with
it). Odd values (NaN, ±inf, ``None``, arrays of the wrong shape, no tracks) are shown as
blanks or clamped (`mirage.engine.status_format`), never raised. Who starts and stops the
view: `mirage.engine.status_display.StatusDisplay`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kernels.layout import CENTROID, FLATNESS, N_PITCHES, PITCH1, ROLLOFF
from kernels.rhythm_layout import N_BANDS3, N_RHYTHM, RH_BASS, RH_ONSET
from mirage.engine.status_format import (
    LEVEL_FLOOR_DB,
    METER_CEIL_DB,
    METER_FLOOR_DB,
    METER_RED_DB,
    METER_YELLOW_DB,
    bipolar_bar,
    emotion_pair,
    rhythm_text,
    finite_or_none,
    format_count,
    format_elapsed,
    format_hz,
    format_pitch,
    format_signed,
    format_us,
    level_dbfs,
    meter,
)
from mirage.engine.status_snapshot import EngineSnapshot

__all__ = ["LiveFrame", "Styles"]

CALLBACK_P99_BUDGET_US = 200.0
"""DESIGN.md budget for the callback p99 (16 tracks, hop 512 @ 48 kHz); above it is shown in yellow."""
HOP_TO_SEND_P99_BUDGET_US = 1000.0
"""DESIGN.md budget for hop complete → datagram sent, p99."""

_HEADER_LINES = 2  # title, column heads
_FOOTER_LINES = 4  # emotion, counters, latencies, OSC


@dataclass(frozen=True)
class _Column:
    key: str
    head: str
    width: int
    right: bool


# Optional columns, dropped in this order while the terminal is too narrow.
_DROP_ORDER = ("pitch4", "pitch3", "profile", "pitch2", "rolloff", "flat", "pitch1", "rhythm", "centroid", "db")

_EIGHTHS = " ▁▂▃▄▅▆▇█"
ONSET_MARK = "●"


def rhythm_cell(row) -> str:
    """``--rhythm``'s cell: bass, mid, high as one block each (0..1 in eighths), then the
    onset mark when an onset came since the previous view (`kernels.rhythm_layout` row)."""
    blocks = ""
    for j in range(N_BANDS3):
        x = finite_or_none(row[RH_BASS + j])
        blocks += _EIGHTHS[0 if x is None else int(round(min(1.0, max(0.0, x)) * 8))]
    onset = finite_or_none(row[RH_ONSET])
    return blocks + " " + (ONSET_MARK if onset is not None and onset > 0 else " ")


class Styles:
    """rich Style objects, made once (parsing a style string per cell costs ~µs each)."""

    def __init__(self):
        from rich.style import Style

        self.none = Style()
        self.title = Style(bold=True)
        self.head = Style(bold=True, dim=True)
        self.dim = Style(dim=True)
        self.green = Style(color="green")
        self.yellow = Style(color="yellow")
        self.red = Style(color="red", bold=True)
        self.warn = Style(color="yellow", bold=True)
        self.bad = Style(color="red", bold=True)
        self.cyan = Style(color="cyan")
        self.magenta = Style(color="magenta")


class LiveFrame:
    """One redraw of the live view: a rich renderable built from Segment lines.

    Layout needs the console's size, so the lines are built in ``__rich_console__``.
    """

    def __init__(self, snap: EngineSnapshot, styles: Styles, log_area=None):
        self.snap = snap
        self.styles = styles
        self.log_area = log_area

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        width = max(20, options.max_width)
        height = options.height or options.size.height
        newline = Segment.line()
        for line in self.lines(width, height):
            yield from line
            yield newline

    # -- building -------------------------------------------------------------------

    def lines(self, width: int, height: int) -> list[list]:
        """The view as lines of Segments, fitted to `width` × `height` cells."""
        from rich.segment import Segment

        st = self.styles
        snap = self.snap
        names = _as_str_list(getattr(snap, "track_names", None))
        profiles = _as_str_list(getattr(snap, "profiles", None))
        levels = _as_float_list(getattr(snap, "levels", None))
        features = _feature_rows(getattr(snap, "features", None))
        rhythm = _rows(getattr(snap, "rhythm", None), N_RHYTHM)
        n_tracks = max(len(names), len(levels), len(features))

        index_w = max(2, len(str(max(0, n_tracks - 1))))
        name_w = min(14, max([5, *(len(name) for name in names)]))
        meter_w = 16 if width >= 100 else 10
        columns = [
            _Column("db", "dBFS", 6, True),
            *([_Column("rhythm", "bmh on", 6, False)] if getattr(snap, "rhythm", None) is not None else []),
            _Column("centroid", "centroid", 8, True),
            _Column("rolloff", "rolloff", 8, True),
            _Column("flat", "flat", 5, True),
            *(_Column(f"pitch{i + 1}", f"pitch{i + 1}", 9, False) for i in range(N_PITCHES)),
            _Column("profile", "profile", 8, False),
        ]
        fixed_w = index_w + 1 + name_w + 1 + meter_w
        for key in _DROP_ORDER:
            if fixed_w + sum(c.width + 1 for c in columns) <= width:
                break
            columns = [c for c in columns if c.key != key]

        out = []
        rate = finite_or_none(getattr(snap, "sr_hz", None))
        rate_text = "– Hz" if rate is None else f"{rate:.0f} Hz"
        out.append([
            Segment("MIRAGE  ", st.title),
            Segment(f"{getattr(snap, 'source', '')} · {rate_text} · {n_tracks} track{'s' if n_tracks != 1 else ''}"),
        ])
        head = f"{'#':>{index_w}} {'track':<{name_w}} {'level':<{meter_w}}"
        for c in columns:
            head += " " + (f"{c.head:>{c.width}}" if c.right else f"{c.head:<{c.width}}")
        out.append([Segment(head, st.head)])

        log_lines = self.log_area.lines() if self.log_area is not None else []
        room = max(0, height - _HEADER_LINES - _FOOTER_LINES - len(log_lines))
        shown = n_tracks if n_tracks <= room else max(0, room - 1)
        for t in range(shown):
            out.append(self._track_line(t, names, profiles, levels, features, columns,
                                        index_w, name_w, meter_w, rhythm))
        if shown < n_tracks:
            more = n_tracks - shown
            out.append([Segment(f"… {more} more track{'s' if more != 1 else ''}", st.dim)])
        out.extend(self._footer())
        if log_lines:
            from mirage.engine.log_area import render_lines

            out.extend(render_lines(log_lines, width, st))
        return out

    def _track_line(self, t, names, profiles, levels, features, columns, index_w, name_w, meter_w, rhythm=()):
        from rich.segment import Segment

        st = self.styles
        name = names[t] if t < len(names) else ""
        if len(name) > name_w:
            name = name[: name_w - 1] + "…"
        db = level_dbfs(levels[t]) if t < len(levels) else LEVEL_FLOOR_DB
        bar = meter(db, meter_w)
        yellow_at = int((METER_YELLOW_DB - METER_FLOOR_DB) / (METER_CEIL_DB - METER_FLOOR_DB) * meter_w)
        red_at = int((METER_RED_DB - METER_FLOOR_DB) / (METER_CEIL_DB - METER_FLOOR_DB) * meter_w)
        line = [
            Segment(f"{t:>{index_w}} {name:<{name_w}} "),
            Segment(bar[:yellow_at], st.green),
            Segment(bar[yellow_at:red_at], st.yellow),
            Segment(bar[red_at:], st.red),
        ]
        row = features[t] if t < len(features) else None
        cells = []
        for c in columns:
            key = c.key
            if key == "db":
                text = "-inf" if db <= LEVEL_FLOOR_DB else f"{db:.1f}"
                style = st.red if db >= METER_RED_DB else st.none
            elif key == "profile":
                text, style = (profiles[t] if t < len(profiles) else ""), st.dim
            elif key == "rhythm":
                text, style = (rhythm_cell(rhythm[t]) if t < len(rhythm) else ""), st.cyan
            elif row is None:
                text, style = "", st.none
            elif key == "centroid":
                text, style = format_hz(row[CENTROID]), st.none
            elif key == "rolloff":
                text, style = format_hz(row[ROLLOFF]), st.none
            elif key == "flat":
                x = finite_or_none(row[FLATNESS])
                text, style = ("" if x is None else f"{x:.3f}"), st.none
            else:  # pitchN
                text, style = format_pitch(row[PITCH1 + int(key[5:]) - 1]), st.cyan
            text = text[: c.width]
            cells.append(Segment(" " + (f"{text:>{c.width}}" if c.right else f"{text:<{c.width}}"), style))
        line.extend(cells)
        return line

    def _footer(self) -> list[list]:
        from rich.segment import Segment

        st = self.styles
        snap = self.snap
        pair = emotion_pair(getattr(snap, "emotion", None))
        if pair is None:
            emotion = [Segment("emotion  ", st.head), Segment("waiting for the first step", st.dim)]
        else:
            arousal, valence = pair
            emotion = [
                Segment("emotion  ", st.head),
                Segment(f"arousal {format_signed(arousal)} "), Segment(bipolar_bar(arousal, 5), st.magenta),
                Segment(f"   valence {format_signed(valence)} "), Segment(bipolar_bar(valence, 5), st.magenta),
            ]
        rhythm = rhythm_text(getattr(snap, "tempo", None))
        if rhythm is not None:
            emotion += [Segment("   tempo ", st.dim), Segment(rhythm, st.cyan)]
        restarts = format_count(getattr(snap, "emotion_restarts", None))
        emotion += [Segment("   restarts ", st.dim),
                    Segment(restarts, st.warn if restarts not in ("0", "–") else st.none),
                    Segment("   resets ", st.dim), Segment(format_count(getattr(snap, "emotion_resets", None)))]

        def counter(label: str, value, bad_style) -> list:
            text = format_count(value)
            style = bad_style if text not in ("0", "–") else st.none
            return [Segment(f"  {label} ", st.dim), Segment(text, style)]

        counters = [Segment("elapsed ", st.dim), Segment(format_elapsed(getattr(snap, "elapsed_s", None)))]
        counters += counter("callbacks", getattr(snap, "callbacks", None), st.none)
        counters += counter("xruns", getattr(snap, "xruns", None), st.warn)
        counters += counter("drops", getattr(snap, "dropped_frames", None), st.bad)
        counters += counter("OSC errors", getattr(snap, "osc_errors", None), st.bad)
        if getattr(snap, "control_bad", None) is not None:
            counters += counter("control bad", snap.control_bad, st.warn)
            if getattr(snap, "transport_running", True) is False:
                counters += [Segment("  transport ", st.dim), Segment("stopped", st.warn)]
        counters += counter("device losses", getattr(snap, "device_losses", None), st.warn)
        if getattr(snap, "device_lost", False):
            counters.append(Segment("  AUDIO DEVICE LOST, retrying", st.bad))

        def latency(label: str, value, budget_us: float) -> list:
            x = finite_or_none(value)
            style = st.warn if x is not None and x > budget_us else st.none
            return [Segment(label, st.dim), Segment(format_us(value), style)]

        latencies = latency("callback p99 ", getattr(snap, "callback_p99_us", None), CALLBACK_P99_BUDGET_US)
        latencies += latency("   hop→send p99 ", getattr(snap, "hop_to_send_p99_us", None), HOP_TO_SEND_P99_BUDGET_US)

        targets = ", ".join(_as_str_list(getattr(snap, "osc_targets", None))) or "none"
        osc = [Segment("OSC → ", st.dim), Segment(targets),
               Segment(f"  (profile {getattr(snap, 'osc_profile', '')})", st.dim)]
        return [emotion, counters, latencies, osc]


def _as_str_list(values) -> list[str]:
    if values is None:
        return []
    try:
        return [str(v) for v in values]
    except TypeError:
        return [str(values)]


def _as_float_list(values) -> list:
    """A 1-D sequence of numbers as a list (np.ndarray → .tolist(), cheap); [] if unusable."""
    if values is None:
        return []
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return []
    return array.tolist()


def _feature_rows(features) -> list:
    """Rows of a [C, ≥8] feature array as lists of floats; [] before the first hop or if malformed."""
    if features is None:
        return []
    try:
        array = np.asarray(features, dtype=np.float64)
    except (TypeError, ValueError):
        return []
    if array.ndim != 2 or array.shape[1] < PITCH1 + N_PITCHES:
        return []
    return array.tolist()


def _rows(values, n_columns: int) -> list:
    """Rows of a [C, ≥ n_columns] array as lists of floats; [] if absent or malformed."""
    if values is None:
        return []
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return []
    if array.ndim != 2 or array.shape[1] < n_columns:
        return []
    return array.tolist()
