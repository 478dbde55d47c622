"""``mirage replay FILE --info``: what a recording holds, as lines of text."""

from __future__ import annotations

import re
from collections import Counter

from mirage.recording.datagrams import addresses
from mirage.recording.format import RECORD_OVERHEAD_BYTES, Record, RecordingHeader

__all__ = ["address_counts", "summary_lines"]


def _natural(address: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", address)]


def address_counts(records: list[Record]) -> Counter:
    """Messages per OSC address (bundles counted per message inside)."""
    counts: Counter = Counter()
    for record in records:
        counts.update(addresses(record.datagram))
    return counts


def summary_lines(header: RecordingHeader, records: list[Record], tail_bytes: int = 0) -> list[str]:
    duration_s = (records[-1].send_ns - records[0].send_ns) * 1e-9 if records else 0.0
    n_bytes = sum(len(r.datagram) for r in records)
    lines = [
        f"format version {header.version}, {header.source} recording by MIRAGE {header.mirage or '?'}, "
        f"created {header.created or '?'}",
        f"duration {duration_s:.3f} s, {len(records)} datagrams, {n_bytes} bytes of OSC "
        f"({n_bytes + RECORD_OVERHEAD_BYTES * len(records)} with record headers)",
        f"OSC profile {header.profile}, {'bundles' if header.bundle else 'plain messages'}; "
        f"{header.sr_hz:g} Hz, hop {header.hop}, n_fft {header.n_fft}",
        f"tracks ({len(header.tracks)}): " + ", ".join(f"{i}={name}" for i, name in enumerate(header.tracks)),
    ]
    if tail_bytes:
        lines.append(f"a cut record at the end: {tail_bytes} bytes ignored")
    counts = address_counts(records)
    width = max((len(a) for a in counts), default=0)
    for address in sorted(counts, key=_natural):
        rate = f"{counts[address] / duration_s:.2f} Hz" if duration_s > 0 else "-"
        lines.append(f"  {address:<{width}}  {counts[address]:>8}  {rate}")
    return lines
