"""Normalisation to 0..1 that needs no tuning per song: an adaptive range in dB.

A follower tracks the top of the recent range of a value ``x_db``, hop by hop::

    top = x_db                                   if x_db > top      (attack: at once)
    top = top + (x_db - top) * release           otherwise          (release: exponential)
    top = max(top, top_floor_db)                                    (the floor)
    normalised = clip(1 + (x_db - top) / RANGE_DB, 0, 1)

``release = 1 - exp(-hop_s / RANGE_RELEASE_S)``: after a loud passage the range follows a
quieter one with time constant ``RANGE_RELEASE_S``; the floor ``top_floor_db`` keeps silence
and noise far below it at 0 (anything below ``top_floor_db - RANGE_DB`` reads 0).

Attack/release smoothing of a normalised value (``--level-attack-ms``,
``--level-release-ms``)::

    y = y + (x - y) * (attack if x > y else release),   coefficient = 1 - exp(-hop_s / tau_s)

(tau 0: the coefficient is 1, no smoothing).
"""

from __future__ import annotations

import math

from numba import njit

RANGE_DB = 36.0
"""Width of the range: a value RANGE_DB below the top reads 0."""
RANGE_RELEASE_S = 5.0
"""Time constant of the top's fall after a loud passage (s)."""
LEVEL_TOP_FLOOR_DB = -40.0
"""The level's top never falls below -40 dBFS: below -76 dBFS a track reads 0."""
BAND_SPAN_DB = 24.0
"""A band's top never falls below the track level's top minus BAND_SPAN_DB: a band far
below the track's loudest content (the leakage of a bass tone into the highs) reads 0."""


def coefficient(tau_s: float, hop_s: float) -> float:
    """``1 - exp(-hop_s / tau_s)`` (1 for ``tau_s <= 0``): a one-pole's step per hop."""
    return 1.0 if tau_s <= 0.0 else 1.0 - math.exp(-hop_s / tau_s)


@njit(cache=True, nogil=True, inline="always")
def follow_top(x_db, top_db, release, top_floor_db):
    """The follower's new top (instant attack, exponential release, floor)."""
    if x_db > top_db:
        top_db = x_db
    else:
        top_db += (x_db - top_db) * release
    return max(top_db, top_floor_db)


@njit(cache=True, nogil=True, inline="always")
def normalise(x_db, top_db):
    """``clip(1 + (x_db - top_db) / RANGE_DB, 0, 1)``."""
    return min(1.0, max(0.0, 1.0 + (x_db - top_db) / RANGE_DB))


@njit(cache=True, nogil=True, inline="always")
def smooth(y, x, attack, release):
    """One step of the attack/release one-pole: ``y + (x - y) * (attack or release)``."""
    return y + (x - y) * (attack if x > y else release)
