"""Exact explanations through column-wise pipelines, and the pair plots."""

import itertools
from math import factorial

import matplotlib
import numpy as np
import pandas as pd
import pytest
import shap
import torch
from matplotlib.container import BarContainer
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    KBinsDiscretizer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

from skfeat.explain import (
    InteractionExplainer,
    plot_interaction_bar,
    plot_interaction_beeswarm,
    plot_interaction_dependence,
    plot_interaction_heatmap,
    rank_interactions,
)
from skfeat.explain._pipeline import _check_column_wise
from skfeat.models import DeepFMRegressor, FMRegressor, FwFMRegressor
from skfeat.preprocessing import EmbeddingEncoder

matplotlib.use("Agg")
torch.set_num_threads(1)


# ------------------------------------------------------------------ oracle
def brute_force_matrix(f, x, background):
    """Lundberg's interaction matrix of one row by enumerating all coalitions."""
    m = background.shape[1]
    masks = list(itertools.product([False, True], repeat=m))
    tables = []
    for mask in masks:
        table = background.copy()
        for j, name in enumerate(background.columns):
            if mask[j]:
                table[name] = pd.Series(
                    [x.iloc[j]] * len(table), index=table.index, dtype=table[name].dtype
                )
        tables.append(table)
    out = np.asarray(f(pd.concat(tables, ignore_index=True)), dtype=float)
    v = dict(zip(masks, out.reshape(len(masks), -1).mean(axis=1)))
    phi, sii = np.zeros(m), np.zeros((m, m))
    for mask in masks:
        s = sum(mask)
        for i in range(m):
            if mask[i]:
                continue
            add_i = tuple(k == i or mask[k] for k in range(m))
            phi[i] += (
                factorial(s)
                * factorial(m - s - 1)
                / factorial(m)
                * (v[add_i] - v[mask])
            )
            for j in range(i + 1, m):
                if mask[j]:
                    continue
                add_j = tuple(k == j or mask[k] for k in range(m))
                add_ij = tuple(k in (i, j) or mask[k] for k in range(m))
                w = factorial(s) * factorial(m - s - 2) / factorial(m - 1)
                delta = v[add_ij] - v[add_i] - v[add_j] + v[mask]
                sii[i, j] += w * delta
                sii[j, i] += w * delta
    matrix = 0.5 * sii
    matrix[np.diag_indices(m)] = phi - matrix.sum(axis=1)
    return matrix


def _randomise(model, seed, scale=0.5):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.net_.module_.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * scale)
    return model


@pytest.fixture(scope="module")
def raw():
    rng = np.random.RandomState(0)
    n = 240
    X = pd.DataFrame(
        {
            "c0": pd.Categorical(rng.choice(list("abcd"), n)),
            "n0": rng.randn(n),
            "c1": pd.Categorical(rng.choice(list("xyz"), n)),
            "n1": 3 * rng.randn(n) + 1,
        }
    )
    y = X["n0"] + (X["c0"] == "a") * X["n1"] + (X["c1"] == "x")
    return X, y.to_numpy()


def _fit(prep, X, y, Model=FMRegressor, seed=0):
    pipe = Pipeline([("prep", prep), ("fm", Model(embed_dim=3, max_epochs=1))])
    pipe.fit(X, y)
    _randomise(pipe[-1], seed)
    return pipe


def _ct(cat, *, pandas=True, num_cols=("n1", "n0"), remainder="drop"):
    ct = ColumnTransformer(
        [("cat", cat, ["c0", "c1"]), ("num", StandardScaler(), list(num_cols))],
        remainder=remainder,
    )
    return ct.set_output(transform="pandas") if pandas else ct


def _pipe_f(pipe):
    """The pipeline's output in float64, recomposed from the final decompose."""

    def f(X):
        return pipe[-1].decompose(pipe[:-1].transform(X)).output()

    return f


