"""FinalMLP: fusion and gates against brute force, context columns, accuracy, errors."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from skfeat.datasets import make_interaction_classification
from skfeat.models import FinalMLPClassifier, FinalMLPRegressor
from skfeat.nn import FinalMLP
from skfeat.nn._finalmlp import BilinearFusion

SMALL = dict(
    mlp1_hidden_units=(16,),
    mlp2_hidden_units=(8,),
    fs_hidden_units=(8,),
    num_heads=2,
    max_epochs=2,
    batch_size=256,
    random_state=0,
)


@pytest.fixture(scope="module")
def mixed_data():
    X, y, _ = make_interaction_classification(
        n_samples=600,
        n_fields=4,
        cardinality=6,
        n_numeric=2,
        interactions=[(0, 1), (2, 4)],
        random_state=1,
    )
    return X[["num0", "f0", "f1", "num1", "f2", "f3"]], y


def test_bilinear_fusion_matches_the_per_head_bilinear_forms():
    torch.manual_seed(0)
    fuse = BilinearFusion(6, 4, out_features=2, num_heads=2).double()
    x = torch.randn(5, 6, dtype=torch.float64)
    y = torch.randn(5, 4, dtype=torch.float64)
    w = fuse.w_xy.detach().view(2, 3, 2, 2)  # head, x index, output, y index
    expected = fuse.w_x(x) + fuse.w_y(y)
    for h in range(2):
        xh, yh = x[:, 3 * h : 3 * h + 3], y[:, 2 * h : 2 * h + 2]
        expected = expected + torch.einsum("na,aco,no->nc", xh, w[h], yh)
    torch.testing.assert_close(fuse(x, y), expected, rtol=1e-12, atol=1e-12)


def test_gates_follow_their_context_and_scale_into_0_2():
    torch.manual_seed(0)
    model = FinalMLP(
        [5, 5], 1, embed_dim=3, mlp1_hidden_units=[8], mlp2_hidden_units=[4],
        fs1_context=[0], fs2_context=[], fs_hidden_units=[8], num_heads=2,
        init_std=1.0,
    )  # fmt: skip
    model.eval()
    cat = torch.tensor([[0, 1], [0, 3], [2, 1]])
    num = torch.randn(3, 1)
    g1, g2 = model.gate1(cat, num), model.gate2(cat, num)
    assert g1.shape == (3, 9) and ((g1 > 0) & (g1 < 2)).all()
    # stream 1 depends on field 0 only; stream 2 has no context: one gate for all
    torch.testing.assert_close(g1[0], g1[1])
    assert not torch.allclose(g1[0], g1[2])
    torch.testing.assert_close(g2, g2[:1].expand(3, -1))
    # the gated inputs are what the streams see
    emb = model.embedding(cat, num).double().flatten(1)
    logits = model.fusion(model.mlp1(emb * g1), model.mlp2(emb * g2)).squeeze(-1)
    torch.testing.assert_close(model(cat, num), logits)


def test_context_columns_by_name_and_index_build_the_same_model(mixed_data):
    X, y = mixed_data
    # "f1" is input column 2 and, categorical fields first, module field 1
    by_name = FinalMLPClassifier(fs1_context=["f1"], fs2_context=["num1"], **SMALL)
    by_index = FinalMLPClassifier(fs1_context=[2], fs2_context=[3], **SMALL)
    p1 = by_name.fit(X, y).predict_proba(X)
    p2 = by_index.fit(X, y).predict_proba(X)
    assert np.array_equal(p1, p2)
    gate = by_name.net_.module_.gate1
    assert gate.cat_index.tolist() == [1] and gate.num_index.tolist() == []
    assert by_name.net_.module_.gate2.num_index.tolist() == [1]
    # the gates' context tables are embedding tables: they get alpha, as in FuxiCTR
    names = {id(p): n for n, p in by_name.net_.module_.named_parameters()}
    decay = {
        names[id(p)]: g["weight_decay"]
        for g in by_name.net_.optimizer_.param_groups
        for p in g["params"]
    }
    assert decay["gate1.context_embedding.table.weight"] == by_name.alpha
    assert decay["mlp1.layers.0.weight"] == 0.0


@pytest.mark.parametrize(
    "params, match",
    [
        ({"fs1_context": ["nope"]}, "fs1_context names column 'nope'"),
        ({"fs2_context": [9]}, "fs2_context holds column index 9"),
        ({"num_heads": 3}, "num_heads=3 must divide"),
        ({"mlp2_hidden_units": (0,)}, "'mlp2_hidden_units' parameter of .* positive"),
        ({"mlp2_hidden_units": ()}, "mlp2_hidden_units must be a non-empty"),
    ],
)
def test_bad_settings_raise_clear_errors(params, match, mixed_data):
    X, y = mixed_data
    with pytest.raises(ValueError, match=match):
        FinalMLPClassifier(**{**SMALL, **params}).fit(X, y)


def test_same_seed_same_model_and_batch_independent_predictions(mixed_data):
    X, y = mixed_data
    a = FinalMLPRegressor(**SMALL).fit(X, y).predict(X)
    b = FinalMLPRegressor(**SMALL).fit(X, y).predict(X)
    assert np.array_equal(a, b)
    clf = FinalMLPClassifier(fs1_context=["f0"], **SMALL).fit(X, y)
    whole = clf.decision_function(X)
    rows = np.concatenate([clf.decision_function(X.iloc[[i]]) for i in range(10)])
    np.testing.assert_allclose(whole[:10], rows, rtol=1e-12, atol=1e-15)


def test_finalmlp_reaches_the_oracle_auc():
    X, y, truth = make_interaction_classification(
        n_samples=40_000, n_fields=6, cardinality=8, interactions=2, random_state=0
    )
    train, test = slice(0, 32_000), slice(32_000, None)
    clf = FinalMLPClassifier(
        embed_dim=8,
        mlp1_hidden_units=(64,),
        mlp2_hidden_units=(32,),
        mlp1_dropout=0.0,
        mlp2_dropout=0.0,
        fs_hidden_units=(32,),
        num_heads=2,
        batch_size=1024,
        learning_rate=0.003,
        alpha=1e-4,
        max_epochs=20,
        random_state=0,
    ).fit(X[train], y[train])
    auc = roc_auc_score(y[test], clf.decision_function(X[test]))
    oracle = roc_auc_score(y[test], truth.logit[test])
    # measured: 0.8277 against the oracle's 0.8374 (early stopping after 6
    # epochs); an MLP learns the planted products less directly than DeepFM
    assert auc >= oracle - 0.012, (auc, oracle)
