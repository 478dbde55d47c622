"""The level-smoothing options of ``mirage run`` and ``mirage analyze`` (``--level-attack-ms``,
``--level-release-ms``): their defaults and their check, without importing numba."""

from __future__ import annotations

import math

from kernels.rhythm_layout import DEFAULT_ATTACK_MS, DEFAULT_RELEASE_MS, MAX_SMOOTHING_MS
from mirage.errors import ParameterError

__all__ = ["DEFAULT_ATTACK_MS", "DEFAULT_RELEASE_MS", "add_level_options", "check_level_smoothing"]


def add_level_options(group) -> None:
    """Add ``--level-attack-ms`` and ``--level-release-ms`` to an argparse group."""
    group.add_argument("--level-attack-ms", type=float, default=DEFAULT_ATTACK_MS, metavar="MS",
                       help="smoothing of the normalised level and bands when rising (default: %(default)g ms)")
    group.add_argument("--level-release-ms", type=float, default=DEFAULT_RELEASE_MS, metavar="MS",
                       help="smoothing of the normalised level and bands when falling (default: %(default)g ms)")


def check_level_smoothing(attack_ms: float, release_ms: float) -> None:
    """ParameterError (one line) unless both are within 0..MAX_SMOOTHING_MS ms."""
    for option, value in (("--level-attack-ms", attack_ms), ("--level-release-ms", release_ms)):
        if not (math.isfinite(value) and 0.0 <= value <= MAX_SMOOTHING_MS):
            raise ParameterError(f"{option} must be within 0..{MAX_SMOOTHING_MS:g} ms, got {value:g}")
