"""Print the model card's metric tables (markdown) from ~/.cache/mirage/emotion/report.json.

``python -m models.report --split-seed N`` prints the same tables for the second split
(``python -m models.train --split-seed N``, ``report-splitN.json``).
"""

from __future__ import annotations

import json
import sys

from models.train import (DESCRIPTORS, EMOPIA_WEIGHT, GBM_WEIGHT, LEVEL_HEAD, REPORT,
                          split_report_path)

ROWS = [("mean", "(a) training mean"), ("ridge_simple", "(b) ridge: level, centroid, onset rate"),
        ("gbr_descriptors", f"gradient boosting, {len(DESCRIPTORS)} descriptors (issue baseline)"),
        ("mlp", "MLP ensemble alone"),
        ("gbr_all", f"GB-all: gradient boosting, the {len(LEVEL_HEAD)} level-head features"),
        ("blend", f"level head: {1 - GBM_WEIGHT:g} MLP + {GBM_WEIGHT:g} GB-all"),
        ("deviation", "deviation head alone"),
        ("shipped", "**shipped: level head + deviation head**"),
        ("gbr_all_emopia", f"GB-all + EMOPIA weak labels (weight {EMOPIA_WEIGHT:g}; not shipped)")]
EVALS = [("fluid", "FluidR3"), ("fluid+12dB", "+12 dB"), ("fluid-12dB", "−12 dB"),
         ("timgm", "held-out TimGM6mb"), ("timgm_room", "held-out TimGM6mb + room + noise")]


def _line(name, s):
    return (f"| {name} | {s['arousal_ccc']:.3f} | {s['arousal_r']:.3f} | {s['arousal_rmse']:.3f} | "
            f"{s['arousal_within_r']:.3f} | {s['valence_ccc']:.3f} | {s['valence_r']:.3f} | "
            f"{s['valence_rmse']:.3f} | {s['valence_within_r']:.3f} |")


EXTERNAL_ROWS = [("shipped int8", "**shipped (int8)**"), ("shipped fp32", "shipped (fp32)"),
                 *((key, dict(ROWS)[key]) for key in ("gbr_descriptors", "ridge_simple"))]


def external_table(ext: dict) -> str:
    """The EMOPIA check (``models.external``) as a markdown table."""
    q = ext["quadrant_counts"]
    lines = [f"\nExternal check on EMOPIA ({sum(q)} clips, Q1–Q4: {', '.join(map(str, q))}; "
             "clip means; 95 % intervals by song bootstrap):\n",
             "| model | A AUC | A balanced acc. | V AUC | V balanced acc. | quadrant acc. |",
             "|---|---|---|---|---|---|"]
    for key, name in EXTERNAL_ROWS:
        r = ext["emopia"][key]
        cell = [f"{r[f'{d}_auc']:.3f} ({r[f'{d}_auc_ci95'][0]:.3f}–{r[f'{d}_auc_ci95'][1]:.3f})"
                f" | {r[f'{d}_balanced_accuracy']:.3f}" for d in ("arousal", "valence")]
        lines.append(f"| {name} | {cell[0]} | {cell[1]} | {r['quadrant_accuracy']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m models.report", description=__doc__.split("\n")[0])
    ap.add_argument("--split-seed", type=int, metavar="N",
                    help="the tables of the shuffled split N (report-splitN.json)")
    args = ap.parse_args(argv)
    path = REPORT if args.split_seed is None else split_report_path(args.split_seed)
    if not path.exists():
        sys.exit(f"models.report: {path} does not exist; run python -m models.train"
                 + ("" if args.split_seed is None else f" --split-seed {args.split_seed}"))
    rep = json.loads(path.read_text())
    pooled = rep["pooled"]
    head = ("| model | A CCC | A r | A RMSE | A within-r | V CCC | V r | V RMSE | V within-r |\n"
            "|---|---|---|---|---|---|---|---|---|")
    split = ("" if "split_seed" not in rep
             else f", series shuffled into folds with seed {rep['split_seed']}")
    print(f"Pooled over the 5 grouped folds (test series, FluidR3 renders{split}):\n")
    print(head)
    rows = [(k, n) for k, n in ROWS if f"{k}@fluid" in pooled]
    for key, name in rows:
        print(_line(name, pooled[f"{key}@fluid"]))
    for tau in ("1", "2", "4"):
        k = f"shipped_smooth{tau}s@fluid"
        if k in pooled:
            print(_line(f"shipped + causal smoothing τ = {tau} s", pooled[k]))
    print(_line("(c) raters' split-half ceiling", rep["ceiling"]))
    print("\nRobustness (same folds; pooled CCC arousal / valence):\n")
    evals = [(e, n) for e, n in EVALS if f"shipped@{e}" in pooled]
    print("| model | " + " | ".join(n for _, n in evals) + " |\n|---|" + "---|" * len(evals))
    for key, name in rows[1:]:
        cells = [pooled[f"{key}@{e}"] for e, _ in evals]
        print(f"| {name} | " + " | ".join(f"{c['arousal_ccc']:.3f} / {c['valence_ccc']:.3f}"
                                          for c in cells) + " |")
    print("\nPer fold (pooled CCC A / V):\n")
    cols = [("shipped", "shipped"), ("blend", "level head"), ("mlp", "MLP"), ("gbr_all", "GB-all"),
            ("gbr_descriptors", "GBR baseline")]
    print("| fold | test series | " + " | ".join(n for _, n in cols) + " |\n|---|---|"
          + "---|" * len(cols))
    for k, f in enumerate(rep["per_fold"]):
        print(f"| {k} | {', '.join(f['series'])} | " + " | ".join(
            f"{f[m]['arousal_ccc']:.3f} / {f[m]['valence_ccc']:.3f}" for m, _ in cols) + " |")
    if "external" in rep:
        print(external_table(rep["external"]))
    if "export" in rep:
        print("\nExport:", json.dumps(rep["export"], indent=1))
    print(f"\ntrain_seconds: {rep['train_seconds']:.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
