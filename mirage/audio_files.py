"""Audio sources on disk: files, folders of stems and the demo, as one array of tracks.

A source is one or more PATHs, each

- an audio file: every channel is a track (``name:0``, ``name:1``, ... or just ``name`` for
  a mono file);
- a folder of stems: every audio file in it (by extension, not recursive, hidden files
  skipped) is a file as above, in the order of their names;
- the word ``demo``: the demo song's stems (`mirage.demo`). Write ``./demo`` for a local
  file or folder of that name.

The tracks of all PATHs are concatenated in order. Stems of different lengths are zero-padded
at the end to the longest; stems at other sample rates are resampled with soxr (HQ) to the
rate of the first file, or to `sr_hz` if given, with one notice line on stderr.

Every problem -- a missing path, a file that is not audio, an empty file, a folder without
audio, no permission -- is an `InputError` whose message names the file and the reason.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

import numpy as np

from mirage.errors import InputError, ParameterError

#: File extensions taken as audio when scanning a folder of stems (libsndfile's formats).
AUDIO_EXTENSIONS = frozenset({
    ".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".aifc",
    ".au", ".snd", ".caf", ".w64", ".rf64", ".wavex",
})

DEMO_SOURCE = "demo"


class LoadedAudio(NamedTuple):
    """Tracks read from a source. Unpacks as ``audio, sr_hz, track_names``."""

    audio: np.ndarray        # float32 [n_tracks, n_samples], C-contiguous
    sr_hz: float             # the common sample rate
    track_names: list[str]   # one per track


def _notice(message: str) -> None:
    print(f"mirage: {message}", file=sys.stderr)


def expand_source(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """The audio files a source stands for, in track order (folders expanded, sorted by name).

    Raises `InputError` for a missing path, an unreadable folder or a folder without audio.
    """
    if not paths:
        raise ParameterError("no input given (a file, a folder of stems or 'demo')")
    files: list[Path] = []
    for raw in paths:
        if str(raw) == DEMO_SOURCE:
            from mirage.demo import demo_stems_dir

            raw = demo_stems_dir()
        path = Path(raw)
        if not path.exists():
            kind = "broken symbolic link" if path.is_symlink() else "no such file or folder"
            raise InputError(f"{path}: {kind}")
        if path.is_dir():
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name)
            except PermissionError:
                raise InputError(f"{path}: permission denied (cannot list the folder)") from None
            except OSError as exc:
                raise InputError(f"{path}: cannot list the folder: {exc.strerror}") from None
            stems = [Path(e.path) for e in entries
                     if not e.name.startswith(".")
                     and Path(e.name).suffix.lower() in AUDIO_EXTENSIONS
                     and e.is_file()]
            if not stems:
                what = "is empty" if not entries else "contains no audio files"
                exts = ", ".join(sorted(AUDIO_EXTENSIONS))
                raise InputError(f"{path}: the folder {what} (looked for {exts})")
            files.extend(stems)
        else:
            files.append(path)
    return files


def _read(path: Path) -> tuple[np.ndarray, int]:
    """One file as float32 [n_samples, n_channels] and its rate; InputError with the reason."""
    import soundfile as sf

    try:
        with open(path, "rb") as fh:
            if not fh.read(1):
                raise InputError(f"{path}: empty file (0 bytes)")
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data, sr = sf.read(path, dtype="float32", always_2d=True)
    except sf.LibsndfileError as exc:
        reason = str(exc.error_string).strip().rstrip(".")
        raise InputError(f"{path}: not a readable audio file ({reason})") from None
    except (RuntimeError, TypeError, ValueError) as exc:
        # soundfile raises these for formats it recognises but cannot decode
        raise InputError(f"{path}: not a readable audio file ({exc})") from None
    if data.shape[0] == 0:
        raise InputError(f"{path}: contains no audio (0 frames)")
    if data.shape[1] == 0:
        raise InputError(f"{path}: contains no channels")
    return data, int(sr)


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
    if sr_hz is not None and not (np.isfinite(sr_hz) and 1000 <= sr_hz <= 768_000):
        raise ParameterError(f"sample rate must be within 1000..768000 Hz, got {sr_hz}")
    files = expand_source(paths)
    tracks: list[np.ndarray] = []
    names: list[str] = []
    resampled: list[str] = []
    target = sr_hz
    for path in files:
        data, file_sr = _read(path)
        if target is None:
            target = float(file_sr)
        if file_sr != target:
            import soxr

            data = soxr.resample(data, file_sr, target, quality="HQ").astype(np.float32, copy=False)
            resampled.append(f"{path.name} ({file_sr} Hz)")
        n_ch = data.shape[1]
        for c in range(n_ch):
            tracks.append(data[:, c])
            names.append(path.stem if n_ch == 1 else f"{path.stem}:{c}")
    if resampled:
        notice(f"resampled {len(resampled)} file(s) to {target:g} Hz: {', '.join(resampled)}")
    n = max(len(t) for t in tracks)
    audio = np.zeros((len(tracks), n), dtype=np.float32)
    for i, t in enumerate(tracks):
        audio[i, : len(t)] = t
    return LoadedAudio(audio, float(target), names)
