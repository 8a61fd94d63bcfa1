"""skfeat.compress: quantised, pruned and distilled models on planted data."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from skfeat.compress import (
    distill,
    embedding_nbytes,
    prune_embeddings,
    quantize_embeddings,
)
from skfeat.datasets import make_interaction_classification
from skfeat.models import DeepFMClassifier, FMClassifier, FMRegressor
from skfeat.nn import CompressedEmbedding


@pytest.fixture(scope="module")
def planted():
    X, y, _ = make_interaction_classification(
        8000, 6, cardinality=16, interaction_strength=1.5, random_state=0
    )
    return X[:3000], y[:3000], X[4000:], y[4000:], X[:4000]


@pytest.fixture(scope="module")
def fm(planted):
    Xtr, ytr = planted[:2]
    return FMClassifier(embed_dim=8, max_epochs=10, random_state=0).fit(Xtr, ytr)


@pytest.fixture(scope="module")
def deepfm(planted):
    Xtr, ytr = planted[:2]
    return DeepFMClassifier(
        embed_dim=8,
        hidden_units=(32,),
        max_epochs=10,
        learning_rate=0.01,
        early_stopping=False,
        random_state=0,
    ).fit(Xtr, ytr)


def test_compressed_embedding_error_bound():
    w = torch.randn(50, 7)
    for bits, qmax in [(8, 127), (4, 7)]:
        emb = CompressedEmbedding(w, bits=bits)
        out = emb(torch.arange(50))
        bound = w.abs().amax(1, keepdim=True) / qmax / 2 + 1e-7
        assert ((out - w).abs() <= bound).all()
    index = torch.tensor([2, 0, 1, 1])
    emb = CompressedEmbedding(w[:3], index=index)
    assert torch.equal(emb(torch.tensor([0, 3])), w[[2, 1]])


@pytest.mark.parametrize("model_name", ["fm", "deepfm"])
def test_int8_predictions_close(model_name, planted, request):
    # tolerance: int8 keeps each table entry within half its row's scale
    # (max|row| / 254); here that moves a probability by < 0.02, by < 0.002 on average
    model = request.getfixturevalue(model_name)
    Xte, yte = planted[2:4]
    small = quantize_embeddings(model, bits=8)
    p, q = model.predict_proba(Xte)[:, 1], small.predict_proba(Xte)[:, 1]
    assert np.abs(p - q).max() < 0.02
    assert np.abs(p - q).mean() < 0.002
    assert abs(roc_auc_score(yte, p) - roc_auc_score(yte, q)) < 0.002
    # 9 float32 per row (FM) -> 9 int8 + a float32 scale
    assert embedding_nbytes(small) < 0.4 * embedding_nbytes(model)
    assert type(small) is type(model)
    # the original keeps its float tables
    tables = [m for m in model.net_.module_.modules() if hasattr(m, "table")]
    assert all(isinstance(t.table, torch.nn.Embedding) for t in tables)


def test_int4_auc_close_and_smaller(fm, planted):
    Xte, yte = planted[2:4]
    small = quantize_embeddings(fm, bits=4)
    p, q = fm.predict_proba(Xte)[:, 1], small.predict_proba(Xte)[:, 1]
    assert abs(roc_auc_score(yte, p) - roc_auc_score(yte, q)) < 0.01
    # 9 float32 per row -> 5 bytes of nibbles + a float32 scale
    assert embedding_nbytes(small) <= 0.25 * embedding_nbytes(fm)


def test_compressed_model_pickles_and_clones(fm, planted):
    Xte = planted[2]
    small = quantize_embeddings(prune_embeddings(fm, keep=0.5), bits=8)
    again = pickle.loads(pickle.dumps(small))
    np.testing.assert_array_equal(again.predict_proba(Xte), small.predict_proba(Xte))
    assert clone(small).get_params() == fm.get_params()
    # the original is untouched
    assert isinstance(fm.net_.module_.embedding.table, torch.nn.Embedding)


def _long_tailed(X, rng, share=0.3, pool=2000):
    """Replace a share of each field's values by rare categories (noise)."""
    X = X.copy()
    for col in X.columns:
        values = X[col].astype(str).to_numpy().copy()
        hit = rng.uniform(size=len(values)) < share
        values[hit] = [f"rare{i}" for i in rng.integers(0, pool, hit.sum())]
        X[col] = pd.Categorical(values)
    return X


