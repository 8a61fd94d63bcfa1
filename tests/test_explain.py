"""Tests of skfeat.explain against a brute-force enumeration of all coalitions."""

import itertools
import warnings
from math import factorial

import matplotlib
import numpy as np
import pandas as pd
import pytest
import shap
import torch
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skfeat.datasets import (
    make_interaction_classification,
    make_interaction_regression,
)
from skfeat.explain import (
    InteractionExplainer,
    plot_interaction_heatmap,
    rank_interactions,
)
from skfeat.models import (
    Decomposition,
    FMClassifier,
    FMRegressor,
    FwFMClassifier,
    FwFMRegressor,
)

matplotlib.use("Agg")
# tiny models on a shared 2-core box: one thread is several times faster
torch.set_num_threads(1)


# ------------------------------------------------------------------ oracle
def _mask_rows(x, background, mask):
    """Background rows with the columns in ``mask`` replaced by row ``x``."""
    if isinstance(background, pd.DataFrame):
        out = background.copy()
        for j, name in enumerate(background.columns):
            if mask[j]:
                out[name] = pd.Series(
                    [x.iloc[j]] * len(out),
                    index=out.index,
                    dtype=background[name].dtype,
                )
        return out
    out = np.array(background, copy=True)
    out[:, mask] = np.asarray(x)[mask]
    return out


def brute_force(f, x, background):
    """Shapley values, SII and Lundberg's matrix by enumerating all 2^m coalitions.

    ``v(S) = mean_b f(x_S, b_notS)``; written independently of skfeat.explain.
    """
    m = background.shape[1]
    masks = list(itertools.product([False, True], repeat=m))
    tables = [_mask_rows(x, background, np.array(mask)) for mask in masks]
    if isinstance(background, pd.DataFrame):
        stacked = pd.concat(tables, ignore_index=True)
    else:
        stacked = np.concatenate(tables)
    # one model call for all 2^m coalitions
    out = np.asarray(f(stacked), dtype=np.float64).reshape(len(masks), -1)
    v = dict(zip(masks, out.mean(axis=1)))
    phi = np.zeros(m)
    sii = np.zeros((m, m))
    for mask in masks:
        s = sum(mask)
        for i in range(m):
            if mask[i]:
                continue
            with_i = tuple(True if k == i else mask[k] for k in range(m))
            w = factorial(s) * factorial(m - s - 1) / factorial(m)
            phi[i] += w * (v[with_i] - v[mask])
            for j in range(i + 1, m):
                if mask[j]:
                    continue
                with_j = tuple(True if k == j else mask[k] for k in range(m))
                with_ij = tuple(True if k in (i, j) else mask[k] for k in range(m))
                w2 = factorial(s) * factorial(m - s - 2) / factorial(m - 1)
                delta = v[with_ij] - v[with_i] - v[with_j] + v[mask]
                sii[i, j] += w2 * delta
                sii[j, i] += w2 * delta
    inter = 0.5 * sii
    inter[np.diag_indices(m)] = phi - inter.sum(axis=1)
    base = v[tuple([False] * m)]
    return phi, inter, base


def _row(X, r):
    return X.iloc[r] if isinstance(X, pd.DataFrame) else X[r]


def _decomposed(model, output=None):
    """The model's output recomposed from ``decompose`` in float64."""

    def f(X):
        return model.decompose(X, output=output).output()

    return f


class _Float64Model:
    """A model-agnostic view of an FM: ``predict`` in float64, no decompose."""

    def __init__(self, model):
        self.model = model

    def predict(self, X):
        return self.model.decompose(X).output()


# ------------------------------------------------------------- fixtures
def _randomise(model, seed, scale=0.5):
    # trained for two epochs the factors are still near their tiny init; random
    # weights make every term, and every error, visible
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.net_.module_.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * scale)
    return model


