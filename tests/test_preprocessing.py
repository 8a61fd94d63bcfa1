"""Behaviour tests of skfeat.preprocessing (crosses, embeddings, sparse codes,
interaction selection)."""

import functools
import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
import torch
from scipy.optimize import linear_sum_assignment
from sklearn.compose import ColumnTransformer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skfeat.datasets import (
    make_interaction_classification,
    make_interaction_regression,
)
from skfeat.models import FMClassifier, FMRegressor
from skfeat.preprocessing import (
    EmbeddingEncoder,
    FeatureCrosser,
    InteractionSelector,
    SparseInteractionCoder,
)

torch.set_num_threads(1)  # tiny models on a shared box: one thread is the fastest


def _frame():
    return pd.DataFrame(
        {
            "user": pd.Categorical(["u1", "u2", "u1", "u3", "u2", "u1"]),
            "item": ["a", "a", "b", "b", "c", "a"],
            "hour": [9, 9, 21, 21, 9, 9],
        }
    )


# ------------------------------------------------------------ FeatureCrosser
def test_crosser_vocabulary_onehot_and_names():
    X = _frame()
    crosser = FeatureCrosser().fit(X)
    assert crosser.cross_names_ == ["user__x__item", "user__x__hour", "item__x__hour"]
    out = crosser.transform(X)
    assert sp.issparse(out) and out.format == "csr" and out.dtype == np.float64
    names = crosser.get_feature_names_out()
    assert out.shape == (6, len(names))
    # one active column per cross and row
    np.testing.assert_array_equal(out.sum(axis=1).A1, 3)
    assert "user__x__item_u1_a" in names and "user__x__item_other" in names
    row0 = set(names[out[0].indices])
    assert row0 == {"user__x__item_u1_a", "user__x__hour_u1_9", "item__x__hour_a_9"}


def test_crosser_codes_degree_and_indices():
    X = _frame()
    codes = FeatureCrosser(interactions=3, output="codes").fit(X)
    assert codes.crosses_ == [(0, 1), (0, 2), (1, 2), (0, 1, 2)]
    out = codes.transform(X)
    assert out.dtype == np.int64 and out.shape == (6, 4)
    assert (out >= 1).all()  # every training combination is in the vocabulary
    arr = X.astype(str).to_numpy()
    by_index = FeatureCrosser([(0, -1)], output="codes").fit(arr)
    assert by_index.get_feature_names_out().tolist() == ["x0__x__x2"]


def test_crosser_unseen_combinations_never_crash():
    X = _frame()
    new = pd.DataFrame(
        {
            "user": ["u9", "u1", None, "u2"],
            "item": ["a", "zz", "a", np.nan],
            "hour": [9.0, 9.0, 9.0, 99.0],
        }
    )
    crosser = FeatureCrosser(output="codes").fit(X)
    codes = crosser.transform(new)
    # unseen value in a cross -> the reserved code 0; (u1, hour=9.0) is unseen too
    # because 9.0 and 9 differ as strings
    assert codes[0, 0] == 0 and codes[1, 0] == 0 and codes[2, 0] == 0
    onehot = FeatureCrosser().fit(X).transform(new)
    np.testing.assert_array_equal(onehot.sum(axis=1).A1, 3)
    hashed = FeatureCrosser(n_bins=8, output="codes").fit(X).transform(new)
    assert ((hashed >= 0) & (hashed < 8)).all()
    hashed_onehot = FeatureCrosser(n_bins=8).fit(X).transform(new)
    assert hashed_onehot.shape == (4, 24)


def test_crosser_min_frequency_and_pandas_output():
    X = _frame()
    crosser = FeatureCrosser([("user", "item")], min_frequency=2, output="codes")
    out = crosser.set_output(transform="pandas").fit_transform(X)
    assert list(out.columns) == ["user__x__item"]
    # (u1, a) is seen twice, every other combination once -> "other"
    np.testing.assert_array_equal(out["user__x__item"], [1, 0, 0, 0, 0, 1])
    with pytest.raises(ValueError, match="scipy sparse|sparse data"):
        FeatureCrosser().set_output(transform="pandas").fit_transform(X)


