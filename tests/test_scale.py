"""Sparse embedding gradients, row-sparse optimizers and hashed categorical fields."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.metrics import roc_auc_score

from skfeat.io import load, save
from skfeat.models import FMClassifier, FwFMClassifier
from skfeat.models._fields import hash_categories
from skfeat.models._optim import RowSparseOptimizer


# ------------------------------------------------------------ the optimizer
def _run(opt_cls, sparse, steps=5, **kw):
    torch.manual_seed(0)
    table = torch.nn.Embedding(20, 3, sparse=sparse)
    opt = opt_cls(table.parameters(), **kw)
    batches = [torch.tensor([1, 4, 4, 7]), torch.tensor([4, 9]), torch.tensor([2, 1])]
    for t in range(steps):
        opt.zero_grad()
        idx = batches[t % len(batches)]
        table(idx).pow(2).sum().mul(0.5).add(table(idx).sum()).backward()
        opt.step()
    return table.weight.detach().clone()


@pytest.mark.parametrize("method", ["adam", "adamw", "sgd"])
def test_dense_steps_match_torch(method):
    ref = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "sgd": torch.optim.SGD}[method]  # fmt: skip
    ours = _run(RowSparseOptimizer, False, lr=0.05, method=method, weight_decay=0.1)
    theirs = _run(ref, False, lr=0.05, weight_decay=0.1)
    torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-7)


def test_sparse_adam_matches_torch_sparse_adam_and_leaves_other_rows():
    ours = _run(RowSparseOptimizer, True, lr=0.05, method="adam")
    theirs = _run(torch.optim.SparseAdam, True, lr=0.05)
    init = _run(RowSparseOptimizer, True, steps=0)
    # SparseAdam corrects the bias with each row's own step count, we with the
    # global step: equal for rows touched at every step, close for the others
    torch.testing.assert_close(ours[4], theirs[4], rtol=1e-6, atol=1e-7)
    untouched = [0, 3, 5, 6, 8] + list(range(10, 20))
    assert torch.equal(ours[untouched], init[untouched])
    assert not torch.equal(ours[[1, 2, 4, 7, 9]], init[[1, 2, 4, 7, 9]])


def test_rowwise_adagrad_keeps_one_number_per_row():
    torch.manual_seed(0)
    table = torch.nn.Embedding(50, 4, sparse=True)
    opt = RowSparseOptimizer(table.parameters(), lr=0.1, method="adagrad")
    before = table.weight.detach().clone()
    table(torch.tensor([3, 3, 8])).sum().backward()
    opt.step()
    state = opt.state[table.weight]["sum"]
    assert state.shape == (50,)
    # row 3 got gradient 2 in each entry (looked up twice), row 8 gradient 1
    assert state[3].item() == pytest.approx(4.0) and state[8].item() == 1.0
    expected = before[3] - 0.1 * 2 / (2 + 1e-8)
    torch.testing.assert_close(table.weight[3].detach(), expected)
    assert torch.equal(table.weight[0], before[0])


# -------------------------------------------------------- the estimators
def _hashed_rows(n=3000, width=2**16, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 20, size=(n, 6))
    cols = (ids + np.arange(6) * 1000) * 7 % width
    truth = rng.normal(size=20) * 1.5
    logit = truth[ids[:, 0]] + truth[ids[:, 1]] * (ids[:, 2] % 2 * 2 - 1)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = sp.csr_matrix((np.ones(n * 6), cols.ravel(), np.arange(0, n * 6 + 1, 6)),
                      shape=(n, width))  # fmt: skip
    return X, y, np.unique(cols)


@pytest.mark.parametrize("optimizer", ["adam", "adagrad"])
def test_sparse_gradients_fm_learns_and_leaves_unused_rows(optimizer):
    X, y, used = _hashed_rows()
    common = dict(embed_dim=4, max_epochs=8, early_stopping=False, batch_size=128,
                  optimizer=optimizer, alpha=1e-4, random_state=0,
                  learning_rate=0.01 if optimizer == "adam" else 0.1)  # fmt: skip
    sparse = FMClassifier(sparse_gradients=True, **common).fit(X[:2000], y[:2000])
    assert isinstance(sparse.net_.optimizer_, RowSparseOptimizer)
    auc = roc_auc_score(y[2000:], sparse.predict_proba(X[2000:])[:, 1])
    assert auc > 0.72
    dense = FMClassifier(sparse_gradients=False, **common).fit(X[:2000], y[:2000])
    dense_auc = roc_auc_score(y[2000:], dense.predict_proba(X[2000:])[:, 1])
    assert abs(auc - dense_auc) < 0.02
    unused = np.setdiff1d(np.arange(X.shape[1]), used)[:500]
    init = FMClassifier(sparse_gradients=True, **common)
    init.set_params(max_epochs=1, learning_rate=1e-30).fit(X[:10], y[:10])
    factors = sparse.net_.module_.factors.detach()
    assert torch.equal(factors[unused], init.net_.module_.factors.detach()[unused])
    # the dense path's weight decay shrinks rows no batch touched
    assert not torch.equal(dense.net_.module_.factors.detach()[unused],
                           init.net_.module_.factors.detach()[unused])  # fmt: skip


def test_sparse_gradients_auto_and_reproducible(tmp_path):
    X, y, _ = _hashed_rows(n=300, width=2**20)
    kw = dict(embed_dim=2, max_epochs=2, early_stopping=False, random_state=0)
    a = FMClassifier(**kw).fit(X, y)
    assert a._sparse_gradients_  # 2^20 columns >= the auto threshold
    assert not FMClassifier(**kw).fit(X[:, :1000], y)._sparse_gradients_
    b = FMClassifier(**kw).fit(X, y)
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    save(a, tmp_path / "m.safetensors")
    c = load(tmp_path / "m.safetensors")
    assert np.array_equal(c.predict_proba(X), a.predict_proba(X))
    a.partial_fit(X, y)
    c.partial_fit(X, y)
    assert np.array_equal(c.predict_proba(X), a.predict_proba(X))


def test_field_models_take_sparse_gradients():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.randint(0, 30, 1500).astype(str),
                      "b": rng.randint(0, 30, 1500).astype(str),
                      "x": rng.normal(size=1500)})  # fmt: skip
    y = ((X["a"].str.len() + X["b"].astype(int) % 3 + X["x"]) > 2).astype(int)
    for cls in (FMClassifier, FwFMClassifier):
        clf = cls(sparse_gradients=True, max_epochs=10, random_state=0,
                  learning_rate=0.05, early_stopping=False).fit(X, y)  # fmt: skip
        assert clf.net_.module_.embedding.table.sparse
        assert clf.score(X, y) > 0.8


# ----------------------------------------------------------------- hashing
_GOLDEN = np.array(["a", "b", "a", None, 3, "3", np.nan, 3.0, "ünï"], dtype=object)


def test_hash_ids_are_fixed_values():
    ids = hash_categories(_GOLDEN, 1000)
    assert ids[3] == ids[6] == 0  # missing
    assert ids[0] == ids[2] and ids[4] == ids[5] == ids[7] and ids[0] != ids[1]
    assert ids.min() >= 0 and ids.max() < 1002
    # pinned: these must never change (a saved hashed model depends on them)
    assert ids.tolist() == PINNED


PINNED = [940, 620, 940, 0, 28, 28, 0, 28, 467]


def _ids_in_subprocess(seed):
    code = (
        "import numpy as np; from skfeat._fields._hashing import hash_categories; "
        "v = np.array(['a', 'b', 'a', None, 3, '3', np.nan, 3.0, 'ünï'], dtype=object);"
        "print(hash_categories(v, 1000).tolist())"
    )
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return eval(out)  # noqa: S307 - a list of ints printed by our own child


def test_hash_is_stable_across_processes():
    here = hash_categories(_GOLDEN, 1000).tolist()
    assert _ids_in_subprocess(1) == here
    assert _ids_in_subprocess(12345) == here


def test_hashed_fm_has_no_vocabulary_and_learns():
    rng = np.random.RandomState(0)
    n = 4000
    X = pd.DataFrame({"user": rng.randint(0, 50, n).astype(str),
                      "item": rng.randint(0, 50, n).astype(str),
                      "x": rng.normal(size=n)})  # fmt: skip
    w = rng.normal(size=50) * 2
    logit = w[X["user"].astype(int)] - w[X["item"].astype(int)] + X["x"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    clf = FMClassifier(categorical_encoding="hash", hash_buckets=4096,
                       max_epochs=15, random_state=0, learning_rate=0.02,
                       early_stopping=False)  # fmt: skip
    clf.fit(X[:3000], y[:3000])
    assert clf.schema_.cardinalities == [4098, 4098]
    assert clf.encoder_.ordinal_ is None
    auc = roc_auc_score(y[3000:], clf.predict_proba(X[3000:])[:, 1])
    assert auc > 0.8
    # a value never seen in fit gets its hashed id, not the unknown id
    new = pd.DataFrame({"user": ["never-seen"], "item": ["1"], "x": [0.0]})
    cat = clf.encoder_.transform(new)["cat"]
    assert cat[0, 0] == hash_categories(np.array(["never-seen"], dtype=object), 4096)[0]
    assert cat[0, 0] > 1


# ------------------------------------------------------ the deep models
def _deep_frame(n=1500, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"a": rng.randint(0, 40, n).astype(str),
                      "b": rng.randint(0, 40, n).astype(str),
                      "x": rng.normal(size=n)})  # fmt: skip
    w = rng.normal(size=40) * 2
    logit = w[X["a"].astype(int)] - w[X["b"].astype(int)] + X["x"]
    y = (rng.random_sample(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


DEEP_MODELS = ["DNNClassifier", "WideDeepClassifier", "DeepFMClassifier",
               "DCNClassifier", "AutoIntClassifier"]  # fmt: skip


@pytest.mark.parametrize("name", DEEP_MODELS)
def test_deep_models_take_sparse_gradients(name, monkeypatch):
    import skfeat.models
    import skfeat.models._base
    import skfeat.nn._deep

    # the rows no batch touched are compared with their initial values: the fill
    # of untrained ids after training (tests/test_unseen_ids.py) is switched off
    monkeypatch.setattr(
        skfeat.models._base, "fill_untrained_rows", lambda m, c, counts, b: counts > 0
    )

    # DeepFM's MLP would train in bfloat16 on the sparse path where the CPU has
    # it natively; the exact comparison below is of the float32 updates
    monkeypatch.setattr(skfeat.nn._deep, "_BF16_LARGE_TABLES", False)
    cls = getattr(skfeat.models, name)
    X, y = _deep_frame()
    kw = dict(hidden_units=(32,), embed_dim=4, max_epochs=2, batch_size=256,
              early_stopping=False, random_state=0)  # fmt: skip
    # SGD without weight decay (nor clipping, whose norm sums in another
    # order): the sparse update is the dense one
    sgd = dict(kw, optimizer="sgd", alpha=0.0, learning_rate=0.1, clip_grad_norm=None)
    sparse = cls(sparse_gradients=True, **sgd).fit(X, y)
    dense = cls(sparse_gradients=False, **sgd).fit(X, y)
    assert isinstance(sparse.net_.optimizer_, RowSparseOptimizer)
    tables = [m for m in sparse.net_.module_.modules()
              if isinstance(m, torch.nn.Embedding)]  # fmt: skip
    assert tables and all(t.sparse for t in tables)
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X), atol=1e-5
    )
    # lazy Adam with the default embedding L2 (alpha=0.05), hashed ids: learns,
    # leaves the buckets no batch touched as initialised (the dense path's
    # weight decay moves them) and updates the network densely
    lazy_kw = dict(kw, max_epochs=6, learning_rate=0.01,
                   categorical_encoding="hash", hash_buckets=512)  # fmt: skip
    lazy = cls(sparse_gradients=True, **lazy_kw).fit(X[:1000], y[:1000])
    assert roc_auc_score(y[1000:], lazy.predict_proba(X[1000:])[:, 1]) > 0.75
    with lazy._seeded(lazy._seed_):
        start = lazy._new_module().state_dict()
    key = next(k for k in start if k.endswith("table.weight"))
    trained = lazy.net_.module_.state_dict()
    used = lazy.encoder_.transform(X[:1000])["cat"] + np.array([0, 514])
    untouched = np.setdiff1d(np.arange(2 * 514), used)
    assert untouched.size > 800
    assert torch.equal(trained[key][untouched], start[key][untouched])
    assert not torch.equal(trained[key][np.unique(used)], start[key][np.unique(used)])
    mlp = [k for k in start if "mlp" in k and k.endswith("weight")]
    assert mlp and not torch.equal(trained[mlp[0]], start[mlp[0]])
    dense = cls(sparse_gradients=False, **lazy_kw).fit(X[:1000], y[:1000])
    assert not torch.equal(dense.net_.module_.state_dict()[key][untouched],
                           start[key][untouched])  # fmt: skip


def test_deep_sparse_gradients_auto_and_hashing():
    from skfeat.models import DeepFMClassifier

    X, y = _deep_frame(600)
    kw = dict(hidden_units=(16,), embed_dim=2, max_epochs=1, random_state=0,
              early_stopping=False)  # fmt: skip
    big = DeepFMClassifier(categorical_encoding="hash", hash_buckets=2**19, **kw)
    big.fit(X, y)
    assert big.schema_.cardinalities == [2**19 + 2] * 2
    assert big._sparse_gradients_  # 2 x (2^19 + 2) rows >= 1,000,000: on
    small = DeepFMClassifier(**kw).fit(X, y)
    assert not small._sparse_gradients_
    assert not isinstance(small.net_.optimizer_, RowSparseOptimizer)
