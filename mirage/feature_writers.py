"""Per-frame features written as they come: CSV or Parquet, one interface, chosen by extension.

Both writers take blocks of frames as `kernels.analyzer.TrackAnalyzer.process` returns them
(float32 ``[n_frames, n_tracks, len(columns)]``, `columns` the features' names by default;
``mirage analyze`` appends ``level,bass,mid,high``) with the index of their first frame, and keep
at most one row group in memory; ``close()`` ends the file, ``abort()`` ends the writer after a
failure (the caller discards the file):

- `CsvFeatureWriter`: the text of `mirage.csv_out` (header, then rows ordered by frame, then
  track), byte for byte what `mirage.csv_out.write_features` gives for the whole array;
- `ParquetFeatureWriter` (pyarrow): the same rows and columns -- ``track`` int32, ``frame``
  int64, ``time_s`` float64 (``frame * hop / sr_hz``), the features float32 (the kernels'
  values, exact) -- in row groups of about `ROWS_PER_GROUP` rows, with the analysis parameters
  as JSON in the schema's key-value metadata (key ``mirage``).

`writer_class(path)` picks one by the file's extension (``.csv``, ``.parquet``) and raises
`ParameterError` for anything else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

import numpy as np

from kernels.layout import FEATURE_NAMES
from mirage.errors import MissingExtra, ParameterError

ROWS_PER_GROUP = 1 << 16
CATALOGUE_EXTRA = "catalogue"


def import_pyarrow():
    """``(pyarrow, pyarrow.parquet)``, or MissingExtra naming the extra that installs them."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtra(f"Parquet needs pyarrow: pip install 'mirage-engine[{CATALOGUE_EXTRA}]'") from None
    return pa, pq


class CsvFeatureWriter:
    """Feature rows as CSV text (`mirage.csv_out`) into a binary file."""

    def __init__(self, fh: BinaryIO, *, hop: int, sr_hz: float, n_tracks: int,
                 metadata: dict | None = None, columns=FEATURE_NAMES):
        from mirage.csv_out import header_for

        self._fh, self._hop, self._sr_hz = fh, int(hop), float(sr_hz)
        self._columns = tuple(columns)
        self.rows = 0
        fh.write(header_for(self._columns).encode() + b"\n")

    def write(self, features: np.ndarray, first_frame: int) -> None:
        from mirage.csv_out import write_features

        self.rows += write_features(self._fh, features, hop=self._hop, sr_hz=self._sr_hz,
                                    frame_offset=first_frame, header=False, columns=self._columns)

    def close(self) -> None:
        self._fh.flush()

    def abort(self) -> None:
        """After a failure: nothing to end (the caller discards the file)."""


class ParquetFeatureWriter:
    """Feature rows as a Parquet file (pyarrow), row group by row group."""

    def __init__(self, fh: BinaryIO, *, hop: int, sr_hz: float, n_tracks: int,
                 metadata: dict | None = None, columns=FEATURE_NAMES):
        pa, pq = import_pyarrow()
        self._columns = tuple(columns)
        self._pa = pa
        self._hop, self._sr_hz, self._n_tracks = int(hop), float(sr_hz), int(n_tracks)
        fields = [pa.field("track", pa.int32()), pa.field("frame", pa.int64()),
                  pa.field("time_s", pa.float64())]
        fields += [pa.field(name, pa.float32()) for name in self._columns]
        meta = {"mirage": json.dumps(metadata or {}, sort_keys=True)}
        self.schema = pa.schema(fields, metadata=meta)
        self._writer = pq.ParquetWriter(fh, self.schema)
        self._pending: list[tuple[np.ndarray, int]] = []
        self._pending_rows = 0
        self.rows = 0

    def write(self, features: np.ndarray, first_frame: int) -> None:
        n_values = len(self._columns)
        if features.shape[1:] != (self._n_tracks, n_values):
            raise ValueError(f"features must be [n, {self._n_tracks}, {n_values}], got {features.shape}")
        if len(features) == 0:
            return
        self._pending.append((np.array(features, dtype=np.float32), int(first_frame)))
        self._pending_rows += features.shape[0] * features.shape[1]
        if self._pending_rows >= ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        pa, c = self._pa, self._n_tracks
        frames = np.concatenate([f0 + np.arange(len(f), dtype=np.int64) for f, f0 in self._pending])
        values = np.concatenate([f for f, _ in self._pending]).reshape(-1, len(self._columns))
        frame = np.repeat(frames, c)
        columns = [pa.array(np.tile(np.arange(c, dtype=np.int32), len(frames))),
                   pa.array(frame), pa.array((frame * self._hop) / self._sr_hz)]
        columns += [pa.array(np.ascontiguousarray(values[:, j])) for j in range(len(self._columns))]
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))
        self.rows += len(frame)
        self._pending, self._pending_rows = [], 0

    def close(self) -> None:
        self._flush()
        self._writer.close()

    def abort(self) -> None:
        """After a failure: end the Parquet writer without writing the rows held, so that it
        does not try again when garbage collected (its file is discarded by the caller)."""
        self._pending = []
        try:
            self._writer.close()
        except (OSError, ValueError):  # the file already closed or failing: nothing to keep
            pass


WRITERS = {".csv": CsvFeatureWriter, ".parquet": ParquetFeatureWriter}


def writer_class(path: str | Path):
    """The writer for `path`'s extension; ParameterError naming it if there is none."""
    ext = Path(path).suffix.lower()
    if ext not in WRITERS:
        shown = f"'{ext}'" if ext else "none"
        raise ParameterError(f"{path}: unknown output format (extension {shown}); "
                             f"use {' or '.join(WRITERS)}")
    return WRITERS[ext]
