"""What a serving call skips stays correct: kept float64 weight copies, the
eval mode kept between calls, and the fast check of a frame's column names."""

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from skfeat.models import DeepFMClassifier, DNNClassifier
from skfeat.nn._mlp import _CAST_COPIES, _cast


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "user": pd.Categorical(rng.choice(list("abcdef"), n)),
            "item": pd.Categorical(rng.choice(list("uvwxyz"), n)),
            "price": rng.normal(size=n),
        }
    )
    y = ((X["user"].cat.codes + X["item"].cat.codes) % 2).to_numpy()
    return X, y


@pytest.fixture(scope="module")
def deepfm():
    X, y = _data()
    return DeepFMClassifier(max_epochs=2, random_state=0).fit(X, y), X


def test_weight_copies_follow_in_place_changes(deepfm):
    est, X = deepfm
    est = copy.deepcopy(est)
    before = est.predict_proba(X)
    first = est.net_.module_.mlp.layers[0]
    state = copy.deepcopy(est.net_.module_.state_dict())
    with torch.no_grad():
        first.weight.mul_(0.5)  # as an optimizer step writes
    changed = est.predict_proba(X)
    assert np.abs(changed - before).max() > 1e-6
    # a copy of the estimator has new parameters and no kept copies
    assert np.array_equal(copy.deepcopy(est).predict_proba(X), changed)
    est.net_.module_.load_state_dict(state)
    assert np.array_equal(est.predict_proba(X), before)
    first.weight = torch.nn.Parameter(first.weight.detach() * 2)  # new storage
    assert np.array_equal(copy.deepcopy(est).predict_proba(X), est.predict_proba(X))


def test_batch_norm_statistics_are_read_afresh():
    # running statistics change inside batch norm's kernel, which moves no
    # version counter: they are cast on every call
    X, y = _data()
    est = DNNClassifier(max_epochs=2, batch_norm=True, random_state=0).fit(X, y)
    before = est.predict_proba(X)
    est.net_.module_.train()
    with torch.no_grad():
        est.net_.module_(**est.encode_inputs(X.iloc[::-1][:40]))
    changed = est.predict_proba(X)
    assert np.abs(changed - before).max() > 1e-6
    assert np.array_equal(copy.deepcopy(est).predict_proba(X), changed)


def test_weight_copies_are_dropped_with_their_parameter():
    layer = torch.nn.Linear(3, 2)
    x = torch.zeros(1, 3, dtype=torch.float64)
    with torch.no_grad():
        _cast(layer.weight, x)
    key = id(layer.weight)
    assert key in _CAST_COPIES
    del layer
    assert key not in _CAST_COPIES


def test_cast_under_autograd_keeps_the_gradient():
    w = torch.nn.Parameter(torch.ones(2, dtype=torch.float32))
    x = torch.ones(2, dtype=torch.float64)
    (_cast(w, x) * x).sum().backward()
    assert w.grad is not None and torch.equal(w.grad, torch.ones(2))


def test_prediction_after_training_mode_is_in_eval_mode():
    X, y = _data()
    est = DNNClassifier(max_epochs=2, dropout=0.5, random_state=0).fit(X, y)
    expected = est.predict_proba(X.iloc[:5])
    est.net_.module_.train()  # as a training step leaves it
    got = est.predict_proba(X.iloc[:5])
    assert not est.net_.module_.training
    assert np.array_equal(got, expected)


def test_columns_in_another_order_or_renamed_still_raise(deepfm):
    est, X = deepfm
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict_proba(X[["item", "user", "price"]])
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict_proba(X.rename(columns={"price": "cost"}))
    assert est._same_columns(X) and not est._same_columns(X.to_numpy())
