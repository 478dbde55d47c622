"""``mirage analyze``: the features of files, offline, through the same kernels as real time.

::

    mirage analyze PATH [PATH...] [--out FILE.csv|FILE.parquet] [--n-fft 2048] [--hop 512] [--sr HZ]
                   [--profile NAME | --profiles NAME,NAME,...] [--emotion-out FILE.csv]
                   [--onsets-out FILE.csv] [--level-attack-ms MS] [--level-release-ms MS] [--beats-out FILE.csv]

A thin layer over `mirage.feature_analysis.analyze_source`: the source (files, folders of
stems, ``demo``; see `mirage.audio_files`) is decoded block by block and fed to
`kernels.analyzer.TrackAnalyzer` in blocks of about one second, exactly as an audio callback
would feed it; each block's frames are written as they come, as CSV (`mirage.csv_out`) or
Parquet, by the output's extension (`mirage.feature_writers`) -- or, without ``--out``,
summarised per track as a table on stdout. Memory does not grow with the length.

The output appears only when everything succeeded: it is written to a temporary file in the
same folder (``.NAME.<random>.tmp``) and renamed over FILE.csv at the end; on any error or
Ctrl-C the temporary file is removed and an existing FILE.csv is left untouched. An output
that is one of the inputs is refused before anything is read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from mirage.errors import InputError, ParameterError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mirage.osc.addresses import OSC_PROFILES
    from mirage.profiles import DEFAULT_PROFILE, PROFILES
    from mirage.rhythm.level_options import add_level_options

    names = ", ".join(PROFILES)
    parser.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="an audio file (every channel is a track), a folder of stems (every audio file "
             "is a track, by name), or 'demo' (the demo song); several PATHs are concatenated")
    parser.add_argument(
        "-o", "--out", metavar="FILE.csv|FILE.parquet",
        help="write every frame of every track, as CSV or Parquet by the extension: the features, "
             "then level,bass,mid,high (each 0..1, as `mirage run --rhythm` sends them) "
             "(default: print a summary per track)")
    parser.add_argument("--n-fft", type=int, default=2048, metavar="N",
                        help="frame length in samples (default: %(default)s)")
    parser.add_argument("--hop", type=int, default=512, metavar="N",
                        help="hop between frames in samples (default: %(default)s)")
    parser.add_argument("--sr", type=float, metavar="HZ",
                        help="resample every file to this rate (default: the first file's)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--profile", metavar="NAME",
        help=f"instrument profile (pitch range) of every track: {names} "
             f"(default: {DEFAULT_PROFILE}; for 'demo', the profile of each stem)")
    group.add_argument("--profiles", metavar="NAME,NAME,...",
                       help="one instrument profile per track, in track order")
    parser.add_argument("--emotion-out", metavar="FILE.csv",
                        help="also write time_s, arousal, valence of the mix, per 0.5 s, as CSV "
                             "(needs the emotion model)")
    parser.add_argument("--onsets-out", metavar="FILE.csv",
                        help="also write every onset as track,time_s,strength (time_s: the end of the hop "
                             "it was detected in, when `mirage run --rhythm` sends it)")
    add_level_options(parser)
    parser.add_argument("--beats-out", metavar="FILE.csv",
                        help="also write time_s, bpm, confidence of every beat trigger of the mix, as "
                             "`mirage run --rhythm` would send it (time_s: its time tag), as CSV")
    parser.add_argument("--record", metavar="FILE",
                        help="render the song into a recording of the OSC `mirage run` would send "
                             "(for `mirage replay FILE`), as fast as the analysis runs")
    parser.add_argument("--osc-profile", choices=OSC_PROFILES, default=OSC_PROFILES[0],
                        help="--record: the OSC wire format, as for `mirage run` (default: %(default)s)")


def _load_emotion():
    """The streaming mood of the mix: ``factory(sr_hz)`` -> ``push(mono)``, ``rows()``."""
    try:
        from mirage.emotion.offline import MoodTrack  # import errors said here, before the analysis
    except ModuleNotFoundError as exc:
        if exc.name in ("mirage.emotion", "mirage.emotion.offline", "mirage.emotion.features", "mirage.emotion.model"):
            raise InputError(f"emotion model not available (no {exc.name})") from None
        raise InputError(f"emotion model not available: {exc}") from None
    except ImportError as exc:
        raise InputError(f"emotion model not available: {exc}") from None
    return MoodTrack


def summary_table(stats) -> str:
    """One line per track: medians of the features over all frames; pitch over voiced frames
    (`mirage.feature_analysis.AnalysisStats.summary`)."""
    header = (f"{'track':>5}  {'name':<16} {'profile':<8} {'centroid':>9} {'bandwidth':>9} "
              f"{'flatness':>9} {'rolloff':>9} {'pitch1':>8} {'voiced':>6}")
    lines = [header, "-" * len(header)]
    for c, (name, prof) in enumerate(zip(stats.track_names, stats.profile_names)):
        cen, bw, flat, roll, pitch, share = stats.summary[c]
        lines.append(f"{c:>5}  {name[:16]:<16} {prof:<8} {cen:>9.1f} {bw:>9.1f} "
                     f"{flat:>9.3g} {roll:>9.1f} {pitch:>8.1f} {share:>6.0%}")
    lines.append("(Hz; medians over all frames, pitch1 over frames with a pitch)")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from mirage.atomic_output import check_output
    from mirage.audio_files import expand_source
    from mirage.compile_notice import compile_notice
    from mirage.feature_analysis import analyze_source
    from mirage.feature_writers import writer_class
    from mirage.frame_parameters import check_frame
    from mirage.profiles import get_profile
    from mirage.rhythm.level_options import check_level_smoothing

    if args.record is not None:  # mirage.recording.offline_render
        from mirage.recording.offline_render import record_command

        record_command(args)
        if not (args.out or args.emotion_out or args.onsets_out or args.beats_out):
            return 0
    check_frame(n_fft=args.n_fft, hop=args.hop)
    if args.sr is not None and not (np.isfinite(args.sr) and 1000 <= args.sr <= 768_000):
        raise ParameterError(f"--sr must be within 1000..768000 Hz, got {args.sr:g}")
    for name in ([args.profile] if args.profile else []) + (
            args.profiles.split(",") if args.profiles else []):
        get_profile(name.strip())
    check_level_smoothing(args.level_attack_ms, args.level_release_ms)
    mood = _load_emotion() if args.emotion_out else None

    inputs = expand_source(args.paths)
    outputs = [("--out", Path(args.out))] if args.out else []
    if args.emotion_out:
        outputs.append(("--emotion-out", Path(args.emotion_out)))
    if args.onsets_out:
        outputs.append(("--onsets-out", Path(args.onsets_out)))
    if args.beats_out:
        outputs.append(("--beats-out", Path(args.beats_out)))
    for option, out in outputs:
        check_output(option, out, inputs)
    for i, (option, out) in enumerate(outputs):
        for other, other_out in outputs[i + 1:]:
            if out.resolve() == other_out.resolve():
                raise ParameterError(f"{option} and {other} name the same file")
    if args.out:
        writer_class(args.out)  # .csv or .parquet

    compiling = compile_notice("analyze")  # one line on stderr when the kernels are not cached yet
    stats = analyze_source(args.paths, out=args.out, n_fft=args.n_fft, hop=args.hop,
                           sr_hz=args.sr, profile=args.profile, profiles=args.profiles,
                           emotion_out=args.emotion_out, mood=mood,
                           progress=sys.stderr.isatty(), rhythm_columns=bool(args.out),
                           onsets_out=args.onsets_out, level_attack_ms=args.level_attack_ms,
                           level_release_ms=args.level_release_ms)
    compiling.done()

    if stats.n_samples < args.n_fft:
        print(f"mirage: note: the audio ({stats.n_samples} samples) is shorter than one frame "
              f"(--n-fft {args.n_fft}): no frames", file=sys.stderr)
    if stats.nonfinite_samples:
        print(f"mirage: warning: {stats.nonfinite_samples} NaN/Inf samples were treated as 0",
              file=sys.stderr)
    n_tracks, k = stats.n_tracks, stats.n_frames
    speed = stats.duration_s * n_tracks / stats.compute_s if stats.compute_s > 0 else float("inf")
    line = (f"mirage: {n_tracks} track(s) x {k} frames, {stats.duration_s:.1f} s of audio at "
            f"{stats.sr_hz:g} Hz; analysis {stats.compute_s:.2f} s ({speed:,.0f}x real time per "
            f"track, start-up {stats.startup_s:.2f} s)")
    if args.out:
        line += f"; wrote {args.out} ({stats.rows} rows, {stats.write_s:.2f} s)"
    if args.onsets_out:
        line += f"; wrote {args.onsets_out} ({stats.onsets} onsets)"
    print(line, file=sys.stderr)
    if args.beats_out:
        _write_beats(args)
    if not args.out:
        print(summary_table(stats))
    return 0


def _write_beats(args: argparse.Namespace) -> None:
    """The mix's beat triggers (`mirage.rhythm.offline_beats`) into ``--beats-out``."""
    from mirage.load_audio import load
    from mirage.rhythm.beats_csv import write_beats_file
    from mirage.rhythm.offline_beats import beats

    loaded = load(args.paths, sr_hz=args.sr)
    found = beats(loaded.audio, loaded.sr_hz, hop=args.hop)
    write_beats_file(Path(args.beats_out), found)
    print(f"mirage: wrote {args.beats_out} ({found.size} beats)", file=sys.stderr)
