"""Target attention over a history: the unit's masking and the planted task."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from skfeat.datasets import make_history_classification
from skfeat.models import DNNClassifier
from skfeat.nn._bag import TargetAttention, pool


def _inputs(seed=0, n=3, length=5, dim=4):
    g = torch.Generator().manual_seed(seed)
    history = torch.randn(n, length, dim, generator=g)
    target = torch.randn(n, dim, generator=g)
    mask = torch.tensor(
        [[True] * length, [True, True, False, False, False], [False] * length]
    )
    return history, target, mask


def test_padding_gets_zero_weight_and_does_not_change_the_output():
    torch.manual_seed(0)
    unit = TargetAttention(4)
    history, target, mask = _inputs()
    weights = unit.weights(history, target, mask)
    assert torch.all(weights[~mask] == 0)
    assert torch.all(weights[mask] != 0)
    out = unit(history, target, mask)
    padded = torch.where(mask.unsqueeze(-1), history, 100 * torch.randn_like(history))
    torch.testing.assert_close(unit(padded, target, mask), out)


def test_empty_history_pools_to_zero_with_finite_gradients():
    torch.manual_seed(0)
    unit = TargetAttention(4)
    history, target, mask = _inputs()
    history.requires_grad_(True)
    out = unit(history, target, mask)
    assert torch.all(out[2] == 0)
    # a row of zero embeddings only (an unknown target, missing items) as well
    zeros = torch.zeros(1, 5, 4, requires_grad=True)
    zero_target = torch.zeros(1, 4, requires_grad=True)
    zero_out = unit(zeros, zero_target, torch.ones(1, 5, dtype=torch.bool))
    assert torch.all(zero_out == 0)
    (out.sum() + zero_out.sum()).backward()
    assert torch.isfinite(history.grad).all()
    assert torch.isfinite(zeros.grad).all() and torch.isfinite(zero_target.grad).all()
    for pooling in ("mean", "sum", "max"):
        assert torch.all(pool(history.detach(), mask, pooling)[2] == 0)


def test_weights_do_not_depend_on_the_embeddings_scale():
    # embeddings drawn at 1e-4 (the deep models' start) get the same weights as
    # unit-sized ones, so the unit learns from the first step
    torch.manual_seed(0)
    unit = TargetAttention(4)
    history, target, mask = _inputs()
    weights = unit.weights(history, target, mask)
    small = unit.weights(1e-4 * history, 1e-4 * target, mask)
    torch.testing.assert_close(small, weights)
    torch.testing.assert_close(
        unit(1e-4 * history, 1e-4 * target, mask), 1e-4 * unit(history, target, mask)
    )


@pytest.fixture(scope="module")
def planted():
    X, y, truth = make_history_classification(n_samples=20_000, random_state=0)
    n_train = 12_000
    return (
        X.iloc[:n_train],
        y[:n_train],
        X.iloc[n_train:],
        y[n_train:],
        roc_auc_score(y[n_train:], truth.proba[n_train:]),
    )


def _test_auc(planted, pooling):
    X_train, y_train, X_test, y_test, _ = planted
    model = DNNClassifier(
        multi_value_features={"history": {"target": "item", "pooling": pooling}},
        random_state=0,
    )
    model.fit(X_train, y_train)
    return roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])


def test_attention_finds_the_target_in_the_history(planted):
    # the label is p_hit = 0.8 when the item is among the 20 history items, else
    # p_miss = 0.2: attention with default settings reaches the oracle AUC, mean
    # pooling (the one matching item diluted among 20) is far below it
    oracle = planted[-1]
    attention = _test_auc(planted, "attention")
    mean = _test_auc(planted, "mean")
    assert attention >= oracle - 0.01, (attention, oracle)
    assert mean <= attention - 0.1, (mean, attention)
    assert np.isfinite([attention, mean]).all()
