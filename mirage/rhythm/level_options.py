"""The level-smoothing options of ``mirage run`` and ``mirage analyze`` (``--level-attack-ms``,
``--level-release-ms``): their defaults and their check, without importing numba."""

from __future__ import annotations

import math

from kernels.rhythm_layout import DEFAULT_ATTACK_MS, DEFAULT_RELEASE_MS, MAX_SMOOTHING_MS
from mirage.errors import ParameterError

__all__ = ["DEFAULT_ATTACK_MS", "DEFAULT_RELEASE_MS", "add_level_options", "check_level_smoothing"]


def add_level_options(group, *, settled_later: bool = False) -> None:
    """Add ``--level-attack-ms`` and ``--level-release-ms`` to an argparse group.

    ``settled_later``: their argparse default is None (``mirage run``: the command line, then
    the rig file, then `mirage.commands.run.RUN_DEFAULTS`); the help shows the real default."""
    for option, default, when in (("--level-attack-ms", DEFAULT_ATTACK_MS, "rising"),
                                  ("--level-release-ms", DEFAULT_RELEASE_MS, "falling")):
        group.add_argument(option, type=float, default=None if settled_later else default, metavar="MS",
                           help=f"smoothing of the normalised level and bands when {when} (default: {default:g} ms)")


def check_level_smoothing(attack_ms: float, release_ms: float) -> None:
    """ParameterError (one line) unless both are within 0..MAX_SMOOTHING_MS ms."""
    for option, value in (("--level-attack-ms", attack_ms), ("--level-release-ms", release_ms)):
        if not (math.isfinite(value) and 0.0 <= value <= MAX_SMOOTHING_MS):
            raise ParameterError(f"{option} must be within 0..{MAX_SMOOTHING_MS:g} ms, got {value:g}")
