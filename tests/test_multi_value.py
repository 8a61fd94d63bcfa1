"""Multi-value (bag) and sequence fields: one field per list column, in every model,
every fit path, the explainers and skfeat.io."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV

from skfeat.data import FileSource
from skfeat.explain import InteractionExplainer
from skfeat.io import load, save
from skfeat.models import (
    AutoIntClassifier,
    DCNClassifier,
    DCNv3Classifier,
    DeepFMClassifier,
    DNNClassifier,
    FiGNNClassifier,
    FinalMLPClassifier,
    FinalNetClassifier,
    FMClassifier,
    FMRegressor,
    FwFMClassifier,
    VAEClassifier,
    WideDeepClassifier,
)
from tests.test_vector_fields import _brute_force_interactions

GENRES = list("abcdefgh")


def _genre_data(n=1500, seed=0):
    """Rows with a genre list; the label is planted on genre "a" being listed."""
    rng = np.random.RandomState(seed)
    genres = [
        list(rng.choice(GENRES, rng.randint(1, 4), replace=False)) for _ in range(n)
    ]
    item = rng.randint(0, 20, n)
    history = [list(rng.randint(0, 20, rng.randint(0, 6))) for _ in range(n)]
    has_a = np.array(["a" in g for g in genres])
    y = (rng.rand(n) < np.where(has_a, 0.85, 0.15)).astype(int)
    X = pd.DataFrame(
        {
            "user": rng.choice(list("uvwxyz"), n),
            "genres": pd.Series(genres, dtype=object),
            "item": item,
            "history": pd.Series(history, dtype=object),
        }
    )
    return X, y


BAGS = {"genres": {}, "history": {"target": "item", "max_length": 4}}
SMALL = {"max_epochs": 8, "random_state": 0}
_MODELS = [
    (FMClassifier, {}),
    (FwFMClassifier, {}),
    (DNNClassifier, {"hidden_units": (16,)}),
    (WideDeepClassifier, {"hidden_units": (16,)}),
    (DeepFMClassifier, {"hidden_units": (16,)}),
    (DCNClassifier, {"hidden_units": (16,)}),
    (AutoIntClassifier, {"hidden_units": (16,)}),
    (FinalMLPClassifier, {"mlp1_hidden_units": (16,), "mlp2_hidden_units": (16,),
                          "fs_hidden_units": (8,), "num_heads": 1}),
    (FinalNetClassifier, {}),
    (DCNv3Classifier, {}),
    (FiGNNClassifier, {}),
    (VAEClassifier, {"user_features": ["user"], "learning_rate": 0.01}),
]  # fmt: skip


@pytest.mark.parametrize("cls, params", _MODELS, ids=[c.__name__ for c, _ in _MODELS])
def test_every_field_model_learns_from_the_bag(cls, params):
    X, y = _genre_data()
    model = cls(**params, **SMALL, multi_value_features=BAGS)
    model.fit(X.iloc[:1000], y[:1000])
    assert model.schema_.names == ["user", "genres", "item", "history"]
    assert list(model.feature_kinds_) == [
        "categorical", "multi-value", "categorical", "multi-value",
    ]  # fmt: skip
    auc = roc_auc_score(y[1000:], model.predict_proba(X.iloc[1000:])[:, 1])
    # the label's only signal is genre "a" inside the list (oracle about 0.85)
    assert auc >= 0.75, auc


@pytest.mark.parametrize("cls", [DNNClassifier, DeepFMClassifier, DCNClassifier])
def test_deep_models_take_an_attention_pooled_sequence(cls):
    X, y = _genre_data()
    bags = {"genres": {}, "history": {"target": "item", "pooling": "attention"}}
    model = cls(hidden_units=(16,), **SMALL, multi_value_features=bags)
    model.fit(X.iloc[:1000], y[:1000])
    assert model.schema_.bag_specs[1][1] == "attention"
    auc = roc_auc_score(y[1000:], model.predict_proba(X.iloc[1000:])[:, 1])
    assert auc >= 0.75, auc


def test_the_bag_carries_the_signal():
    X, y = _genre_data()
    with_bags = FMClassifier(**SMALL, multi_value_features=BAGS)
    with_bags.fit(X.iloc[:1000], y[:1000])
    without = FMClassifier(**SMALL).fit(X[["user", "item"]].iloc[:1000], y[:1000])
    auc_with = roc_auc_score(y[1000:], with_bags.predict_proba(X.iloc[1000:])[:, 1])
    auc_without = roc_auc_score(
        y[1000:], without.predict_proba(X[["user", "item"]].iloc[1000:])[:, 1]
    )
    assert auc_with >= auc_without + 0.15, (auc_with, auc_without)


# -------------------------------------------------------------- encoding
def _bag_ids(model, cells, column="genres"):
    X = pd.DataFrame(
        {
            "user": ["u"] * len(cells),
            "genres": pd.Series([["a"]] * len(cells), dtype=object),
            "item": [1] * len(cells),
            "history": pd.Series([[1]] * len(cells), dtype=object),
        }
    )
    X[column] = pd.Series(cells, dtype=object)
    bag = model.encode_inputs(X)["bag"].numpy()
    widths = [spec[0] for spec in model.schema_.bag_specs]
    return bag[:, : widths[0]] if column == "genres" else bag[:, widths[0] :]


@pytest.fixture(scope="module")
def fm():
    X, y = _genre_data()
    return FMClassifier(**SMALL, multi_value_features=BAGS).fit(X, y)


def test_each_kind_of_cell_has_a_defined_encoding(fm):
    assert fm.encoder_.bag_lengths_ == [3, 4]  # the longest genre list; max_length
    categories, ids = fm.encoder_.bag_vocab_[0]
    id_of = dict(zip(categories.tolist(), ids.tolist(), strict=True))
    got = _bag_ids(
        fm,
        [["a", "b"], "c|a", [], "", np.nan, None, "b", ["zz", "a"], ["a", None],
         np.array(["h"]), ("d", "e", "f", "g")],
    )  # fmt: skip
    a, b, c = id_of["a"], id_of["b"], id_of["c"]
    expected = [
        [a, b, -1],  # a list
        [c, a, -1],  # a text joined by the separator
        [-1, -1, -1],  # an empty list: no id
        [-1, -1, -1],  # an empty text: no id
        [0, -1, -1],  # a missing cell: one missing id
        [0, -1, -1],
        [b, -1, -1],  # one value
        [1, a, -1],  # an unseen value: the unknown id
        [a, 0, -1],  # a missing value inside a list
        [id_of["h"], -1, -1],  # an array
        [id_of["e"], id_of["f"], id_of["g"]],  # longer than the length: the last 3
    ]
    np.testing.assert_array_equal(got, expected)


def test_a_sequence_shares_its_targets_ids(fm):
    history = _bag_ids(fm, [[3, 5], [5, 3, 999], "3|5"], column="history")
    items = fm.encode_inputs(
        pd.DataFrame(
            {"user": ["u"] * 3, "genres": [["a"]] * 3, "item": [3, 5, 999],
             "history": [[1]] * 3}
        )
    )["cat"].numpy()[:, 1]  # fmt: skip
    i3, i5, unseen = items
    np.testing.assert_array_equal(
        history, [[i3, i5, -1, -1], [i5, i3, unseen, -1], [i3, i5, -1, -1]]
    )
    assert unseen == 1


def test_pooling_of_an_empty_bag_is_zero_and_padding_is_ignored():
    from skfeat.nn._bag import pool

    rows = torch.randn(2, 3, 4)
    mask = torch.tensor([[True, True, False], [False, False, False]])
    for pooling in ("mean", "sum", "max"):
        out = pool(rows, mask, pooling)
        assert torch.equal(out[1], torch.zeros(4))
        changed = rows.clone()
        changed[0, 2] = 100.0  # a padded position
        assert torch.equal(pool(changed, mask, pooling), out)
    np.testing.assert_allclose(
        pool(rows, mask, "mean")[0].numpy(), rows[0, :2].mean(0).numpy(), rtol=1e-6
    )


def test_bad_cells_and_separators_give_clear_errors_and_warnings():
    X, y = _genre_data(n=200)
    cells = X["genres"].tolist()
    cells[3] = {"a": 1}
    bad = X.assign(genres=pd.Series(cells, dtype=object))
    with pytest.raises(TypeError, match="'genres'.*dict"):
        FMClassifier(**SMALL, multi_value_features=BAGS).fit(bad, y)
    mixed = X.copy()
    mixed["genres"] = pd.Series([["a", 1]] * len(X), dtype=object)
    with pytest.raises(TypeError, match="'genres' mixes strings and numbers"):
        FMClassifier(**SMALL, multi_value_features=BAGS).fit(mixed, y)
    commas = X.assign(genres=[",".join(g) for g in X["genres"]])
    with pytest.warns(UserWarning, match="'genres'.*separator '\\|'.*sep=','"):
        FMClassifier(max_epochs=1, multi_value_features=BAGS).fit(commas, y)


@pytest.mark.parametrize(
    "spec, error, match",
    [
        ("genres", ValueError, "'multi_value_features' parameter"),
        ({"genres": {"pool": "mean"}}, ValueError, "unknown option.*'pool'"),
        ({"genres": {"pooling": "median"}}, ValueError, "'pooling'.*'median'"),
        ({"genres": {"max_length": 0}}, ValueError, "'max_length'.*positive"),
        ({"genres": {"sep": ""}}, ValueError, "'sep'.*non-empty"),
        ({"genres": {"pooling": "attention"}}, ValueError, "name it with 'target'"),
        ({"genres": {"target": "genres"}}, ValueError, "the bag column itself"),
        ({"genres": {"target": "history"}, "history": {}}, ValueError,
         "names another bag column"),
        ({"tags": {}}, ValueError, "'tags', which is not a column"),
        ({"genres": "x"}, TypeError, "must be a dict of options"),
    ],
)  # fmt: skip
def test_invalid_options_raise_errors_naming_the_column(spec, error, match):
    X, y = _genre_data(n=100)
    with pytest.raises(error, match=match):
        DNNClassifier(max_epochs=1, multi_value_features=spec).fit(X, y)


def test_options_that_contradict_other_options_raise():
    X, y = _genre_data(n=100)
    with pytest.raises(ValueError, match="'genres' is listed in categorical_features"):
        DNNClassifier(
            max_epochs=1, multi_value_features=["genres"],
            categorical_features=["user", "genres"],
        ).fit(X, y)  # fmt: skip
    with pytest.raises(ValueError, match="cannot pool multi-value column 'history'"):
        attention = {"target": "item", "pooling": "attention"}
        FMClassifier(
            max_epochs=1, multi_value_features={"history": attention}
        ).fit(X[["user", "item", "history"]], y)
    # a list column not declared as a bag is refused by name
    with pytest.raises(TypeError, match="'genres' holds list values"):
        FMClassifier(max_epochs=1).fit(X, y)


# ----------------------------------------------------------- explanations
def _brute_force(f, x, background, columns):
    """SHAP values and Lundberg's interaction matrix by enumerating coalitions
    of the columns (a bag column is one column, hence one player)."""
    phi = _brute_force_interactions(f, x, background, [[c] for c in columns])
    return phi.sum(axis=1), phi  # a row of the matrix sums to the SHAP value


@pytest.mark.parametrize(
    "cls, pooling",
    [(FMClassifier, "mean"), (FMClassifier, "max"), (FwFMClassifier, "sum")],
)
def test_fm_family_explanations_are_exact_with_a_bag_as_one_player(cls, pooling):
    X, y = _genre_data(n=600)
    bags = {"genres": {"pooling": pooling}, "history": {"target": "item"}}
    model = cls(**SMALL, multi_value_features=bags).fit(X, y)
    background = X.iloc[:12].reset_index(drop=True)
    explainer = InteractionExplainer(model, background, dtype="float64")
    assert explainer.method_ == "exact"
    columns = ["user", "genres", "item", "history"]
    for r in (300, 301):
        x = X.iloc[[r]]
        shap, phi = _brute_force(model.decision_function, x, background, columns)
        np.testing.assert_allclose(
            explainer.shap_values(x).values[0], shap, atol=1e-6
        )
        np.testing.assert_allclose(
            explainer.shap_interaction_values(x).values[0], phi, atol=1e-6
        )


def test_attention_models_are_explained_by_the_estimator_with_errors():
    X, y = _genre_data(n=600)
    bags = {"genres": {}, "history": {"target": "item", "pooling": "attention"}}
    model = DeepFMClassifier(hidden_units=(8,), **SMALL, multi_value_features=bags)
    model.fit(X, y)
    assert model.decomposition_unavailable_reason() is not None
    with pytest.raises(TypeError, match="pooled by attention"):
        model.decompose(X.iloc[:3])
    background = X.iloc[:12].reset_index(drop=True)
    with pytest.raises(TypeError, match="pooled by attention"):
        InteractionExplainer(model, background, method="exact")
    rows = X.iloc[300:302]
    explainer = InteractionExplainer(
        model, background, method="regression", budget=16, random_state=0,
        dtype="float64",
    )  # fmt: skip
    values = explainer.shap_values(rows)
    assert values.feature_names == ["user", "genres", "item", "history"]
    assert values.error_std is not None and values.error_std.shape == (2, 4)
    np.testing.assert_allclose(
        values.values.sum(axis=1) + values.base_values,
        model.decision_function(rows),
        atol=1e-6,
    )
    # with every coalition (2^4 = 16) the estimate is the enumeration's
    shap, _ = _brute_force(model.decision_function, rows.iloc[[0]], background,
                           ["user", "genres", "item", "history"])  # fmt: skip
    np.testing.assert_allclose(values.values[0], shap, atol=1e-6)


# ------------------------------------------------------------- fit paths
def _frames(tmp_path, X, y):
    parquet = tmp_path / "parquet"
    parquet.mkdir()
    X.assign(y=y).to_parquet(parquet / "part.parquet")
    csv = tmp_path / "csv"
    csv.mkdir()
    X.assign(
        y=y,
        genres=["|".join(g) for g in X["genres"]],
        history=["|".join(str(h) for h in hist) for hist in X["history"]],
    ).to_csv(csv / "part.csv", index=False)
    return FileSource(parquet, target="y"), FileSource(csv, target="y")


@pytest.mark.parametrize("cls", [FMClassifier, DeepFMClassifier])
def test_files_give_the_in_memory_fit(tmp_path, cls):
    pytest.importorskip("pyarrow")
    X, y = _genre_data(n=800)
    parquet, csv = _frames(tmp_path, X, y)
    bags = {"genres": {}, "history": {"target": "item", "pooling": "sum"}}
    params = dict(max_epochs=3, early_stopping=False, random_state=0,
                  multi_value_features=bags, min_frequency=5)  # fmt: skip
    memory = cls(**params).fit(X, y)
    expected = memory.predict_proba(X)
    for source in (parquet, csv):
        model = cls(**params).fit(source)
        assert list(model.feature_kinds_) == list(memory.feature_kinds_)
        assert model.schema_ == memory.schema_
        np.testing.assert_allclose(model.predict_proba(X), expected, atol=1e-6)
        np.testing.assert_allclose(model.predict_proba(source), expected, atol=1e-6)


def test_partial_fit_keeps_the_vocabulary_and_trains(tmp_path):
    X, y = _genre_data(n=600)
    model = FMRegressor(random_state=0, multi_value_features=BAGS)
    model.partial_fit(X.iloc[:300], y[:300])
    first = model.predict(X.iloc[300:])
    later = X.iloc[300:].copy()
    later["genres"] = pd.Series([["a", "new"]] * len(later), dtype=object)
    model.partial_fit(later, y[300:])
    assert model.n_iter_ == 2
    assert model.encoder_.bag_vocab_[0][0].tolist() == GENRES  # "new" is unknown
    assert not np.allclose(model.predict(X.iloc[300:]), first)


def test_save_load_is_bit_identical_and_models_clone_pickle_and_search(tmp_path):
    X, y = _genre_data(n=600)
    bags = {"genres": {"pooling": "max"}, "history": {"target": "item",
                                                      "pooling": "attention"}}
    clf = DeepFMClassifier(hidden_units=(8,), **SMALL, multi_value_features=bags)
    clf.fit(X, y)
    path = tmp_path / "model.safetensors"
    save(clf, path)
    loaded = load(path)
    np.testing.assert_array_equal(loaded.decision_function(X), clf.decision_function(X))
    assert loaded.schema_ == clf.schema_
    assert loaded.multi_value_features == bags
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(clf)).decision_function(X), clf.decision_function(X)
    )
    np.testing.assert_array_equal(
        clone(clf).fit(X, y).decision_function(X), clf.decision_function(X)
    )
    search = GridSearchCV(
        FMClassifier(max_epochs=8, random_state=0),
        {"multi_value_features": [{"genres": {"pooling": p}} for p in ("mean", "sum")]},
        cv=2,
        scoring="roc_auc",
    ).fit(X[["user", "genres"]], y)
    assert search.best_score_ > 0.7


def test_hashing_vector_fields_and_bags_together():
    X, y = _genre_data(n=600)
    rng = np.random.RandomState(1)
    X = X.assign(e0=rng.randn(len(X)), e1=rng.randn(len(X)))
    model = DNNClassifier(
        hidden_units=(8,), **SMALL, multi_value_features=BAGS,
        vector_features={"emb": ["e0", "e1"]}, categorical_encoding="hash",
        hash_buckets=64,
    ).fit(X, y)  # fmt: skip
    assert model.schema_.names == ["user", "genres", "item", "history", "emb"]
    assert model.schema_.own_bag_cardinalities == (66,)
    assert roc_auc_score(y, model.predict_proba(X)[:, 1]) > 0.75


def test_untrained_bag_ids_take_their_fields_mean_row():
    X, y = _genre_data(n=600)
    model = FMClassifier(
        **SMALL, early_stopping=False, multi_value_features=["genres"]
    ).fit(X[["user", "genres"]], y)
    table = model.net_.module_.embedding.table.weight.detach().double()
    n_cat = sum(model.schema_.cardinalities)
    segment = table[n_cat:]  # the genre bag's own rows
    counts = pd.Series(np.concatenate(X["genres"].to_numpy())).value_counts()
    categories, ids = model.encoder_.bag_vocab_[0]
    weights = torch.zeros(len(segment), dtype=torch.float64)
    weights[torch.as_tensor(ids)] = torch.as_tensor(
        counts[categories].to_numpy(dtype=np.float64)
    )
    expected = weights @ segment / weights.sum()
    for untrained in (0, 1):  # no genre list was missing; none unseen
        np.testing.assert_allclose(segment[untrained], expected, atol=1e-6)


def test_zero_weight_rows_leave_their_values_unknown():
    X, y = _genre_data(n=300)
    X = X[["user", "genres"]].copy()
    X.loc[0, "genres"] = ["only-here"]
    w = np.ones(len(X))
    w[0] = 0.0
    model = FMClassifier(max_epochs=1, multi_value_features=["genres"]).fit(
        X, y, sample_weight=w
    )
    assert "only-here" not in model.encoder_.bag_vocab_[0][0].tolist()


def test_onnx_export_refuses_bags(tmp_path):
    pytest.importorskip("onnx")
    from skfeat.io import export_onnx

    X, y = _genre_data(n=200)
    model = FMClassifier(max_epochs=1, multi_value_features=["genres"]).fit(
        X[["user", "genres"]], y
    )
    with pytest.raises(ValueError, match="multi-value column.*'genres'"):
        export_onnx(model, tmp_path / "m.onnx")


def test_models_without_bags_are_unchanged():
    X, y = _genre_data(n=300)
    X = X[["user", "item"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = DeepFMClassifier(hidden_units=(8,), **SMALL).fit(X, y)
        b = DeepFMClassifier(hidden_units=(8,), **SMALL, multi_value_features=[])
        b.fit(X, y)
    assert a.schema_.bag_mask is None and a.schema_.bag_specs == ()
    np.testing.assert_array_equal(a.decision_function(X), b.decision_function(X))


def test_compressed_and_distilled_models_keep_their_bags():
    from skfeat.compress import distill, prune_embeddings, quantize_embeddings

    X, y = _genre_data(n=600)
    bags = {"genres": {}, "history": {"target": "item", "pooling": "attention"}}
    model = DeepFMClassifier(hidden_units=(8,), **SMALL, multi_value_features=bags)
    model.fit(X, y)
    p = model.predict_proba(X)[:, 1]
    quantized = quantize_embeddings(model, bits=8)
    np.testing.assert_allclose(quantized.predict_proba(X)[:, 1], p, atol=5e-3)
    # frequency pruning counts the bags' ids too: every genre is kept at keep=1
    whole = prune_embeddings(model, keep=1.0, criterion="frequency", X=X)
    np.testing.assert_allclose(whole.predict_proba(X)[:, 1], p, atol=1e-6)
    half = prune_embeddings(model, keep=0.5, criterion="frequency", X=X)
    assert half.pruned_fraction_ == pytest.approx(0.5, abs=0.05)
    student = distill(model, DeepFMClassifier(hidden_units=(4,), **SMALL), X, y)
    assert student.schema_ == model.schema_
    assert student.multi_value_features == bags
