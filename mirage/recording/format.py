"""The recording file: every datagram MIRAGE sent, with its send time and OSC time tag.

Written by `mirage run --record` (`mirage.recording.recorder`) and `mirage analyze --record`
(`mirage.recording.offline_render`), read by `mirage replay` (`mirage.recording.replayer`).
Binary, little-endian, append-only::

    file    = header record*
    header  = magic     8 bytes  b"MRGREC\\r\\n"
              version   uint16   FORMAT_VERSION (a reader refuses a newer one)
              json_len  uint32   length of the JSON that follows
              json      json_len bytes, UTF-8: sr_hz, hop, n_fft, tracks (names), profile
                        (OSC wire profile), bundle, source ("live" or "offline"), t0_unix_ns
                        (the Unix time, ns, of send time 0), created (ISO 8601), mirage (version)
              crc       uint32   CRC-32 of version + json_len + json
    record  = length    uint32   n, the datagram's size in bytes (1..65507)
              crc       uint32   CRC-32 of everything after it in this record (send_ns, tag, bytes)
              send_ns   int64    send time, ns since send time 0 (a monotonic clock)
              time_tag  uint64   the OSC/NTP time tag (upper 32 bits: seconds since 1900)
              datagram  n bytes  exactly what went on the wire

The record's time tag is the bundle's own when the datagram is a bundle; for a plain message
(``--no-bundle``) it is the capture time the sender was given (the hop's, the mood step's), and
for ``/mirage/status`` (which has no capture time) the send time on the wall clock.

Crash safety: records are only ever appended, each one whole behind its length and CRC, so a
file cut at any byte (a crash, a full disk, a pulled plug) reads back up to its last whole
record; the torn tail is ignored and reported (`RecordingReader.tail_bytes`). A file cut
inside its header is not a recording (`RecordingError`).
"""

from __future__ import annotations

import datetime
import json
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mirage.errors import InputError

__all__ = [
    "FORMAT_VERSION", "MAGIC", "Record", "RecordingError", "RecordingHeader", "RecordingReader",
    "RecordingWriter", "read_recording",
]

MAGIC = b"MRGREC\r\n"
FORMAT_VERSION = 1
MAX_DATAGRAM_BYTES = 65507
"""The largest UDP payload over IPv4: a longer record length is a torn or damaged record."""

_PREAMBLE = struct.Struct("<8sHI")        # magic, version, json_len
_CRC = struct.Struct("<I")
_RECORD_HEAD = struct.Struct("<IIqQ")      # length, crc, send_ns, time_tag
RECORD_OVERHEAD_BYTES = _RECORD_HEAD.size  # 24
_MAX_HEADER_JSON = 1 << 20


class RecordingError(InputError):
    """Not a readable recording: not one at all, a newer version, a cut header, empty."""


@dataclass(frozen=True)
class RecordingHeader:
    """What a recording says about itself (its JSON header)."""

    sr_hz: float
    hop: int
    n_fft: int
    tracks: tuple[str, ...]
    profile: str
    bundle: bool
    source: str
    """``"live"`` (`mirage run --record`) or ``"offline"`` (`mirage analyze --record`)."""
    t0_unix_ns: int
    """Unix time (ns) of send time 0: a record was sent at ``t0_unix_ns + send_ns``."""
    created: str = ""
    mirage: str = ""
    version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        fields = {k: v for k, v in self.__dict__.items() if k != "version"}
        fields["tracks"] = list(self.tracks)
        return json.dumps(fields, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes, version: int) -> "RecordingHeader":
        fields = json.loads(raw)
        return cls(sr_hz=float(fields["sr_hz"]), hop=int(fields["hop"]), n_fft=int(fields["n_fft"]),
                   tracks=tuple(fields["tracks"]), profile=str(fields["profile"]),
                   bundle=bool(fields["bundle"]), source=str(fields["source"]),
                   t0_unix_ns=int(fields["t0_unix_ns"]), created=str(fields.get("created", "")),
                   mirage=str(fields.get("mirage", "")), version=version)


def make_header(*, sr_hz: float, hop: int, n_fft: int, tracks, profile: str, bundle: bool,
                source: str, t0_unix_ns: int) -> RecordingHeader:
    """A header stamped with the current time and MIRAGE's version."""
    from mirage import __version__

    created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    return RecordingHeader(sr_hz=float(sr_hz), hop=int(hop), n_fft=int(n_fft), tracks=tuple(tracks),
                           profile=profile, bundle=bool(bundle), source=source,
                           t0_unix_ns=int(t0_unix_ns), created=created, mirage=__version__)


@dataclass(frozen=True)
class Record:
    """One datagram as sent."""

    send_ns: int
    time_tag: int
    datagram: bytes


def encode_header(header: RecordingHeader) -> bytes:
    raw = header.to_json()
    preamble = _PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(raw))
    return preamble + raw + _CRC.pack(zlib.crc32(preamble[len(MAGIC):] + raw))


def encode_record(send_ns: int, time_tag: int, datagram) -> bytes:
    """The bytes of one record (see the module docstring)."""
    body = struct.pack("<qQ", send_ns, time_tag) + bytes(datagram)
    return struct.pack("<II", len(datagram), zlib.crc32(body)) + body