def _mixed_frame(n, seed, correlated=False):
    """Six categorical and two numeric columns, optionally strongly correlated."""
    rng = np.random.RandomState(seed)
    cols = {}
    base = rng.randint(4, size=n)
    for i in range(6):
        codes = rng.randint(4, size=n)
        if correlated and i < 3:
            codes = np.where(rng.rand(n) < 0.8, base, codes)
        cols[f"c{i}"] = pd.Categorical.from_codes(
            codes, categories=[f"v{k}" for k in range(4)]
        )
    z = rng.randn(n)
    cols["n0"] = z + (0.5 * base if correlated else 0)
    cols["n1"] = 0.7 * z + rng.randn(n) if correlated else rng.randn(n)
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def mixed_data():
    X = _mixed_frame(160, seed=0, correlated=True)
    y = X["n0"].to_numpy() + (X["c0"].cat.codes.to_numpy() == X["c1"].cat.codes)
    return X, y


@pytest.fixture(scope="module")
def fm_reg(mixed_data):
    X, y = mixed_data
    model = FMRegressor(embed_dim=3, max_epochs=2, random_state=0).fit(X, y)
    return _randomise(model, 0)


@pytest.fixture(scope="module")
def fwfm_clf(mixed_data):
    X, y = mixed_data
    model = FwFMClassifier(embed_dim=3, max_epochs=2, random_state=0).fit(X, y > 0.5)
    return _randomise(model, 1)


# ----------------------------------------------------------------- T1: exact
@pytest.mark.parametrize("model_name", ["fm_reg", "fwfm_clf"])
@pytest.mark.parametrize("n_background", [1, 7, "full"])
def test_exact_equals_brute_force(request, mixed_data, model_name, n_background):
    X, _ = mixed_data
    model = request.getfixturevalue(model_name)
    background = X if n_background == "full" else X.iloc[10 : 10 + n_background]
    explainer = InteractionExplainer(model, background, method="exact")
    rows = X.iloc[[0, 3]]
    inter = explainer.shap_interaction_values(rows)
    shap_values = explainer.shap_values(rows)
    for r in range(len(rows)):
        phi, matrix, base = brute_force(_decomposed(model), rows.iloc[r], background)
        np.testing.assert_allclose(shap_values.values[r], phi, rtol=0, atol=1e-10)
        np.testing.assert_allclose(inter.values[r], matrix, rtol=0, atol=1e-10)
        assert abs(inter.base_values[r] - base) <= 1e-10
    assert np.abs(inter.values).max() > 0.1  # the check is not vacuous


@pytest.mark.parametrize("Model", [FMRegressor, FwFMRegressor])
def test_exact_numeric_array_input(Model):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 5)
    X[:, 1] = X[:, 0] + 0.1 * rng.randn(60)  # a correlated pair of columns
    model = _randomise(
        Model(embed_dim=2, max_epochs=2, random_state=0).fit(X, X[:, 0]), 2
    )
    explainer = InteractionExplainer(model, X[:20])
    assert explainer.method_ == "exact"
    inter = explainer.shap_interaction_values(X[40:42])
    for r in range(2):
        _, matrix, _ = brute_force(_decomposed(model), X[40 + r], X[:20])
        np.testing.assert_allclose(inter.values[r], matrix, rtol=0, atol=1e-10)


