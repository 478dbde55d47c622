"""Instrument profiles: the pitch search range of a track, as in MIRAGE.

A profile only narrows the range where `kernels.pitch` looks for peaks; the spectral
features do not depend on it. ``librosa`` is librosa's own `piptrack` default range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from mirage.errors import ParameterError


@dataclass(frozen=True)
class Profile:
    """A named pitch range ``fmin_hz <= f < fmax_hz``."""

    name: str
    fmin_hz: float
    fmax_hz: float


PROFILES = {
    p.name: p
    for p in (
        Profile("LIBROSA", 150.0, 4000.0),
        Profile("DEFAULT", 20.0, 8000.0),
        Profile("VOICE", 80.0, 4000.0),
        Profile("GUITAR", 20.0, 5000.0),
        Profile("PIANO", 20.0, 4500.0),
        Profile("STRINGS", 20.0, 3500.0),
        Profile("DRUMS", 20.0, 10000.0),
    )
}

DEFAULT_PROFILE = "LIBROSA"
MIRAGE_CODE_DEFAULT_PROFILE = "DEFAULT"
"""What MIRAGE's own code gave a track with no profile (20-8000 Hz): the default when the
OSC wire profile is ``mirage-code``, so ``/LFmsg_chN`` carries the string its patches route on."""


def default_profile(osc_profile: str) -> str:
    """The profile of a track nobody gave one: ``DEFAULT`` for the ``mirage-code`` wire
    profile (drop-in for MIRAGE's patches), librosa's range (``LIBROSA``) for ``readme``."""
    return MIRAGE_CODE_DEFAULT_PROFILE if osc_profile == "mirage-code" else DEFAULT_PROFILE


def get_profile(name: str) -> Profile:
    """The profile called `name` (case-insensitive); ParameterError naming the choices if none."""
    try:
        return PROFILES[name.upper()]
    except KeyError:
        choices = ", ".join(sorted(PROFILES))
        raise ParameterError(f"unknown instrument profile {name!r} (choose from {choices})") from None


def track_pitch_ranges(track_names: Sequence[str], *, profile: str | None = None,
                       profiles: str | Sequence[str] | None = None,
                       default: dict[str, str] | None = None,
                       fallback: str = DEFAULT_PROFILE) -> tuple[np.ndarray, list[str]]:
    """The pitch range of each track: (float64 [n_tracks, 2] (fmin_hz, fmax_hz), profile names).

    `profiles` names one profile per track (a sequence, or one comma-separated string);
    else `profile` applies to every track; else `default` maps a track name to a profile
    name, and the rest get ``fallback`` (`DEFAULT_PROFILE`; see `default_profile`).
    """
    n = len(track_names)
    if profiles is not None:
        chosen = [s.strip() for s in (profiles.split(",") if isinstance(profiles, str) else profiles)]
        if len(chosen) != n:
            raise ParameterError(f"profiles gives {len(chosen)} profile(s) for {n} track(s): "
                                 f"{profiles!r}")
    elif profile is not None:
        chosen = [profile] * n
    else:
        default = default or {}
        chosen = [default.get(name, fallback) for name in track_names]
    resolved = [get_profile(name) for name in chosen]
    ranges = np.array([[p.fmin_hz, p.fmax_hz] for p in resolved], dtype=np.float64).reshape(n, 2)
    return ranges, [p.name for p in resolved]