def test_crosser_errors():
    X = _frame()
    with pytest.raises(ValueError, match="not a column"):
        FeatureCrosser([("user", "nope")]).fit(X)
    with pytest.raises(ValueError, match="distinct"):
        FeatureCrosser([("user", "user")]).fit(X)
    with pytest.raises(ValueError, match="no column names"):
        FeatureCrosser([("a", "b")]).fit(X.to_numpy())
    with pytest.raises(ValueError, match="1 feature"):
        FeatureCrosser().fit(X[["user"]])
    with pytest.raises(TypeError, match="sparse"):
        FeatureCrosser().fit(sp.csr_matrix(np.eye(3)))


def test_crosser_sparse_interface_config():
    if "sparse_interface" not in sklearn.get_config():
        pytest.skip("scikit-learn without the sparse_interface config")
    with sklearn.config_context(sparse_interface="sparray"):
        out = FeatureCrosser().fit_transform(_frame())
    assert isinstance(out, sp.sparray)


_CHILD = textwrap.dedent(
    """
    import json, sys
    import numpy as np, pandas as pd
    from skfeat.preprocessing import FeatureCrosser
    rng = np.random.RandomState(0)
    X = pd.DataFrame({c: rng.choice(["a", "b", "c", "d", "e"], 300) for c in "pqrs"})
    X["n"] = rng.randint(0, 7, 300).astype(float)
    out = {
        "hashed": FeatureCrosser(n_bins=64, output="codes").fit_transform(X).tolist(),
        "vocab": FeatureCrosser(interactions=3, output="codes")
        .fit_transform(X).tolist(),
        "names": FeatureCrosser(n_bins=4).fit(X).get_feature_names_out().tolist(),
    }
    json.dump(out, sys.stdout)
    """
)


def test_crosser_identical_across_processes():
    # another process, with a Python str hash that differs from this one's
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=180,
    )
    child = json.loads(proc.stdout)
    here = []
    exec(  # the same script in this process
        _CHILD.replace("json.dump(out, sys.stdout)", "here.append(out)"),
        {"here": here},
    )
    assert here[0] == child
    assert len(np.unique(child["hashed"])) > 32  # the buckets are actually used


# ---------------------------------------------------------- EmbeddingEncoder
@functools.lru_cache
def _small_classification():
    X, y, truth = make_interaction_classification(
        n_samples=1500,
        n_fields=3,
        n_numeric=1,
        cardinality=5,
        random_state=0,
        interactions=1,
    )
    return X, y


def test_embedding_encoder_learns_and_names():
    X, y = _small_classification()
    enc = EmbeddingEncoder(embed_dim=3, max_epochs=3, random_state=0).fit(X, y)
    assert isinstance(enc.model_, FMClassifier)
    out = enc.transform(X)
    names = enc.get_feature_names_out()
    assert out.shape == (1500, 3 * 3 + 1) and out.dtype == np.float64
    assert names.tolist()[:4] == ["f0_emb0", "f0_emb1", "f0_emb2", "f1_emb0"]
    assert names[-1] == "num0"
    np.testing.assert_allclose(out[:, -1], X["num0"])
    dropped = EmbeddingEncoder(3, numeric="drop", max_epochs=3, random_state=0)
    assert dropped.fit_transform(X, y).shape == (1500, 9)
    # same category -> same vector
    rows = X["f0"] == X["f0"].iloc[0]
    np.testing.assert_allclose(out[rows.to_numpy(), :3], out[[0] * rows.sum(), :3])


