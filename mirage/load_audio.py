"""`mirage.load`: a source (an audio file, a folder of stems, several of them, or ``"demo"``)
as one float32 ``[n_tracks, n_samples]`` array, for the Python API.

The reading rules are `mirage.audio_files`' (the ones ``mirage analyze`` and ``mirage run``
use); a resampling notice goes to the ``mirage`` logger instead of stderr.
"""

from __future__ import annotations

import logging
import os
from typing import Sequence

from mirage.audio_files import LoadedAudio, load_source

__all__ = ["LoadedAudio", "load"]

log = logging.getLogger("mirage")


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
