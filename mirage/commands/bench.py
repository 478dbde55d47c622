"""`mirage bench`: per-chunk latency of the feature kernels against librosa, in one run.

A chunk is one hop of new audio for C tracks; its latency is the time from handing the hop
to the analyzer until every feature of every track is computed. librosa is used as well
as it can be for the same job: per track, one ``stft(center=False)`` of the frame, then
centroid, bandwidth, flatness, roll-off and ``piptrack`` from ``S=``. Both run on the same
audio in the same process, so their ratio is meaningful on a noisy machine even when the
absolute figures are not.

The other parts of the report live in their own modules: one track's per-frame chain next to
essentia's and aubio's (`mirage.benchmarks.peers`), the speed-up of `mirage batch` with 2
local processes against 1 (`mirage.benchmarks.batch_speedup`), and with ``--realtime`` the engine's callback
on JACK at several block sizes (`mirage.benchmarks.realtime`) and the audio → OSC latency of
clicks through the engine (`mirage.benchmarks.latency`). Those two always run at 48 kHz with hop
512 (the engine's defaults); ``--sr``, ``--n-fft`` and ``--hop`` apply to the kernel loop,
librosa and the peers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mirage.benchmarks.kernel_chunks import CHANNELS
from mirage.errors import InputError, ParameterError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="fewer chunks (a smoke run, noisier figures)")
    parser.add_argument("--json", metavar="FILE", type=Path, help="write the results as JSON")
    parser.add_argument("--plot", metavar="FILE.png", type=Path, help="write a latency plot")
    parser.add_argument("--sr", type=int, default=48000, help="sample rate in Hz (default %(default)s)")
    parser.add_argument("--n-fft", type=int, default=2048, help="frame length in samples (default %(default)s)")
    parser.add_argument("--hop", type=int, default=512, help="hop in samples (default %(default)s)")
    parser.add_argument("--channels", default=",".join(map(str, CHANNELS)),
                        help="track counts to measure (default %(default)s)")
    parser.add_argument("--no-librosa", action="store_true", help="skip the librosa side")
    parser.add_argument("--no-peers", action="store_true", help="skip the per-frame essentia/aubio/librosa table")
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the warm-start table (real `mirage run` / `mirage analyze` processes)")
    parser.add_argument("--no-batch", action="store_true",
                        help="skip the `mirage batch` speed-up row (2 local processes against 1)")
    parser.add_argument("--no-replay", action="store_true",
                        help="skip the replay timing (a recording replayed at speed 1: takes its length)")
    parser.add_argument("--replay-minutes", type=float, metavar="MIN",
                        help="length of the replayed recording (default: 10, --quick: 0.5)")
    parser.add_argument("--rhythm", action="store_true",
                        help="only the rhythm bench: onsets, beats and tempo of fluidsynth renders against their "
                             "MIDI truth, MIRAGE next to aubio (online) and essentia (offline), scored with mir_eval")
    parser.add_argument("--realtime", action="store_true",
                        help="also run the engine on JACK dummy servers (needs jackd2): callback and hop→send "
                             "at blocksizes 512 (1, 16, 64 tracks), 64 (16) and 128 (64), and audio→OSC click "
                             "latency at blocksizes 64, 128, 256, 512; hop→send with the control port flooded")


def main(args: argparse.Namespace) -> int:
    try:
        channels = tuple(int(c) for c in str(args.channels).split(","))
    except ValueError:
        raise ParameterError(f"--channels must be a comma-separated list of integers, got {args.channels!r}") from None
    if any(c < 1 for c in channels):
        raise ParameterError(f"--channels must be positive, got {args.channels!r}")
    if args.replay_minutes is not None and not args.replay_minutes > 0:
        raise ParameterError(f"--replay-minutes must be positive, got {args.replay_minutes:g}")
    for path in (args.json, args.plot):
        if path is not None and not path.parent.exists():
            raise InputError(f"{path}: folder {path.parent} does not exist")
    log = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    if getattr(args, "rhythm", False):
        return _rhythm(args, log)
    log(f"benchmarking ({'quick' if args.quick else 'full'} run) ...")
    from mirage.benchmarks.kernel_chunks import run_benchmark
    from mirage.benchmarks.report import format_sections, format_table, run_metadata, write_plot

    meta = run_metadata(quick=args.quick)
    result = run_benchmark(channels=channels, quick=args.quick, sr_hz=args.sr, n_fft=args.n_fft, hop=args.hop,
                           with_librosa=not args.no_librosa, log=log)
    result = {"meta": meta, **result}
    from mirage.benchmarks.rhythm_cost import run_rhythm_cost

    result["rhythm_cost"] = run_rhythm_cost(channels=channels, quick=args.quick, sr_hz=args.sr, n_fft=args.n_fft,
                                            hop=args.hop, log=log)
    if not args.no_peers:
        from mirage.benchmarks.peers import run_peers

        result["peers"] = run_peers(sr_hz=args.sr, n_fft=args.n_fft, hop=args.hop, quick=args.quick,
                                    with_librosa=not args.no_librosa, log=log)
    if getattr(args, "realtime", False):
        from mirage.benchmarks.latency import run_latency_benchmark
        from mirage.benchmarks.realtime import add_kernel_ratio, realtime_allowed, run_realtime_benchmark

        result["realtime"] = run_realtime_benchmark(quick=args.quick, log=log)
        add_kernel_ratio(result["realtime"], result["rows"])
        result["latency"] = run_latency_benchmark(quick=args.quick, realtime=realtime_allowed(), log=log)
        from mirage.benchmarks.jitter import run_jitter_benchmark

        result["period_jitter"] = run_jitter_benchmark(quick=args.quick, realtime=realtime_allowed(), log=log)
        from mirage.benchmarks.control_flood import run_control_flood

        result["control_flood"] = run_control_flood(quick=args.quick, realtime=realtime_allowed(), log=log)
    if not getattr(args, "no_replay", False):
        from mirage.benchmarks.replay_timing import FULL_MINUTES, QUICK_MINUTES, run_replay_timing

        minutes = args.replay_minutes or (QUICK_MINUTES if args.quick else FULL_MINUTES)
        result["replay_timing"] = run_replay_timing(minutes=minutes, log=log)
    if not getattr(args, "no_startup", False):
        from mirage.benchmarks.startup import RUNS, measure_warm_start

        result["startup"] = measure_warm_start(runs=3 if args.quick else RUNS, log=log)
    if not getattr(args, "no_batch", False):
        from mirage.benchmarks.batch_speedup import run_batch_speedup

        result["batch"] = run_batch_speedup(quick=args.quick, log=log)
    print(format_table(result))
    for section in format_sections(result):
        print()
        print(section)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if args.plot:
        write_plot(result, args.plot)
    return 0


def _rhythm(args: argparse.Namespace, log) -> int:
    """`mirage bench --rhythm` (`mirage.benchmarks.rhythm`)."""
    try:
        import mir_eval  # noqa: F401
    except ImportError:
        raise InputError("mirage bench --rhythm needs mir_eval: pip install 'mirage-engine[bench]'") from None
    from mirage.benchmarks.rhythm.table import format_rhythm_table, run_rhythm_bench

    log(f"rhythm bench ({'quick' if args.quick else 'full'} run) ...")
    result = run_rhythm_bench(quick=args.quick, log=log)
    print(format_rhythm_table(result))
    if args.json:
        args.json.write_text(json.dumps({"rhythm": result}, indent=2, default=float) + "\n")
    return 0