def test_frequency_pruning_keeps_auc_on_long_tailed_data():
    X, y, _ = make_interaction_classification(
        8000, 6, cardinality=16, interaction_strength=1.5, random_state=1
    )
    X = _long_tailed(X, np.random.default_rng(0))
    Xtr, ytr, Xte, yte = X[:5000], y[:5000], X[5000:], y[5000:]
    fm = FMClassifier(embed_dim=4, max_epochs=8, random_state=0).fit(Xtr, ytr)
    pruned = prune_embeddings(fm, keep=0.05, criterion="frequency", X=Xtr)
    assert pruned.pruned_fraction_ > 0.9
    assert embedding_nbytes(pruned) < 0.3 * embedding_nbytes(fm)
    auc = roc_auc_score(yte, fm.predict_proba(Xte)[:, 1])
    auc_pruned = roc_auc_score(yte, pruned.predict_proba(Xte)[:, 1])
    assert auc_pruned > auc - 0.01


def test_pruned_ids_read_the_unknown_row(fm, planted):
    Xte = planted[2].iloc[:200]
    pruned = prune_embeddings(fm, keep=0.5, criterion="norm")
    table = pruned.net_.module_.embedding.table
    offset = 0
    card = fm.schema_.cardinalities[0]
    rows = table.index[offset : offset + card]
    pruned_ids = np.flatnonzero(rows.numpy() == rows[1].item())[1:]
    assert len(pruned_ids) == (card - 2) // 2
    # a row whose f0 is pruned predicts as if f0 were a category never seen in fit
    categories = fm.encoder_.ordinal_.categories_[0]
    victim = categories[pruned_ids[0] - 2]
    X_victim = Xte.copy()
    X_victim["f0"] = pd.Categorical([victim] * len(Xte))
    X_unseen = Xte.copy()
    X_unseen["f0"] = pd.Categorical(["never seen"] * len(Xte))
    np.testing.assert_array_equal(
        pruned.predict_proba(X_victim), pruned.predict_proba(X_unseen)
    )
    assert not np.array_equal(fm.predict_proba(X_victim), fm.predict_proba(X_unseen))
    zero = prune_embeddings(fm, keep=0.5, fallback="zero")
    assert zero.predict_proba(X_victim).shape == (len(Xte), 2)


def test_distilled_student_beats_label_only_fm(deepfm, planted):
    Xtr, ytr, Xte, yte, _ = planted
    params = dict(embed_dim=2, max_epochs=20, learning_rate=0.01, random_state=0)
    params["early_stopping"] = False
    alone = FMClassifier(**params).fit(Xtr, ytr)
    student = distill(deepfm, FMClassifier(**params), Xtr, ytr, teacher_weight=0.5)
    auc_alone = roc_auc_score(yte, alone.predict_proba(Xte)[:, 1])
    auc_student = roc_auc_score(yte, student.predict_proba(Xte)[:, 1])
    assert auc_student > auc_alone + 0.005
    # an ordinary fitted FM with the teacher's encoding
    assert student.encoder_ is deepfm.encoder_ or student.schema_ == deepfm.schema_
    assert pickle.loads(pickle.dumps(student)).predict(Xte[:5]).shape == (5,)
    assert clone(student).get_params()["embed_dim"] == 2


def test_distill_regressor_follows_teacher():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {"a": pd.Categorical(rng.integers(0, 8, 2000)), "b": rng.normal(size=2000)}
    )
    y = X["a"].cat.codes.to_numpy() * 1.0 + 2 * X["b"].to_numpy()
    teacher = FMRegressor(embed_dim=4, max_epochs=30, random_state=0).fit(X, y)
    student = distill(
        teacher, FMRegressor(embed_dim=2, max_epochs=30, random_state=0), X
    )
    assert np.corrcoef(student.predict(X), teacher.predict(X))[0, 1] > 0.98


def test_errors(fm, deepfm, planted):
    Xtr = planted[0]
    with pytest.raises(ValueError, match="bits must be 8 or 4"):
        quantize_embeddings(fm, bits=2)
    with pytest.raises(TypeError, match="needs a fitted skfeat model"):
        quantize_embeddings("fm")
    with pytest.raises(ValueError, match="keep must be a float in"):
        prune_embeddings(fm, keep=0.0)
    with pytest.raises(ValueError, match="needs X to count"):
        prune_embeddings(fm, criterion="frequency")
    with pytest.raises(TypeError, match="must be a regressor"):
        distill(FMRegressor(max_epochs=1).fit(Xtr.iloc[:50], np.arange(50.0)),
                FMClassifier(), Xtr)  # fmt: skip
    with pytest.raises(ValueError, match="needs y when teacher_weight"):
        distill(deepfm, FMClassifier(), Xtr, teacher_weight=0.5)


