"""Clip-level scores of the external EMOPIA check (models/external.py)."""

import numpy as np
import pytest

from models.external import auc, balanced_accuracy, evaluate
from models.metrics import group_means


def test_auc_counts_ordered_pairs_and_half_ties():
    score = np.array([0.1, 0.4, 0.35, 0.8, 0.4])
    positive = np.array([False, False, True, True, True])
    # positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4: 4 wins, 1 tie, 1 loss
    assert auc(score, positive) == pytest.approx(4.5 / 6)
    assert auc(-score, positive) == pytest.approx(1.5 / 6)


def test_auc_matches_scikit_learn_on_random_scores():
    from sklearn.metrics import roc_auc_score
    rng = np.random.default_rng(1)
    positive = rng.random(500) < 0.4
    score = rng.normal(size=500) + positive
    assert auc(score, positive) == pytest.approx(roc_auc_score(positive, score), abs=1e-12)


def test_balanced_accuracy_uses_the_sign_as_the_class():
    score = np.array([0.2, -0.1, 0.3, -0.4, 0.5])
    positive = np.array([True, True, False, False, False])
    # positives: 1 of 2 above 0; negatives: 1 of 3 at or below 0
    assert balanced_accuracy(score, positive) == pytest.approx(0.5 * (1 / 2 + 1 / 3))


def test_clip_means_average_each_clips_steps_in_any_order():
    pred = np.array([[1.0, 0.0], [0.0, 1.0], [3.0, -1.0], [0.5, 0.5]])
    clip = np.array([1, 0, 1, 0])
    np.testing.assert_allclose(group_means(pred, clip), [[0.25, 0.75], [2.0, -0.5]])


def test_evaluate_scores_a_perfect_and_a_reversed_model():
    rng = np.random.default_rng(2)
    quadrant = np.repeat([1, 2, 3, 4], 25)
    song = np.arange(100) // 2  # two clips per song
    sign = {1: (1, 1), 2: (1, -1), 3: (-1, -1), 4: (-1, 1)}
    steps = 6
    clip = np.repeat(np.arange(100), steps)
    truth = np.array([sign[q] for q in quadrant], float)[clip]
    pred = 0.3 * truth + rng.normal(scale=0.05, size=truth.shape)
    good = evaluate(pred, clip, quadrant, song)
    assert good["arousal_auc"] == 1.0 and good["valence_auc"] == 1.0
    assert good["quadrant_accuracy"] == 1.0 and good["arousal_balanced_accuracy"] == 1.0
    lo, hi = good["valence_auc_ci95"]
    assert lo == hi == 1.0
    bad = evaluate(-pred, clip, quadrant, song)
    assert bad["arousal_auc"] == 0.0 and bad["quadrant_accuracy"] == 0.0
    noise = evaluate(rng.normal(size=truth.shape), clip, quadrant, song)
    lo, hi = noise["arousal_auc_ci95"]
    assert lo < noise["arousal_auc"] < hi and lo < 0.5 < hi
