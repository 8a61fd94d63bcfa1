"""Behaviour of the FM family: training, encoding, errors, reproducibility."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skfeat.datasets import make_interaction_classification, make_interaction_regression
from skfeat.models import FMClassifier, FMRegressor, FwFMClassifier, FwFMRegressor

FAST = dict(max_epochs=5, batch_size=256, random_state=0)


@pytest.fixture(scope="module")
def mixed_data():
    """Categorical and numeric columns, interleaved, with a planted pair."""
    X, y, truth = make_interaction_classification(
        n_samples=3000,
        n_fields=4,
        cardinality=6,
        n_numeric=2,
        interactions=[(0, 1), (2, 4)],
        random_state=1,
    )
    X = X[["num0", "f0", "f1", "num1", "f2", "f3"]]
    return X, y


@pytest.mark.parametrize("cls", [FMClassifier, FwFMClassifier])
def test_same_random_state_gives_identical_probabilities(cls, mixed_data):
    X, y = mixed_data
    p1 = cls(**FAST).fit(X, y).predict_proba(X)
    p2 = cls(**FAST).fit(X, y).predict_proba(X)
    assert np.array_equal(p1, p2)
    p3 = cls(**{**FAST, "random_state": 1}).fit(X, y).predict_proba(X)
    assert not np.array_equal(p1, p3)


def test_fit_leaves_global_torch_rng_untouched(mixed_data):
    X, y = mixed_data
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    FMClassifier(**FAST).fit(X, y)
    assert torch.equal(torch.rand(3), expected)


def test_grid_search_in_pipeline_with_column_transformer_is_reproducible():
    X, y, _ = make_interaction_classification(
        n_samples=1500,
        n_fields=4,
        cardinality=5,
        n_numeric=1,
        interactions=1,
        random_state=0,
    )
    cats = ["f0", "f1", "f2", "f3"]
    prep = ColumnTransformer(
        [("cat", OrdinalEncoder(), cats), ("num", StandardScaler(), ["num0"])]
    )
    pipe = Pipeline(
        [
            ("prep", prep),
            (
                "fm",
                FMClassifier(
                    categorical_features=[0, 1, 2, 3],
                    max_epochs=3,
                    batch_size=128,
                    random_state=0,
                ),
            ),
        ]
    )
    grid = {"fm__embed_dim": [2, 6], "fm__alpha": [1e-6, 1e-2]}

    def run():
        search = GridSearchCV(pipe, grid, cv=2, scoring="roc_auc", n_jobs=2)
        return search.fit(X, y)

    a, b = run(), run()
    assert a.best_params_ == b.best_params_
    assert np.array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    assert a.best_score_ > 0.6


def test_unseen_categories_and_missing_values(mixed_data):
    X, y = mixed_data
    X = X.copy()
    X["f0"] = X["f0"].astype(object)
    missing = np.arange(len(X)) % 7 == 0
    X.loc[missing, "f0"] = np.nan
    # make "missing" informative so the model learns a distinct id for it
    y = np.where(missing, 1, y)
    clf = FMClassifier(**{**FAST, "max_epochs": 15}).fit(X, y)
    enc = clf.encoder_.transform(X)
    f0 = list(X.columns).index("f0")
    cat_pos = int(np.flatnonzero(np.flatnonzero(clf.is_categorical_) == f0)[0])
    assert (enc["cat"][missing, cat_pos] == 0).all()  # the reserved missing id
    assert (enc["cat"][~missing, cat_pos] >= 2).all()

    rows = X.iloc[:50].copy()
    rows["f0"] = "never-seen"
    rows["f1"] = rows["f1"].cat.add_categories(["zz"]).fillna("zz")
    rows.loc[rows.index[:5], "f1"] = "zz"
    proba = clf.predict_proba(rows)
    assert np.isfinite(proba).all()
    unknown = clf.encoder_.transform(rows)["cat"][:, cat_pos]
    assert (unknown == clf.unknown_id).all()
    # missing f0 is its own learned category: it predicts higher than unseen f0
    nan_rows = rows.copy()
    nan_rows["f0"] = np.nan
    assert clf.predict_proba(nan_rows)[:, 1].mean() > proba[:, 1].mean()


def test_numeric_nan_counts_as_the_mean(mixed_data):
    X, y = mixed_data
    clf = FMClassifier(**FAST).fit(X, y)
    rows = X.iloc[:20].copy()
    rows["num0"] = np.nan
    at_mean = X.iloc[:20].copy()
    at_mean["num0"] = X["num0"].mean()
    np.testing.assert_allclose(
        clf.decision_function(rows), clf.decision_function(at_mean), atol=1e-5
    )


def test_min_frequency_groups_rare_categories():
    X = pd.DataFrame({"a": pd.Categorical(list("xxxxxyyyyz")), "b": np.arange(10.0)})
    y = np.array([0, 1] * 5)
    clf = FMClassifier(min_frequency=2, **FAST).fit(X, y)
    # x, y frequent; z rare -> one infrequent id; plus missing and unknown
    assert clf.schema_.cardinalities == [2 + 3]


@pytest.mark.parametrize(
    "make_bad, match",
    [
        (lambda X: X.iloc[:, :-1], r"missing:\n- f3"),
        (lambda X: X.assign(num1=["a"] * len(X)), "Column 'num1' is treated as"),
        (lambda X: X.iloc[:0], "0 sample"),
    ],
)
def test_clear_errors_on_bad_X(mixed_data, make_bad, match):
    X, y = mixed_data
    clf = FMClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match=match):
        clf.predict(make_bad(X))


def test_wrong_column_count_on_arrays():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(200, 4)), rng.randint(2, size=200)
    clf = FwFMClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but FwFMClassifier is "):
        clf.predict(X[:, :3])


def test_clear_error_on_non_numeric_numeric_column_in_fit(mixed_data):
    X, y = mixed_data
    bad = X.assign(num1=X["num1"].astype(str).where(X.index % 2 == 0, "oops"))
    with pytest.raises(ValueError, match=r"Column 'num1'.*non-numeric.*'oops'"):
        FMClassifier(**FAST, categorical_features=["f0", "f1", "f2", "f3"]).fit(bad, y)


def test_clear_errors_on_bad_y_and_params(mixed_data):
    X, y = mixed_data
    with pytest.raises(ValueError, match="only one class"):
        FMClassifier(**FAST).fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="0 sample"):
        FMClassifier(**FAST).fit(X.iloc[:0], y[:0])
    with pytest.raises(InvalidParameterError, match="'embed_dim' parameter"):
        FMClassifier(embed_dim=-3).fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        FMClassifier(**FAST).fit(X, y[:-1])
    with pytest.raises(ValueError, match="not a column of X"):
        FMClassifier(categorical_features=["nope"], **FAST).fit(X, y)


def test_fm_recovers_planted_interactions_auc():
    X, y, truth = make_interaction_classification(
        n_samples=40_000, n_fields=6, cardinality=8, interactions=2, random_state=0
    )
    train, test = slice(0, 32_000), slice(32_000, None)
    clf = FMClassifier(
        embed_dim=8, batch_size=1024, learning_rate=0.01, random_state=0
    ).fit(X[train], y[train])
    auc = roc_auc_score(y[test], clf.decision_function(X[test]))
    oracle = roc_auc_score(y[test], truth.logit[test])
    assert auc >= oracle - 0.01, (auc, oracle)


@pytest.mark.parametrize(
    "cls", [FMClassifier, FwFMClassifier, FMRegressor, FwFMRegressor]
)
def test_decompose_recomposes_the_output(cls, mixed_data):
    X, y = mixed_data
    est = cls(**FAST).fit(X, y if is_classifier(cls()) else y * 3.0 + 1)
    d = est.decompose(X.iloc[:40])
    out = (est.decision_function if hasattr(est, "decision_function") else est.predict)(
        X.iloc[:40]
    )
    np.testing.assert_allclose(d.output(), out, rtol=1e-4, atol=1e-4)
    assert d.linear.shape == (40, 6) and d.embeddings.shape[:2] == (40, 6)
    assert d.feature_names == list(X.columns)
    np.testing.assert_array_equal(d.pair_weights, d.pair_weights.T)
    assert np.all(np.diag(d.pair_weights) == 0)


def test_decompose_multiclass_needs_an_output():
    X, y, _ = make_interaction_classification(n_samples=600, random_state=0)
    y3 = y + (np.arange(len(y)) % 3 == 0)
    clf = FMClassifier(**FAST).fit(X, y3)
    with pytest.raises(ValueError, match="output="):
        clf.decompose(X.iloc[:3])
    d = clf.decompose(X.iloc[:3], output=2)
    np.testing.assert_allclose(
        d.output(), clf.decision_function(X.iloc[:3])[:, 2], atol=1e-4
    )


def test_multiclass_probabilities():
    X, y, _ = make_interaction_classification(n_samples=3000, random_state=0)
    labels = np.array(["low", "mid", "high"])[y + (X["f6"].cat.codes.to_numpy() > 9)]
    clf = FwFMClassifier(**{**FAST, "max_epochs": 10}).fit(X, labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (3000, 3)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, labels) > 0.6


def test_sparse_libfm_rows_fm_and_fwfm_refuses(mixed_data):
    X, y = mixed_data
    onehot = sp.csr_matrix(pd.get_dummies(X[["f0", "f1", "f2", "f3"]]).to_numpy(float))
    clf = FMClassifier(**FAST).fit(onehot, y)
    assert roc_auc_score(y, clf.predict_proba(onehot)[:, 1]) > 0.65
    with pytest.raises(TypeError, match="sparse"):
        FwFMClassifier(**FAST).fit(onehot, y)
    # the same libFM rows given densely are read as sparse rows
    np.testing.assert_array_equal(
        clf.predict_proba(onehot.toarray()), clf.predict_proba(onehot)
    )


def test_early_stopping_on_eval_set_restores_best_weights(mixed_data):
    X, y = mixed_data
    clf = FMClassifier(
        max_epochs=60,
        learning_rate=0.1,
        batch_size=64,
        n_iter_no_change=2,
        random_state=0,
    ).fit(X[:2000], y[:2000], eval_set=(X[2000:], y[2000:]))
    history = clf.net_.history
    assert clf.n_iter_ < 60
    valid = history[:, "valid_loss"]
    # the restored weights are those of the best epoch
    p = clf.predict_proba(X[2000:])[:, 1]
    yv = y[2000:]
    eps = 1e-7
    loss = -np.mean(yv * np.log(p + eps) + (1 - yv) * np.log(1 - p + eps))
    assert loss == pytest.approx(min(valid), rel=1e-3)


def test_validation_fraction_split(mixed_data):
    X, y = mixed_data
    clf = FMClassifier(early_stopping=True, validation_fraction=0.2, **FAST).fit(X, y)
    assert sum(clf.net_.history[-1, "batches", :, "valid_batch_size"]) == 600


def test_partial_fit_continues_and_needs_classes(mixed_data):
    X, y = mixed_data
    clf = FMClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X[:1000], y[:1000])
    clf.partial_fit(X[:1000], y[:1000], classes=[0, 1])
    first = clf.decision_function(X[2000:])
    for _ in range(3):
        clf.partial_fit(X[1000:2000], y[1000:2000])
    assert clf.n_iter_ == 4
    assert not np.array_equal(first, clf.decision_function(X[2000:]))
    later = X[2000:].copy()
    later["f0"] = "brand-new"
    assert np.isfinite(clf.predict_proba(later)).all()


def test_sample_weight_moves_predictions(mixed_data):
    X, y = mixed_data
    base = FMClassifier(**FAST).fit(X, y).predict_proba(X)[:, 1].mean()
    w = np.where(y == 1, 5.0, 1.0)
    weighted = FMClassifier(**FAST).fit(X, y, sample_weight=w).predict_proba(X)[:, 1]
    assert weighted.mean() > base + 0.1


def test_clone_and_pickle_round_trip(mixed_data):
    X, y = mixed_data
    reg = FwFMRegressor(**FAST).fit(X, y * 10.0)
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(reg.predict(X), again.predict(X))
    fresh = clone(reg)
    assert not hasattr(fresh, "net_") and fresh.get_params() == reg.get_params()


def test_regressor_predicts_in_target_units():
    X, y, truth = make_interaction_regression(n_samples=4000, random_state=0)
    y = 1000.0 + 50.0 * y
    reg = FMRegressor(embed_dim=8, batch_size=256, max_epochs=15, random_state=0)
    reg.fit(X[:3000], y[:3000])
    assert reg.score(X[3000:], y[3000:]) > 0.8


@pytest.mark.parametrize("hash_buckets", [True, 2**40, 0])
def test_hash_buckets_refuses_bools_and_absurd_sizes(mixed_data, hash_buckets):
    # issue 24, item 10: True was taken as 1 bucket and 2**40 failed to allocate
    from skfeat.models import DeepFMClassifier

    X, y = mixed_data
    for cls in (FMClassifier, DeepFMClassifier):
        est = cls(**FAST, categorical_encoding="hash", hash_buckets=hash_buckets)
        with pytest.raises(InvalidParameterError, match=r"'hash_buckets'.*not a bool"):
            est.fit(X, y)


@pytest.mark.parametrize(
    "values, match",
    [
        ([[1, 2], [3]], "Categorical column 'f1' holds list values"),
        ([1, "b"], "Categorical column 'f1' mixes strings and numbers"),
    ],
)
def test_list_or_mixed_categorical_values_name_the_column(mixed_data, values, match):
    X, y = mixed_data
    bad = X.assign(f1=pd.Series(values * (len(X) // 2), index=X.index, dtype=object))
    with pytest.raises(TypeError, match=match):
        FMClassifier(**FAST).fit(bad, y)