@pytest.mark.parametrize("temperature", [np.inf, np.nan, 0.0])
def test_distill_refuses_non_finite_temperatures(fm, planted, temperature):
    # issue 24, item 10: temperature=inf trained on NaN targets and reported a
    # divergence instead of naming the parameter
    Xtr = planted[0]
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        distill(fm, FMClassifier(max_epochs=1), Xtr, temperature=temperature)


# ------------------------------------------------- distilling an ensemble
@pytest.fixture(scope="module")
def vote(planted):
    from sklearn.ensemble import VotingClassifier

    Xtr, ytr = planted[:2]
    labels = np.where(ytr == 1, "click", "skip")
    members = [
        (f"fm{seed}", FMClassifier(embed_dim=8, max_epochs=8, random_state=seed))
        for seed in (0, 1)
    ]
    return VotingClassifier(members, voting="soft").fit(Xtr, labels)


@pytest.mark.parametrize("ensemble_output", ["mean_proba", "mean_logit"])
def test_distill_takes_a_voting_ensemble_as_teacher(vote, planted, ensemble_output):
    from skfeat.compress._distill import _teacher_targets

    Xtr, _, Xte, yte, _ = planted
    targets = _teacher_targets(vote, Xtr, 1.0, ensemble_output)
    if ensemble_output == "mean_logit":
        z = np.mean([m.decision_function(Xtr) for m in vote.estimators_], axis=0)
        expected = 1 / (1 + np.exp(-z))
    else:
        expected = vote.predict_proba(Xtr)[:, 1]
    np.testing.assert_allclose(targets, expected, rtol=1e-9, atol=1e-12)
    student = distill(
        vote, FMClassifier(embed_dim=8, max_epochs=8, random_state=0), Xtr,
        ensemble_output=ensemble_output,
    )  # fmt: skip
    # the ensemble's labels, not its members' encoded ones
    assert student.classes_.tolist() == ["click", "skip"]
    assert set(student.predict(Xte[:50])) <= {"click", "skip"}
    auc_vote = roc_auc_score(yte, vote.predict_proba(Xte)[:, 0])
    auc_student = roc_auc_score(yte, student.predict_proba(Xte)[:, 0])
    assert auc_student > auc_vote - 0.01


def test_distill_refuses_hard_voting_and_unknown_outputs(vote, planted):
    Xtr = planted[0]
    rows = Xtr.iloc[:300]
    hard = clone(vote).set_params(voting="hard").fit(rows, vote.predict(rows))
    with pytest.raises(TypeError, match="use voting='soft'"):
        distill(hard, FMClassifier(), Xtr)
    with pytest.raises(ValueError, match="ensemble_output must be one of"):
        distill(vote, FMClassifier(), Xtr, ensemble_output="median")


def test_distill_from_an_ensemble_mixes_its_labels(vote, planted):
    # teacher_weight < 1 mixes the ensemble's soft targets with y in the
    # ensemble's own labels (its members saw them encoded as 0 and 1)
    from skfeat.compress._distill import _Distillation

    Xtr, ytr = planted[:2]
    labels = np.where(ytr == 1, "click", "skip")
    variant = _Distillation(
        vote, 0.5, 1.0, True, vote.estimators_[0], "mean_logit"
    )  # fmt: skip
    soft = variant.targets(Xtr, labels)
    pure = _Distillation(vote, 1.0, 1.0, True, vote.estimators_[0], "mean_logit")
    np.testing.assert_allclose(
        soft, 0.5 * pure.targets(Xtr, None) + 0.5 * (labels == "skip"), atol=1e-12
    )
    student = distill(
        vote, FMClassifier(embed_dim=8, max_epochs=4, random_state=0), Xtr, labels,
        teacher_weight=0.5, ensemble_output="mean_logit",
    )  # fmt: skip
    assert student.classes_.tolist() == ["click", "skip"]
    loaded = pickle.loads(pickle.dumps(student))
    np.testing.assert_array_equal(loaded.predict(Xtr[:20]), student.predict(Xtr[:20]))