# --------------------------------------------------------------- pipelines
@pytest.mark.parametrize("pandas", [True, False])
def test_pipeline_one_to_one_equals_bare_model(raw, pandas):
    X, y = raw
    pipe = _fit(_ct(OrdinalEncoder(), pandas=pandas), X, y)
    background, rows = X.iloc[:100], X.iloc[100:130]
    explainer = InteractionExplainer(pipe, background)
    assert explainer.method_ == "exact"
    assert explainer.exact_unavailable_reason_ is None
    inter = explainer.shap_interaction_values(rows)
    # players and displayed values are the raw columns
    assert inter.feature_names == ["c0", "n0", "c1", "n1"]
    np.testing.assert_array_equal(inter.data[:, 1], rows["n0"].to_numpy())
    assert list(inter.display_data[:3, 0]) == list(rows["c0"].iloc[:3])

    # the bare model on the transformed data: columns cat c0, cat c1, n1, n0
    Xt_bg, Xt = pipe[:-1].transform(background), pipe[:-1].transform(rows)
    bare = InteractionExplainer(pipe[-1], Xt_bg)
    ref = bare.shap_interaction_values(Xt)
    order = [0, 3, 1, 2]  # transformed position of c0, n0, c1, n1
    np.testing.assert_allclose(
        inter.values, ref.values[:, order][:, :, order], rtol=0, atol=1e-8
    )
    np.testing.assert_allclose(inter.base_values, ref.base_values, atol=1e-8)
    phi = explainer.shap_values(rows)
    np.testing.assert_allclose(phi.values, inter.values.sum(2), atol=1e-8)
    # labels kept when the bare model is explained on transformed data
    names = list(pipe[:-1].get_feature_names_out())
    if pandas:
        assert ref.feature_names == names
    else:
        labelled = pd.DataFrame(Xt_bg, columns=names)
        again = InteractionExplainer(pipe[-1], labelled).shap_interaction_values(
            pd.DataFrame(Xt, columns=names)
        )
        assert again.feature_names == names
        np.testing.assert_allclose(again.values, ref.values, atol=1e-12)


@pytest.mark.parametrize("Model", [FMRegressor, FwFMRegressor])
def test_pipeline_one_hot_groups_are_exact(raw, Model):
    X, y = raw
    # one-hot blocks, a dropped raw column (n1) and a chained imputer + scaler
    ct = ColumnTransformer(
        [
            ("cat", OneHotEncoder(sparse_output=False), ["c0", "c1"]),
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), ["n0"]),
        ]
    )
    pipe = _fit(ct, X, y, Model, seed=1)
    background, rows = X.iloc[:12], X.iloc[100:103]
    explainer = InteractionExplainer(pipe, background)
    assert explainer.method_ == "exact"
    inter = explainer.shap_interaction_values(rows)
    assert inter.feature_names == list(X.columns)
    for r in range(len(rows)):
        matrix = brute_force_matrix(_pipe_f(pipe), rows.iloc[r], background)
        np.testing.assert_allclose(inter.values[r], matrix, rtol=0, atol=1e-8)
    # the dropped column is a null player
    assert np.abs(inter.values[:, :, 3]).max() == 0
    # block sums of the bare model's matrix on the one-hot columns
    Xt_bg, Xt = pipe[:-1].transform(background), pipe[:-1].transform(rows)
    ref = InteractionExplainer(pipe[-1], Xt_bg).shap_interaction_values(Xt).values
    groups = np.repeat([0, 2, 1], [4, 3, 1])  # c0's 4 columns, c1's 3, n0
    onehot = np.eye(4)[groups]
    blocks = np.einsum("nij,ia,jb->nab", ref, onehot, onehot)
    np.testing.assert_allclose(inter.values, blocks, atol=1e-8)


def test_pipeline_binned_numeric_columns_are_exact(raw):
    X, y = raw
    ct = ColumnTransformer(
        [
            ("bins", KBinsDiscretizer(3, encode="onehot-dense"), ["n1", "n0"]),
            ("cat", OrdinalEncoder(), ["c1", "c0"]),
        ]
    )
    pipe = _fit(ct, X, y, seed=2)
    background, rows = X.iloc[:10], X.iloc[200:202]
    explainer = InteractionExplainer(pipe, background)
    assert explainer.method_ == "exact"
    inter = explainer.shap_interaction_values(rows)
    for r in range(len(rows)):
        matrix = brute_force_matrix(_pipe_f(pipe), rows.iloc[r], background)
        np.testing.assert_allclose(inter.values[r], matrix, rtol=0, atol=1e-8)


