"""Instrument profiles: the pitch search range of a track, as in MIRAGE.

A profile only narrows the range where `kernels.pitch` looks for peaks; the spectral
features do not depend on it. ``librosa`` is librosa's own `piptrack` default range.
"""

from dataclasses import dataclass

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


def get_profile(name: str) -> Profile:
    """The profile called `name` (case-insensitive); ParameterError naming the choices if none."""
    try:
        return PROFILES[name.upper()]
    except KeyError:
        choices = ", ".join(sorted(PROFILES))
        raise ParameterError(f"unknown instrument profile {name!r} (choose from {choices})") from None
