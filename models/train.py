"""Train, cross-validate and export MIRAGE's valence/arousal model.

``python -m models.train`` (after ``python -m models.dataset``; ``make model`` runs both):

1. grouped 5-fold cross-validation by game series (``GroupKFold``; no series in both the
   training and the test part) on the training renders (``fluid``, ``musescore``,
   ``fluid_prog``, ``room``), scored on the test series' ``fluid`` renders, for
   (a) the training mean, (b) ridge regression on simple descriptors (level, centroid,
   onset rate: the 3 s and 15 s means), (c) gradient boosting on the 31 descriptors of the
   issue's baseline with its settings (re-measured), (d) the MLP; next to the raters'
   split-half ceiling; (e) regularised gradient boosting on the :data:`LEVEL_HEAD` columns
   (all but the absolute spectral shape),
   (f) the level head ``0.5·MLP + 0.5·(e)`` for both dimensions, (g) the deviation head
   (trees on :func:`deviation_features`, trained on the targets minus their piece mean) and
   (h) the shipped model ``clip((f) + (g), −1, 1)``. Robustness: the same
   fold models at ±12 dB, on the held-out soundfont (``timgm``) and on it through a held-out
   room with noise (``timgm_room``). Auxiliary data: (e) trained with EMOPIA's weak quadrant
   labels added (row weight ``EMOPIA_WEIGHT``), when that table exists — measured, not
   shipped (see the model card);
2. the shipped model, trained on all pieces and training renders, exported to ONNX fp32 and
   int8 (``mirage/emotion/model_files/emotion-va.{fp32,int8}.onnx``, where the installed
   package reads them; each tree model is an ``ai.onnx.ml`` TreeEnsembleRegressor node in
   the same graph, the deviation features are a Gather/Sub in it) with the feature
   normalisation inside the graph; int8 is checked against fp32;
3. ``~/.cache/mirage/emotion/report.json`` holds every number the model card quotes.

``python -m models.train --split-seed N`` only runs step 1, on another assignment of the
series to the five folds (:func:`series_folds`), into ``report-splitN.json``: the
configurations were compared on the standard split, so a second one shows how much of a
score is the split's.

Deterministic: seeded torch/numpy, ``torch.set_num_threads(1)``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from mirage.emotion.feature_layout import FEATURE_NAMES
from mirage.emotion.model import DEFAULT_MODEL, FP32_MODEL
from models.cache import CACHE
from models.data import load_pieces, rater_ceiling
from models.dataset import LEVEL_COLUMNS, load, table_path
from models.metrics import group_means, score
from models.render import (EMOPIA, HELD_OUT_ROOM_VARIANT, HELD_OUT_VARIANT,
                           TRAIN_VARIANTS as ALL_TRAIN_VARIANTS)

FP32_PATH, INT8_PATH = FP32_MODEL, DEFAULT_MODEL  # the package data the engine loads
REPORT = CACHE / "report.json"
SEED = 0
N_FOLDS = 5
GAIN_DB = 12.0
HIDDEN = 64
EPOCHS = 40
GBM_WEIGHT = 0.5  # share of the gradient-boosting half in the shipped blend (both dimensions)
EMOPIA_WEIGHT = 0.3  # row weight of EMOPIA's weak labels in the auxiliary-data check

SIMPLE = [FEATURE_NAMES.index(n) for n in (
    "s_level_db", "s_centroid_log2hz", "s_onset_rate_hz",
    "l_level_db", "l_centroid_log2hz", "l_onset_rate_hz")]
# The issue baseline's descriptors: the 3 s and 15 s summaries without the spectral shape,
# the running means and the onset-density/beat-period/pitched-peak columns added after it
# was set.
_LATER = ("onset_rate_1db_hz", "onset_rate_3db_hz", "beat_period_s", "peak_onset_rate_hz",
          "peak_height_st", "peak_spread_st", "peak_count")
DESCRIPTORS = [i for i, n in enumerate(FEATURE_NAMES) if "shape" not in n
               and not n.startswith("e_") and not n.endswith(_LATER)]
# Gradient boosting of the shipped model: strongly regularised (the data are 176 pieces,
# whatever the number of steps): shallow trees, large leaves, half the features per split.
GBM_ALL = dict(max_iter=400, learning_rate=0.03, max_leaf_nodes=7, min_samples_leaf=400,
               l2_regularization=1.0, max_features=0.5)
GBM_BASELINE = dict(max_iter=300, learning_rate=0.05, max_leaf_nodes=15)
# The deviation head: trees on how the last 3 s and 15 s differ from the running mean,
# trained on the targets minus their piece mean (what changes *inside* a piece).
_DEV_BASES = [n[2:] for n in FEATURE_NAMES if n.startswith("e_") and f"s_{n[2:]}" in FEATURE_NAMES]
DEV_MINUEND = np.array([FEATURE_NAMES.index(f"{w}_{b}")
                        for w in ("s", "l", "s") for b in _DEV_BASES])
DEV_SUBTRAHEND = np.array([FEATURE_NAMES.index(f"{w}_{b}")
                           for w in ("e", "e", "l") for b in _DEV_BASES])
GBM_DEVIATION = dict(GBM_ALL, max_iter=300)
# The level head (MLP and GB-all) reads every feature except the absolute spectral shape:
# the 24-band shape names the instrument and the soundfont more than the mood (with it,
# valence fell 0.10 through the held-out soundfont; without it 0.02). Shape *changes*
# (s − e, l − e) stay in the deviation head, where a piece's constant timbre cancels.
LEVEL_HEAD = np.array([i for i, n in enumerate(FEATURE_NAMES) if "shape" not in n])


def available_train_variants() -> tuple[str, ...]:
    """The training renders whose feature tables exist (``fluid`` is required)."""
    return tuple(v for v in ALL_TRAIN_VARIANTS if v == "fluid" or table_path(v).exists())


TRAIN_VARIANTS = available_train_variants()


def _torch():
    import torch
    torch.set_num_threads(1)
    return torch


def make_net(mu: np.ndarray, sd: np.ndarray):
    """MLP on the :data:`LEVEL_HEAD` columns of the full feature vector (a constant column
    selection, then the standardisation as constant layers); tanh outputs."""
    torch = _torch()
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("cols", torch.tensor(LEVEL_HEAD, dtype=torch.int64))
            self.register_buffer("mu", torch.tensor(mu, dtype=torch.float32))
            self.register_buffer("inv_sd", torch.tensor(1.0 / sd, dtype=torch.float32))
            self.body = nn.Sequential(
                nn.Linear(len(LEVEL_HEAD), HIDDEN), nn.GELU(), nn.Dropout(0.2),
                nn.Linear(HIDDEN, HIDDEN), nn.GELU(), nn.Dropout(0.2),
                nn.Linear(HIDDEN, 2), nn.Tanh())

        def forward(self, features):
            return self.body((features[:, self.cols] - self.mu) * self.inv_sd)

    return Net()


def fit_mlp(X: np.ndarray, y: np.ndarray, groups: np.ndarray, *, seed: int = SEED,
            epochs: int = EPOCHS):
    """Train the MLP with per-piece random gain (±12 dB on the level features).

    Loss: MSE + (1 − CCC) per dimension over each mini-batch (CCC is the headline metric;
    MSE keeps the scale anchored).
    """
    torch = _torch()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    mu = X.mean(axis=0)
    sd = X.std(axis=0) + 1e-3
    sd[list(LEVEL_COLUMNS)] = np.maximum(sd[list(LEVEL_COLUMNS)], GAIN_DB)
    mu, sd = mu[LEVEL_HEAD], sd[LEVEL_HEAD]
    net = make_net(mu, sd)
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32)
    ug, inv = np.unique(groups, return_inverse=True)
    bs = 256
    for _ in range(epochs):
        net.train()
        gain = rng.uniform(-GAIN_DB, GAIN_DB, ug.size)[inv].astype(np.float32)
        Xa = Xt.clone()
        g = torch.tensor(gain)
        for c in LEVEL_COLUMNS:
            Xa[:, c] += g
        perm = torch.tensor(rng.permutation(len(X)))
        for s in range(0, len(X), bs):
            b = perm[s:s + bs]
            p = net(Xa[b])
            t = yt[b]
            mse = ((p - t) ** 2).mean()
            pm, tm = p.mean(0), t.mean(0)
            cov = ((p - pm) * (t - tm)).mean(0)
            ccc = 2 * cov / (p.var(0, unbiased=False) + t.var(0, unbiased=False) + (pm - tm) ** 2 + 1e-6)
            loss = mse + (1 - ccc).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    net.eval()
    return net


def fit_ensemble(X, y, groups, *, seed: int = SEED, n_members: int = 3):
    """``n_members`` MLPs (different seeds) averaged inside one module (one ONNX graph)."""
    torch = _torch()
    members = [fit_mlp(X, y, groups, seed=seed * 100 + m) for m in range(n_members)]

    class Ensemble(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.members = torch.nn.ModuleList(members)

        def forward(self, features):
            return torch.stack([m(features) for m in self.members]).mean(0)

    return Ensemble().eval()


def gain_augmented(X: np.ndarray, groups: np.ndarray, seed: int) -> np.ndarray:
    """Per-piece random gain (±12 dB) on the level columns, for the tree models."""
    rng = np.random.default_rng(seed)
    Xg = X.copy()
    ug, inv = np.unique(groups, return_inverse=True)
    gain = rng.uniform(-GAIN_DB, GAIN_DB, ug.size)[inv]
    for c in LEVEL_COLUMNS:
        Xg[:, c] += gain
    return Xg


def fit_gbm(Xg: np.ndarray, y: np.ndarray, cols=None, params: dict = GBM_ALL,
            weight: np.ndarray | None = None) -> list:
    """One HistGradientBoostingRegressor per dimension (``params``: :data:`GBM_ALL` or the
    issue baseline's :data:`GBM_BASELINE`; ``weight`` per row)."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    Z = Xg if cols is None else Xg[:, cols]
    return [HistGradientBoostingRegressor(random_state=SEED, **params)
            .fit(Z, y[:, c], sample_weight=weight) for c in range(2)]


def deviation_features(X: np.ndarray) -> np.ndarray:
    """``s_x − e_x``, ``l_x − e_x``, ``s_x − l_x`` for every summary ``x`` with all three
    context lengths: the last 3 s / 15 s relative to the piece so far (gain-invariant)."""
    return X[:, DEV_MINUEND] - X[:, DEV_SUBTRAHEND]


def piece_centred(y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``y`` minus the mean of its group (one group = one piece in one render)."""
    _, inv = np.unique(groups, return_inverse=True)
    return y - group_means(y, inv)[inv]


def fit_deviation(X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> list:
    """The deviation head: trees from :func:`deviation_features` to the within-piece
    deviation of the targets, ``y − mean_piece(y)``; added to the level prediction."""
    return fit_gbm(deviation_features(X), piece_centred(y, groups), params=GBM_DEVIATION)


def predict_deviation(models, X: np.ndarray) -> np.ndarray:
    Z = deviation_features(X)
    return np.column_stack([m.predict(Z) for m in models])


def predict_gbm(models, X: np.ndarray, cols=None) -> np.ndarray:
    Z = X if cols is None else X[:, cols]
    return np.clip(np.column_stack([m.predict(Z) for m in models]), -1, 1)


def predict_net(net, X: np.ndarray) -> np.ndarray:
    torch = _torch()
    with torch.no_grad():
        return net(torch.tensor(X, dtype=torch.float32)).numpy()


def shifted(X: np.ndarray, gain_db: float) -> np.ndarray:
    Z = X.copy()
    for c in LEVEL_COLUMNS:
        Z[:, c] += gain_db
    return Z


def series_folds(series: np.ndarray, split_seed: int | None = None) -> list:
    """``N_FOLDS`` (train, test) piece-index pairs with no series on both sides.

    ``split_seed=None`` is the standard split (``GroupKFold``: series dealt out by size,
    deterministic), on which every configuration in the model card was compared; an integer
    shuffles which series go together (``GroupKFold(shuffle=True, random_state=seed)``) — a
    second split nobody selected on, to see how much of a difference the split makes.
    """
    from sklearn.model_selection import GroupKFold
    kfold = (GroupKFold(n_splits=N_FOLDS) if split_seed is None
             else GroupKFold(n_splits=N_FOLDS, shuffle=True, random_state=split_seed))
    return list(kfold.split(np.arange(len(series)), groups=series))


def cross_validate(tables: dict, pieces, split_seed: int | None = None) -> dict:
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    series = np.array([p.series for p in pieces])
    ref = tables["fluid"]
    folds = series_folds(series, split_seed)
    names = ["mean", "ridge_simple", "gbr_descriptors", "mlp", "gbr_all", "blend", "deviation",
             "shipped"]
    emopia = tables.get(EMOPIA)
    if emopia is not None:  # auxiliary-data check: the same trees with EMOPIA's weak labels
        names.append("gbr_all_emopia")
    evals = ["fluid", "fluid+12dB", "fluid-12dB", HELD_OUT_VARIANT, HELD_OUT_ROOM_VARIANT]
    preds = {(m, e): np.zeros_like(ref["targets"]) for m in names for e in evals}
    per_fold = []
    for k, (tr_p, te_p) in enumerate(folds):
        t0 = time.time()
        tr = {v: np.isin(tables[v]["piece"], tr_p) for v in TRAIN_VARIANTS}
        X = np.concatenate([tables[v]["features"][tr[v]] for v in TRAIN_VARIANTS])
        y = np.concatenate([tables[v]["targets"][tr[v]] for v in TRAIN_VARIANTS])
        grp = np.concatenate([tables[v]["piece"][tr[v]] + 1000 * j
                              for j, v in enumerate(TRAIN_VARIANTS)])
        Xg = gain_augmented(X, grp, SEED + k)  # for the sklearn models too
        ridge = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(Xg[:, SIMPLE], y)
        gbrs = fit_gbm(Xg, y, DESCRIPTORS, GBM_BASELINE)
        gbm_all = fit_gbm(Xg, y, LEVEL_HEAD)
        net = fit_ensemble(X, y, grp, seed=SEED + k)
        dev = fit_deviation(X, y, grp)
        if emopia is not None:
            Xa = np.concatenate([X, emopia["features"]])
            ga = np.concatenate([grp, emopia["song"] + 100_000])
            w = np.concatenate([np.ones(len(y)), np.full(len(emopia["targets"]), EMOPIA_WEIGHT)])
            gbm_emopia = fit_gbm(gain_augmented(Xa, ga, SEED + k),
                                 np.concatenate([y, emopia["targets"]]), LEVEL_HEAD, weight=w)
        for e in evals:
            tab = tables[e] if e in tables else ref
            te = np.isin(tab["piece"], te_p)
            Xe = tab["features"][te]
            if e.endswith("dB"):
                Xe = shifted(Xe, float(e[5:-2]))
            preds[("mean", e)][te] = y.mean(axis=0)
            preds[("ridge_simple", e)][te] = np.clip(ridge.predict(Xe[:, SIMPLE]), -1, 1)
            preds[("gbr_descriptors", e)][te] = predict_gbm(gbrs, Xe, DESCRIPTORS)
            preds[("mlp", e)][te] = predict_net(net, Xe)
            preds[("gbr_all", e)][te] = predict_gbm(gbm_all, Xe, LEVEL_HEAD)
            preds[("blend", e)][te] = ((1 - GBM_WEIGHT) * preds[("mlp", e)][te]
                                       + GBM_WEIGHT * preds[("gbr_all", e)][te])
            preds[("deviation", e)][te] = predict_deviation(dev, Xe)
            preds[("shipped", e)][te] = np.clip(preds[("blend", e)][te]
                                                + preds[("deviation", e)][te], -1, 1)
            if emopia is not None:
                preds[("gbr_all_emopia", e)][te] = predict_gbm(gbm_emopia, Xe, LEVEL_HEAD)
        te = np.isin(ref["piece"], te_p)
        fold_scores = {m: score(ref["targets"][te], preds[(m, "fluid")][te], ref["piece"][te])
                       for m in names}
        fold_scores["series"] = sorted(set(series[te_p]))
        per_fold.append(fold_scores)
        shipped = fold_scores["shipped"]
        print(f"fold {k}: {time.time() - t0:.0f} s  shipped {shipped['arousal_ccc']:.3f}"
              f"/{shipped['valence_ccc']:.3f}  mlp {fold_scores['mlp']['arousal_ccc']:.3f}"
              f"/{fold_scores['mlp']['valence_ccc']:.3f}  gbr "
              f"{fold_scores['gbr_descriptors']['arousal_ccc']:.3f}/"
              f"{fold_scores['gbr_descriptors']['valence_ccc']:.3f}", flush=True)
    pooled = {}
    for (m, e), p in preds.items():
        tab = tables[e] if e in tables else ref
        pooled[f"{m}@{e}"] = score(tab["targets"], p, tab["piece"])
    # causal exponential smoothing of the shipped output (what --emotion-smoothing does)
    for tau in (1.0, 2.0, 4.0):
        sm = smooth_by_piece(preds[("shipped", "fluid")], ref["piece"], tau)
        pooled[f"shipped_smooth{tau:g}s@fluid"] = score(ref["targets"], sm, ref["piece"])
    return {"pooled": pooled, "per_fold": per_fold}


def all_training_rows(tables: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, targets and groups of every piece in every training render; a group is one
    piece in one render (``piece + 1000 · render index``: one random gain each)."""
    X = np.concatenate([tables[v]["features"] for v in TRAIN_VARIANTS])
    y = np.concatenate([tables[v]["targets"] for v in TRAIN_VARIANTS])
    grp = np.concatenate([tables[v]["piece"] + 1000 * j for j, v in enumerate(TRAIN_VARIANTS)])
    return X, y, grp


def smooth_by_piece(p: np.ndarray, piece: np.ndarray, tau_s: float, step_s: float = 0.5):
    a = 1.0 - np.exp(-step_s / tau_s)
    out = p.copy()
    for i in range(1, len(p)):
        if piece[i] == piece[i - 1]:
            out[i] = out[i - 1] + a * (p[i] - out[i - 1])
    return out


def split_report_path(split_seed: int) -> Path:
    return CACHE / f"report-split{split_seed}.json"


def main(argv: list[str]) -> None:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m models.train", description=__doc__.split("\n")[0])
    ap.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    ap.add_argument("--split-seed", type=int, metavar="N",
                    help="only cross-validate, on series folds shuffled with seed N, into "
                         "report-splitN.json (the model files and report.json are untouched)")
    args = ap.parse_args(argv)
    t_start = time.time()
    pieces = load_pieces()
    tables = {v: load(v) for v in (*TRAIN_VARIANTS, HELD_OUT_VARIANT, HELD_OUT_ROOM_VARIANT)}
    if table_path(EMOPIA).exists() and args.split_seed is None:
        tables[EMOPIA] = load(EMOPIA)
    report = {"ceiling": rater_ceiling(pieces, n_splits=20, seed=SEED),
              "train_variants": list(TRAIN_VARIANTS), "steps": {v: int(len(t["targets"]))
                                                                for v, t in tables.items()}}
    print("training renders:", TRAIN_VARIANTS, flush=True)
    if args.split_seed is not None:
        report.update(cross_validate(tables, pieces, args.split_seed),
                      split_seed=args.split_seed, train_seconds=time.time() - t_start)
        split_report_path(args.split_seed).write_text(json.dumps(report, indent=1))
        return
    if not args.no_cv:
        report.update(cross_validate(tables, pieces))
    X, y, grp = all_training_rows(tables)  # the shipped model
    net = fit_ensemble(X, y, grp, seed=SEED)
    gbm = fit_gbm(gain_augmented(X, grp, SEED), y, LEVEL_HEAD)
    dev = fit_deviation(X, y, grp)
    from models.export import export_all
    report["export"] = export_all(net, tables["fluid"]["features"], FP32_PATH, INT8_PATH,
                                  y_ref=tables["fluid"]["targets"],
                                  gbm=(gbm, GBM_WEIGHT, LEVEL_HEAD),
                                  deviation=(dev, DEV_MINUEND, DEV_SUBTRAHEND))
    report["train_seconds"] = time.time() - t_start
    REPORT.write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k != "per_fold"}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