def test_pipeline_skfeat_embedding_encoder_is_exact(raw):
    X, y = raw
    X = X[["c0", "n0", "c1"]]
    pipe = Pipeline(
        [
            ("emb", EmbeddingEncoder(embed_dim=2, max_epochs=1, random_state=0)),
            ("fm", FMRegressor(embed_dim=2, max_epochs=1)),
        ]
    ).fit(X, y)
    _randomise(pipe[-1], 3)
    background, rows = X.iloc[:8], X.iloc[150:152]
    explainer = InteractionExplainer(pipe, background)
    assert explainer.method_ == "exact"
    inter = explainer.shap_interaction_values(rows)
    assert inter.feature_names == ["c0", "n0", "c1"]
    for r in range(len(rows)):
        matrix = brute_force_matrix(_pipe_f(pipe), rows.iloc[r], background)
        np.testing.assert_allclose(inter.values[r], matrix, rtol=0, atol=1e-8)


def test_pipeline_deep_model_is_hybrid(raw):
    X, y = raw
    pipe = Pipeline(
        [
            ("prep", _ct(OrdinalEncoder())),
            ("m", DeepFMRegressor(embed_dim=2, hidden_units=(4,), max_epochs=1)),
        ]
    ).fit(X, y)
    explainer = InteractionExplainer(pipe, X.iloc[:5], n_permutations=4, random_state=0)
    # closed-form FM part through the pipeline, remainder by enumeration
    assert explainer.method_ == "enumeration" and explainer.control_variate_
    phi = explainer.shap_values(X.iloc[10:12])
    np.testing.assert_allclose(
        phi.values.sum(1) + phi.base_values,
        pipe[-1].decompose(pipe[:-1].transform(X.iloc[10:12])).output(),
        atol=1e-8,
    )


@pytest.mark.parametrize(
    "case, reason",
    [
        ("pca", "PCA"),
        ("function", "FunctionTransformer"),
        ("one_hot_sparse", "sparse"),
    ],
)
def test_pipeline_not_column_wise_falls_back_to_sampling(raw, case, reason):
    X, y = raw
    num = ["n0", "n1"]
    if case == "pca":
        pipe = _fit(make_pipeline(_ct(OrdinalEncoder()), PCA(3)), X, y)
    elif case == "function":
        prep = ColumnTransformer([("f", FunctionTransformer(np.tanh), num)])
        pipe = _fit(prep, X[num], y)
    else:
        # sparse one-hot output: the FM sees one sparse input, not fields
        cat = ["c0", "c1"]
        pipe = _fit(ColumnTransformer([("oh", OneHotEncoder(), cat)]), X[cat], y)
    columns = {"function": num, "one_hot_sparse": ["c0", "c1"]}.get(case, X.columns)
    background = X[list(columns)].iloc[:4]
    explainer = InteractionExplainer(pipe, background, n_permutations=2)
    assert explainer.method_ == "enumeration"  # model-agnostic: 2^m fits the budget
    assert reason in explainer.exact_unavailable_reason_
    with pytest.raises(TypeError, match=reason):
        InteractionExplainer(pipe, background, method="exact")


def test_column_wise_check_catches_a_wrong_mapping(raw):
    X, y = raw
    prep = _ct(OrdinalEncoder()).fit(X, y)
    sample = X.iloc[:20]
    assert _check_column_wise(prep, sample, np.array([0, 2, 3, 1]))[0] is None
    why, _ = _check_column_wise(prep, sample, np.array([0, 2, 1, 3]))
    assert "does not depend on input column" in why


# ------------------------------------------------------------------- plots
@pytest.fixture(scope="module")
def sampled(raw):
    """Sampled interaction values (with error_std) with raw data and names."""
    X, y = raw
    pipe = _fit(_ct(OrdinalEncoder()), X, y)
    explainer = InteractionExplainer(
        pipe, X.iloc[:3], method="sampling", n_permutations=4, random_state=0
    )
    return explainer.shap_interaction_values(X.iloc[50:90])


