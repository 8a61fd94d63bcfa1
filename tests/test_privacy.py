"""skfeat.privacy: DP-SGD through Opacus and federated averaging, on planted data."""

import copy
import sys

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from skfeat.datasets import make_interaction_classification
from skfeat.exceptions import DivergenceError
from skfeat.models import DeepFMClassifier, FMClassifier
from skfeat.privacy import federated_average, fit_private


@pytest.fixture(scope="module")
def planted():
    X, y, _ = make_interaction_classification(
        6000, 6, cardinality=8, interaction_strength=1.5, random_state=0
    )
    return X[:4000], y[:4000], X[4000:], y[4000:]


def _fm(**kw):
    params = dict(embed_dim=4, batch_size=200, max_epochs=3, learning_rate=0.05)
    params.update(kw)
    return FMClassifier(random_state=0, **params)


def test_per_sample_gradients_match_brute_force():
    from skfeat.privacy._dp import _per_sample_grad_fn

    X, y, _ = make_interaction_classification(40, 6, cardinality=5, random_state=0)
    model = DeepFMClassifier(
        embed_dim=3, hidden_units=(8,), dropout=0.0, batch_norm=False, max_epochs=1
    ).fit(X, y)
    module, criterion = model.net_.module_, model.net_.criterion_
    data = model._dataset(model._check_X(X, reset=False), y.astype(np.float32), None)
    X_batch, y_batch = data.slice(0, 6)
    module.train()
    grads = _per_sample_grad_fn(module, criterion)(X_batch, y_batch)
    for i in range(6):
        module.zero_grad()
        out = module(**{k: v[i : i + 1] for k, v in X_batch.items()})
        criterion(out, y_batch[i : i + 1]).sum().backward()
        for name, p in module.named_parameters():
            expected = torch.zeros_like(p) if p.grad is None else p.grad
            torch.testing.assert_close(grads[name][i], expected, rtol=1e-4, atol=1e-6)


def test_fit_private_reaches_target_epsilon_and_learns(planted):
    pytest.importorskip("opacus")
    Xtr, ytr, Xte, yte = planted
    fm = fit_private(_fm(), Xtr, ytr, target_epsilon=4.0, delta=1e-5)
    assert abs(fm.epsilon_ - 4.0) < 0.1
    assert fm.delta_ == 1e-5 and fm.noise_multiplier_ > 0
    auc_dp = roc_auc_score(yte, fm.predict_proba(Xte)[:, 1])
    noisy = fit_private(_fm(), Xtr, ytr, noise_multiplier=50.0, delta=1e-5)
    auc_noisy = roc_auc_score(yte, noisy.predict_proba(Xte)[:, 1])
    clip_only = fit_private(_fm(), Xtr, ytr, target_epsilon=np.inf)
    auc_clip = roc_auc_score(yte, clip_only.predict_proba(Xte)[:, 1])
    assert clip_only.epsilon_ == np.inf and clip_only.noise_multiplier_ == 0
    assert noisy.epsilon_ < fm.epsilon_
    # more privacy, less accuracy; the planted structure is still found at eps=4
    assert auc_clip > auc_dp > auc_noisy
    assert auc_dp > 0.7


def test_fit_private_is_reproducible(planted):
    pytest.importorskip("opacus")
    Xtr, ytr, Xte, _ = planted
    a = fit_private(_fm(max_epochs=1), Xtr, ytr, noise_multiplier=1.0)
    b = fit_private(_fm(max_epochs=1), Xtr, ytr, noise_multiplier=1.0)
    np.testing.assert_array_equal(a.predict_proba(Xte), b.predict_proba(Xte))


def test_fit_private_errors(planted):
    pytest.importorskip("opacus")
    Xtr, ytr = planted[:2]
    with pytest.raises(ValueError, match="exactly one of target_epsilon"):
        fit_private(_fm(), Xtr, ytr, target_epsilon=1.0, noise_multiplier=1.0)
    with pytest.raises(ValueError, match="max_grad_norm must be positive"):
        fit_private(_fm(), Xtr, ytr, noise_multiplier=1.0, max_grad_norm=0)
    with pytest.raises(ValueError, match="batch_norm=True"):
        fit_private(
            DeepFMClassifier(batch_norm=True, hidden_units=(4,)),
            Xtr,
            ytr,
            noise_multiplier=1.0,
        )
    with pytest.raises(TypeError, match="needs a skfeat model"):
        fit_private("fm", Xtr, ytr, noise_multiplier=1.0)


