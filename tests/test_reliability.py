"""Reliability: value limits, divergence, atomic fits, early parameter checks,
drift between fit and predict, degenerate shapes and determinism, for every model.

Each class of failure is tested over every discovered estimator, so a new model
inherits the test the day it is added.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone

from skfeat.exceptions import DivergenceError
from skfeat.models import (
    BaseFieldModel,
    FMRegressor,
    LightGCN,
    MultVAE,
    WideDeepClassifier,
)
from skfeat.preprocessing import EmbeddingEncoder, SparseInteractionCoder
from skfeat.utils.discovery import all_estimators
from tests._instances import make_instance

MODELS = [
    cls for _, cls in all_estimators() if issubclass(cls, BaseFieldModel)
]  # every torch model that takes fields
MODEL_IDS = [cls.__name__ for cls in MODELS]
RECOMMENDERS = ("MultVAE", "LightGCN")  # user x item input


def _data(n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], size=n)),
            "other": pd.Categorical(rng.choice(["x", "y"], size=n)),
        }
    )
    y = ((X["num"] > 0) ^ (X["cat"] == "a")).astype(int).to_numpy()
    return X, y


def _target(cls, X, y):
    return X["num"].to_numpy() * 2.0 + y if "Regressor" in cls.__name__ else y


def _small(cls, **params):
    est = make_instance(cls)
    return est.set_params(max_epochs=1, **params)


def _output(est, X):
    if hasattr(est, "predict_proba"):
        return est.predict_proba(X)
    return est.predict(X)


# --------------------------------------------------------- values and overflow
@pytest.mark.parametrize("cls", MODELS, ids=MODEL_IDS)
def test_partial_fit_with_huge_value_raises_and_keeps_predictions(cls):
    X, y = _data()
    t = _target(cls, X, y)
    kwargs = {"classes": np.unique(y)} if "Classifier" in cls.__name__ else {}
    est = _small(cls).partial_fit(X, t, **kwargs)
    before = _output(est, X)
    bad = X.copy()
    bad.loc[3, "num"] = 1e300
    with pytest.raises(ValueError, match=r"Numeric column 'num' holds .*3\.4e\+38"):
        est.partial_fit(bad, t)
    with pytest.raises(ValueError, match="Numeric column 'num'"):
        est.predict(bad)
    assert np.array_equal(_output(est, X), before)
    assert np.isfinite(before).all()


@pytest.mark.parametrize("cls", MODELS, ids=MODEL_IDS)
def test_sgd_with_huge_learning_rate_never_predicts_nan(cls):
    X, y = _data()
    est = _small(cls, optimizer="sgd", learning_rate=1e6)
    try:
        est.fit(X, _target(cls, X, y))
    except DivergenceError as exc:
        assert "diverged" in str(exc) and "learning_rate" in str(exc)
        assert not hasattr(est, "net_")
    else:
        assert np.isfinite(_output(est, X)).all()


def test_values_within_float32_but_far_out_are_clipped_with_a_warning():
    from skfeat.models import FMClassifier

    X, y = _data()
    est = FMClassifier(max_epochs=2, random_state=0).fit(X, y)
    far = X.copy()
    far.loc[0, "num"] = 1e30
    with pytest.warns(UserWarning, match=r"\['num'\].*clipped"):
        proba = est.predict_proba(far)
    assert np.isfinite(proba).all()


def test_regression_target_overflow_and_drift_are_rejected():
    from skfeat.models import FMRegressor

    X, y = _data()
    with pytest.raises(ValueError, match=r"^y holds .*3\.4e\+38"):
        FMRegressor(max_epochs=1).fit(X, np.where(y, 1e39, 0.0))
    reg = FMRegressor(max_epochs=1, random_state=0).partial_fit(X, y.astype(float))
    before = reg.predict(X)
    with pytest.raises(ValueError, match="standardised with the mean"):
        reg.partial_fit(X, y * 1e30)
    assert np.array_equal(reg.predict(X), before)


def test_sparse_values_beyond_the_model_bound_are_rejected():
    from skfeat.models import FMClassifier

    rng = np.random.RandomState(0)
    X = sp.random(60, 8, density=0.3, format="csr", random_state=rng)
    y = np.arange(60) % 2
    clf = FMClassifier(max_epochs=1, random_state=0).fit(X, y)
    X_bad = X.copy()
    X_bad.data[0] = 1e20
    with pytest.raises(ValueError, match=r"Sparse X .* 1e\+06"):
        clf.predict(X_bad)


def test_sample_weights_of_any_finite_scale_give_the_same_model():
    from skfeat.models import FMClassifier

    X, y = _data()
    w = np.random.RandomState(1).uniform(0.5, 2.0, size=len(y))
    a = FMClassifier(max_epochs=3, random_state=0).fit(X, y, sample_weight=w)
    b = FMClassifier(max_epochs=3, random_state=0).fit(X, y, sample_weight=w * 1e300)
    assert np.isfinite(b.predict_proba(X)).all()
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)


# ------------------------------------------------------------- atomic fitting
@pytest.mark.parametrize("cls", MODELS, ids=MODEL_IDS)
def test_failed_refit_leaves_the_previous_model(cls):
    X, y = _data()
    est = _small(cls).fit(X, _target(cls, X, y))
    before = _output(est, X)
    names = list(est.feature_names_in_)
    other = pd.DataFrame({"z": np.arange(len(y), dtype=float)})
    with pytest.raises(ValueError):
        # a new column set, then a bad target: fails after validating X
        est.fit(other, np.full(len(y), np.nan))
    assert list(est.feature_names_in_) == names
    assert np.array_equal(_output(est, X), before)


@pytest.mark.parametrize("cls", MODELS, ids=MODEL_IDS)
def test_failed_partial_fit_during_training_restores_weights(cls):
    X, y = _data()
    t = _target(cls, X, y)
    kwargs = {"classes": np.unique(y)} if "Classifier" in cls.__name__ else {}
    est = _small(cls).partial_fit(X, t, **kwargs)
    before = _output(est, X)
    weights = {k: v.clone() for k, v in est.net_.module_.state_dict().items()}
    n_iter = est.n_iter_
    # partial_fit continues with the optimizer built by the first call, which
    # set_params does not reach: its learning rate is raised where it lives
    for group in est.net_.optimizer_.param_groups:
        group["lr"] = 1e30
    with pytest.raises(DivergenceError, match="diverged"):
        est.partial_fit(X, t)
    assert est.n_iter_ == n_iter
    assert np.array_equal(_output(est, X), before)
    after = est.net_.module_.state_dict()
    assert all(torch.equal(after[k], v) for k, v in weights.items())


def test_a_diverging_candidate_is_a_failed_fit_in_grid_search():
    from sklearn.exceptions import FitFailedWarning
    from sklearn.model_selection import GridSearchCV

    X, y = _data(200)
    search = GridSearchCV(
        FMRegressor(optimizer="sgd", max_epochs=2, random_state=0),
        {"learning_rate": [1e30, 0.01]},
        cv=2,
        error_score=np.nan,
    )
    t = X["num"].to_numpy() * 2.0 + y
    with pytest.warns(FitFailedWarning, match="DivergenceError"):
        search.fit(X, t)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[0]) and np.isfinite(scores[1])
    assert search.best_params_ == {"learning_rate": 0.01}
    assert np.isfinite(search.predict(X)).all()
    with pytest.raises(DivergenceError):  # error_score="raise" passes it on
        GridSearchCV(search.estimator, {"learning_rate": [1e30]}, cv=2,
                     error_score="raise").fit(X, t)  # fmt: skip


def test_sgd_without_clipping_on_a_far_out_batch_raises_instead_of_nan():
    # finite weights so large that every output overflows: caught by the check
    # of the outputs on the training rows, not only of the weights
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 5))
    y = X[:, 0] * X[:, 1] + X[:, 2]
    reg = FMRegressor(optimizer="sgd", clip_grad_norm=None, max_epochs=3,
                      random_state=0).fit(X, y)  # fmt: skip
    before = reg.predict(X)
    with pytest.raises(DivergenceError, match=r"not finite.*clip_grad_norm"):
        reg.partial_fit(X[:256] * 1000, y[:256])
    assert np.array_equal(reg.predict(X), before)


def test_interrupted_partial_fit_restores_weights_and_history():
    from skfeat.models import FMClassifier

    X, y = _data()
    clf = FMClassifier(max_epochs=1, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    before = clf.predict_proba(X)
    n_epochs = len(clf.net_.history)

    class Boom(Exception):
        pass

    def explode(*args, **kwargs):
        raise Boom

    original = clf.net_.on_batch_end
    clf.net_.on_batch_end = explode
    try:
        with pytest.raises(Boom):
            clf.partial_fit(X, y)
    finally:
        clf.net_.on_batch_end = original
    assert len(clf.net_.history) == n_epochs
    assert np.array_equal(clf.predict_proba(X), before)


# ------------------------------------------------- parameters before any work
@pytest.mark.parametrize(
    "cls",
    [*MODELS, MultVAE, LightGCN],
    ids=[*MODEL_IDS, "MultVAE", "LightGCN"],
)
@pytest.mark.parametrize("device", ["cuda", "cuda:3", "gpu"])
def test_unavailable_device_is_refused_before_training(cls, device, monkeypatch):
    if device.startswith("cuda") and torch.cuda.is_available():
        pytest.skip("a GPU exists here")
    X, y = _data()

    def no_training(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("training started")

    monkeypatch.setattr("skorch.NeuralNet.fit", no_training)
    est = clone(make_instance(cls)).set_params(device=device)
    with pytest.raises(ValueError, match=r"device=.*Devices here: \['cpu'"):
        if cls.__name__ in RECOMMENDERS:
            est.fit(sp.csr_matrix(np.eye(5)))
        else:
            est.fit(X, _target(cls, X, y))
    assert not hasattr(est, "net_") and not hasattr(est, "module_")


UNIT_PARAMS = [
    (cls, name)
    for _, cls in all_estimators()
    for name in cls().get_params()
    if name.endswith("_units")
]


@pytest.mark.parametrize(
    "cls, name", UNIT_PARAMS, ids=[f"{c.__name__}-{n}" for c, n in UNIT_PARAMS]
)
@pytest.mark.parametrize("value", [(8.0,), (0,), (-4, 2), (True,), "64", 16])
def test_sequence_parameters_reject_floats_and_non_positive(cls, name, value):
    X, y = _data()
    est = make_instance(cls).set_params(**{name: value})
    with pytest.raises(ValueError, match=f"'{name}' parameter of {cls.__name__} must"):
        if cls is MultVAE:
            est.fit(sp.csr_matrix(np.eye(5)))
        else:
            est.fit(X, _target(cls, X, y))


@pytest.mark.parametrize("transformer", [EmbeddingEncoder, SparseInteractionCoder])
def test_transformers_refuse_models_without_pair_embeddings(transformer):
    X, y = _data()
    wide = WideDeepClassifier(hidden_units=(4,), max_epochs=1, random_state=0)
    wide.fit(X, y)
    param = "from_model" if transformer is EmbeddingEncoder else "embedding_model"
    with pytest.raises(TypeError, match="WideDeepClassifier has no pair embeddings"):
        transformer(**{param: wide}).fit(X, y)


# --------------------------------------------------- drift between fit/predict
def test_ids_read_as_text_in_fit_and_numbers_later_are_matched():
    from skfeat.models import FMClassifier

    rng = np.random.RandomState(0)
    ids = rng.randint(0, 5, size=200)
    X_text = pd.DataFrame({"user": ids.astype(str)})
    y = (ids % 2).astype(int)
    clf = FMClassifier(max_epochs=5, random_state=0).fit(X_text, y)
    with pytest.warns(UserWarning, match="'user' held string values in fit"):
        proba = clf.predict_proba(pd.DataFrame({"user": ids}))
    assert np.array_equal(proba, clf.predict_proba(X_text))

    clf = FMClassifier(max_epochs=5, random_state=0).fit(
        pd.DataFrame({"user": pd.Series(ids).astype(object)}), y
    )
    with pytest.warns(UserWarning, match="'user' held integer values in fit"):
        again = clf.predict_proba(X_text)
    assert np.array_equal(
        again, clf.predict_proba(pd.DataFrame({"user": ids.astype(object)}))
    )
    with pytest.warns(UserWarning, match="cannot be matched one to one; 3 of 3"):
        clf.predict_proba(pd.DataFrame({"user": ["a", "b", "c"]}))


def test_matching_types_give_no_warning():
    from skfeat.models import FMClassifier

    X, y = _data()
    clf = FMClassifier(max_epochs=1, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.predict_proba(X)


@pytest.mark.parametrize(
    "column",
    [
        pd.date_range("2024-01-01", periods=80, freq="h"),
        pd.date_range("2024-01-01", periods=80, freq="h", tz="UTC"),
        pd.to_timedelta(np.arange(80), unit="s"),
    ],
    ids=["datetime", "datetime-tz", "timedelta"],
)
def test_datetime_columns_are_refused_with_the_column_name(column):
    from skfeat.models import FMClassifier

    X, y = _data()
    X["when"] = column
    with pytest.raises(TypeError, match=r"column\(s\) \['when'\]"):
        FMClassifier(max_epochs=1).fit(X, y)
    clf = FMClassifier(max_epochs=1).fit(X.drop(columns="when"), y)
    with pytest.raises(TypeError, match="when"):
        clf.predict(X[["num", "cat", "other", "when"]].drop(columns="num"))


# ------------------------------------------------------------ degenerate shapes
@pytest.mark.parametrize("cls", MODELS, ids=MODEL_IDS)
def test_single_field_single_row_and_constant_data(cls):
    X, y = _data()
    t = _target(cls, X, y)
    one = X[["cat"]]
    if cls.__name__.startswith("VAE"):  # a user and an item tower: two groups
        with pytest.raises(ValueError, match="needs at least 2 columns"):
            _small(cls).fit(one, t)
        one = X[["cat", "other"]]
    est = _small(cls).fit(one, t)
    assert np.isfinite(_output(est, one)).all()
    assert _output(est, one.iloc[:1]).shape[0] == 1
    with pytest.raises(ValueError, match="0 sample"):
        est.predict(one.iloc[:0])
    same = pd.concat([X.iloc[[0]]] * 40, ignore_index=True)
    t_same = np.tile(np.sort(t)[[0, -1]], 20)  # two classes / two targets
    est = _small(cls).fit(same, t_same)
    assert np.isfinite(_output(est, same)).all()


@pytest.mark.parametrize("cls", [MultVAE, LightGCN])
def test_recommender_input_errors(cls):
    vae = make_instance(cls).set_params(max_epochs=1, random_state=0)
    with pytest.raises(
        ValueError, match=r"columns 'user' and 'item'.*\['uid', 'iid'\]"
    ):
        vae.fit(pd.DataFrame({"uid": [1, 2], "iid": [3, 4]}))
    with pytest.raises(ValueError, match="empty DataFrame"):
        vae.fit(pd.DataFrame({"user": [], "item": []}))
    vae.fit(pd.DataFrame({"user": [1, 1, 2, 3], "item": ["a", "b", "a", "c"]}))
    for k in (0, -1, 2.5):
        with pytest.raises(ValueError, match="k must be a positive integer"):
            vae.recommend(pd.DataFrame({"user": [1], "item": ["a"]}), k=k)


# ------------------------------------------------------------------ determinism
def _every_fitted_estimator():
    X, y = _data()
    out = []
    for _, cls in all_estimators():
        est = make_instance(cls)
        if "max_epochs" in est.get_params():
            est.set_params(max_epochs=2)
        if cls.__name__ in RECOMMENDERS:
            est.fit(sp.csr_matrix((np.arange(30).reshape(6, 5) % 3 == 0) * 1.0))
        elif cls is SparseInteractionCoder:
            est.fit(np.random.RandomState(0).normal(size=(60, 4)), y[:60])
        else:
            est.fit(X, _target(cls, X, y))
        out.append(est)
    return out


def test_deepcopy_works_on_every_fitted_estimator():
    for est in _every_fitted_estimator():
        copied = copy.deepcopy(est)
        assert type(copied) is type(est)


@pytest.mark.parametrize("cls", MODELS, ids=MODEL_IDS)
def test_refit_is_bit_identical_in_one_process_and_thread_count(cls):
    X, y = _data()
    t = _target(cls, X, y)
    a = _output(_small(cls).fit(X, t), X)
    b = _output(_small(cls).fit(X, t), X)
    assert np.array_equal(a, b)


def test_sparse_coder_names_the_non_numeric_column():
    X, y = _data()
    with pytest.raises(ValueError, match="column 'cat' has dtype category"):
        SparseInteractionCoder().fit(X, y)


@pytest.mark.parametrize("cls_name", ["FMClassifier", "DeepFMClassifier"])
def test_explainer_degenerate_shapes(cls_name):
    from skfeat import models
    from skfeat.explain import InteractionExplainer

    X, y = _data()
    model = getattr(models, cls_name)(max_epochs=1, random_state=0).fit(X, y)
    one_row = InteractionExplainer(model, X.iloc[:1])
    assert np.isfinite(one_row.shap_interaction_values(X.iloc[:3]).values).all()
    same = InteractionExplainer(model, pd.concat([X.iloc[[0]]] * 10))
    assert np.isfinite(same.shap_values(X.iloc[:2]).values).all()
    with pytest.raises(ValueError, match="0 rows: there is nothing to explain"):
        one_row.shap_values(X.iloc[:0])
    with pytest.raises(ValueError, match="background must hold at least one row"):
        InteractionExplainer(model, X.iloc[:0])
    numbers = np.random.RandomState(0).normal(size=(10, 3))
    with pytest.raises(TypeError, match=r"background is a sparse matrix of shape"):
        InteractionExplainer(model, sp.csr_matrix(numbers))