def test_interaction_bar(sampled):
    import matplotlib.pyplot as plt

    ax = plot_interaction_bar(sampled, max_display=4)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ranking = rank_interactions(sampled).head(4)
    # the top pair first, drawn at the top
    expected = [f"{a} × {b}" for a, b in zip(ranking.feature_a, ranking.feature_b)]
    assert labels == expected
    assert [t.get_position()[1] for t in ax.get_yticklabels()] == [3, 2, 1, 0]
    widths = sorted(p.get_width() for p in ax.patches)
    np.testing.assert_allclose(widths, sorted(ranking.mean_abs_interaction))
    # error bars from error_std
    (bars,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert bars.errorbar is not None
    assert len(bars.errorbar.lines[2][0].get_segments()) == 4
    assert tuple(ax.figure.get_size_inches()) == (6.0, 0.9 + 0.4 * 4)
    plt.close("all")
    ax = plot_interaction_bar(sampled.values)  # no error_std: no error bars
    (bars,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert bars.errorbar is None
    assert len(ax.patches) == 6
    plt.close("all")


def test_interaction_dependence(sampled):
    import matplotlib.pyplot as plt

    ax = plot_interaction_dependence(sampled, "c0", "n1")
    assert ax.get_xlabel() == "c0"
    assert ax.get_ylabel() == "SHAP interaction value c0 × n1"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    points = ax.collections[-1]
    np.testing.assert_allclose(points.get_offsets()[:, 1], sampled.values[:, 0, 3])
    assert len(ax.figure.axes) == 2  # the colour bar for n1
    assert len(ax.collections) == 2  # error bars and points
    plt.close("all")
    ax = plot_interaction_dependence(sampled, 1, 3)
    np.testing.assert_allclose(
        ax.collections[-1].get_offsets(),
        np.column_stack([sampled.data[:, 1], sampled.values[:, 1, 3]]),
    )
    plt.close("all")
    # a categorical colour column is labelled by category
    ax = plot_interaction_dependence(sampled, "n0", "c1")
    bar = ax.figure.axes[1]
    assert [t.get_text() for t in bar.get_yticklabels()] == ["x", "y", "z"]
    assert ax.get_xticklabels()[0].get_text() != "a"  # numeric x axis
    plt.close("all")
    with pytest.raises(ValueError, match="same column"):
        plot_interaction_dependence(sampled, "c0", 0)
    with pytest.raises(ValueError, match="'zz' is not a column"):
        plot_interaction_dependence(sampled, "zz", "c0")


def test_interaction_beeswarm(sampled):
    import matplotlib.pyplot as plt

    ax = plot_interaction_beeswarm(sampled, max_display=3)
    assert len(ax.get_yticklabels()) == 3
    assert len(ax.collections) == 3
    top = ax.collections[0].get_offsets()
    ranking = rank_interactions(sampled)
    a, b = (list(sampled.feature_names).index(c) for c in ranking.iloc[0, :2])
    np.testing.assert_allclose(np.sort(top[:, 0]), np.sort(sampled.values[:, a, b]))
    assert np.abs(top[:, 1] - 2).max() <= 0.4  # the top row, spread within it
    plt.close("all")


@pytest.mark.parametrize(
    "fn",
    [
        rank_interactions,
        plot_interaction_bar,
        plot_interaction_beeswarm,
        plot_interaction_heatmap,
        lambda e: plot_interaction_dependence(e, 0, 1),
    ],
)
def test_shap_values_where_interactions_expected(sampled, fn):
    two_d = sampled.values.sum(axis=2)
    for wrong in (two_d, shap.Explanation(two_d, feature_names=sampled.feature_names)):
        with pytest.raises(ValueError, match="2-d array of shape .*SHAP values"):
            fn(wrong)


def test_interaction_explanation_sliced_by_name(sampled):
    import matplotlib.pyplot as plt

    assert isinstance(sampled, shap.Explanation)
    pair = sampled[:, "c0", "n1"]
    np.testing.assert_array_equal(pair.values, sampled.values[:, 0, 3])
    np.testing.assert_array_equal(pair.data, sampled.data[:, 0])
    np.testing.assert_array_equal(
        sampled[:5][:, "n0", "c1"].values, sampled.values[:5, 1, 2]
    )
    shap.plots.scatter(pair, show=False)
    plt.close("all")
    with pytest.raises(ValueError, match="not a column"):
        sampled[:, "c0", "zz"]
