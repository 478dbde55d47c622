"""A whole source in memory: one float32 ``[n_tracks, n_samples]`` array.

A source is an audio file, a folder of stems, several of them, or ``"demo"``
(`mirage.audio_files` has the rules). `load_source` decodes it with
`mirage.audio_reader.SourceReader` (the engine plays from the result); `load` is the Python
API's face of it (`mirage.load`), whose resampling notice goes to the ``mirage`` logger
instead of stderr.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Callable, NamedTuple, Sequence

import numpy as np

from mirage.audio_reader import SourceReader

__all__ = ["LoadedAudio", "load", "load_source"]

log = logging.getLogger("mirage")


class LoadedAudio(NamedTuple):
    """Tracks read from a source. Unpacks as ``audio, sr_hz, track_names``."""

    audio: np.ndarray        # float32 [n_tracks, n_samples], C-contiguous
    sr_hz: float             # the common sample rate
    track_names: list[str]   # one per track


def _notice(message: str) -> None:
    print(f"mirage: {message}", file=sys.stderr)


def load_source(paths: Sequence[str | os.PathLike], *, sr_hz: float | None = None,
                notice: Callable[[str], None] = _notice) -> LoadedAudio:
    """Read a source (see the module docstring) into one float32 [n_tracks, n_samples] array.

    Parameters
    ----------
    paths : sequence of str or path-like
        Audio files, folders of stems, or ``"demo"``.
    sr_hz : float, optional
        Resample everything to this rate. Default: the rate of the first file.
    notice : callable
        Receives the one-line resampling notice (default: printed on stderr).
    """
    with SourceReader(paths, sr_hz=sr_hz, notice=notice) as reader:
        blocks = list(reader.blocks(1 << 16))
    audio = np.empty((reader.n_tracks, sum(len(b) for b in blocks)), dtype=np.float32)
    start = 0
    for b in blocks:
        audio[:, start:start + len(b)] = b.T
        start += len(b)
    return LoadedAudio(audio, reader.sr_hz, reader.track_names)


def load(source: str | os.PathLike | Sequence[str | os.PathLike], *, sr_hz: float | None = None) -> LoadedAudio:
    """Read `source` into ``LoadedAudio(audio, sr_hz, track_names)``.

    Parameters
    ----------
    source : path, ``"demo"``, or a sequence of them
        An audio file (every channel is a track), a folder of stems (every audio file in it
        is a track, by name), ``"demo"`` (the demo song's four stems); several are
        concatenated as tracks, zero-padded at the end to the longest.
    sr_hz : float, optional, keyword-only
        Resample everything to this rate (soxr HQ). Default: the first file's rate.

    Raises `mirage.InputError` naming the file for anything unreadable, `mirage.ParameterError`
    for a bad rate.

    Examples
    --------
    >>> import mirage
    >>> song = mirage.load("demo")
    >>> song.audio.shape, song.sr_hz, song.track_names
    ((4, 1323000), 44100.0, ['bass', 'chords', 'drums', 'lead'])
    """
    paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    return load_source(paths, sr_hz=sr_hz, notice=log.info)
