"""VGMIDI annotations → per-piece 2 Hz valence/arousal targets, series groups, rater ceiling.

VGMIDI (Ferreira & Whitehead, ISMIR 2019) gives, for every piece, one value per bar in
[-1, 1] from each of ~30 raters. The training target is the raters' mean per bar. Bar ``i``
of a piece with ``measures`` bars and length ``duration_s`` covers
``[i·b, (i+1)·b)`` with ``b = duration_s / measures``; the bar value is placed at the bar's
centre and linearly interpolated (held constant outside the first/last centre) onto the
emotion step grid ``t_k = k · 0.5 s`` (k ≥ 1, t_k ≤ duration_s), the grid on which the
model emits (``t_k`` = end of the analysed audio).

The two annotation files reuse the same ``pieceK`` keys, so a piece is identified by
``"{file}:{key}"``. Its group for cross-validation is the game *series*, the first
``_``-separated field of ``Series_Console_Game_Piece.mid``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mirage.emotion.feature_layout import STEP_S

DATA_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "vgmidi"


@dataclass(frozen=True)
class Piece:
    """One annotated VGMIDI piece.

    ``ratings`` is ``float32[n_raters, n_bars, 2]`` (arousal, valence) per rater and bar.
    """

    pid: str
    midi_path: Path
    series: str
    duration_s: float
    measures: int
    ratings: np.ndarray

    @property
    def bar_mean(self) -> np.ndarray:
        """``float32[n_bars, 2]``: the raters' mean (arousal, valence) per bar."""
        return self.ratings.mean(axis=0)

    def step_times(self) -> np.ndarray:
        """``float64[K]``: the 0.5 s grid ``k·0.5`` (k ≥ 1) up to the piece's duration."""
        n = int(np.floor(self.duration_s / STEP_S + 1e-9))
        return STEP_S * np.arange(1, n + 1, dtype=np.float64)

    def targets(self, bar_values: np.ndarray | None = None) -> np.ndarray:
        """``float32[K, 2]``: per-bar values (default: the raters' mean) on the 2 Hz grid."""
        values = self.bar_mean if bar_values is None else bar_values
        return bars_to_steps(values, self.duration_s, self.measures, self.step_times())


def series_of(midi_name: str) -> str:
    """Game series of a ``Series_Console_Game_Piece.mid`` file name.

    The catch-all series ``Other`` holds unrelated games; for those the group is the game's
    first word (``Other/GoldenEye``), with every Warcraft game in one group, so that no
    game franchise is on both sides of a split.
    """
    fields = midi_name.split("_")
    if fields[0] != "Other" or len(fields) < 3:
        return fields[0]
    game = fields[2]
    return "Other/Warcraft" if "Warcraft" in game else "Other/" + game.split()[0]


def bars_to_steps(values: np.ndarray, duration_s: float, measures: int,
                  times_s: np.ndarray) -> np.ndarray:
    """Interpolate per-bar values ``[n_bars, C]`` (bar centres) to ``times_s`` → ``[K, C]``."""
    bar_s = duration_s / measures
    centres = (np.arange(values.shape[0]) + 0.5) * bar_s
    out = np.empty((times_s.size, values.shape[1]), np.float32)
    for c in range(values.shape[1]):
        out[:, c] = np.interp(times_s, centres, values[:, c])
    return out


def load_pieces(root: Path = DATA_ROOT) -> list[Piece]:
    """Every annotated piece whose MIDI file exists, sorted by id."""
    pieces = []
    for f in (1, 2):
        doc = json.loads((root / "annotations" / f"vgmidi_raw_{f}.json").read_text())
        by_piece: dict[str, list] = {}
        for key, ann in doc["annotations"].items():
            by_piece.setdefault(key.rsplit("_", 1)[0], []).append(ann)
        for key, meta in doc["pieces"].items():
            midi = root / "midi" / meta["midi"]
            anns = by_piece.get(key, [])
            if not midi.exists() or not anns:
                continue
            n_bars = int(meta["measures"])
            rows = [np.stack([a["arousal"], a["valence"]], axis=1) for a in anns
                    if len(a["arousal"]) == n_bars and len(a["valence"]) == n_bars]
            pieces.append(Piece(pid=f"{f}:{key}", midi_path=midi,
                                series=series_of(meta["midi"]),
                                duration_s=float(meta["duration"]), measures=n_bars,
                                ratings=np.asarray(rows, np.float32)))
    pieces.sort(key=lambda p: p.pid)
    return pieces


def rater_ceiling(pieces: list[Piece], *, n_splits: int = 20, seed: int = 0) -> dict:
    """Raters' split-half agreement: the ceiling for any model.

    For each of ``n_splits`` seeded random splits, the raters of every piece are halved at
    random; the two halves' mean ratings (on the 2 Hz grid) are compared with the same
    metrics as the model (pooled CCC, pooled Pearson r, RMSE, mean within-piece r), treating
    one half as the "prediction" of the other. Returns the mean over splits per metric and
    dimension. No Spearman–Brown correction: this is the agreement of two ~15-rater panels,
    a conservative ceiling for a model judged against a ~30-rater mean.
    """
    from models.metrics import score  # local import: metrics imports nothing from here

    rng = np.random.default_rng(seed)
    runs = []
    for _ in range(n_splits):
        ys, yh, ids = [], [], []
        for i, p in enumerate(pieces):
            perm = rng.permutation(p.ratings.shape[0])
            h = perm.size // 2
            a = p.targets(p.ratings[perm[:h]].mean(axis=0))
            b = p.targets(p.ratings[perm[h:]].mean(axis=0))
            ys.append(a)
            yh.append(b)
            ids.append(np.full(a.shape[0], i))
        runs.append(score(np.concatenate(ys), np.concatenate(yh), np.concatenate(ids)))
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