def test_exact_background_in_chunks_is_identical(mixed_data, fm_reg):
    X, _ = mixed_data
    whole = InteractionExplainer(fm_reg, X).shap_interaction_values(X.iloc[:5])
    chunked = InteractionExplainer(fm_reg, X, batch_size=7).shap_interaction_values(
        X.iloc[:5]
    )
    np.testing.assert_allclose(chunked.values, whole.values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(chunked.base_values, whole.base_values, atol=1e-12)


def test_exact_matches_model_output(mixed_data, fwfm_clf):
    X, _ = mixed_data
    explainer = InteractionExplainer(fwfm_clf, X)
    inter = explainer.shap_interaction_values(X.iloc[:20])
    total = inter.values.sum(axis=(1, 2)) + inter.base_values
    # the model's own float32 logit
    np.testing.assert_allclose(
        total, fwfm_clf.decision_function(X.iloc[:20]), atol=1e-4
    )
    expected = fwfm_clf.decision_function(X).mean()
    assert abs(explainer.expected_value - expected) < 1e-4


# ------------------------------------------------------------ T2: axioms
class _ToyFM:
    """A float64 numpy FM/FwFM on integer-coded columns, with ``decompose``."""

    def __init__(self, linear, factors, weights):
        self.linear, self.factors, self.weights = linear, factors, weights

    def decompose(self, X, *, output=None):
        X = np.asarray(X, dtype=int)
        m = X.shape[1]
        cols = np.arange(m)
        return Decomposition(
            bias=0.3,
            linear=self.linear[cols, X],
            embeddings=self.factors[cols, X],
            pair_weights=self.weights,
            feature_names=[f"x{i}" for i in range(m)],
        )

    def predict(self, X):
        return self.decompose(X).output()


def _toy(m=5, card=4, k=3, seed=0, fwfm=True):
    rng = np.random.RandomState(seed)
    weights = rng.randn(m, m) if fwfm else np.ones((m, m))
    weights = (weights + weights.T) / 2
    np.fill_diagonal(weights, 0.0)
    return _ToyFM(rng.randn(m, card), rng.randn(m, card, k), weights)


@pytest.mark.parametrize("method", ["exact", "sampling"])
def test_axioms(method):
    rng = np.random.RandomState(0)
    toy = _toy()
    # symmetry: columns 0 and 1 have identical tables and identical background
    toy.linear[1], toy.factors[1] = toy.linear[0], toy.factors[0]
    toy.weights[1, 2:] = toy.weights[2:, 1] = toy.weights[0, 2:]
    # dummy: column 4 does nothing
    toy.linear[4], toy.factors[4] = 0.0, 0.0
    background = rng.randint(4, size=(9, 5))
    background[:, 1] = background[:, 0]
    X = rng.randint(4, size=(6, 5))
    X[:, 1] = X[:, 0]
    explainer = InteractionExplainer(
        toy, background, method=method, n_permutations=6, random_state=0
    )
    inter = explainer.shap_interaction_values(X).values
    phi = explainer.shap_values(X).values
    f = toy.predict(X)
    # efficiency, for the vector and the matrix
    np.testing.assert_allclose(phi.sum(1), f - explainer.expected_value, atol=1e-10)
    np.testing.assert_allclose(
        inter.sum((1, 2)), f - explainer.expected_value, atol=1e-10
    )
    np.testing.assert_allclose(inter.sum(2), phi, atol=1e-10)
    np.testing.assert_allclose(inter, inter.transpose(0, 2, 1), atol=1e-12)
    # symmetry
    np.testing.assert_allclose(phi[:, 0], phi[:, 1], atol=1e-10)
    np.testing.assert_allclose(inter[:, 0, 2:], inter[:, 1, 2:], atol=1e-10)
    # dummy
    np.testing.assert_allclose(inter[:, 4], 0.0, atol=1e-12)
    # base value = v(empty) = mean background output
    assert abs(explainer.expected_value - toy.predict(background).mean()) < 1e-12
    # diagonal = pure main effect v({i}) - v(empty) for a second-order model
    for r in range(2):
        for i in range(5):
            rows = background.copy()
            rows[:, i] = X[r, i]
            main = toy.predict(rows).mean() - explainer.expected_value
            assert abs(inter[r, i, i] - main) < 1e-10


def test_single_baseline_closed_form():
    toy = _toy(fwfm=False)
    rng = np.random.RandomState(1)
    b, x = rng.randint(4, size=(1, 5)), rng.randint(4, size=(1, 5))
    inter = InteractionExplainer(toy, b).shap_interaction_values(x).values[0]
    de = toy.decompose(x).embeddings[0] - toy.decompose(b).embeddings[0]
    expected = 0.5 * de @ de.T
    off = ~np.eye(5, dtype=bool)
    np.testing.assert_allclose(inter[off], expected[off], atol=1e-12)


# ---------------------------------------------------------- T4: sampling
@pytest.fixture(scope="module")
def mlp():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5)
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) * X[:, 3] + X[:, 4] ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor(
            hidden_layer_sizes=(16,), activation="tanh", max_iter=300, random_state=0
        ).fit(X, y)
    return model, X


