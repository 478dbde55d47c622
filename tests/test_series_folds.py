"""The grouped folds of the emotion model's cross-validation (models/train.py: series_folds)."""

import numpy as np
import pytest

from models.train import N_FOLDS, series_folds

# 17 series of uneven size, as in VGMIDI (one series holds a fifth of the pieces)
SIZES = [34, 20, 16, 14, 12, 11, 10, 9, 8, 8, 7, 6, 6, 5, 4, 3, 3]
SERIES = np.repeat([f"s{k}" for k in range(len(SIZES))], SIZES)


def _test_sets(folds):
    return [frozenset(SERIES[te]) for _, te in folds]


@pytest.mark.parametrize("seed", [None, 0, 2026])
def test_every_piece_is_tested_once_and_no_series_is_on_both_sides(seed):
    folds = series_folds(SERIES, seed)
    assert len(folds) == N_FOLDS
    tested = np.concatenate([te for _, te in folds])
    assert sorted(tested) == list(range(len(SERIES)))
    for tr, te in folds:
        assert not set(SERIES[tr]) & set(SERIES[te])
        assert len(tr) + len(te) == len(SERIES)


def test_a_seed_gives_another_split_and_the_same_one_each_time():
    standard = set(_test_sets(series_folds(SERIES)))
    second = _test_sets(series_folds(SERIES, 2026))
    assert second == _test_sets(series_folds(SERIES, 2026))
    assert standard != set(second)
    assert set(second) != set(_test_sets(series_folds(SERIES, 7)))
