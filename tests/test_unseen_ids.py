"""Ids no training row reached (unseen, missing, holdout-only) score as their
field's average training row, not as their initial value."""

import numpy as np
import pandas as pd
import pytest
import torch

from skfeat.models import (
    DCNClassifier,
    DeepFMClassifier,
    DNNClassifier,
    FMClassifier,
    FwFMClassifier,
    WideDeepClassifier,
)
from skfeat.models._untrained import count_ids, fill_untrained_rows

RATES = [0.15, 0.18, 0.20, 0.22, 0.17, 0.23]
SHARES = [0.3, 0.25, 0.2, 0.1, 0.1, 0.05]


def _ctr_table(n=12_000, seed=0):
    """Click data whose devices all click below one half: the bias carries the
    base rate and every device's contribution is below zero."""
    rng = np.random.RandomState(seed)
    device = rng.choice(len(RATES), n, p=SHARES)
    site = rng.randint(0, 30, n)
    rate = np.asarray(RATES)[device]
    logit = np.log(rate / (1 - rate)) + rng.normal(size=30)[site] * 0.3
    y = (rng.rand(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame(
        {
            "device": pd.Categorical([f"d{d}" for d in device]),
            "site": pd.Categorical([f"s{s}" for s in site]),
        }
    )
    return X, y


def _with_device(X, value):
    out = X.copy()
    categories = [value] if isinstance(value, str) else ["d0"]
    out["device"] = pd.Categorical([value] * len(X), categories=categories)
    return out


FAST = dict(max_epochs=6, batch_size=256, random_state=0, learning_rate=0.01)


@pytest.mark.parametrize(
    "Model",
    [FMClassifier, FwFMClassifier, DeepFMClassifier, DNNClassifier,
     WideDeepClassifier, DCNClassifier],
)  # fmt: skip
def test_unseen_and_missing_score_within_the_known_range(Model):
    X, y = _ctr_table()
    clf = Model(**FAST).fit(X, y)
    known = [
        clf.predict_proba(_with_device(X, f"d{d}"))[:, 1].mean()
        for d in range(len(RATES))
    ]
    for value in ("a new device", np.nan):
        p = clf.predict_proba(_with_device(X, value))[:, 1].mean()
        assert min(known) <= p <= max(known), (value, p, known)


@pytest.mark.parametrize("Model", [FMClassifier, FwFMClassifier])
def test_fm_family_scores_an_unseen_id_as_the_count_weighted_mean_logit(Model):
    """The FM family's logit is (made) linear in one field's row: the unseen
    device's logit is the training-count-weighted mean of the known ones'."""
    X, y = _ctr_table()
    clf = Model(early_stopping=False, **FAST).fit(X, y)
    rows = X.iloc[:50]
    logits = np.array(
        [clf.decision_function(_with_device(rows, f"d{d}")) for d in range(6)]
    )
    counts = X["device"].value_counts().reindex([f"d{d}" for d in range(6)])
    expected = counts.to_numpy() @ logits / counts.sum()
    unseen = clf.decision_function(_with_device(rows, "a new device"))
    np.testing.assert_allclose(unseen, expected, rtol=1e-5, atol=1e-5)


def test_ids_only_in_the_holdout_are_filled_too():
    # 40 devices seen in one row each: about 4 of them fall into the 10%
    # validation holdout, so they are in the vocabulary but never trained; they
    # score as the field's average, like an unseen device
    X, y = _ctr_table()
    X = X.copy()
    rare = [f"rare{i}" for i in range(40)]
    X["device"] = X["device"].cat.add_categories(rare)
    X.loc[X.index[:40], "device"] = rare
    clf = FMClassifier(**FAST).fit(X, y)
    assert clf.do_early_stopping_
    table = clf.net_.module_.embedding.table.weight.detach()
    n_device = clf.schema_.cardinalities[0]
    trained = np.unpackbits(clf._trained_ids, count=table.shape[0]).astype(bool)
    unknown = clf.encode_inputs(_with_device(X.iloc[:1], "new"))["cat"][0, 0]
    untrained = np.flatnonzero(~trained[:n_device])
    vocabulary_untrained = [i for i in untrained if i >= 2]
    assert len(vocabulary_untrained) >= 1
    for i in untrained:
        torch.testing.assert_close(table[i], table[unknown])
    assert trained[:n_device].sum() >= 6 + 40 - len(vocabulary_untrained)


def test_trained_rows_are_untouched():
    torch.manual_seed(0)
    from skfeat.nn import FieldEmbedding

    emb = FieldEmbedding([4, 3], 0, dim=2)
    before = emb.table.weight.detach().clone()
    cat = torch.tensor([[2, 2], [3, 2], [3, 0]])
    counts = count_ids(cat, [4, 3])
    assert counts.tolist() == [0, 0, 1, 2, 1, 0, 2]
    weighted = count_ids(cat, [4, 3], torch.tensor([0.0, 2.0, 1.0]))
    assert weighted.tolist() == [0, 0, 0, 3, 1, 0, 2]  # weight 0: not trained
    trained = fill_untrained_rows(emb, [4, 3], counts)
    after = emb.table.weight.detach()
    assert torch.equal(after[trained], before[trained])
    mean0 = (before[2] * 1 + before[3] * 2) / 3
    for row in (0, 1):
        torch.testing.assert_close(after[row], mean0)
    mean1 = (before[4] + before[6] * 2) / 3
    torch.testing.assert_close(after[5], mean1)


def test_partial_fit_keeps_rows_trained_by_earlier_calls():
    X, y = _ctr_table(3_000)
    clf = FMClassifier(batch_size=256, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    table = clf.net_.module_.embedding.table.weight
    d5 = clf.encode_inputs(_with_device(X.iloc[:1], "d5"))["cat"][0, 0]
    # a second call whose rows hold no "d5": its row keeps what it learnt
    # (Adam's momentum may move it, never onto the field's mean)
    rest = X["device"] != "d5"
    clf.partial_fit(X[rest], y[rest.to_numpy()])
    unseen = clf.encode_inputs(_with_device(X.iloc[:1], "new"))["cat"][0, 0]
    assert not torch.allclose(table[d5], table[unseen])


def test_save_load_keeps_the_trained_ids_for_a_later_partial_fit(tmp_path):
    from skfeat.io import load, save

    X, y = _ctr_table(3_000)
    clf = FMClassifier(batch_size=256, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    save(clf, tmp_path / "fm.skfeat")
    loaded = load(tmp_path / "fm.skfeat")
    assert np.array_equal(loaded._trained_ids, clf._trained_ids)
    # the next call, on rows without "d5", gives the same model either way
    rest = X["device"] != "d5"
    clf.partial_fit(X[rest], y[rest.to_numpy()])
    loaded.partial_fit(X[rest], y[rest.to_numpy()])
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
