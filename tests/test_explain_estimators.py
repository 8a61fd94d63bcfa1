"""Enumeration and the regression estimator of skfeat.explain, against brute force."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from skfeat.datasets import make_interaction_classification
from skfeat.explain import InteractionExplainer
from skfeat.models import DCNClassifier, DeepFMClassifier

from .test_explain import brute_force

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def mlp8():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 8)
    y = X[:, 0] * X[:, 1] * X[:, 2] + np.sin(2 * X[:, 3]) * X[:, 4] + X[:, 5] ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor(
            hidden_layer_sizes=(16,), activation="tanh", max_iter=200, random_state=0
        ).fit(X, y)
    return model, X


@pytest.fixture(scope="module")
def mlp8_truth(mlp8):
    model, X = mlp8
    background, rows = X[:6], X[100:112]
    truth = [brute_force(model.predict, rows[r], background) for r in range(len(rows))]
    phi = np.array([t[0] for t in truth])
    inter = np.array([t[1] for t in truth])
    return background, rows, phi, inter


@pytest.mark.parametrize("method, budget", [("enumeration", None), ("regression", 256)])
def test_enumeration_and_full_budget_are_exact(mlp8, mlp8_truth, method, budget):
    model, _ = mlp8
    background, rows, phi, inter = mlp8_truth
    explainer = InteractionExplainer(model, background, method=method, budget=budget)
    got = explainer.shap_interaction_values(rows)
    np.testing.assert_allclose(got.values, inter, rtol=0, atol=1e-10)
    np.testing.assert_allclose(explainer.shap_values(rows).values, phi, atol=1e-10)
    assert np.all(got.error_std == 0)
    assert np.abs(inter).max() > 0.05


def test_auto_picks_enumeration_when_the_budget_covers_every_coalition(mlp8):
    model, X = mlp8
    assert InteractionExplainer(model, X[:4]).method_ == "enumeration"  # 256 <= 512
    assert InteractionExplainer(model, X[:4], budget=100).method_ == "regression"


def test_regression_standard_errors_cover_the_true_error(mlp8, mlp8_truth):
    model, _ = mlp8
    background, rows, phi, inter = mlp8_truth
    iu = np.triu_indices(8, 1)
    z, mse = [], []
    for seed in range(6):
        explainer = InteractionExplainer(
            model, background, budget=120, random_state=seed
        )
        est = explainer.shap_interaction_values(rows)
        sv = explainer.shap_values(rows)
        assert explainer.method_ == "regression"
        # never 0 for an entry that is not exact
        assert (est.error_std > 0).all() and (sv.error_std > 0).all()
        z.append(
            np.abs(est.values - inter)[:, iu[0], iu[1]] / est.error_std[:, iu[0], iu[1]]
        )
        z.append(np.abs(sv.values - phi) / sv.error_std)
        mse.append(np.mean((est.values - inter)[:, iu[0], iu[1]] ** 2))
        # efficiency holds exactly for every estimate
        np.testing.assert_allclose(
            sv.values.sum(1) + sv.base_values, model.predict(rows), atol=1e-10
        )
        np.testing.assert_allclose(est.values.sum(2), sv.values, atol=1e-10)
    coverage = np.mean(np.concatenate([a.ravel() for a in z]) <= 2)
    assert 0.90 <= coverage <= 0.99, coverage
    # informative: the error is far below the size of the values
    assert np.sqrt(np.mean(mse)) < 0.25 * np.abs(inter[:, iu[0], iu[1]]).std()


def test_one_pass_for_shap_and_interaction_values(mlp8):
    model, X = mlp8
    calls = []

    def f(table):
        calls.append(len(table))
        return model.predict(table)

    explainer = InteractionExplainer(f, X[:5], budget=64, random_state=0)
    explainer.shap_interaction_values(X[10:13])
    n = len(calls)
    explainer.shap_values(X[10:13])
    assert len(calls) == n  # cached: no new model call
    explainer.shap_values(X[10:14])
    assert len(calls) > n  # other rows: evaluated
    # every row's coalitions go through few, large calls
    assert max(calls) == 4 * 64 * 5


def test_large_background_is_sampled_with_a_warning(mlp8):
    model, X = mlp8
    with pytest.warns(UserWarning, match="max_background"):
        explainer = InteractionExplainer(model, X, max_background=50, budget=32)
    assert explainer._game_background.shape[0] == 50
    assert explainer.shap_values(X[:2]).values.shape == (2, 8)


def test_unknown_method_is_refused(mlp8):
    from .test_explain import _toy

    toy = _toy(m=4)
    rng = np.random.RandomState(0)
    with pytest.raises(ValueError, match="hybrid"):
        InteractionExplainer(toy, rng.randint(4, size=(5, 4)), method="hybrid")


def test_budget_is_checked(mlp8):
    model, X = mlp8
    with pytest.raises(ValueError, match="budget"):
        InteractionExplainer(model, X[:4], budget=3)
    with pytest.raises(ValueError, match="dtype"):
        InteractionExplainer(model, X[:4], dtype="float16")


@pytest.fixture(scope="module")
def deep_models():
    X, y, _ = make_interaction_classification(
        n_samples=800, n_fields=6, interactions=2, random_state=0
    )
    kw = dict(
        embed_dim=3, hidden_units=(16,), dropout=0.0, batch_norm=False, max_epochs=2,
        random_state=0,
    )  # fmt: skip
    deepfm = DeepFMClassifier(**kw).fit(X, y)
    dcn = DCNClassifier(**kw, cross_layers=2).fit(X, y)
    return X, deepfm, dcn


@pytest.mark.parametrize("name", ["deepfm", "dcn"])
def test_deep_models_exact_by_enumeration(deep_models, name):
    X, deepfm, dcn = deep_models
    model = deepfm if name == "deepfm" else dcn
    background, rows = X.iloc[:5], X.iloc[100:102]
    explainer = InteractionExplainer(model, background, dtype="float64")
    assert explainer.method_ == "enumeration"
    assert explainer.control_variate_ == (name == "deepfm")
    inter = explainer.shap_interaction_values(rows)
    for r in range(2):
        _, matrix, base = brute_force(model.decision_function, rows.iloc[r], background)
        np.testing.assert_allclose(inter.values[r], matrix, rtol=0, atol=1e-10)
        assert abs(inter.base_values[r] - base) < 1e-10
    # float32 evaluation: within the stated 1e-4
    fast = InteractionExplainer(model, background).shap_interaction_values(rows)
    np.testing.assert_allclose(fast.values, inter.values, atol=1e-4)


def test_deepfm_regression_with_control_variate(deep_models):
    X, deepfm, _ = deep_models
    background, rows = X.iloc[:5], X.iloc[100:104]
    truth = InteractionExplainer(
        deepfm, background, method="enumeration", dtype="float64"
    ).shap_interaction_values(rows)
    explainer = InteractionExplainer(
        deepfm, background, budget=24, dtype="float64", random_state=0
    )
    assert explainer.method_ == "regression" and explainer.control_variate_
    est = explainer.shap_interaction_values(rows)
    z = np.abs(est.values - truth.values) / est.error_std
    assert (z <= 3).mean() >= 0.9
    np.testing.assert_allclose(
        est.values.sum((1, 2)) + est.base_values,
        deepfm.decision_function(rows),
        atol=1e-8,
    )
