"""A source on disk decoded block by block, every file in lockstep: constant memory at any length.

`SourceReader` opens every file of a source (`mirage.audio_files.expand_source`: files,
folders of stems, ``demo``) and yields float32 blocks ``[n_samples, n_tracks]`` -- the axis
order `kernels.analyzer.TrackAnalyzer.process` takes -- of at most ``block_samples`` samples.
Each file is read in chunks of about one block (soundfile ``SoundFile.read``); files at
another rate go through soxr's streaming resampler (``ResampleStream``, quality HQ). Files
that end early are zero-padded to the longest, as `mirage.load_audio.load_source` does.
Memory: per file, the chunk being read plus at most one block waiting, whatever the length.

Exactness: without resampling, the samples are those of a whole-file ``soundfile.read``
(decoding does not depend on the chunking). With resampling too: soxr's streaming
resampler gives the whole-array ``soxr.resample`` output bit for bit, same length (tested in
tests/test_audio_reader.py for several rate pairs and chunkings), so `load_source` is this
reader's blocks put end to end and `mirage run` reads the same samples as `mirage analyze`.

Every problem opening a file -- missing, not audio, empty, no permission -- is an
`InputError` naming the file, raised by the constructor before a single block is read; a
file that fails to decode midway raises the same kind of error when reached.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from mirage.errors import ParameterError


def _notice(message: str) -> None:
    print(f"mirage: {message}", file=sys.stderr)


class _FileStream:
    """One file's samples at the target rate, in chunks: float32 ``[n, channels]``."""

    def __init__(self, path: Path, sound_file, target_hz: float, chunk_frames: int):
        self.path = path
        self.file = sound_file
        self.channels = sound_file.channels
        self.rate_hz = int(sound_file.samplerate)
        self.chunk_frames = chunk_frames
        self.resampler = None
        if self.rate_hz != target_hz:
            import soxr

            self.resampler = soxr.ResampleStream(self.rate_hz, target_hz, self.channels,
                                                 dtype="float32", quality="HQ")
        self.ended = False
        self.pending = np.zeros((0, self.channels), dtype=np.float32)

    def fill(self, n: int) -> None:
        """Read until `n` samples are pending or the file has ended."""
        import soundfile as sf

        while not self.ended and len(self.pending) < n:
            try:
                data = self.file.read(self.chunk_frames, dtype="float32", always_2d=True)
            except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
                from mirage.audio_files import decode_error

                raise decode_error(self.path, exc) from None
            last = len(data) < self.chunk_frames
            if self.resampler is not None:
                data = self.resampler.resample_chunk(data, last=last)
            if last:
                self.ended = True
                self.file.close()
            if len(data):
                self.pending = np.concatenate([self.pending, data]) if len(self.pending) else data

    def take(self, n: int) -> np.ndarray:
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()


class SourceReader:
    """Blocks ``float32 [n_samples, n_tracks]`` of a source, every file decoded in lockstep.

    Parameters
    ----------
    paths : sequence of str or path-like
        Audio files, folders of stems, or ``"demo"`` (`mirage.audio_files.expand_source`).
    sr_hz : float, optional
        Resample everything to this rate. Default: the rate of the first file.
    notice : callable
        Receives the one-line resampling notice (default: printed on stderr).

    Attributes: ``sr_hz``, ``track_names``, ``n_tracks``, ``files``, ``expected_samples``
    (the length at ``sr_hz``, from the headers: for a progress bar).
    Use as a context manager, or call `close`.
    """

    def __init__(self, paths: Sequence[str | os.PathLike], *, sr_hz: float | None = None,
                 notice: Callable[[str], None] = _notice):
        from mirage.audio_files import expand_source, open_audio_file

        if sr_hz is not None and not (np.isfinite(sr_hz) and 1000 <= sr_hz <= 768_000):
            raise ParameterError(f"sample rate must be within 1000..768000 Hz, got {sr_hz}")
        self.files = expand_source(paths)
        opened = []
        try:
            for path in self.files:
                opened.append((path, open_audio_file(path)))
        except BaseException:
            for _, f in opened:
                f.close()
            raise
        target = float(sr_hz) if sr_hz is not None else float(opened[0][1].samplerate)
        self.sr_hz = target
        chunk = max(1, int(round(target)))
        self._streams = [_FileStream(p, f, target, chunk) for p, f in opened]
        self.track_names: list[str] = []
        for s in self._streams:
            stem = s.path.stem
            self.track_names += [stem] if s.channels == 1 else [f"{stem}:{c}" for c in range(s.channels)]
        self.n_tracks = len(self.track_names)
        self.expected_samples = max(
            int(round(s.file.frames * target / s.rate_hz)) for s in self._streams)
        resampled = [f"{s.path.name} ({s.rate_hz} Hz)" for s in self._streams if s.resampler]
        if resampled:
            notice(f"resampled {len(resampled)} file(s) to {target:g} Hz: {', '.join(resampled)}")

    def blocks(self, block_samples: int) -> Iterator[np.ndarray]:
        """Yield C-contiguous float32 ``[n, n_tracks]`` blocks, ``n == block_samples`` but
        the last; the tracks are zero-padded to the longest. Each block is a new array."""
        if block_samples < 1:
            raise ParameterError(f"block_samples must be positive, got {block_samples}")
        streams = self._streams
        while True:
            for s in streams:
                s.fill(block_samples)
            n = min(block_samples, max(len(s.pending) for s in streams))
            if n == 0:
                return
            block = np.zeros((n, self.n_tracks), dtype=np.float32)
            column = 0
            for s in streams:
                part = s.take(n)
                block[:len(part), column:column + s.channels] = part
                column += s.channels
            yield block

    def close(self) -> None:
        for s in self._streams:
            s.close()

    def __enter__(self) -> "SourceReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
