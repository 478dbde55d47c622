"""Peak memory of `mirage analyze` against the length of the file: it should not grow.

`write_long_wav` writes a multichannel 16-bit WAV of any length in 10 s chunks (tones plus
seeded noise, one 10 s chunk repeated: what is measured is memory, not the features);
`peak_rss_mb` runs ``python -m mirage ARGS`` as a subprocess and returns its peak resident set
(``ru_maxrss`` of that one child, from ``os.wait4``).

    python -m mirage.benchmarks.analyze_memory --minutes 2 120 --sr 44100 --channels 2

prints, per length and output kind (CSV, Parquet, the summary table), the peak RSS and the
decoded audio size (float32), to compare. tests/test_streaming_memory.py runs it at two lengths.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHUNK_S = 10


def write_long_wav(path: Path, *, minutes: float, sr_hz: int, channels: int) -> int:
    """Write `minutes` of `channels`-channel PCM_16 audio; return the number of samples."""
    import soundfile as sf

    n_chunk = CHUNK_S * sr_hz
    t = np.arange(n_chunk) / sr_hz
    rng = np.random.default_rng(0)
    tones = 0.3 * np.sin(2 * np.pi * np.outer(t, 110.0 * (1 + np.arange(channels))))
    chunk = (tones + 0.05 * rng.standard_normal((n_chunk, channels))).astype(np.float32)
    n = int(round(minutes * 60 * sr_hz))
    with sf.SoundFile(path, "w", sr_hz, channels, subtype="PCM_16") as f:
        for start in range(0, n, n_chunk):
            f.write(chunk[:n - start])
    return n


def peak_rss_mb(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    """Run ``python -m mirage *args``; (peak RSS in MB of that process, its result)."""
    proc = subprocess.Popen([sys.executable, "-m", "mirage", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.stdout.read(), proc.stderr.read()  # small: a line or a table
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return usage.ru_maxrss / 1024.0, done  # ru_maxrss is in KiB on Linux


OUTPUTS = {"csv": "features.csv", "parquet": "features.parquet", "summary": None}


def measure(folder: Path, *, minutes: float, sr_hz: int, channels: int,
            kinds=tuple(OUTPUTS)) -> dict:
    """{kind: peak RSS MB} of `mirage analyze` on a file of that length (written in `folder`)."""
    wav = folder / f"long-{minutes:g}min.wav"
    n = write_long_wav(wav, minutes=minutes, sr_hz=sr_hz, channels=channels)
    result = {"minutes": minutes, "decoded_mb": n * channels * 4 / 2**20,
              "file_mb": wav.stat().st_size / 2**20}
    for kind in kinds:
        out = OUTPUTS[kind]
        args = ["analyze", str(wav)] + (["--out", str(folder / out)] if out else [])
        mb, proc = peak_rss_mb(args)
        if proc.returncode != 0:
            raise RuntimeError(f"mirage analyze failed ({proc.returncode}): {proc.stderr.strip()}")
        result[kind] = mb
        if out:
            (folder / out).unlink()
    wav.unlink()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[2.0, 16.0])
    parser.add_argument("--sr", type=int, default=44100)
    parser.add_argument("--channels", type=int, default=2)
    parser.add_argument("--dir", type=Path, help="where to write the files (default: a temp folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        print(f"{'minutes':>8} {'file MB':>8} {'decoded MB':>10} " + " ".join(f"{k + ' MB':>11}" for k in OUTPUTS))
        for minutes in args.minutes:
            r = measure(Path(tmp), minutes=minutes, sr_hz=args.sr, channels=args.channels)
            print(f"{minutes:>8g} {r['file_mb']:>8.0f} {r['decoded_mb']:>10.0f} "
                  + " ".join(f"{r[k]:>11.1f}" for k in OUTPUTS), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
