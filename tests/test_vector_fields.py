"""Vector fields (``vector_features``): one field per embedding, one player each."""

import itertools
import math
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfeat.datasets import (
    make_interaction_classification,
    make_vector_field_classification,
)
from skfeat.explain import InteractionExplainer
from skfeat.io import load, save
from skfeat.models import (
    AutoIntClassifier,
    DCNClassifier,
    DeepFMClassifier,
    DNNClassifier,
    FiGNNClassifier,
    FinalMLPClassifier,
    FMClassifier,
    FMRegressor,
    FwFMClassifier,
    VAEClassifier,
    WideDeepClassifier,
)
from skfeat.nn import FieldEmbedding


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def data():
    X, y, truth = make_vector_field_classification(n_samples=6000, random_state=0)
    return X.iloc[:4000], y[:4000], X.iloc[4000:], y[4000:], truth


@pytest.fixture(scope="module")
def fm(data):
    X, y, _, _, truth = data
    return FMClassifier(
        embed_dim=8, max_epochs=30, random_state=0,
        vector_features=truth.vector_features,
    ).fit(X, y)  # fmt: skip


def _small(n=300, d=3, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "c": pd.Categorical(rng.choice(["x", "y", "z"], n)),
        }
    )
    for j in range(d):
        X[f"e{j}"] = rng.normal(size=n)
    y = ((X["e0"] - X["e1"]) * (X["c"] == "x") + 0.5 * X["a"] > 0).astype(int)
    return X, y.to_numpy(), {"emb": [f"e{j}" for j in range(d)]}


# ----------------------------------------------------------------- the data
def test_generator_plants_a_pure_vector_category_interaction():
    X, y, truth = make_vector_field_classification(
        n_samples=20000, vector_dim=6, n_fields=2, random_state=1
    )
    assert list(X.columns[:3]) == ["category", "f0", "f1"]
    assert truth.vector_features["text"] == [f"text_{j}" for j in range(6)]
    # the directions sum to zero: the vector alone carries no main effect
    np.testing.assert_allclose(truth.directions.sum(axis=0), 0.0, atol=1e-12)
    V = X[truth.vector_features["text"]].to_numpy()
    codes = X["category"].cat.codes.to_numpy()
    term = np.einsum("nd,nd->n", V, truth.directions[codes])
    assert abs(term.std() - 2.0) < 0.05  # interaction_strength
    for c in range(4):  # centred in every category
        assert abs(term[codes == c].mean()) < 0.1
    assert 0.4 < y.mean() < 0.6


# -------------------------------------------------------- accuracy and SHAP
def test_vector_field_beats_the_model_without_it(data, fm):
    X, y, X_test, y_test, truth = data
    auc_with = roc_auc_score(y_test, fm.predict_proba(X_test)[:, 1])
    scalar = ["category", "f0", "f1", "f2"]
    without = FMClassifier(embed_dim=8, max_epochs=30, random_state=0).fit(
        X[scalar], y
    )
    auc_without = roc_auc_score(y_test, without.predict_proba(X_test[scalar])[:, 1])
    oracle = roc_auc_score(y_test, truth.logit[4000:])
    # measured: 0.860 with, 0.616 without, 0.884 for the generating logit
    assert auc_with >= 0.83
    assert auc_with - auc_without >= 0.15
    assert auc_with <= oracle + 0.01
    assert fm.schema_.names == ["category", "f0", "f1", "f2", "text"]
    assert fm.schema_.vector_dims == (16,)
    assert list(fm.feature_kinds_[-16:]) == ["vector"] * 16


def test_shap_interaction_of_vector_and_category_is_the_largest_pair(data, fm):
    X, _, X_test, _, truth = data
    explainer = InteractionExplainer(fm, X.iloc[:500])
    assert explainer.method_ == "exact"
    assert explainer.feature_names == ["category", "f0", "f1", "f2", "text"]
    inter = explainer.shap_interaction_values(X_test.iloc[:300])
    assert inter.values.shape == (300, 5, 5)
    strength = np.abs(inter.values).mean(axis=0)
    np.fill_diagonal(strength, 0.0)
    i, j = np.unravel_index(np.argmax(strength), strength.shape)
    assert {explainer.feature_names[i], explainer.feature_names[j]} == set(truth.pair)
    # and by a wide margin over the next pair
    second = np.sort(strength[np.triu_indices(5, 1)])[-2]
    assert strength[i, j] > 5 * second
    # the vector player is shown by its norm
    norms = np.linalg.norm(X_test.iloc[:300][truth.vector_features["text"]], axis=1)
    np.testing.assert_allclose(inter.data[:, 4], norms)


