"""``mirage batch``: a catalogue analysed into one Parquet file per input, with a manifest.

::

    mirage batch PATH... --out DIR [--stems FOLDER ...] [--jobs N] [--scheduler ADDRESS]
                 [--emotion] [--n-fft 2048] [--hop 512] [--sr HZ] [--profile NAME]

A thin layer over `mirage.catalogue` (what an input is, the task, the manifest) and
`mirage.catalogue_runner` (in process, local processes, or a Dask cluster). Exit code 0 when
every input is done, 1 when some failed (they are in the manifest with their error), 2 for
bad parameters or paths (nothing is started).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mirage.errors import InputError, ParameterError

EXIT_SOME_FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mirage.profiles import PROFILES

    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="audio files, or folders searched recursively: every audio file is one input")
    parser.add_argument("-o", "--out", metavar="DIR", required=True,
                        help="output folder: one Parquet file per input, and manifest.csv")
    parser.add_argument("--stems", metavar="FOLDER", action="append", default=[],
                        help="a folder whose audio files are the stems (tracks) of one song: "
                             "one input (repeatable)")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="local processes (default: %(default)s, in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the tasks on a Dask distributed cluster, e.g. tcp://host:8786 "
                             "(the workers must see the inputs and DIR at the same paths)")
    parser.add_argument("--emotion", action="store_true",
                        help="also write the mood of each input's mix (NAME.mood.csv)")
    parser.add_argument("--n-fft", type=int, default=2048, metavar="N",
                        help="frame length in samples (default: %(default)s)")
    parser.add_argument("--hop", type=int, default=512, metavar="N",
                        help="hop between frames in samples (default: %(default)s)")
    parser.add_argument("--sr", type=float, metavar="HZ",
                        help="resample every input to this rate (default: each input's own)")
    parser.add_argument("--profile", metavar="NAME",
                        help=f"instrument profile of every track: {', '.join(PROFILES)}")


class _Display:
    """A rich progress bar on stderr when it is a terminal (started at the first input);
    else one line per input."""

    def __init__(self, total: int):
        self.total, self.count = total, 0
        self._progress = None

    def skipped(self, items) -> None:
        self.total -= len(items)
        print(f"mirage: skipped {len(items)} input(s) already done (manifest ok, output present)",
              file=sys.stderr, flush=True)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("analysing"), BarColumn(), MofNCompleteColumn(),
                                  TimeRemainingColumn(), console=Console(stderr=True))
        self._progress.start()
        self._task = self._progress.add_task("batch", total=self.total)

    def row(self, row: dict) -> None:
        self.count += 1
        if row["status"] == "ok":
            text = f"ok {row['input']} ({float(row['duration_s']):.1f} s, {row['frames']} frames)"
        else:
            error = row["error"]  # InputErrors name the file already
            text = f"error {error}" if row["input"] in error else f"error {row['input']}: {error}"
        if sys.stderr.isatty():
            if self._progress is None:
                self._start()
            if row["status"] != "ok":
                self._progress.console.print(f"mirage: {text}", markup=False, highlight=False)
            self._progress.advance(self._task)
        else:
            print(f"mirage: [{self.count}/{self.total}] {text}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def main(args: argparse.Namespace) -> int:
    from mirage.catalogue import MANIFEST_NAME, find_inputs
    from mirage.catalogue_runner import import_distributed, run_catalogue
    from mirage.feature_writers import import_pyarrow
    from mirage.frame_parameters import check_frame
    from mirage.profiles import get_profile

    import_pyarrow()
    check_frame(n_fft=args.n_fft, hop=args.hop)
    if args.sr is not None and not (1000 <= args.sr <= 768_000):
        raise ParameterError(f"--sr must be within 1000..768000 Hz, got {args.sr:g}")
    if args.profile:
        get_profile(args.profile)
    if args.jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {args.jobs}")
    if args.scheduler is not None:
        import_distributed()
        if args.jobs != 1:
            raise ParameterError("--jobs and --scheduler exclude each other (the cluster has its workers)")
    if not args.paths and not args.stems:
        raise ParameterError("no input given (PATH... or --stems FOLDER)")
    out_dir = Path(args.out)
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"--out {out_dir}: not a folder")
    inputs = find_inputs(args.paths, stems=args.stems)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot create the folder: {exc.strerror or exc}") from None
    if args.emotion:
        from mirage.emotion.model import EmotionModel

        EmotionModel()  # a missing model is said before anything starts
    options = {"n_fft": args.n_fft, "hop": args.hop, "sr_hz": args.sr, "profile": args.profile,
               "emotion": args.emotion}

    where = (f"on the Dask cluster at {args.scheduler}" if args.scheduler
             else f"in {args.jobs} local processes" if args.jobs > 1 else "in this process")
    print(f"mirage: batch: {len(inputs)} input(s) -> {out_dir}, {where}", file=sys.stderr, flush=True)
    display = _Display(len(inputs))
    t0 = time.perf_counter()
    try:
        result = run_catalogue(inputs, out_dir, options=options, jobs=args.jobs,
                               scheduler=args.scheduler, on_skip=display.skipped, on_row=display.row)
    finally:
        display.close()
    print(f"mirage: batch: {result.ok} ok, {result.errors} failed, {result.skipped} skipped in "
          f"{time.perf_counter() - t0:.1f} s; manifest: {out_dir / MANIFEST_NAME}",
          file=sys.stderr)
    return EXIT_SOME_FAILED if result.errors else 0
