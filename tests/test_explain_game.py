"""The batched game table of the MLP-split fast path (DeepFM, Wide & Deep).

The fast path evaluates only distinct masked rows and runs a folded copy of the
head (batch norm folded into the linear layers); both must leave the game values
unchanged, checked here against running the torch modules on every masked row.
"""

import numpy as np
import pandas as pd
import pytest
import torch

from skfeat.explain import InteractionExplainer
from skfeat.explain._game import MLPSplitFunction, _fold_head
from skfeat.models import DeepFMClassifier, WideDeepRegressor


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "a": pd.Categorical(rng.integers(0, 3, n)),
            "b": pd.Categorical(rng.integers(0, 2, n)),
            "c": pd.Categorical(rng.integers(0, 40, n)),
            "d": rng.choice([0.0, 1.5, 3.0], n),  # a numeric field with ties
            "e": rng.normal(size=n),
        }
    )
    logit = (X["a"].cat.codes - 1) * (X["b"].cat.codes - 0.5) * 2 + 0.3 * X["e"]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


@pytest.fixture(scope="module")
def deepfm():
    X, y = _data()
    model = DeepFMClassifier(
        hidden_units=(16, 8), dropout=0.2, batch_norm=True, max_epochs=3,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    return model, X


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_distinct_rows_and_folded_head_match_the_modules(deepfm, dtype):
    model, X = deepfm
    split = MLPSplitFunction(model, 0, dtype)
    px, pb = split.encode(X.iloc[:7]), split.encode(X.iloc[100:130])
    masks = np.random.default_rng(0).random((40, X.shape[1])) < 0.5
    masks[0], masks[1] = False, True  # the empty and the full coalition
    fast, rows = split.table(px, pb, masks, 32768, None)
    slow, every = split._table_modules(px, pb, masks, 32768, None)
    assert 0 < rows < every == 7 * 30 * 40
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    np.testing.assert_allclose(fast, slow, rtol=0, atol=tol)
    # the full coalition is the model's deep part on the row itself
    np.testing.assert_allclose(fast[:, 1], split.direct(X.iloc[:7]), atol=tol)


def test_small_chunks_give_the_same_table(deepfm):
    model, X = deepfm
    split = MLPSplitFunction(model, 0, torch.float64)
    px, pb = split.encode(X.iloc[:3]), split.encode(X.iloc[200:260])
    masks = np.random.default_rng(1).random((25, X.shape[1])) < 0.5
    big = split.table(px, pb, masks, 32768, None)[0]
    small = split.table(px, pb, masks, 7, None)[0]  # head calls of 7 rows
    np.testing.assert_allclose(big, small, rtol=0, atol=1e-12)


def test_unknown_head_layer_falls_back_to_the_modules(deepfm):
    model, X = deepfm
    split = MLPSplitFunction(model, 0, torch.float64)
    rest = torch.nn.Sequential(*split.rest, torch.nn.LayerNorm(1))
    assert _fold_head(split.first, rest, 0, torch.float64) is None
    assert _fold_head(split.first, split.rest, 0, torch.float64) is not None


def test_enumeration_of_a_wide_deep_regressor_is_exact():
    X, y = _data(seed=1)
    y = X["e"].to_numpy() * (X["b"].cat.codes.to_numpy() - 0.5)
    model = WideDeepRegressor(
        hidden_units=(12,), batch_norm=True, max_epochs=2, random_state=0
    ).fit(X, y)
    background = X.iloc[:25]
    fast = InteractionExplainer(
        model, background, method="enumeration", dtype="float64"
    ).shap_interaction_values(X.iloc[300:304])
    # the generic path: the model's own predict on every masked row
    slow = InteractionExplainer(
        model.predict, background, method="enumeration", dtype="float64"
    ).shap_interaction_values(X.iloc[300:304])
    np.testing.assert_allclose(fast.values, slow.values, rtol=0, atol=1e-9)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_distinct_rows_of_the_generic_fast_path(monkeypatch, dtype):
    """DCN (no MLP split): distinct masked rows only, same values as every row."""
    from skfeat.explain import _game
    from skfeat.models import DCNClassifier

    X, y = _data(seed=2)
    model = DCNClassifier(
        hidden_units=(16,), cross_layers=2, max_epochs=2, random_state=0
    ).fit(X, y)
    background, rows = X.iloc[:30], X.iloc[400:405]

    def explain():
        ex = InteractionExplainer(
            model, background, method="enumeration", dtype=dtype
        )
        values = ex.shap_interaction_values(rows).values
        return values, ex.n_model_rows_

    calls = []
    distinct = _game.GameTable._distinct_table

    def spy(self, *args):
        calls.append(type(self.fast).__name__)
        return distinct(self, *args)

    monkeypatch.setattr(_game.GameTable, "_distinct_table", spy)
    fast, fast_rows = explain()
    assert calls == ["FieldModelFunction"]
    monkeypatch.setattr(_game, "_MAX_BIT_FIELDS", -1)  # every (row, coalition)
    slow, slow_rows = explain()
    assert len(calls) == 1
    # 5 rows x 2^5 coalitions x 30 background rows, about a third distinct
    assert slow_rows == 5 * 32 * 30
    assert 0 < fast_rows < 0.6 * slow_rows
    atol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(fast, slow, rtol=0, atol=atol)