_MODELS = [
    (FMClassifier, {}),
    (FwFMClassifier, {}),
    (DNNClassifier, {"hidden_units": (32,)}),
    (WideDeepClassifier, {"hidden_units": (32,)}),
    (DeepFMClassifier, {"hidden_units": (32,)}),
    (DCNClassifier, {"hidden_units": (32,), "cross_layers": 2}),
    (AutoIntClassifier, {"attention_layers": 2, "attention_dim": 16}),
    (FiGNNClassifier, {"gnn_layers": 2, "learning_rate": 0.003}),
    (
        FinalMLPClassifier,
        {
            "mlp1_hidden_units": (32,),
            "mlp2_hidden_units": (32,),
            "fs_hidden_units": (16,),
            "fs1_context": ["text"],
            "num_heads": 1,
        },
    ),
    (VAEClassifier, {"user_features": ["category"], "learning_rate": 0.01}),
]


@pytest.mark.parametrize("cls, params", _MODELS, ids=[c.__name__ for c, _ in _MODELS])
def test_every_field_model_learns_from_the_vector(cls, params):
    X, y, truth = make_vector_field_classification(
        n_samples=3000, vector_dim=8, n_fields=1, random_state=2
    )
    model = cls(
        **params, embed_dim=8, max_epochs=15, random_state=0,
        vector_features=truth.vector_features,
    ).fit(X.iloc[:2000], y[:2000])  # fmt: skip
    assert model.schema_.names == ["category", "f0", "text"]
    auc = roc_auc_score(y[2000:], model.predict_proba(X.iloc[2000:])[:, 1])
    # without the vector the best AUC is about 0.6 (the f0 main effect only)
    assert auc >= 0.72, auc


# ------------------------------------------------------------- exactness
def _cell_dtype(value):
    return object if isinstance(value, list | tuple | np.ndarray) else None


def _brute_force_interactions(f, x, background, groups):
    """Lundberg's interaction matrix by enumerating the players' coalitions."""
    m = len(groups)
    value = {}
    for size in range(m + 1):
        for S in itertools.combinations(range(m), size):
            rows = background.copy()
            for p in S:
                for col in groups[p]:
                    # object cells (a list of a multi-value column) as they are
                    cell = x[col].iloc[0]
                    rows[col] = pd.Series([cell] * len(rows), index=rows.index,
                                          dtype=_cell_dtype(cell))  # fmt: skip
            value[S] = float(np.mean(f(rows)))
    phi = np.zeros((m, m))
    for i, j in itertools.combinations(range(m), 2):
        others = [p for p in range(m) if p not in (i, j)]
        total = 0.0
        for size in range(len(others) + 1):
            w = (
                math.factorial(size)
                * math.factorial(m - size - 2)
                / math.factorial(m - 1)
            )
            for T in itertools.combinations(others, size):
                def key(extra, T=T):
                    return tuple(sorted(T + extra))

                total += w * (
                    value[key((i, j))] - value[key((i,))] - value[key((j,))]
                    + value[key(())]
                )  # fmt: skip
        phi[i, j] = phi[j, i] = 0.5 * total
    shap = np.zeros(m)
    for i in range(m):
        others = [p for p in range(m) if p != i]
        for size in range(m):
            w = math.factorial(size) * math.factorial(m - size - 1) / math.factorial(m)
            for T in itertools.combinations(others, size):
                shap[i] += w * (value[tuple(sorted(T + (i,)))] - value[T])
    for i in range(m):
        phi[i, i] = shap[i] - (phi[i].sum() - phi[i, i])
    return phi


@pytest.mark.parametrize("cls", [FMClassifier, FwFMClassifier])
def test_exact_explainer_matches_brute_force_with_a_vector_field(cls):
    X, y, vf = _small(n=300, d=3)
    model = cls(embed_dim=4, max_epochs=5, random_state=0, vector_features=vf)
    model.fit(X, y)
    background = X.iloc[:20].reset_index(drop=True)
    explainer = InteractionExplainer(model, background)
    assert explainer.method_ == "exact"
    assert explainer.feature_names == ["a", "c", "emb"]
    groups = [["a"], ["c"], vf["emb"]]
    for r in (100, 101):
        x = X.iloc[[r]]
        expected = _brute_force_interactions(
            model.decision_function, x, background, groups
        )
        got = explainer.shap_interaction_values(x).values[0]
        np.testing.assert_allclose(got, expected, atol=2e-6)
        # and the model-agnostic enumeration masks the vector as one player too
        enum = InteractionExplainer(
            model, background, method="enumeration", dtype="float64"
        ).shap_interaction_values(x)
        np.testing.assert_allclose(enum.values[0], expected, atol=2e-6)


