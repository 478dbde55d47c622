"""``--channels``: which input channels of the sound card are tracks, as people write them.

A list of 1-based channel numbers and inclusive ranges, in track order: ``"1-4,7"`` is
channels 1, 2, 3, 4 and 7, i.e. tracks 0..4. 1-based because that is how sound cards,
mixers and ``mirage devices`` number inputs. Parsing is separate from the device (the syntax
is checked before any device is opened); `channel_columns` then checks the list against the
device's channel count.

Every mistake is a `ParameterError` naming the offending part: not a number, channel 0, a
reversed range (``4-1``), a channel given twice (``1-4,3``), a channel the device lacks.
"""

from __future__ import annotations

import re

from mirage.errors import ParameterError

MAX_CHANNEL = 65536
"""Larger channel numbers are refused (no sound card has that many; it bounds the work)."""
_PART = re.compile(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?")


def parse_channels(spec: str) -> list[int]:
    """1-based channel numbers of a ``--channels`` text like ``"1-4,7"``, in the order given.

    Raises
    ------
    ParameterError
        For a part that is not a number or a range ``A-B``, a channel 0, a range whose end
        is below its start, or a channel that appears twice; the message names it.
    """
    channels: list[int] = []
    seen: set[int] = set()
    for part in spec.split(","):
        match = _PART.fullmatch(part)
        if match is None:
            raise ParameterError(f"--channels {spec!r}: {part.strip()!r} is not a channel number "
                                 f"or a range like 1-4")
        first = int(match.group(1))
        last = first if match.group(2) is None else int(match.group(2))
        if first == 0 or last == 0:
            raise ParameterError(f"--channels {spec!r}: channels are numbered from 1, "
                                 f"{part.strip()!r} has a 0")
        if last > MAX_CHANNEL:
            raise ParameterError(f"--channels {spec!r}: channel {last} is above {MAX_CHANNEL}")
        if last < first:
            raise ParameterError(f"--channels {spec!r}: range {first}-{last} is reversed "
                                 f"(write {last}-{first})")
        for channel in range(first, last + 1):
            if channel in seen:
                raise ParameterError(f"--channels {spec!r}: channel {channel} is given twice")
            seen.add(channel)
            channels.append(channel)
    return channels


def channel_columns(spec: str | None, available: int) -> list[int]:
    """0-based input columns of a ``--channels`` text for a device with `available` inputs
    (None: every input, in order)."""
    if spec is None:
        return list(range(available))
    channels = parse_channels(spec)
    missing = [c for c in channels if c > available]
    if missing:
        raise ParameterError(f"--channels {spec!r}: the device has input channels 1..{available}, "
                             f"not {', '.join(map(str, missing))}")
    return [c - 1 for c in channels]
