"""Agreement metrics used for the model, the baselines and the raters' ceiling.

``y`` and ``p`` are ``[N, 2]`` arrays of (arousal, valence); ``piece`` is ``int[N]``.
"""

from __future__ import annotations

import numpy as np

DIMS = ("arousal", "valence")


def ccc(y: np.ndarray, p: np.ndarray) -> float:
    """Lin's concordance correlation ``2·cov / (var_y + var_p + (mean_y − mean_p)²)``."""
    y = np.asarray(y, np.float64)
    p = np.asarray(p, np.float64)
    cov = np.mean((y - y.mean()) * (p - p.mean()))
    return float(2 * cov / (y.var() + p.var() + (y.mean() - p.mean()) ** 2 + 1e-12))


def pearson(y: np.ndarray, p: np.ndarray) -> float:
    y = np.asarray(y, np.float64) - np.mean(y)
    p = np.asarray(p, np.float64) - np.mean(p)
    den = np.sqrt((y * y).sum() * (p * p).sum())
    return float((y * p).sum() / den) if den > 0 else 0.0


def group_means(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    """``float64[n, C]``: the mean of the rows of ``x`` (``[N, C]``) in each group, for group
    ids ``0..n−1`` in any order, each with at least one row."""
    counts = np.bincount(group).astype(np.float64)
    sums = np.column_stack([np.bincount(group, x[:, c]) for c in range(x.shape[1])])
    return sums / counts[:, None]


def score(y: np.ndarray, p: np.ndarray, piece: np.ndarray) -> dict:
    """Pooled CCC, pooled r, RMSE and mean within-piece r, per dimension.

    Within-piece r is averaged over pieces where both series vary (a constant prediction
    has no correlation; such pieces count as r = 0 so a constant predictor scores 0).
    """
    out = {}
    for c, name in enumerate(DIMS):
        out[f"{name}_ccc"] = ccc(y[:, c], p[:, c])
        out[f"{name}_r"] = pearson(y[:, c], p[:, c])
        out[f"{name}_rmse"] = float(np.sqrt(np.mean((y[:, c] - p[:, c]) ** 2)))
        rs = []
        for k in np.unique(piece):
            m = piece == k
            if m.sum() < 3 or np.std(y[m, c]) < 1e-6:
                continue
            rs.append(pearson(y[m, c], p[m, c]) if np.std(p[m, c]) > 1e-9 else 0.0)
        out[f"{name}_within_r"] = float(np.mean(rs)) if rs else 0.0
    return out