def test_sampling_within_standard_errors_on_mlp(mlp):
    model, X = mlp
    background, rows = X[:8], X[100:104]
    explainer = InteractionExplainer(
        model, background, method="sampling", n_permutations=120, random_state=0
    )
    assert explainer.method_ == "sampling"
    inter = explainer.shap_interaction_values(rows)
    phi = explainer.shap_values(rows)
    errors, errors_phi = [], []
    for r in range(len(rows)):
        true_phi, true_inter, base = brute_force(model.predict, rows[r], background)
        errors.append(np.abs(inter.values[r] - true_inter) / inter.error_std[r])
        errors_phi.append(np.abs(phi.values[r] - true_phi) / phi.error_std[r])
        assert abs(phi.base_values[r] - base) < 1e-12
    errors, errors_phi = np.array(errors), np.array(errors_phi)
    assert np.isfinite(errors).all() and np.isfinite(errors_phi).all()
    assert (errors <= 4).mean() >= 0.95
    assert (errors_phi <= 4).mean() >= 0.95
    # the standard errors are not inflated: the estimate is informative
    assert np.median(inter.error_std) < 0.2 * np.abs(true_inter).max()
    # efficiency holds exactly for every estimate (telescoping prefixes)
    np.testing.assert_allclose(
        phi.values.sum(1) + phi.base_values, model.predict(rows), atol=1e-10
    )


def test_sampling_is_exact_on_second_order_models(mixed_data, fm_reg):
    X, _ = mixed_data
    exact = InteractionExplainer(fm_reg, X.iloc[:30]).shap_interaction_values(
        X.iloc[40:43]
    )
    sampler = InteractionExplainer(
        _Float64Model(fm_reg),
        X.iloc[:30],
        method="sampling",
        n_permutations=4,
        random_state=0,
    )
    assert sampler.method_ == "sampling"
    sampled = sampler.shap_interaction_values(X.iloc[40:43])
    np.testing.assert_allclose(sampled.values, exact.values, rtol=0, atol=1e-10)
    assert np.nanmax(sampled.error_std) < 1e-10
    # the same through the model's own float32 output: exact up to float32 noise
    direct = InteractionExplainer(
        fm_reg, X.iloc[:30], method="sampling", n_permutations=4, random_state=1
    ).shap_interaction_values(X.iloc[40:43])
    np.testing.assert_allclose(direct.values, exact.values, atol=1e-4)


def test_sampling_is_reproducible(mlp):
    model, X = mlp
    kw = dict(method="sampling", n_permutations=10, random_state=3)
    a = InteractionExplainer(model, X[:5], **kw).shap_interaction_values(X[10:12])
    b = InteractionExplainer(model, X[:5], **kw).shap_interaction_values(X[10:12])
    np.testing.assert_array_equal(a.values, b.values)


# ---------------------------------------------------- T6: planted pairs
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "maker, Model",
    [
        (make_interaction_regression, FMRegressor),
        (make_interaction_classification, FMClassifier),
    ],
)
def test_planted_pairs_are_top_ranked(seed, maker, Model):
    X, y, truth = maker(n_samples=20_000, random_state=seed)
    model = Model(
        embed_dim=8,
        batch_size=1024,
        learning_rate=0.01,
        max_epochs=10,
        early_stopping=False,
        random_state=seed,
    ).fit(X.iloc[:16_000], y[:16_000])
    explainer = InteractionExplainer(model, X.iloc[:100])
    ranking = rank_interactions(
        explainer.shap_interaction_values(X.iloc[16_000:16_100])
    )
    top = {tuple(sorted(p)) for p in ranking[["feature_a", "feature_b"]].values[:3]}
    assert top == {tuple(sorted(p)) for p in truth.pairs}
    scores = ranking["mean_abs_interaction"].to_numpy()
    assert scores[2] >= 1.5 * scores[3]


