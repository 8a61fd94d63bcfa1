"""scikit-learn ensembles of skfeat models: composition, persistence, explanations.

Soft voting and stacking of skfeat models in ``clone``, ``GridSearchCV``,
pickle and :mod:`skfeat.io`; the explanation of a voting ensemble against
brute-force enumeration (exact where the explained output is a weighted sum of
second-order members, estimated with standard errors otherwise).
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import (
    StackingClassifier,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.utils import Bunch

from skfeat.datasets import make_interaction_classification
from skfeat.explain import InteractionExplainer
from skfeat.io import load, save
from skfeat.models import (
    DeepFMClassifier,
    DNNClassifier,
    FMClassifier,
    FMRegressor,
    FwFMClassifier,
    FwFMRegressor,
)
from tests.test_explain import _mixed_frame, _randomise, brute_force

TINY = dict(embed_dim=3, max_epochs=2, batch_size=64)


@pytest.fixture(scope="module")
def data():
    X = _mixed_frame(160, seed=0, correlated=True)
    y = X["n0"].to_numpy() + (X["c0"].cat.codes.to_numpy() == X["c1"].cat.codes)
    return X, y


@pytest.fixture(scope="module")
def fm_voting(data):
    """Soft voting of two FMs and an FwFM, weights 2:1:1."""
    X, y = data
    vote = VotingClassifier(
        [
            ("fm", FMClassifier(random_state=0, **TINY)),
            ("fwfm", FwFMClassifier(random_state=1, **TINY)),
            ("fm2", FMClassifier(embed_dim=2, max_epochs=2, random_state=2)),
        ],
        voting="soft",
        weights=[2, 1, 1],
    ).fit(X, y > 0.5)
    for seed, member in enumerate(vote.estimators_):
        _randomise(member, seed, 0.4)
    return vote


def _mean_logit64(vote, weights):
    """The weighted mean of the members' logits, recomposed in float64."""

    def f(X):
        out = 0.0
        for member, w in zip(vote.estimators_, weights, strict=True):
            out = out + w * member.decompose(X).output()
        return out

    return f


# ------------------------------------------------------------ explanations
@pytest.mark.parametrize("n_background", [1, 9])
def test_mean_logit_of_fm_voting_is_exact(data, fm_voting, n_background):
    X, _ = data
    background = X.iloc[20 : 20 + n_background]
    explainer = InteractionExplainer(
        fm_voting, background, ensemble_output="mean_logit"
    )
    assert explainer.method_ == "exact" and not explainer.control_variate_
    rows = X.iloc[[0, 5]]
    inter = explainer.shap_interaction_values(rows)
    shap_values = explainer.shap_values(rows)
    f = _mean_logit64(fm_voting, [0.5, 0.25, 0.25])
    for r in range(len(rows)):
        phi, matrix, base = brute_force(f, rows.iloc[r], background)
        np.testing.assert_allclose(inter.values[r], matrix, rtol=0, atol=1e-6)
        np.testing.assert_allclose(shap_values.values[r], phi, rtol=0, atol=1e-6)
        assert abs(inter.base_values[r] - base) <= 1e-6
    pairs = inter.values * (1 - np.eye(inter.values.shape[1]))
    assert np.abs(pairs).max() > 0.05  # the pairs carry weight
    # the float64 recomposition is the members' own logits
    logits = sum(
        w * m.decision_function(rows)
        for m, w in zip(fm_voting.estimators_, [0.5, 0.25, 0.25], strict=True)
    )
    np.testing.assert_allclose(f(rows), logits, rtol=0, atol=1e-4)


def test_mean_proba_of_fm_voting_is_not_the_sum_of_closed_forms(data, fm_voting):
    # soft voting averages probabilities: the log-odds of the mean is not second
    # order, so the explainer enumerates it (exact here, 2^8 coalitions), and
    # its values differ from the weighted sum of the members' closed forms
    X, _ = data
    background = X.iloc[20:29]
    explainer = InteractionExplainer(fm_voting, background)
    assert explainer.method_ == "enumeration"
    assert "averages probabilities" in explainer.exact_unavailable_reason_
    rows = X.iloc[[0, 5]]
    inter = explainer.shap_interaction_values(rows)
    proba = fm_voting.predict_proba(rows)[:, 1]
    total = inter.values.sum(axis=(1, 2)) + inter.base_values
    np.testing.assert_allclose(total, np.log(proba / (1 - proba)), atol=1e-6)

    def f(Z):
        p = fm_voting.predict_proba(Z)[:, 1].astype(np.float64)
        return np.log(p) - np.log1p(-p)

    phi, matrix, _ = brute_force(f, rows.iloc[0], background)
    np.testing.assert_allclose(inter.values[0], matrix, rtol=0, atol=1e-6)
    exact = InteractionExplainer(fm_voting, background, ensemble_output="mean_logit")
    other = exact.shap_interaction_values(rows)
    assert np.abs(other.values - inter.values).max() > 1e-2
    with pytest.raises(TypeError, match="averages probabilities"):
        InteractionExplainer(fm_voting, background, method="exact")


def test_voting_regressor_of_fms_is_exact(data):
    X, y = data
    vote = VotingRegressor(
        [
            ("fm", FMRegressor(random_state=0, **TINY)),
            ("fwfm", FwFMRegressor(random_state=1, **TINY)),
        ],
        weights=[1, 3],
    ).fit(X, y)
    for seed, member in enumerate(vote.estimators_):
        _randomise(member, seed + 5, 0.4)
    background = X.iloc[30:36]
    explainer = InteractionExplainer(vote, background)
    assert explainer.method_ == "exact"
    row = X.iloc[3]
    inter = explainer.shap_interaction_values(X.iloc[[3]])

    def f(Z):
        a, b = (m.decompose(Z).output() for m in vote.estimators_)
        return 0.25 * a + 0.75 * b

    _, matrix, base = brute_force(f, row, background)
    np.testing.assert_allclose(inter.values[0], matrix, rtol=0, atol=1e-6)
    assert abs(inter.base_values[0] - base) <= 1e-6
    total = inter.values.sum(axis=(1, 2)) + inter.base_values
    np.testing.assert_allclose(total, vote.predict(X.iloc[[3]]), atol=1e-4)