def test_embedding_encoder_from_model_and_unseen():
    X, y = _small_classification()
    model = FMClassifier(embed_dim=2, max_epochs=2, random_state=0).fit(X, y)
    enc = EmbeddingEncoder(from_model=model).fit(X)  # no y needed
    expected = model.decompose(X.iloc[:5]).embeddings
    np.testing.assert_allclose(enc.transform(X.iloc[:5])[:, :2], expected[:, 0])
    new = X.iloc[:3].copy()
    new["f0"] = new["f0"].astype(object)
    new.loc[new.index[0], "f0"] = "never seen"
    out = enc.transform(new)
    assert np.isfinite(out).all()
    frozen = EmbeddingEncoder(from_model=FrozenEstimator(model)).fit(X)
    np.testing.assert_allclose(frozen.transform(X.iloc[:5]), enc.transform(X.iloc[:5]))
    with pytest.raises(ValueError, match="not fitted"):
        EmbeddingEncoder(from_model=FMClassifier()).fit(X)
    with pytest.raises(ValueError, match="requires y"):
        EmbeddingEncoder().fit(X)


def test_embedding_encoder_regression_target():
    X, y, _ = make_interaction_regression(
        n_samples=800, n_fields=3, interactions=1, random_state=0
    )
    enc = EmbeddingEncoder(embed_dim=2, max_epochs=2, random_state=0).fit(X, y)
    assert isinstance(enc.model_, FMRegressor)
    assert enc.transform(X).shape == (800, 6)


# --------------------------------------------------- SparseInteractionCoder
def _planted_motifs(seed, n=500, m=8, n_motifs=3, noise=0.05):
    """Rows of pair features that are sparse positive mixes of planted atoms."""
    rng = np.random.RandomState(seed)
    n_pairs = m * (m - 1) // 2
    atoms = np.zeros((n_motifs, n_pairs))
    for c in range(n_motifs):
        support = rng.choice(n_pairs, size=4, replace=False)
        atoms[c, support] = rng.uniform(0.5, 1.5, size=4)
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    codes = np.zeros((n, n_motifs))
    for r in range(n):
        active = rng.choice(n_motifs, size=rng.randint(1, 3), replace=False)
        codes[r, active] = rng.uniform(1, 2, size=active.size)
    return codes @ atoms + noise * rng.standard_normal((n, n_pairs)), atoms


def _matched_cosines(found, planted):
    # atoms come back in any order: match them with the Hungarian algorithm
    a = found / np.linalg.norm(found, axis=1, keepdims=True)
    b = planted / np.linalg.norm(planted, axis=1, keepdims=True)
    cos = a @ b.T
    rows, cols = linear_sum_assignment(-cos)
    return cos[rows, cols]


_MOTIF_PARAMS = dict(
    alpha=0.1,
    transform_algorithm="lasso_cd",
    transform_alpha=0.1,
    positive_code=True,
    positive_dict=True,
    batch_size=64,
)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparse_coder_recovers_planted_motifs(seed):
    F, atoms = _planted_motifs(seed)
    coder = SparseInteractionCoder(
        3, interaction_features="input", random_state=seed, **_MOTIF_PARAMS
    ).fit(F)
    assert _matched_cosines(coder.components_, atoms).min() >= 0.99
    codes = coder.transform(F)
    assert codes.shape == (500, 3) and (codes >= 0).all()
    assert (codes > 1e-8).sum(axis=1).mean() < 2.5  # sparse: 1-2 motifs per row


def test_sparse_coder_recovers_motifs_from_column_products():
    # each row is one of 3 column patterns (disjoint blocks of 3 columns) with a
    # random amplitude and sign; its pair products are then a multiple of the
    # pattern's motif u u^T (upper triangle)
    rng = np.random.RandomState(0)
    patterns = np.zeros((3, 9))
    for c in range(3):
        patterns[c, 3 * c : 3 * c + 3] = rng.uniform(0.5, 1.5, size=3)
    i, j = np.triu_indices(9, k=1)
    motifs = patterns[:, i] * patterns[:, j]
    which = rng.randint(3, size=600)
    X = patterns[which] * np.sqrt(rng.uniform(1, 2, size=(600, 1)))
    X = X * rng.choice([-1, 1], size=(600, 1)) + 0.02 * rng.standard_normal(X.shape)
    coder = SparseInteractionCoder(3, random_state=0, **_MOTIF_PARAMS).fit(X)
    assert _matched_cosines(coder.components_, motifs).min() >= 0.99
    assert coder.interaction_feature_names_[0] == "x0*x1"
    assert coder.get_feature_names_out().tolist() == [
        "sparseinteractioncoder0",
        "sparseinteractioncoder1",
        "sparseinteractioncoder2",
    ]