# ------------------------------------------------- pipelines and frames
def test_pipeline_with_categorical_frame():
    X = _mixed_frame(200, seed=3)[["c0", "c1", "c2", "n0", "n1"]]
    y = (X["c0"].cat.codes.to_numpy() == X["c1"].cat.codes.to_numpy()) ^ (
        X["n0"].to_numpy() > 0
    )
    pipe = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("cat", OneHotEncoder(), ["c0", "c1", "c2"]),
                        ("num", StandardScaler(), ["n0", "n1"]),
                    ]
                ),
            ),
            ("clf", LogisticRegression()),
        ]
    ).fit(X, y)
    background, rows = X.iloc[:6], X.iloc[50:52]
    explainer = InteractionExplainer(pipe, background, n_permutations=8, random_state=0)
    assert explainer.method_ == "enumeration"  # 2^5 coalitions fit the budget
    inter = explainer.shap_interaction_values(rows)
    assert inter.values.shape == (2, 5, 5)
    assert inter.feature_names == ["c0", "c1", "c2", "n0", "n1"]
    # a logistic regression on one-hot columns is additive in the raw columns
    for r in range(2):
        _, matrix, _ = brute_force(pipe.decision_function, rows.iloc[r], background)
        np.testing.assert_allclose(inter.values[r], matrix, atol=1e-10)
    np.testing.assert_allclose(
        inter.values.sum((1, 2)) + inter.base_values,
        pipe.decision_function(rows),
        atol=1e-10,
    )


def test_pipeline_ending_in_fm_is_exact(mixed_data):
    # a column-wise scaler before an FM keeps the exact path (more cases in
    # test_explain_pairs.py)
    X, y = mixed_data
    num = X[["n0", "n1"]].to_numpy()
    pipe = make_pipeline(
        StandardScaler(), FMRegressor(embed_dim=2, max_epochs=2, random_state=0)
    ).fit(num, y)
    explainer = InteractionExplainer(pipe, num[:10], n_permutations=4, random_state=0)
    assert explainer.method_ == "exact"
    assert explainer.shap_values(num[:3]).values.shape == (3, 2)
    sampled = InteractionExplainer(pipe, num[:10], method="sampling", n_permutations=4)
    np.testing.assert_allclose(
        explainer.shap_interaction_values(num[:3]).values,
        sampled.shap_interaction_values(num[:3]).values,
        atol=1e-5,
    )


def test_multiclass_output():
    X, y, _ = make_interaction_classification(
        n_samples=600, n_fields=4, interactions=1, random_state=0
    )
    y = np.asarray(y) + (X["f3"].cat.codes.to_numpy() > 8)  # three classes
    model = FMClassifier(embed_dim=2, max_epochs=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="output"):
        InteractionExplainer(model, X.iloc[:10])
    explainer = InteractionExplainer(model, X.iloc[:10], output=2)
    assert explainer.method_ == "exact"
    values = explainer.shap_values(X.iloc[:4])
    np.testing.assert_allclose(
        values.values.sum(1) + values.base_values,
        model.decision_function(X.iloc[:4])[:, 2],
        atol=1e-4,
    )


# ------------------------------------------------------ global views, shap
def test_rank_and_plots(mixed_data, fm_reg):
    X, _ = mixed_data
    explainer = InteractionExplainer(fm_reg, X)
    inter = explainer.shap_interaction_values(X.iloc[:30])
    ranking = rank_interactions(inter)
    m = X.shape[1]
    assert list(ranking.columns) == [
        "feature_a",
        "feature_b",
        "mean_abs_interaction",
        "mean_interaction",
    ]
    assert len(ranking) == m * (m - 1) // 2
    assert ranking["mean_abs_interaction"].is_monotonic_decreasing
    best = ranking.iloc[0]
    i, j = list(X.columns).index(best.feature_a), list(X.columns).index(best.feature_b)
    assert np.isclose(best.mean_abs_interaction, np.abs(inter.values[:, i, j]).mean())

    import matplotlib.pyplot as plt

    ax = plot_interaction_heatmap(inter)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(X.columns)
    values = explainer.shap_values(X.iloc[:30])
    assert values.display_data is not None  # categories shown by name
    shap.plots.bar(values, show=False)
    shap.plots.beeswarm(values, show=False)
    shap.plots.scatter(values[:, "n0"], show=False)
    plt.close("all")
    with pytest.raises(ValueError, match="interaction"):
        rank_interactions(np.zeros(3))


