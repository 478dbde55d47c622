"""External check: the shipped model on EMOPIA, a corpus it was never trained or selected on.

``python -m models.external`` (``make model`` runs it after ``models.train``). Every number in
the cross-validation comes from the same 176 VGMIDI pieces on which about twenty
configurations were compared, so it carries some selection optimism. EMOPIA's 1,078 pop-piano
clips (``models.emopia``, rendered through FluidR3) were used by nothing that shaped the
shipped model: its labels are one quadrant per clip (Q1 +A+V, Q2 +A−V, Q3 −A−V, Q4 −A+V)
from other annotators, on other music.

Per clip, the prediction is the mean of the model's outputs over the clip's 0.5 s steps
(the running context starts at the clip's start, as it would live). Scores, per dimension:

* ``auc`` — the probability that a random high clip (arousal: Q1/Q2; valence: Q1/Q4) gets
  a higher mean prediction than a random low one (Mann–Whitney; 0.5 = chance), with a 95 %
  interval from a bootstrap over source songs (clips of one song are resampled together);
* ``balanced_accuracy`` — the mean recall of the two classes when the sign of the prediction
  is the class (the model's own zero, no threshold fitted on EMOPIA);

and ``quadrant_accuracy``: the quadrant named by the two signs (chance ≈ 0.25). Next to the
shipped int8 and fp32 files: the issue's baseline (gradient boosting on its 31 descriptors)
and the ridge on simple descriptors, both trained on every VGMIDI piece and training render.
The results are added to ``~/.cache/mirage/emotion/report.json`` under ``"external"``.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from models.dataset import load, table_path
from models.metrics import group_means
from models.render import EMOPIA

N_BOOTSTRAP = 1000
SEED = 0


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Mann–Whitney AUC: P(score of a positive > score of a negative), ties count ½."""
    from scipy.stats import rankdata
    r = rankdata(score)
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    return float((r[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def balanced_accuracy(score: np.ndarray, positive: np.ndarray) -> float:
    return float(0.5 * (np.mean(score[positive] > 0) + np.mean(score[~positive] <= 0)))


def evaluate(pred: np.ndarray, clip: np.ndarray, quadrant: np.ndarray,
             song: np.ndarray) -> dict:
    """Clip-level scores of step predictions ``pred`` (``float[N, 2]`` arousal, valence).

    ``quadrant`` and ``song`` are per clip (1–4; integer group of the source song)."""
    m = group_means(pred, clip)  # per clip
    high = {"arousal": np.isin(quadrant, (1, 2)), "valence": np.isin(quadrant, (1, 4))}
    rng = np.random.default_rng(SEED)
    songs = np.unique(song)
    members = [np.flatnonzero(song == s) for s in songs]
    out = {}
    for d, dim in enumerate(("arousal", "valence")):
        boot = []
        for _ in range(N_BOOTSTRAP):
            idx = np.concatenate([members[i] for i in rng.integers(0, songs.size, songs.size)])
            if 0 < high[dim][idx].sum() < idx.size:
                boot.append(auc(m[idx, d], high[dim][idx]))
        out[f"{dim}_auc"] = auc(m[:, d], high[dim])
        out[f"{dim}_auc_ci95"] = [float(np.percentile(boot, 2.5)),
                                  float(np.percentile(boot, 97.5))]
        out[f"{dim}_balanced_accuracy"] = balanced_accuracy(m[:, d], high[dim])
    named = np.select([(m[:, 0] > 0) & (m[:, 1] > 0), (m[:, 0] > 0) & (m[:, 1] <= 0),
                       (m[:, 0] <= 0) & (m[:, 1] <= 0)], [1, 2, 3], 4)
    out["quadrant_accuracy"] = float(np.mean(named == quadrant))
    out["clips"] = int(quadrant.size)
    return out


def main(argv: list[str]) -> None:
    from mirage.emotion.model import FP32_MODEL, DEFAULT_MODEL, EmotionModel
    from models.train import (DESCRIPTORS, GBM_BASELINE, REPORT, SEED as TRAIN_SEED, SIMPLE,
                              TRAIN_VARIANTS, all_training_rows, fit_gbm, gain_augmented,
                              predict_gbm)
    if not table_path(EMOPIA).exists():
        sys.exit("models.external: no EMOPIA feature table (run: python -m models.dataset emopia)")
    em = load(EMOPIA)
    _, clip = np.unique(em["piece"], return_inverse=True)  # clips with at least one step
    n = int(clip.max()) + 1
    quadrant = np.zeros(n, np.int64)
    song = np.zeros(n, np.int64)
    quadrant[clip] = np.where(em["targets"][:, 0] > 0, np.where(em["targets"][:, 1] > 0, 1, 2),
                              np.where(em["targets"][:, 1] > 0, 4, 3))
    song[clip] = em["song"]
    results = {}
    for name, path in (("shipped int8", DEFAULT_MODEL), ("shipped fp32", FP32_MODEL)):
        results[name] = evaluate(EmotionModel(path).predict_batch(em["features"]), clip,
                                 quadrant, song)
    # the references, trained on every VGMIDI piece and training render
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X, y, grp = all_training_rows({v: load(v) for v in TRAIN_VARIANTS})
    Xg = gain_augmented(X, grp, TRAIN_SEED)
    gbr = fit_gbm(Xg, y, DESCRIPTORS, GBM_BASELINE)
    results["gbr_descriptors"] = evaluate(predict_gbm(gbr, em["features"], DESCRIPTORS), clip,
                                          quadrant, song)
    ridge = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(Xg[:, SIMPLE], y)
    results["ridge_simple"] = evaluate(np.clip(ridge.predict(em["features"][:, SIMPLE]), -1, 1),
                                       clip, quadrant, song)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report["external"] = {"emopia": results,
                          "quadrant_counts": np.bincount(quadrant, minlength=5)[1:].tolist()}
    REPORT.write_text(json.dumps(report, indent=1))
    print(json.dumps(report["external"], indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
