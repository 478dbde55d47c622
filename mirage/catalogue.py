"""A catalogue analysed file by file: its inputs, the task run for each, and the manifest.

What is an input
----------------
- every audio file (by extension, `mirage.audio_files.AUDIO_EXTENSIONS`) found under the
  PATHs: a file given directly, or any file in a folder given, searched recursively (hidden
  files and folders skipped, in name order); every channel of a file is a track;
- every folder given with ``stems``: one input whose tracks are the audio files directly in it
  (the stems of one song, in name order, as `mirage analyze FOLDER` reads them). A stems folder
  is never also searched for single files.

Each input is analysed by `analyze_input` -- a plain function of plain data, the same
whether it runs in this process, in a local process pool or on a Dask worker -- into one
Parquet file in the output folder (`mirage.feature_writers`), named after the input: its
file or folder name, then 10 hex digits of a hash of its absolute path, so that two inputs
of the same name never collide (``song.wav`` -> ``song.wav-3f2a9c01d4.parquet``). With
``emotion``, the mood of its mix goes beside it (``...-3f2a9c01d4.mood.csv``).

The manifest
------------
``manifest.csv`` in the output folder, one row per input: `MANIFEST_COLUMNS`. Rows are
appended (and flushed) as inputs finish, so an interrupted run loses nothing it finished;
at the end of a run the file is rewritten (atomically) with one row per input, in input
order. An input whose last row says ``ok`` and whose output file(s) exist is *done*: a new
run skips it. An input that failed is recorded with ``status`` ``error`` and the message
and the others go on; it is tried again on the next run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

from mirage.errors import InputError, MirageError

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("input", "kind", "status", "duration_s", "frames", "tracks", "sr_hz",
                    "output", "mood_output", "error")
FEATURES_SUFFIX = ".parquet"
MOOD_SUFFIX = ".mood.csv"


class CatalogueInput(NamedTuple):
    """One input: ``path`` (absolute, as a string), ``kind`` ("file" or "stems"), and the
    ``name`` its outputs take in the output folder (without suffix)."""

    path: str
    kind: str
    name: str


def output_name(path: Path) -> str:
    """``<file or folder name>-<10 hex digits of sha1(absolute path)>``, safe as a file name."""
    absolute = str(path.absolute())
    digest = hashlib.sha1(absolute.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    safe = re.sub(r"[^\w.+-]+", "_", path.name).strip("._") or "input"
    return f"{safe[:80]}-{digest}"


def _audio_files_under(folder: Path) -> list[Path]:
    from mirage.audio_files import AUDIO_EXTENSIONS

    found = []
    for root, dirs, files in os.walk(folder, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in AUDIO_EXTENSIONS:
                found.append(Path(root) / name)
    return found


def find_inputs(paths: Sequence[str | os.PathLike], *,
                stems: Sequence[str | os.PathLike] = ()) -> list[CatalogueInput]:
    """The inputs under `paths` and the `stems` folders (see the module docstring).

    Raises InputError for a path that does not exist, a stems entry that is not a folder, or
    when nothing at all is found; an input listed twice is kept once.
    """
    inputs: list[CatalogueInput] = []
    seen: set[str] = set()

    def add(path: Path, kind: str) -> None:
        key = str(path.absolute())
        if key not in seen:
            seen.add(key)
            inputs.append(CatalogueInput(key, kind, output_name(path)))

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            for f in _audio_files_under(path):
                add(f, "file")
        else:
            add(path, "file")
    for raw in stems:
        path = Path(raw)
        if not path.is_dir():
            what = "no such folder" if not path.exists() else "not a folder (a stems input is a folder)"
            raise InputError(f"{path}: {what}")
        add(path, "stems")
    if not inputs:
        from mirage.audio_files import AUDIO_EXTENSIONS

        shown = ", ".join(str(p) for p in [*paths, *stems])
        raise InputError(f"no audio files found under {shown} "
                         f"(looked for {', '.join(sorted(AUDIO_EXTENSIONS))})")
    return inputs


def analyze_input(item: CatalogueInput | Sequence[str], out_dir: str, options: dict) -> dict:
    """Analyse one input into ``out_dir/<name>.parquet``; its manifest row (a dict).

    `options`: ``n_fft``, ``hop``, ``sr_hz`` (None: the input's own rate), ``profile``,
    ``emotion`` (bool). A problem with this input -- unreadable, not audio, and also an
    unexpected failure inside the analysis (recorded with its type) -- gives a row with
    ``status`` ``error`` instead of an exception, so that the catalogue goes on. The output
    appears only when complete (`mirage.atomic_output`).
    """
    from mirage.feature_analysis import analyze_source

    path, kind, name = CatalogueInput(*item)
    row = {"input": path, "kind": kind, "status": "error", "duration_s": "", "frames": "",
           "tracks": "", "sr_hz": "", "output": "", "mood_output": "", "error": ""}
    out = Path(out_dir) / (name + FEATURES_SUFFIX)
    mood_out = Path(out_dir) / (name + MOOD_SUFFIX) if options.get("emotion") else None
    try:
        stats = analyze_source([path], out=out, emotion_out=mood_out,
                               n_fft=options.get("n_fft", 2048), hop=options.get("hop", 512),
                               sr_hz=options.get("sr_hz"), profile=options.get("profile"),
                               summary=False, notice=lambda message: None, rhythm_columns=True)
    except MirageError as exc:
        row["error"] = str(exc)
        return row
    except Exception as exc:  # a bug on one input must not stop the catalogue: recorded, typed
        row["error"] = f"internal error: {type(exc).__name__}: {exc}"
        return row
    row.update(status="ok", duration_s=f"{stats.duration_s:.6f}", frames=str(stats.n_frames),
               tracks=str(stats.n_tracks), sr_hz=f"{stats.sr_hz:g}", output=out.name,
               mood_output=mood_out.name if mood_out else "")
    return row


class Manifest:
    """The manifest of an output folder: rows by input, appended as inputs finish."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / MANIFEST_NAME
        self.rows: dict[str, dict] = {}
        if self.path.exists():
            self.rows = read_manifest(self.path)
        self._fh = None

    def done(self, item: CatalogueInput, *, emotion: bool) -> bool:
        """Finished before: last row ``ok`` and the output file(s) present."""
        row = self.rows.get(item.path)
        if row is None or row.get("status") != "ok":
            return False
        folder = self.path.parent
        if not row.get("output") or not (folder / row["output"]).is_file():
            return False
        if emotion and not (row.get("mood_output") and (folder / row["mood_output"]).is_file()):
            return False
        return True

    def append(self, row: dict) -> None:
        """Record a finished input now (appended and flushed)."""
        if self._fh is None:
            new = not self.path.exists() or self.path.stat().st_size == 0
            self._fh = open(self.path, "a", newline="", encoding="utf-8")
            if new:
                csv.writer(self._fh).writerow(MANIFEST_COLUMNS)
        csv.writer(self._fh).writerow([row.get(c, "") for c in MANIFEST_COLUMNS])
        self._fh.flush()
        self.rows[row["input"]] = row

    def compact(self, order: Iterable[CatalogueInput]) -> None:
        """Rewrite the file with one row per input: `order` first, then any other inputs of
        earlier runs (sorted), atomically."""
        from mirage.atomic_output import AtomicOutput

        self.close()
        if not self.rows and not self.path.exists():
            return
        listed = [i.path for i in order if i.path in self.rows]
        others = sorted(set(self.rows) - set(listed))
        text = io.StringIO(newline="")
        w = csv.writer(text)
        w.writerow(MANIFEST_COLUMNS)
        for key in listed + others:
            w.writerow([self.rows[key].get(c, "") for c in MANIFEST_COLUMNS])
        out = AtomicOutput(self.path)
        try:
            out.fh.write(text.getvalue().encode("utf-8"))
            out.commit()
        finally:
            out.discard()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def read_manifest(path: Path) -> dict[str, dict]:
    """Rows by input (the last row of an input wins); a truncated last line is ignored."""
    rows: dict[str, dict] = {}
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("input") and row.get("error") is not None:
                    rows[row["input"]] = row
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read the manifest: {exc}") from None
    return rows