# ----------------------------------------------------------------- errors
def test_clear_errors(mlp, mixed_data):
    model, X = mlp
    with pytest.raises(NotFittedError):
        InteractionExplainer(FMRegressor(), X[:5])
    with pytest.raises(NotFittedError):
        InteractionExplainer(make_pipeline(StandardScaler(), Ridge()), X[:5])
    with pytest.raises(TypeError, match="decompose"):
        InteractionExplainer(model, X[:5], method="exact")
    with pytest.raises(TypeError, match="neither"):
        InteractionExplainer(object(), X[:5])
    with pytest.raises(ValueError, match="method"):
        InteractionExplainer(model, X[:5], method="kernel")
    with pytest.raises(ValueError, match="at least one row"):
        InteractionExplainer(model, X[:0])
    explainer = InteractionExplainer(model, X[:5], n_permutations=2)
    with pytest.raises(ValueError, match="columns"):
        explainer.shap_values(X[:2, :3])
    frame, _ = mixed_data
    with pytest.raises(TypeError, match="DataFrame"):
        InteractionExplainer(
            FMRegressor(max_epochs=1).fit(frame, np.zeros(len(frame))), frame
        ).shap_values(frame.to_numpy())


def test_callable_model():
    rng = np.random.RandomState(0)
    background, rows = rng.randn(4, 3), rng.randn(2, 3)

    def f(X):
        return X[:, 0] * X[:, 1] + X[:, 2]

    inter = InteractionExplainer(
        f, background, n_permutations=4
    ).shap_interaction_values(rows)
    for r in range(2):
        _, matrix, _ = brute_force(f, rows[r], background)
        np.testing.assert_allclose(inter.values[r], matrix, atol=1e-12)


class _ToyDeepFM(_ToyFM):
    """A toy FM plus a non-additive 'deep' remainder, reported by decompose."""

    def decompose(self, X, *, output=None):
        dec = super().decompose(X)
        Xf = np.asarray(X, dtype=float)
        dec.remainder = np.tanh(Xf[:, 0] - Xf[:, 1] * Xf[:, 2] / 3.0)
        return dec


def test_hybrid_exact_part_plus_sampled_remainder():
    rng = np.random.RandomState(0)
    toy = _ToyDeepFM(*vars(_toy(m=4)).values())
    background, rows = rng.randint(4, size=(6, 4)), rng.randint(4, size=(3, 4))
    explainer = InteractionExplainer(
        toy, background, method="sampling", n_permutations=200, random_state=0
    )
    assert explainer.method_ == "sampling" and explainer.control_variate_
    with pytest.raises(ValueError, match="remainder"):
        InteractionExplainer(toy, background, method="exact")
    inter = explainer.shap_interaction_values(rows)
    for r in range(3):
        _, matrix, base = brute_force(toy.predict, rows[r], background)
        assert abs(inter.base_values[r] - base) < 1e-12
        z = np.abs(inter.values[r] - matrix) / np.maximum(inter.error_std[r], 1e-15)
        assert (z <= 4).mean() >= 0.9
    # only the remainder is sampled: pairs it does not touch have no error
    assert inter.error_std[:, 0, 3].max() < 1e-12
    np.testing.assert_allclose(
        inter.values.sum((1, 2)) + inter.base_values, toy.predict(rows), atol=1e-10
    )
