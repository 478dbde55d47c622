"""``mirage analyze``: the features of files, offline, through the same kernels as real time.

::

    mirage analyze PATH [PATH...] [--out FILE.csv] [--n-fft 2048] [--hop 512] [--sr HZ]
                   [--profile NAME | --profiles NAME,NAME,...] [--emotion-out FILE.csv]

The source (files, folders of stems, ``demo``; see `mirage.audio_files`) is fed to
`kernels.analyzer.TrackAnalyzer` in blocks of about one second, exactly as an audio callback
would feed it, and the frames are written as CSV (`mirage.csv_out`) -- or, without ``--out``,
summarised per track as a table on stdout.

The output appears only when everything succeeded: it is written to a temporary file in the
same folder (``.NAME.<random>.tmp``) and renamed over FILE.csv at the end; on any error or
Ctrl-C the temporary file is removed and an existing FILE.csv is left untouched. An output
that is one of the inputs is refused before anything is read.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

import numpy as np

from mirage.errors import InputError, ParameterError

N_FFT_RANGE = (16, 1 << 16)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mirage.profiles import DEFAULT_PROFILE, PROFILES

    names = ", ".join(PROFILES)
    parser.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="an audio file (every channel is a track), a folder of stems (every audio file "
             "is a track, by name), or 'demo' (the demo song); several PATHs are concatenated")
    parser.add_argument(
        "-o", "--out", metavar="FILE.csv",
        help="write every frame of every track as CSV (default: print a summary per track)")
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


def check_parameters(*, n_fft: int, hop: int) -> None:
    """ParameterError, with the value, for a frame or hop the kernels cannot use."""
    lo, hi = N_FFT_RANGE
    if not lo <= n_fft <= hi:
        raise ParameterError(f"--n-fft must be within {lo}..{hi} samples, got {n_fft}")
    if not 1 <= hop <= n_fft:
        raise ParameterError(f"--hop must be within 1..n_fft ({n_fft}) samples, got {hop}")


def pitch_ranges(profile: str | None, profiles: str | None, track_names: list[str],
                 default: dict[str, str] | None = None) -> tuple[np.ndarray, list[str]]:
    """The pitch range of each track: (float64 [n_tracks, 2] (fmin_hz, fmax_hz), names).

    `default` maps a track name to a profile name, for tracks not covered by the options.
    """
    from mirage.profiles import DEFAULT_PROFILE, get_profile

    n = len(track_names)
    if profiles is not None:
        chosen = [s.strip() for s in profiles.split(",")]
        if len(chosen) != n:
            raise ParameterError(f"--profiles gives {len(chosen)} profile(s) for {n} track(s): "
                                 f"{profiles!r}")
    elif profile is not None:
        chosen = [profile] * n
    else:
        default = default or {}
        chosen = [default.get(name, DEFAULT_PROFILE) for name in track_names]
    resolved = [get_profile(name) for name in chosen]
    ranges = np.array([[p.fmin_hz, p.fmax_hz] for p in resolved], dtype=np.float64).reshape(n, 2)
    return ranges, [p.name for p in resolved]


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


class AtomicOutput:
    """A file written under a temporary name in the target's folder and renamed at `commit`.

    Until `commit`, the target is untouched; `discard` (also on garbage) removes the
    temporary file. Permissions follow the umask, as for a plain ``open(path, "w")``.
    """

    def __init__(self, target: Path):
        self.target = target
        self.tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        self.fh = os.fdopen(fd, "wb", buffering=1 << 20)

    def commit(self) -> None:
        self.fh.close()
        os.replace(self.tmp, self.target)

    def discard(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


def check_output(option: str, out: Path, inputs: list[Path]) -> None:
    """Refuse an output that is a folder, in a missing/unwritable folder, or an input."""
    if out.is_dir():
        raise ParameterError(f"{option} {out}: is a folder, give a file name")
    folder = out.parent
    if not folder.is_dir():
        raise InputError(f"{option} {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{option} {out}: the folder {folder} is not writable")
    resolved = out.resolve()
    for path in inputs:
        same = resolved == path.resolve()
        if not same and out.exists():
            try:
                same = os.path.samefile(out, path)
            except OSError:
                pass
        if same:
            raise ParameterError(f"{option} {out} is one of the inputs; refusing to overwrite it")


def _load_emotion():
    try:
        from mirage.emotion import offline
    except ModuleNotFoundError as exc:
        if exc.name in ("mirage.emotion", "mirage.emotion.offline"):
            raise InputError("emotion model not available (no mirage.emotion.offline)") from None
        raise InputError(f"emotion model not available: {exc}") from None
    except ImportError as exc:
        raise InputError(f"emotion model not available: {exc}") from None
    return offline


def _write_emotion(fh, result) -> None:
    """Rows (time_s, arousal, valence) as returned by `emotion_track`: float [n_steps, 3]."""
    rows = np.asarray(result, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != 3:
        raise RuntimeError(f"emotion_track returned shape {rows.shape}, expected [n_steps, 3]")
    fh.write(b"time_s,arousal,valence\n")
    np.savetxt(fh, rows, fmt="%.9g", delimiter=",")


def summary_table(features: np.ndarray, track_names: list[str], profile_names: list[str]) -> str:
    """One line per track: medians of the features over all frames; pitch over voiced frames."""
    header = (f"{'track':>5}  {'name':<16} {'profile':<8} {'centroid':>9} {'bandwidth':>9} "
              f"{'flatness':>9} {'rolloff':>9} {'pitch1':>8} {'voiced':>6}")
    lines = [header, "-" * len(header)]
    for c, (name, prof) in enumerate(zip(track_names, profile_names)):
        f = features[:, c, :]
        if len(f):
            med = np.median(f[:, :4], axis=0)
            voiced = f[:, 4] > 0
            pitch = np.median(f[voiced, 4]) if voiced.any() else 0.0
            share = voiced.mean()
        else:
            med, pitch, share = np.zeros(4), 0.0, 0.0
        lines.append(f"{c:>5}  {name[:16]:<16} {prof:<8} {med[0]:>9.1f} {med[1]:>9.1f} "
                     f"{med[2]:>9.3g} {med[3]:>9.1f} {pitch:>8.1f} {share:>6.0%}")
    lines.append("(Hz; medians over all frames, pitch1 over frames with a pitch)")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from mirage.audio_files import DEMO_SOURCE, expand_source, load_source
    from mirage.profiles import get_profile

    check_parameters(n_fft=args.n_fft, hop=args.hop)
    if args.sr is not None and not (np.isfinite(args.sr) and 1000 <= args.sr <= 768_000):
        raise ParameterError(f"--sr must be within 1000..768000 Hz, got {args.sr:g}")
    for name in ([args.profile] if args.profile else []) + (
            args.profiles.split(",") if args.profiles else []):
        get_profile(name.strip())
    emotion = _load_emotion() if args.emotion_out else None

    inputs = expand_source(args.paths)
    outputs = [("--out", Path(args.out))] if args.out else []
    if args.emotion_out:
        outputs.append(("--emotion-out", Path(args.emotion_out)))
    for option, out in outputs:
        check_output(option, out, inputs)
    if len(outputs) == 2 and outputs[0][1].resolve() == outputs[1][1].resolve():
        raise ParameterError("--out and --emotion-out name the same file")

    audio, sr_hz, names = load_source(inputs, sr_hz=args.sr)
    default = None
    if list(args.paths) == [DEMO_SOURCE]:
        from mirage.demo import STEM_PROFILES as default
    ranges, profile_names = pitch_ranges(args.profile, args.profiles, names, default)
    n_tracks, n_samples = audio.shape
    audio_s = n_samples / sr_hz
    if n_samples < args.n_fft:
        print(f"mirage: note: the audio ({n_samples} samples) is shorter than one frame "
              f"(--n-fft {args.n_fft}): no frames", file=sys.stderr)

    from mirage.compile_notice import compile_notice

    compiling = compile_notice("analyze")  # one line on stderr when the kernels are not cached yet
    files: list[AtomicOutput] = []
    try:
        for _, out in outputs:
            files.append(AtomicOutput(out))
        features, stats = analyze(audio, sr_hz, n_fft=args.n_fft, hop=args.hop,
                                  pitch_ranges_hz=ranges, progress=sys.stderr.isatty())
        write_s = 0.0
        if args.out:
            from mirage.csv_out import write_features

            t = time.perf_counter()
            write_features(files[0].fh, features, hop=args.hop, sr_hz=sr_hz)
            files[0].fh.flush()
            write_s = time.perf_counter() - t
        if emotion is not None:
            try:
                result = emotion.emotion_track(audio.mean(axis=0), sr_hz)
            except OSError as exc:  # e.g. the model file is missing
                raise InputError(f"emotion model not available: {exc}") from None
            _write_emotion(files[-1].fh, result)
        for f in files:
            f.commit()
        compiling.done()
    finally:
        for f in files:
            f.discard()

    if stats["nonfinite_samples"]:
        print(f"mirage: warning: {stats['nonfinite_samples']} NaN/Inf samples were treated as 0",
              file=sys.stderr)
    k = features.shape[0]
    speed = audio_s * n_tracks / stats["compute_s"] if stats["compute_s"] > 0 else float("inf")
    line = (f"mirage: {n_tracks} track(s) x {k} frames, {audio_s:.1f} s of audio at {sr_hz:g} Hz; "
            f"analysis {stats['compute_s']:.2f} s ({speed:,.0f}x real time per track, "
            f"start-up {stats['startup_s']:.2f} s)")
    if args.out:
        line += f"; wrote {args.out} ({k * n_tracks} rows, {write_s:.2f} s)"
    print(line, file=sys.stderr)
    if not args.out:
        print(summary_table(features, names, profile_names))
    return 0