def test_deep_member_is_estimated_as_remainder(data):
    # an FM and a DeepFM averaged in logit space: the second-order parts in
    # closed form, the DeepFM's MLP and a DNN through the estimator
    X, y = data
    vote = VotingClassifier(
        [
            ("fm", FMClassifier(random_state=0, **TINY)),
            ("deepfm", DeepFMClassifier(hidden_units=(8,), random_state=1, **TINY)),
            ("dnn", DNNClassifier(hidden_units=(8,), random_state=2, **TINY)),
        ],
        voting="soft",
    ).fit(X, y > 0.5)
    background = X.iloc[40:46]
    explainer = InteractionExplainer(vote, background, ensemble_output="mean_logit")
    assert explainer.control_variate_ and explainer.method_ == "enumeration"
    rows = X.iloc[[1]]
    inter = explainer.shap_interaction_values(rows)

    def f(Z):
        return sum(m.decision_function(Z) for m in vote.estimators_) / 3

    _, matrix, _ = brute_force(f, rows.iloc[0], background)
    np.testing.assert_allclose(inter.values[0], matrix, rtol=0, atol=1e-4)


def test_other_ensembles_get_standard_errors(data):
    # a stacking ensemble has no decomposition: the regression estimator, whose
    # standard errors cover the enumerated truth
    X, y = data
    stack = StackingClassifier(
        [
            ("fm", FMClassifier(random_state=0, **TINY)),
            ("fwfm", FwFMClassifier(random_state=1, **TINY)),
        ],
        final_estimator=LogisticRegression(C=100.0),
        cv=2,
    ).fit(X, y > 0.5)
    for seed, member in enumerate(stack.estimators_):
        _randomise(member, seed, 0.4)
    background = X.iloc[50:56]
    rows = X.iloc[[2, 7, 11, 13]]
    est = InteractionExplainer(
        stack, background, method="regression", budget=64, random_state=0
    )
    truth = InteractionExplainer(stack, background, method="enumeration")
    a = est.shap_interaction_values(rows)
    b = truth.shap_interaction_values(rows)
    assert a.error_std is not None and np.all(a.error_std > 0)
    z = np.abs(a.values - b.values) / a.error_std
    assert (z <= 4).mean() >= 0.9, z
    assert np.abs(a.values - b.values).max() > 1e-6  # an estimate, not exact
    assert np.abs(b.values).max() > 1e-3


def test_clear_errors_for_ensembles(data, fm_voting):
    X, y = data
    hard = VotingClassifier(
        [("fm", FMClassifier(random_state=0, **TINY))], voting="hard"
    ).fit(X, y > 0.5)
    with pytest.raises(TypeError, match="voting='soft'"):
        InteractionExplainer(hard, X.iloc[:5])
    with pytest.raises(ValueError, match="ensemble_output must be one of"):
        InteractionExplainer(fm_voting, X.iloc[:5], ensemble_output="mean")


# ------------------------------------------------------- composition, io
def _small_ensembles():
    members = [
        ("fm", FMClassifier(random_state=0, **TINY)),
        ("fwfm", FwFMClassifier(random_state=1, **TINY)),
    ]
    return [
        VotingClassifier(members, voting="soft"),
        StackingClassifier(members, cv=2),
    ]


@pytest.fixture(scope="module")
def planted():
    X, y, _ = make_interaction_classification(
        n_samples=400, n_fields=4, cardinality=5, interactions=1, random_state=0
    )
    return X, y


@pytest.mark.parametrize("ensemble", _small_ensembles(), ids=["voting", "stacking"])
def test_ensembles_compose_and_persist(planted, ensemble, tmp_path):
    X, y = planted
    search = GridSearchCV(
        clone(ensemble), {"fm__embed_dim": [2, 4]}, cv=2, scoring="roc_auc"
    ).fit(X, y)
    assert search.best_params_["fm__embed_dim"] in (2, 4)
    fitted = search.best_estimator_
    proba = fitted.predict_proba(X)
    assert np.array_equal(pickle.loads(pickle.dumps(fitted)).predict_proba(X), proba)
    save(fitted, tmp_path / "ensemble.skf")
    loaded = load(tmp_path / "ensemble.skf")
    assert type(loaded) is type(fitted)
    np.testing.assert_array_equal(loaded.predict_proba(X), proba)
    assert isinstance(loaded.named_estimators_, Bunch)
    embed_dim = fitted.named_estimators_.fm.embed_dim
    assert loaded.named_estimators_.fm.embed_dim == embed_dim


def test_voting_of_seeds_is_the_mean_of_the_seeds(planted):
    # the recipe: soft voting of seeds of one model gives exactly the mean of the
    # probabilities of the models fitted one by one (what bench_ensembles scores)
    X, y = planted
    seeds = [FMClassifier(random_state=s, **TINY) for s in range(3)]
    vote = VotingClassifier(
        [(f"seed{s}", clone(m)) for s, m in enumerate(seeds)], voting="soft"
    ).fit(X, y)
    alone = np.mean([m.fit(X, y).predict_proba(X) for m in seeds], axis=0)
    np.testing.assert_allclose(vote.predict_proba(X), alone, rtol=0, atol=1e-12)
