"""`mirage batch` with 2 local processes against 1: the speed-up on a set of files.

A set of stereo 44.1 kHz 16-bit inputs (one file of tones plus seeded noise, and symbolic
links to it under other names: the work per input is real, the disk and page cache stay
small) in a temporary folder is analysed twice into fresh output folders with `mirage.catalogue_runner.run_catalogue`:
``jobs=1`` (in this process) and ``jobs=2`` (two spawned processes; their start-up, a fresh
interpreter importing MIRAGE and loading the cached kernels, is part of the time, as a user
meets it). Wall time of each; the speed-up is their ratio. The outputs of both runs are
compared byte for byte (a benchmark that computed something else would be meaningless).
On the 2-core development machine, 2 workers can at best halve the time, and only when
nothing else runs: the 1-minute load average before and after is part of the result.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Callable

FILES = 8
FILE_S = 600.0
QUICK_FILES = 4
QUICK_FILE_S = 20.0
SR_HZ = 44100


def write_inputs(folder: Path, n_files: int, seconds: float) -> None:
    """`n_files` inputs of `seconds` stereo in `folder`: one file and symbolic links to it."""
    from mirage.benchmarks.analyze_memory import write_long_wav

    first = folder / "song00.wav"
    write_long_wav(first, minutes=seconds / 60, sr_hz=SR_HZ, channels=2)
    for i in range(1, n_files):
        (folder / f"song{i:02d}.wav").symlink_to(first.name)


def run_batch_speedup(*, quick: bool = False, log: Callable[[str], None] = lambda _: None) -> dict:
    """Wall times of `run_catalogue` with jobs=1 and jobs=2 on the same files; their ratio."""
    from mirage.catalogue import find_inputs
    from mirage.catalogue_runner import run_catalogue

    n_files, seconds = (QUICK_FILES, QUICK_FILE_S) if quick else (FILES, FILE_S)
    log(f"batch: {n_files} files x {seconds:g} s stereo, jobs 1 and 2 ...")
    options = {"n_fft": 2048, "hop": 512, "sr_hz": None, "profile": None, "emotion": False}
    with tempfile.TemporaryDirectory(prefix="mirage-bench-batch-") as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        write_inputs(tmp / "in", n_files, seconds)
        inputs = find_inputs([tmp / "in"])
        # warm the kernels in this process so that jobs=1 is not charged their loading
        run_catalogue(inputs[:1], tmp / "warm", options=options, jobs=1)
        wall = {}
        load_before = os.getloadavg()[0]
        for jobs in (1, 2):
            t = time.perf_counter()
            result = run_catalogue(inputs, tmp / f"out{jobs}", options=options, jobs=jobs)
            wall[jobs] = time.perf_counter() - t
            if result.ok != n_files:
                raise RuntimeError(f"batch benchmark: {result.errors} input(s) failed: {result.rows}")
        for name in sorted(os.listdir(tmp / "out1")):
            if (tmp / "out1" / name).read_bytes() != (tmp / "out2" / name).read_bytes():
                raise RuntimeError(f"batch benchmark: {name} differs between jobs=1 and jobs=2")
    audio_s = n_files * seconds
    return {"files": n_files, "file_s": seconds, "tracks_per_file": 2, "sr_hz": SR_HZ,
            "cpus": os.cpu_count(), "load_avg_1min": [load_before, os.getloadavg()[0]],
            "jobs1_s": wall[1], "jobs2_s": wall[2],
            "speedup": wall[1] / wall[2],
            "x_realtime_jobs1": audio_s / wall[1], "x_realtime_jobs2": audio_s / wall[2]}


def format_batch_table(result: dict) -> str:
    """The two runs and the speed-up as a Markdown table."""
    lines = [f"`mirage batch`: {result['files']} files x {result['file_s']:g} s stereo at "
             f"{result['sr_hz']} Hz, wall time ({result['cpus']} CPUs, load average "
             f"{result['load_avg_1min'][0]:.1f} before, {result['load_avg_1min'][1]:.1f} after: other "
             "work on the machine takes CPUs from the 2 workers; jobs=2 includes starting them)", "",
             "| jobs | wall s | x real time (audio s / wall s) |", "|---:|---:|---:|",
             f"| 1 | {result['jobs1_s']:.2f} | {result['x_realtime_jobs1']:.0f} |",
             f"| 2 | {result['jobs2_s']:.2f} | {result['x_realtime_jobs2']:.0f} |",
             "", f"speed-up with 2 local processes: {result['speedup']:.2f}x"]
    return "\n".join(lines)
