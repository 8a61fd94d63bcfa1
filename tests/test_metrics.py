"""Ranking metrics against hand-computed values."""

import numpy as np
import pytest
import scipy.sparse as sp

from skfeat.metrics import hit_rate_at_k, make_ranking_scorer, ndcg_at_k, recall_at_k

LOG2 = np.log2


def test_hand_computed_values():
    y_true = np.array([[1, 0, 1, 0, 0], [0, 0, 0, 0, 1]])
    y_score = np.array([[0.9, 0.8, 0.7, 0.1, 0.0], [0.5, 0.4, 0.3, 0.2, 0.1]])
    # user 0: ranking 0,1,2 -> hits at ranks 1 and 3; user 1: its item is last
    assert recall_at_k(y_true, y_score, k=2) == pytest.approx((1 / 2 + 0 / 1) / 2)
    assert recall_at_k(y_true, y_score, k=3) == pytest.approx((2 / 2 + 0) / 2)
    dcg0 = 1 / LOG2(2) + 1 / LOG2(4)
    idcg0 = 1 / LOG2(2) + 1 / LOG2(3)
    dcg1, idcg1 = 1 / LOG2(6), 1.0
    assert ndcg_at_k(y_true, y_score, k=5) == pytest.approx(
        (dcg0 / idcg0 + dcg1 / idcg1) / 2
    )
    assert hit_rate_at_k(y_true, y_score, k=1) == pytest.approx(0.5)
    assert hit_rate_at_k(y_true, y_score, k=5) == pytest.approx(1.0)


def test_recall_denominator_is_min_k_and_relevant():
    y_true = [[1, 1, 1, 1]]
    y_score = [[4, 3, 2, 1]]
    assert recall_at_k(y_true, y_score, k=2) == 1.0  # 2 hits / min(2, 4)


def test_ties_are_broken_by_lower_item_index():
    y_true = [[0, 1, 0]]
    y_score = [[0.5, 0.5, 0.5]]
    # order 0, 1, 2: relevant item 1 sits at rank 2
    assert recall_at_k(y_true, y_score, k=1) == 0.0
    assert recall_at_k(y_true, y_score, k=2) == 1.0
    assert ndcg_at_k(y_true, y_score, k=3) == pytest.approx(1 / LOG2(3))


def test_users_without_relevant_items_are_left_out():
    y_true = np.array([[0, 0, 0], [1, 0, 0]])
    y_score = np.array([[3, 2, 1], [3, 2, 1]])
    assert recall_at_k(y_true, y_score, k=1) == 1.0
    assert ndcg_at_k(y_true, y_score, k=1) == 1.0
    assert np.isnan(ndcg_at_k(np.zeros((2, 3)), y_score, k=1))


def test_sparse_inputs_and_minus_inf_exclusion():
    y_true = sp.csr_matrix([[0, 1, 0, 1]])
    y_score = np.array([[np.inf * -1, 0.2, 0.9, 0.1]])
    assert recall_at_k(y_true, y_score, k=2) == 0.5
    with pytest.raises(ValueError, match="same shape"):
        ndcg_at_k([[1, 0]], [[1, 0, 0]])


def test_scorer_validates_and_calls_score():
    with pytest.raises(ValueError, match="metric must be one of"):
        make_ranking_scorer("auc")

    class Dummy:
        def score(self, X, y=None, metric=None, k=None):
            return (metric, k)

    assert make_ranking_scorer("recall", k=5)(Dummy(), None) == ("recall", 5)
