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

`mirage.audio_reader.SourceReader` decodes a source block by block, in constant memory
(`mirage analyze`, `mirage batch`); `mirage.load_audio.load_source` reads a whole one into
memory with it (the real-time engine plays from it; `mirage.load`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from mirage.errors import InputError, ParameterError

#: File extensions taken as audio when scanning a folder of stems (libsndfile's formats).
AUDIO_EXTENSIONS = frozenset({
    ".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".aifc",
    ".au", ".snd", ".caf", ".w64", ".rf64", ".wavex",
})

DEMO_SOURCE = "demo"


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


def decode_error(path: Path, exc: Exception) -> InputError:
    """The InputError for a file libsndfile cannot decode, with its reason."""
    import soundfile as sf

    if isinstance(exc, sf.LibsndfileError):
        reason = str(exc.error_string).strip().rstrip(".")
    else:
        reason = str(exc)
    return InputError(f"{path}: not a readable audio file ({reason})")


def open_audio_file(path: Path):
    """`soundfile.SoundFile` of `path` for reading, checked: InputError naming the reason."""
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
        f = sf.SoundFile(path)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        # soundfile raises the latter for formats it recognises but cannot decode
        raise decode_error(path, exc) from None
    if f.frames == 0:
        f.close()
        raise InputError(f"{path}: contains no audio (0 frames)")
    if f.channels == 0:
        f.close()
        raise InputError(f"{path}: contains no channels")
    return f
