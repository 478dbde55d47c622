"""Krumhansl–Kessler key profiles and the key fit of a chroma vector.

The 24 keys are the major and minor probe-tone profiles (Krumhansl & Kessler 1982) rotated
to each tonic (C = 0), centred and scaled to unit norm. The fit of a chroma ``c`` is the
Pearson correlation with each of them::

    r[k] = p[k] · (c − mean c) / ‖c − mean c‖

and :func:`key_fit` reports the best major ``r``, the best minor ``r`` and their difference
(> 0: the chroma sounds more major than minor).
"""

from __future__ import annotations

import numpy as np

KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def key_profiles() -> np.ndarray:
    """``float64[24, 12]``: rows 0–11 the major keys on C…B, rows 12–23 the minor keys."""
    rows = [np.roll(KK_MAJOR, k) for k in range(12)] + [np.roll(KK_MINOR, k) for k in range(12)]
    p = np.array(rows)
    p = p - p.mean(axis=1, keepdims=True)
    return p / np.linalg.norm(p, axis=1, keepdims=True)


PROFILES = key_profiles()


def key_fit(chroma: np.ndarray) -> tuple[float, float, float]:
    """(best major r, best minor r, major − minor) of a 12-bin chroma (C = 0); zeros for a
    flat chroma."""
    c = chroma - chroma.mean()
    n = np.linalg.norm(c)
    if n < 1e-12:
        return 0.0, 0.0, 0.0
    r = PROFILES @ (c / n)
    ma, mi = float(r[:12].max()), float(r[12:].max())
    return ma, mi, ma - mi