def test_federated_average_beats_clients_alone(planted):
    Xtr, ytr, Xte, yte = planted
    public = slice(0, 200)
    shards = [slice(200 + 950 * k, 200 + 950 * (k + 1)) for k in range(4)]
    params = dict(embed_dim=4, learning_rate=0.02, random_state=0)

    server = FMClassifier(**params).partial_fit(
        Xtr[public], ytr[public], classes=[0, 1]
    )
    rounds = 8
    for _ in range(rounds):
        clients = [copy.deepcopy(server).partial_fit(Xtr[s], ytr[s]) for s in shards]
        server = federated_average(clients, weights=[950] * 4)
    auc_fed = roc_auc_score(yte, server.predict_proba(Xte)[:, 1])

    alone = []
    for s in shards:
        own = FMClassifier(max_epochs=rounds, early_stopping=False, **params)
        own = own.fit(Xtr[s], ytr[s])
        alone.append(roc_auc_score(yte, own.predict_proba(Xte)[:, 1]))
    # every client gains from the others' data (measured: 0.798 against 0.715-0.754
    # alone; central training on all shards reaches 0.89 in as many epochs)
    assert auc_fed > max(alone) + 0.01


def test_federated_average_is_the_weighted_mean(planted):
    Xtr, ytr = planted[:2]
    server = FMClassifier(embed_dim=2, random_state=0).partial_fit(
        Xtr[:300], ytr[:300], classes=[0, 1]
    )
    a = copy.deepcopy(server).partial_fit(Xtr[300:600], ytr[300:600])
    b = copy.deepcopy(server).partial_fit(Xtr[600:900], ytr[600:900])
    avg = federated_average([a, b], weights=[1, 3])
    for name, p in avg.net_.module_.state_dict().items():
        expected = (
            0.25 * a.net_.module_.state_dict()[name]
            + 0.75 * (b.net_.module_.state_dict()[name])
        )
        torch.testing.assert_close(p, expected)
    other = FMClassifier(embed_dim=2).partial_fit(Xtr[:20], ytr[:20], classes=[0, 1])
    with pytest.raises(ValueError, match="share one field encoding"):
        federated_average([a, other])
    with pytest.raises(ValueError, match="one entry per model"):
        federated_average([a, b], weights=[1])


def test_fit_private_without_opacus_says_what_to_install(planted, monkeypatch):
    # hide Opacus and any of its submodules imported by earlier tests
    for name in [m for m in sys.modules if m.split(".")[0] == "opacus"] + ["opacus"]:
        monkeypatch.setitem(sys.modules, name, None)
    Xtr, ytr = planted[:2]
    with pytest.raises(ImportError, match=r"pip install skfeat\[privacy\]"):
        fit_private(_fm(), Xtr, ytr, noise_multiplier=1.0)


def test_fit_private_is_atomic_and_checks_divergence():
    """A failed private fit (here: noise that makes every weight NaN) raises the
    divergence error and leaves the model as it was, predicting on its columns."""
    X, y, _ = make_interaction_classification(600, 6, random_state=0)
    fm = FMClassifier(max_epochs=2, random_state=0).fit(X, y)
    before = fm.predict_proba(X[:5])
    with pytest.raises(DivergenceError, match="left as it was"):
        fit_private(fm, X.iloc[:, :3], y, noise_multiplier=1e38)
    np.testing.assert_array_equal(fm.predict_proba(X[:5]), before)
    assert fm.n_features_in_ == X.shape[1]


def test_fit_private_refuses_a_batch_level_loss_by_name():
    from skfeat.models import VAEClassifier

    X, y, _ = make_interaction_classification(300, 6, random_state=0)
    with pytest.raises(TypeError, match="fit_private cannot train .*KL"):
        fit_private(VAEClassifier(max_epochs=1, random_state=0), X, y,
                    noise_multiplier=1.0)  # fmt: skip


def test_fit_private_does_not_pass_on_opacus_alpha_warning(planted):
    # issue 24, item 11: every fit warned "Optimal order is the largest alpha"
    pytest.importorskip("opacus")
    import warnings

    Xtr, ytr = planted[:2]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fm = fit_private(_fm(max_epochs=1), Xtr[:1000], ytr[:1000], target_epsilon=5.0)
    assert np.isfinite(fm.epsilon_)
    assert not [w for w in caught if "Optimal order" in str(w.message)]