class RecordingWriter:
    """Appends records to a recording file.

    `path` is created (``exist_ok=False``: an existing file is refused, `RecordingError`) or,
    with `fileobj`, the header and records go to an already open binary file (e.g.
    `mirage.atomic_output.AtomicOutput`'s). `flush` hands the written bytes to the kernel:
    what was flushed survives a crash of the process.
    """

    def __init__(self, header: RecordingHeader, path: str | os.PathLike | None = None, *, fileobj=None):
        if (path is None) == (fileobj is None):
            raise ValueError("give a path or a fileobj")
        self.header = header
        self.path = Path(path) if path is not None else None
        if fileobj is None:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                raise RecordingError(f"{self.path}: exists; a recording is never overwritten, "
                                     f"give a new name") from None
            except OSError as exc:
                raise RecordingError(f"{self.path}: cannot write: {exc.strerror or exc}") from None
            fileobj = os.fdopen(fd, "wb", buffering=1 << 16)
        self._fh = fileobj
        self._own = path is not None
        self.records = 0
        self.bytes_written = 0
        self._write(encode_header(header))
        self.flush()

    def _write(self, data: bytes) -> None:
        self._fh.write(data)
        self.bytes_written += len(data)

    def append(self, send_ns: int, time_tag: int, datagram) -> None:
        self._write(encode_record(send_ns, time_tag, datagram))
        self.records += 1

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        if self._own and not self._fh.closed:
            self._fh.close()
        elif not self._fh.closed:
            self._fh.flush()


class RecordingReader:
    """Reads a recording: `header`, then `records()` up to the last whole record.

    Raises `RecordingError` (one line, naming the file) for an empty file, a file that is not
    a recording, a newer format version, or a cut or damaged header.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        try:
            self._data = self.path.read_bytes()
        except IsADirectoryError:
            raise RecordingError(f"{self.path}: is a folder, not a recording") from None
        except FileNotFoundError:
            raise RecordingError(f"{self.path}: no such file") from None
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot read: {exc.strerror or exc}") from None
        self.header, self._start = _parse_header(self._data, self.path)
        self.tail_bytes = 0
        """Bytes after the last whole record (a cut or damaged tail), known after `records()`."""

    def records(self) -> Iterator[Record]:
        """Every whole record, in file order; stops at the first cut or damaged one."""
        data, pos, end = self._data, self._start, len(self._data)
        head = _RECORD_HEAD
        while pos + head.size <= end:
            length, crc, send_ns, time_tag = head.unpack_from(data, pos)
            stop = pos + head.size + length
            if not 0 < length <= MAX_DATAGRAM_BYTES or stop > end:
                break
            if zlib.crc32(data[pos + 8:stop]) != crc:
                break
            yield Record(send_ns, time_tag, data[pos + head.size:stop])
            pos = stop
        self.tail_bytes = end - pos


def _parse_header(data: bytes, path: Path) -> tuple[RecordingHeader, int]:
    if not data:
        raise RecordingError(f"{path}: empty file, not a recording")
    if not data.startswith(MAGIC[:min(len(data), len(MAGIC))]):
        raise RecordingError(f"{path}: not a MIRAGE recording")
    if len(data) < _PREAMBLE.size:
        raise RecordingError(f"{path}: cut inside its header ({len(data)} bytes), not a whole recording")
    _, version, json_len = _PREAMBLE.unpack_from(data)
    if version > FORMAT_VERSION:
        raise RecordingError(f"{path}: recording format version {version} is newer than this MIRAGE "
                             f"reads ({FORMAT_VERSION}); update MIRAGE")
    if version < 1 or json_len > _MAX_HEADER_JSON:
        raise RecordingError(f"{path}: damaged header (version {version}, {json_len} bytes of JSON)")
    end = _PREAMBLE.size + json_len + _CRC.size
    if len(data) < end:
        raise RecordingError(f"{path}: cut inside its header ({len(data)} of {end} bytes), "
                             f"not a whole recording")
    raw = data[_PREAMBLE.size:_PREAMBLE.size + json_len]
    (crc,) = _CRC.unpack_from(data, end - _CRC.size)
    if zlib.crc32(data[len(MAGIC):_PREAMBLE.size] + raw) != crc:
        raise RecordingError(f"{path}: damaged header (CRC mismatch)")
    try:
        return RecordingHeader.from_json(raw, version), end
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordingError(f"{path}: damaged header ({exc})") from None


def read_recording(path: str | os.PathLike) -> tuple[RecordingHeader, list[Record], int]:
    """(header, every whole record, bytes of a cut tail) of the recording at `path`."""
    reader = RecordingReader(path)
    records = list(reader.records())
    return reader.header, records, reader.tail_bytes


def check_new_recording(path: str | os.PathLike, option: str = "--record") -> None:
    """Refuse (one line, exit 2) a recording path that exists or whose folder does not."""
    path = Path(path)
    if path.exists():
        raise RecordingError(f"{option} {path}: exists; a recording is never overwritten, give a new name")
    if not path.parent.is_dir():
        raise RecordingError(f"{option} {path}: the folder {path.parent} does not exist")
