"""Offline analysis through `TrackAnalyzer`, block by block: of an array, or of files in constant memory.

The audio is fed in blocks of about one second, exactly as an audio callback would feed it,
so the frames are those of the real-time engine (one kernel, two drivers).

- `analyze`: an array of tracks in memory -> all its frames as one array.
- `analyze_source`: files on disk (`mirage.audio_reader.SourceReader`: chunked decode, every
  file in lockstep, streaming resampling) -> each block's frames written as they come
  (`mirage.feature_writers`: CSV or Parquet by extension), the mood of the mix streamed
  (`mirage.emotion.offline.MoodTrack`), and per-track medians for a summary (`mirage.spilled_medians`:
  exact, spilled to a temporary file). Memory does not grow with the length: about one block
  of audio, one Parquet row group and the analyzer's state (measured: tests/test_streaming_memory.py).
  Outputs appear only complete (`mirage.atomic_output`).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from kernels.layout import FEATURE_NAMES
from kernels.rhythm_layout import RH_BASS, RH_HIGH, RH_LEVEL, RH_MID
from mirage.emotion.mood_csv import write_mood_csv

RHYTHM_COLUMNS = ("level", "bass", "mid", "high")
"""The rhythm columns `mirage analyze --out` appends, each 0..1 (`kernels.rhythm_layout`)."""
RHYTHM_COLUMN_INDICES = [RH_LEVEL, RH_BASS, RH_MID, RH_HIGH]

SUMMARY_COLUMNS = ("centroid_hz", "bandwidth_hz", "flatness", "rolloff_hz", "pitch1_hz", "voiced")
"""The per-track summary: medians over all frames of the first four features, the median
pitch1 over the frames with a pitch, and the share of those frames (0..1)."""


@dataclass
class AnalysisStats:
    """What `analyze_source` did. ``summary``: float64 [n_tracks, len(SUMMARY_COLUMNS)] or None."""

    sr_hz: float
    n_fft: int
    hop: int
    track_names: list[str]
    profile_names: list[str]
    n_samples: int = 0
    n_frames: int = 0
    rows: int = 0
    startup_s: float = 0.0
    compute_s: float = 0.0
    write_s: float = 0.0
    nonfinite_samples: int = 0
    mood_steps: int = 0
    onsets: int = 0
    summary: np.ndarray | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def n_tracks(self) -> int:
        return len(self.track_names)

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sr_hz


def mix_of(block: np.ndarray) -> np.ndarray:
    """The mono mix of a block ``[n, n_tracks]``: the mean of the tracks, float32, summed in
    track order -- the same numbers as ``audio.mean(axis=0)`` of the whole ``[n_tracks, N]``."""
    return np.ascontiguousarray(block.T).mean(axis=0)


def _stderr_notice(message: str) -> None:
    print(f"mirage: {message}", file=sys.stderr)


def analyze_source(
    paths: Sequence[str | os.PathLike], *, out: str | os.PathLike | None = None,
    n_fft: int = 2048, hop: int = 512, sr_hz: float | None = None,
    profile: str | None = None, profiles: str | Sequence[str] | None = None,
    emotion_out: str | os.PathLike | None = None,
    mood: Callable[[float], object] | None = None,
    write_mood: Callable[[object, np.ndarray], None] = write_mood_csv,
    summary: bool | None = None, metadata: dict | None = None,
    progress: bool = False, notice: Callable[[str], None] = _stderr_notice,
    rhythm_columns: bool = False, onsets_out: str | os.PathLike | None = None,
    level_attack_ms: float | None = None, level_release_ms: float | None = None,
) -> AnalysisStats:
    """Analyse a source on disk in constant memory; write its frames to `out` as they come.

    Parameters
    ----------
    paths : sequence of str or path-like
        Audio files (every channel a track), folders of stems, ``"demo"``
        (`mirage.audio_files`); their tracks are concatenated in order.
    out : path, optional
        ``.csv`` (`mirage.csv_out` text) or ``.parquet`` (`mirage.feature_writers`); another
        extension is a ParameterError. Written under a temporary name, renamed when complete.
    n_fft, hop : int
        Frame length and hop, in samples.
    sr_hz : float, optional
        Resample every file to this rate (default: the first file's).
    profile, profiles : optional
        Instrument profile of every track, or one per track (`mirage.profiles`); for
        ``"demo"`` alone, each stem's own by default.
    emotion_out : path, optional
        Also write the mood of the mix (``time_s,arousal,valence``) there, with `write_mood`.
    mood : callable, optional
        ``mood(sr_hz)`` -> an object with ``push(mono_block)`` and ``rows()`` (default:
        `mirage.emotion.offline.MoodTrack`, the shipped model).
    summary : bool, optional
        Compute `AnalysisStats.summary` (default: when there is no `out`).
    metadata : dict, optional
        Extra key-values for the Parquet file's metadata.
    progress : bool
        A progress bar on stderr.
    notice : callable
        Receives one-line notices (resampling); they are also kept in ``stats.notices``.
    rhythm_columns : bool
        Append the per-track rhythm columns ``level,bass,mid,high`` (each 0..1, the values
        ``mirage run --rhythm`` sends; `kernels.track_rhythm`) to `out`'s rows.
    onsets_out : path, optional
        Also write the onsets, ``track,time_s,strength`` (`mirage.rhythm.onsets`), there.
    level_attack_ms, level_release_ms : float, optional
        Smoothing of the rhythm level and bands (default: `kernels.rhythm_layout`'s).

    Raises
    ------
    ParameterError, InputError
        Before anything is written: bad parameters, an unreadable input, an output that
        is one of the inputs, an unknown output extension, a missing model.
    """
    from kernels.analyzer import TrackAnalyzer
    from mirage.atomic_output import AtomicOutput, check_output
    from mirage.audio_files import DEMO_SOURCE
    from mirage.audio_reader import SourceReader
    from mirage.errors import ParameterError
    from mirage.feature_writers import writer_class
    from mirage.frame_parameters import check_frame
    from mirage.profiles import track_pitch_ranges

    check_frame(n_fft=n_fft, hop=hop)
    targets = [Path(p) for p in (out, emotion_out, onsets_out) if p is not None]
    if len({t.resolve() for t in targets}) < len(targets):
        raise ParameterError(f"two outputs name the same file: {', '.join(map(str, targets))}")
    notices: list[str] = []

    def keep(message: str) -> None:
        notices.append(message)
        notice(message)

    with SourceReader(paths, sr_hz=sr_hz, notice=keep) as reader:
        for target in targets:
            check_output("output", target, reader.files)
        writer_type = writer_class(out) if out is not None else None
        default = None
        if [str(p) for p in paths] == [DEMO_SOURCE]:
            from mirage.demo import STEM_PROFILES as default
        ranges, profile_names = track_pitch_ranges(reader.track_names, profile=profile,
                                                   profiles=profiles, default=default)
        rate = reader.sr_hz
        stats = AnalysisStats(rate, n_fft, hop, list(reader.track_names), profile_names,
                              notices=notices)
        if mood is None and emotion_out is not None:
            from mirage.emotion.offline import MoodTrack as mood
        mood_track = mood(rate) if emotion_out is not None else None
        want_summary = out is None if summary is None else summary
        medians = None
        if want_summary:
            from mirage.spilled_medians import SpilledMedians

            medians = SpilledMedians(reader.n_tracks * 5)
        files: list = []
        writer = None
        try:
            t0 = time.perf_counter()
            smoothing = {k: v for k, v in (("level_attack_ms", level_attack_ms),
                                           ("level_release_ms", level_release_ms)) if v is not None}
            analyzer = TrackAnalyzer(reader.n_tracks, rate, n_fft=n_fft, hop=hop,
                                     pitch_ranges_hz=ranges,
                                     rhythm=rhythm_columns or onsets_out is not None, **smoothing)
            analyzer.warm_up()  # compile/load the kernels before timing
            stats.startup_s = time.perf_counter() - t0
            columns = FEATURE_NAMES + (RHYTHM_COLUMNS if rhythm_columns else ())
            if out is not None:
                files.append(AtomicOutput(Path(out)))
                info = {"n_fft": n_fft, "hop": hop, "sr_hz": rate, "tracks": stats.track_names,
                        "profiles": profile_names, **(metadata or {})}
                writer = writer_type(files[0].fh, hop=hop, sr_hz=rate, n_tracks=reader.n_tracks,
                                     metadata=info, columns=columns)
            onset_writer = None
            if onsets_out is not None:
                from mirage.rhythm.onsets import OnsetCsvWriter

                files.append(AtomicOutput(Path(onsets_out)))
                onset_writer = OnsetCsvWriter(files[-1].fh)
            if emotion_out is not None:
                files.append(AtomicOutput(Path(emotion_out)))
            block_samples = hop * max(1, int(round(rate / hop)))  # about one second, whole hops
            bar = _progress_bar(reader.expected_samples, rate) if progress else None
            try:
                for block in reader.blocks(block_samples):
                    t = time.perf_counter()
                    new = analyzer.process(block)
                    t1 = time.perf_counter()
                    stats.compute_s += t1 - t
                    if writer is not None and len(new):
                        if rhythm_columns:
                            new_rows = np.concatenate(
                                [new, analyzer.rhythm_out[:, :, RHYTHM_COLUMN_INDICES]], axis=2)
                        else:
                            new_rows = new
                        writer.write(new_rows, stats.n_frames)
                    if onset_writer is not None and len(new):
                        onset_writer.write(analyzer.rhythm_out, analyzer.out_end[:len(new)], rate)
                    if medians is not None and len(new):
                        medians.add(new[:, :, :5])
                    if mood_track is not None:
                        mood_track.push(mix_of(block))
                    stats.write_s += time.perf_counter() - t1
                    stats.n_frames += len(new)
                    stats.n_samples += len(block)
                    if bar is not None:
                        bar.advance(len(block))
            finally:
                if bar is not None:
                    bar.close()
            if writer is not None:
                writer.close()
                stats.rows, writer = writer.rows, None
            if onset_writer is not None:
                stats.onsets = onset_writer.rows
            if mood_track is not None:
                rows = mood_track.rows()
                stats.mood_steps = len(rows)
                write_mood(files[-1].fh, rows)
            if medians is not None:
                stats.summary = _summary(medians, reader.n_tracks)
            for f in files:
                f.commit()
        finally:
            if writer is not None:  # not closed: a failure or Ctrl-C
                writer.abort()
            for f in files:
                f.discard()
            if medians is not None:
                medians.close()
    stats.nonfinite_samples = analyzer.nonfinite_samples
    return stats


def _summary(medians, n_tracks: int) -> np.ndarray:
    """[n_tracks, 6] from the spilled [frames, n_tracks * 5] columns (see SUMMARY_COLUMNS)."""
    out = np.zeros((n_tracks, len(SUMMARY_COLUMNS)))
    if medians.n_rows == 0:
        return out
    positive = np.tile([False, False, False, False, True], n_tracks)
    values = medians.medians(positive=positive).reshape(n_tracks, 5)
    voiced = medians.counts_positive().reshape(n_tracks, 5)[:, 4]
    out[:, :5] = np.nan_to_num(values, nan=0.0)
    out[:, 5] = voiced / medians.n_rows
    return out


def analyze(audio: np.ndarray, sr_hz: float, *, n_fft: int, hop: int,
            pitch_ranges_hz: np.ndarray | None, progress: bool = False) -> tuple[np.ndarray, dict]:
    """Run `audio` (float32 [n_tracks, n_samples]) through `TrackAnalyzer` block by block.

    Returns the features float32 [n_frames, n_tracks, 8] and timing/statistics:
    ``startup_s`` (constructing the analyzer), ``compute_s`` (all `process` calls),
    ``nonfinite_samples``.
    """
    from kernels.analyzer import TrackAnalyzer, frames_in

    n_tracks, n_samples = audio.shape
    k_total = frames_in(n_samples, n_fft, hop)
    features = np.empty((k_total, n_tracks, 8), dtype=np.float32)
    block = hop * max(1, int(round(sr_hz / hop)))  # about one second, whole hops
    t0 = time.perf_counter()
    analyzer = TrackAnalyzer(n_tracks, sr_hz, n_fft=n_fft, hop=hop,
                             pitch_ranges_hz=pitch_ranges_hz)
    warm_up = getattr(analyzer, "warm_up", None)  # compile/load the kernels before timing
    if warm_up is not None:
        warm_up()
    t1 = time.perf_counter()
    bar = _progress_bar(n_samples, sr_hz) if progress else None
    done = 0
    compute_s = 0.0
    try:
        for start in range(0, n_samples, block):
            chunk = audio[:, start:start + block].T
            t = time.perf_counter()
            new = analyzer.process(chunk)
            features[done:done + len(new)] = new
            compute_s += time.perf_counter() - t
            done += len(new)
            if bar is not None:
                bar.advance(chunk.shape[0])
    finally:
        if bar is not None:
            bar.close()
    if done != k_total:
        raise RuntimeError(f"analyzer produced {done} frames, expected {k_total}")
    return features, {"startup_s": t1 - t0, "compute_s": compute_s,
                      "nonfinite_samples": int(analyzer.nonfinite_samples)}


class _progress_bar:
    """A rich progress bar on stderr, in seconds of audio."""

    def __init__(self, n_samples: int, sr_hz: float):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self._sr = sr_hz
        self._progress = Progress(TextColumn("analysing"), BarColumn(),
                                  TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
                                  TimeRemainingColumn(), console=Console(stderr=True),
                                  transient=True)
        self._progress.start()
        self._task = self._progress.add_task("analyse", total=n_samples / sr_hz)

    def advance(self, n_samples: int) -> None:
        self._progress.advance(self._task, n_samples / self._sr)

    def close(self) -> None:
        self._progress.stop()