def test_sparse_coder_on_fm_embedding_products():
    X, y = _small_classification()
    model = FMClassifier(embed_dim=2, max_epochs=2, random_state=0).fit(X, y)
    coder = SparseInteractionCoder(
        2, embedding_model=FrozenEstimator(model), max_iter=3, random_state=0
    ).fit(X)
    # 4 columns -> 6 pairs x embed_dim 2
    assert coder.components_.shape == (2, 12)
    assert coder.interaction_feature_names_[:2].tolist() == ["f0*f1_0", "f0*f1_1"]
    assert coder.transform(X.iloc[:7]).shape == (7, 2)
    with pytest.raises(ValueError, match="cannot be combined"):
        SparseInteractionCoder(embedding_model=model, interaction_features="input").fit(
            X
        )


# ------------------------------------------------------ InteractionSelector
@functools.lru_cache
def _planted_selection(seed):
    """T6 data (16k train / 4k test rows) and a selector fitted with k=3."""
    X, y, truth = make_interaction_classification(n_samples=20_000, random_state=seed)
    model = FMClassifier(
        embed_dim=8,
        batch_size=1024,
        learning_rate=0.01,
        max_epochs=10,
        early_stopping=False,
        random_state=seed,
    )
    selector = InteractionSelector(model, k=len(truth.pairs), random_state=seed)
    selector.fit(X.iloc[:16_000], y[:16_000])
    return X, y, truth, selector


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_selector_selects_exactly_the_planted_pairs(seed):
    X, y, truth, selector = _planted_selection(seed)
    selected = {tuple(sorted(p)) for p in selector.selected_pairs_}
    assert selected == {tuple(sorted(p)) for p in truth.pairs}
    scores = selector.interaction_scores_
    assert list(scores.columns[:3]) == [
        "feature_a",
        "feature_b",
        "mean_abs_interaction",
    ]
    assert len(scores) == 28
    crosses = tuple("__x__".join(p) for p in selector.selected_pairs_)
    assert all(n.startswith(crosses) for n in selector.get_feature_names_out())


def test_lr_on_selected_crosses_beats_all_pairs():
    X, y, truth, selector = _planted_selection(0)
    Xtr, ytr, Xte, yte = X.iloc[:16_000], y[:16_000], X.iloc[16_000:], y[16_000:]
    onehot = OneHotEncoder(handle_unknown="ignore")
    candidates = {
        "no crosses": onehot,
        "all pairs": make_union(onehot, FeatureCrosser()),
        "selected": make_union(onehot, FrozenEstimator(selector)),
    }
    auc, n_features = {}, {}
    for name, features in candidates.items():
        pipe = make_pipeline(features, LogisticRegression(max_iter=1000))
        pipe.fit(Xtr, ytr)
        auc[name] = roc_auc_score(yte, pipe.predict_proba(Xte)[:, 1])
        n_features[name] = pipe[0].transform(Xte.iloc[:1]).shape[1]
    print("AUC", auc, "features", n_features)
    assert auc["selected"] >= auc["all pairs"] > auc["no crosses"]
    assert n_features["selected"] * 5 <= n_features["all pairs"]


def test_selector_threshold_multiclass_and_frozen_model():
    X, y, truth = make_interaction_classification(
        n_samples=1500,
        n_fields=4,
        cardinality=4,
        interactions=1,
        interaction_strength=3.0,
        random_state=1,
    )
    y3 = np.where(y == 1, "pos", np.where(X["f3"].cat.codes > 1, "mid", "neg"))
    model = FMClassifier(embed_dim=4, max_epochs=5, random_state=0).fit(X, y3)
    selector = InteractionSelector(
        FrozenEstimator(model), k=None, threshold=0.0, output="codes"
    ).fit(X)  # a frozen model needs no y
    assert selector.model_ is model
    assert len(selector.selected_pairs_) == 6  # every pair is >= 0
    assert selector.transform(X).shape == (1500, 6)
    with pytest.warns(UserWarning, match="No pair"):
        empty = InteractionSelector(FrozenEstimator(model), threshold=1e9).fit(X)
    assert empty.transform(X).shape == (1500, 0)