def test_deep_model_explanations_play_the_vector_as_one_player():
    X, y, vf = _small(n=300, d=3)
    model = DeepFMClassifier(
        hidden_units=(8,), max_epochs=3, random_state=0, vector_features=vf
    ).fit(X, y)
    background = X.iloc[:20]
    rows = X.iloc[100:103]
    out = model.decision_function(rows)
    for method in ("auto", "regression", "sampling"):
        explainer = InteractionExplainer(
            model, background, method=method, random_state=0, dtype="float64"
        )
        values = explainer.shap_values(rows)
        assert values.values.shape == (3, 3)
        assert values.feature_names == ["a", "c", "emb"]
        np.testing.assert_allclose(
            values.values.sum(axis=1) + values.base_values, out, atol=1e-6
        )
    # the fast field-model path agrees with the model (float32 within 1e-4)
    fast = InteractionExplainer(model, background, method="enumeration")
    np.testing.assert_allclose(
        fast.shap_values(rows).values,
        InteractionExplainer(model, background, method="enumeration", dtype="float64")
        .shap_values(rows)
        .values,
        atol=1e-4,
    )


def test_pipeline_explanations_play_the_raw_vector_columns_as_one_player():
    X, y, vf = _small(n=300, d=3)
    X = X[["a", "c", *vf["emb"]]]
    prep = ColumnTransformer(
        [("scale", StandardScaler(), ["a", *vf["emb"]])],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    background = X.iloc[:20].reset_index(drop=True)
    x = X.iloc[[100]]
    for cls, method in ((FMClassifier, "exact"), (DeepFMClassifier, "enumeration")):
        pipe = make_pipeline(
            prep, cls(max_epochs=3, random_state=0, vector_features=vf)
        ).fit(X, y)
        explainer = InteractionExplainer(pipe, background, dtype="float64")
        assert explainer.method_ == method
        assert explainer.feature_names == ["a", "c", "emb"]
        expected = _brute_force_interactions(
            pipe.decision_function, x, background, [["a"], ["c"], vf["emb"]]
        )
        got = explainer.shap_interaction_values(x).values[0]
        np.testing.assert_allclose(got, expected, atol=2e-6)


# ----------------------------------------------------------- input handling
def test_numpy_input_with_column_indices_and_pipelines():
    X, y, vf = _small()
    arr = X.drop(columns="c").to_numpy()  # a, e0, e1, e2
    clf = FMClassifier(max_epochs=5, random_state=0, vector_features={"emb": [1, 2, 3]})
    clf.fit(arr, y)
    assert clf.schema_.names == ["x0", "emb"]
    assert clf.schema_.columns == ((0,), (1, 2, 3))
    # explained on a labelled frame: one-column fields keep the frame's names
    frame = pd.DataFrame(arr[:20], columns=["a", "e0", "e1", "e2"])
    for method in ("exact", "enumeration"):
        explainer = InteractionExplainer(clf, frame, method=method)
        assert explainer.feature_names == ["a", "emb"]
        assert explainer.shap_values(frame.iloc[:2]).values.shape == (2, 2)
    # a ColumnTransformer with pandas output names the columns the model groups
    prep = ColumnTransformer(
        [("scale", StandardScaler(), ["a", *vf["emb"]])],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    pipe = make_pipeline(
        prep, FMClassifier(max_epochs=5, random_state=0, vector_features=vf)
    ).fit(X, y)
    assert pipe[-1].schema_.names == ["a", "emb", "c"]
    assert pipe.predict_proba(X.iloc[:5]).shape == (5, 2)


def test_vae_towers_take_a_vector_field_by_name():
    X, y, vf = _small()
    clf = VAEClassifier(
        max_epochs=1, random_state=0, vector_features=vf, user_features=["emb"]
    ).fit(X, y)
    # module fields: c (categorical), a (numeric), emb (vector)
    assert clf.net_.module_.user_fields.tolist() == [2]
    assert sorted(clf.net_.module_.item_fields.tolist()) == [0, 1]


def test_predictions_do_not_depend_on_the_batch():
    # the projection is taken in float64 in eval mode, so a row's embedding is
    # the same alone or in a batch: exactly for an FM; the deep models' float64
    # MLP itself varies at 1e-16 with the batch (as without vector fields)
    X, y, vf = _small()
    for cls, atol in ((FMClassifier, 0.0), (DNNClassifier, 1e-13)):
        clf = cls(max_epochs=2, random_state=0, vector_features=vf).fit(X, y)
        full = clf.decision_function(X)
        one = np.array([clf.decision_function(X.iloc[[i]])[0] for i in range(10)])
        np.testing.assert_allclose(one, full[:10], rtol=0, atol=atol)


def test_missing_values_embed_as_the_mean_vector():
    X, y, vf = _small()
    clf = FMClassifier(max_epochs=3, random_state=0, vector_features=vf).fit(X, y)
    row = X.iloc[[0]].copy()
    row[vf["emb"]] = np.nan
    mean = X.iloc[[0]].copy()
    mean[vf["emb"]] = X[vf["emb"]].mean().to_numpy()
    np.testing.assert_allclose(
        clf.decision_function(row), clf.decision_function(mean), atol=1e-6
    )


@pytest.mark.parametrize(
    "vector_features, error, match",
    [
        ({"emb": ["e0", "nope"]}, ValueError, r"names column 'nope', which is not"),
        ({"emb": ["e0", "e1"], "other": ["e1"]}, ValueError, r"also in field 'emb'"),
        ({"emb": ["e0", "e0"]}, ValueError, r"lists column 'e0', twice"),
        ({"emb": []}, ValueError, r"vector_features\['emb'\] lists no column"),
        ({"emb": "e0"}, TypeError, r"must be a list of column names"),
        ({"a": ["e0", "e1"]}, ValueError, r"vector field name 'a' is also the name"),
        ({"emb": [7]}, ValueError, r"holds index 7, out of range"),
        ({1: ["e0"]}, TypeError, r"keys are field names"),
        (["e0"], ValueError, r"'vector_features' parameter"),
    ],
)
def test_invalid_vector_features_raise_clear_errors(vector_features, error, match):
    X, y, _ = _small()
    with pytest.raises(error, match=match):
        FMClassifier(max_epochs=1, vector_features=vector_features).fit(X, y)


def test_invalid_vector_values_and_kinds_raise_clear_errors():
    X, y, vf = _small()
    with pytest.raises(ValueError, match=r"'e1' is listed in categorical_features"):
        FMClassifier(
            max_epochs=1, vector_features=vf, categorical_features=["c", "e1"]
        ).fit(X, y)
    bad = X.copy()
    bad.loc[3, "e2"] = np.inf
    with pytest.raises(ValueError, match=r"infinity in column 'e2' of vector field"):
        FMClassifier(max_epochs=1, vector_features=vf).fit(bad, y)
    bad = X.copy()
    bad["e1"] = bad["e1"].astype(str).astype(object)
    bad.loc[0, "e1"] = "oops"
    with pytest.raises(ValueError, match=r"Column 'e1' of vector field 'emb' holds"):
        FMClassifier(max_epochs=1, vector_features=vf).fit(bad, y)
    big = X.copy()
    big.loc[0, "e0"] = 1e39
    with pytest.raises(ValueError, match=r"Column 'e0' of vector field 'emb'"):
        FMClassifier(max_epochs=1, vector_features=vf).fit(big, y)
    with pytest.raises(TypeError, match=r"sparse input with vector_features"):
        FMClassifier(max_epochs=1, vector_features={"v": [0, 1]}).fit(
            sp.random(50, 3, density=0.5, format="csr", random_state=0), y[:50]
        )
    clf = FMClassifier(max_epochs=1, vector_features=vf).fit(X, y)
    with pytest.raises(ValueError, match=r"infinity in column 'e0'"):
        clf.predict(X.iloc[:2].assign(e0=np.inf))
    # a vector of the wrong length at predict time is a missing column
    with pytest.raises(ValueError, match=r"e2"):
        clf.predict(X.iloc[:2].drop(columns="e2"))


# ------------------------------------------------------ persistence, sklearn
def test_save_load_pickle_clone_and_grid_search(tmp_path):
    X, y, vf = _small()
    for cls, params in [
        (FwFMClassifier, {}),
        (DeepFMClassifier, {"hidden_units": (8,)}),
        (FinalMLPClassifier, {"mlp1_hidden_units": (8,), "mlp2_hidden_units": (8,),
                              "fs_hidden_units": (8,), "num_heads": 1,
                              "fs1_context": ["emb", "c"]}),
    ]:  # fmt: skip
        clf = cls(max_epochs=2, random_state=0, vector_features=vf, **params)
        clf.fit(X, y)
        path = tmp_path / f"{cls.__name__}.safetensors"
        save(clf, path)
        loaded = load(path)
        np.testing.assert_array_equal(
            loaded.decision_function(X), clf.decision_function(X)
        )
        for attr in ("names", "columns", "vector_dims", "cardinalities"):
            assert getattr(loaded.schema_, attr) == getattr(clf.schema_, attr)
        np.testing.assert_array_equal(
            pickle.loads(pickle.dumps(clf)).decision_function(X),
            clf.decision_function(X),
        )
        refit = clone(clf).fit(X, y)
        np.testing.assert_array_equal(
            refit.decision_function(X), clf.decision_function(X)
        )
    search = GridSearchCV(
        FMClassifier(max_epochs=2, random_state=0, vector_features=vf),
        {"embed_dim": [2, 4]},
        cv=2,
    ).fit(X, y)
    assert search.best_estimator_.vector_features == vf
    partial = FMRegressor(random_state=0, vector_features=vf)
    partial.partial_fit(X, X["e0"].to_numpy())
    partial.partial_fit(X, X["e0"].to_numpy())
    assert partial.n_iter_ == 2


# ------------------------------------------------------------ no vectors
def test_default_models_are_unchanged():
    # decision_function of these fits, recorded with skfeat main (58236da),
    # before vector fields existed, on the project's CPU box
    X, y, _ = make_interaction_classification(
        n_samples=600, n_fields=4, n_numeric=1, interactions=2, random_state=0
    )
    # the training loop as it was then (FM and the deep models default to
    # FuxiCTR's loop since issue 13)
    old_loop = dict(
        scoring="loss", tol=1e-4, n_iter_no_change=3, lr_schedule=None,
        clip_grad_norm=None,
    )  # fmt: skip
    # float32 kernels and dropout masks differ between CPU kinds (torch picks
    # its kernels by the CPU's vector instructions), so each box kind has its own
    # values, each recorded with skfeat 58236da and one torch thread (the
    # autouse fixture): the project's earlier box, and an AVX-512/AMX box (where
    # 58236da and this code agree bit for bit). Exact equality with one set.
    fm = FMClassifier(embed_dim=4, max_epochs=3, random_state=0, **old_loop).fit(X, y)
    recorded = [
        ["0x1.12612a0000000p-5", "-0x1.bda5660000000p-4",
         "-0x1.1ab8780000000p-5", "0x1.9a103c0000000p-2"],
        ["0x1.1261280000000p-5", "-0x1.bda5660000000p-4",
         "-0x1.1ab8860000000p-5", "0x1.9a103c0000000p-2"],
    ]  # fmt: skip
    _assert_one_of(fm.decision_function(X.iloc[:4]), recorded)
    # and the deep models' holdout then (5% since issue 13)
    deep = DeepFMClassifier(
        embed_dim=4, hidden_units=(8,), max_epochs=2, validation_fraction=0.1,
        random_state=0, **old_loop,
    ).fit(X, y)  # fmt: skip
    recorded = [
        ["-0x1.bd8e234a9027ap-8", "-0x1.7169d6a82a922p-8",
         "0x1.bbdb1bf5d2bb0p-9", "0x1.f6953d75c6d14p-9"],
        ["-0x1.02fcdcaac9eb0p-7", "-0x1.cdc51c84117fcp-8",
         "0x1.695d00a490a24p-9", "0x1.e06d4a031b2d9p-9"],
    ]  # fmt: skip
    _assert_one_of(deep.decision_function(X.iloc[:4]), recorded)
    assert fm.schema_.columns is None and fm.schema_.vector is None
    assert set(fm.net_.module_.state_dict()) == {
        "embedding.table.weight", "embedding.numeric", "bias"
    }  # fmt: skip


def _assert_one_of(got, recorded):
    """``got`` equals one of the ``recorded`` lists of float hex strings exactly."""
    assert any(
        np.array_equal(got, [float.fromhex(v) for v in expected])
        for expected in recorded
    ), [v.hex() for v in got]


def test_field_embedding_projects_each_vector_field():
    torch.manual_seed(0)
    emb = FieldEmbedding([3], 1, dim=2, vector_dims=[2, 3])
    emb.eval()
    vec = torch.tensor([[1.0, 0.0, 0.0, 2.0, 0.0]])
    out = emb(torch.tensor([[1]]), torch.tensor([[0.5]]), vec)
    assert out.shape == (1, 4, 2)
    torch.testing.assert_close(out[0, 2], emb.vectors[0][0])
    torch.testing.assert_close(out[0, 3], 2.0 * emb.vectors[1][1])
    with pytest.raises(ValueError, match="needs their values as vec"):
        emb(torch.tensor([[1]]), torch.tensor([[0.5]]))