# ------------------------------------------------ pipelines and model search
def test_column_transformer_pipeline_and_grid_search():
    X, y = _small_classification()
    cats = ["f0", "f1", "f2"]
    features = ColumnTransformer(
        [
            ("onehot", OneHotEncoder(handle_unknown="ignore"), cats),
            ("cross", FeatureCrosser(n_bins=32), cats),
            ("emb", EmbeddingEncoder(2, max_epochs=1, random_state=0), cats),
        ],
        sparse_threshold=0,
    )
    pipe = make_pipeline(features, LogisticRegression(max_iter=500))
    search = GridSearchCV(
        pipe, {"columntransformer__cross__n_bins": [16, None]}, cv=3
    ).fit(X, y)
    assert search.best_score_ > 0.6  # the majority class is 0.506
    names = search.best_estimator_[0].get_feature_names_out()
    assert any(n.startswith("cross__f0__x__f1_") for n in names)
    assert any(n.startswith("emb__f2_emb") for n in names)

    model = FMClassifier(embed_dim=4, max_epochs=5, random_state=0).fit(X, y)
    search = GridSearchCV(
        make_pipeline(
            InteractionSelector(FrozenEstimator(model)),
            LogisticRegression(max_iter=500),
        ),
        {"interactionselector__k": [1, 3], "interactionselector__n_bins": [None, 16]},
        cv=3,
        scoring="roc_auc",
    ).fit(X, y)
    assert search.cv_results_["mean_test_score"].shape == (4,)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_sparse_coder_in_column_transformer_and_grid_search():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    features = ColumnTransformer(
        [
            ("coder", SparseInteractionCoder(max_iter=3, random_state=0), [0, 1, 2]),
            ("rest", "passthrough", [3, 4]),
        ]
    )
    pipe = make_pipeline(StandardScaler(), features, LogisticRegression())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the tiny fits
        search = GridSearchCV(
            pipe, {"columntransformer__coder__n_components": [2, 4]}, cv=3
        ).fit(X, y)
    assert search.best_estimator_.predict(X).shape == (300,)
    names = search.best_estimator_[1].get_feature_names_out()
    assert names[0] == "coder__sparseinteractioncoder0"


def test_feature_crosser_output_names_are_unique():
    # issue 24, item 10: values holding "_" and column names holding "__x__"
    # gave repeated output names; a cross listed twice too
    from skfeat.preprocessing import FeatureCrosser

    X = pd.DataFrame({"a": ["x_y", "x", "x_y"], "b": ["z", "y_z", "q"]})
    names = FeatureCrosser().fit(X).get_feature_names_out()
    assert len(set(names)) == len(names) == 4
    codes = FeatureCrosser(interactions=[("a", "b")], output="codes")
    assert codes.set_output(transform="pandas").fit_transform(X).columns.is_unique
    X2 = pd.DataFrame({"a": list("pqp"), "b__x__c": list("rrs"),
                       "a__x__b": list("tuu"), "c": list("vvw")})  # fmt: skip
    for output in ("codes", "onehot"):
        crosser = FeatureCrosser(
            interactions=[("a", "b__x__c"), ("a__x__b", "c")], output=output
        ).fit(X2)
        names = crosser.get_feature_names_out()
        assert len(set(names)) == len(names)
        assert len(set(crosser.cross_names_)) == 2
    with pytest.raises(ValueError, match="lists the cross of \\('b', 'a'\\) twice"):
        FeatureCrosser(interactions=[("a", "b"), ("b", "a")]).fit(X)
