"""WeightAveraging: the average of the epoch-end weights, batch norm recomputed."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.callbacks import Callback

from skfeat.datasets import make_interaction_classification
from skfeat.models import DNNClassifier, FMClassifier, WeightAveraging


class _Record(Callback):
    """Keeps a copy of the parameters at the end of every epoch."""

    def initialize(self):
        self.epochs = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs.append([p.detach().clone() for p in net.module_.parameters()])


@pytest.fixture(scope="module")
def data():
    X, y, _ = make_interaction_classification(1200, 6, random_state=0)
    return X, y


def _recorded(est):
    return next(cb for cb in est.net_.callbacks_ if isinstance(cb[1], _Record))[1]


def test_the_weights_are_the_mean_of_the_epochs_from_start(data):
    X, y = data
    fm = FMClassifier(
        embed_dim=4, max_epochs=5, early_stopping=False, random_state=0,
        callbacks=[_Record(), WeightAveraging(start=3)],
    ).fit(X, y)  # fmt: skip
    epochs = _recorded(fm).epochs
    assert len(epochs) == 5
    # ids no training row reached get their field's mean row after training
    # (from the averaged rows): the others are the average
    n_ids = int(sum(fm.schema_.cardinalities))
    trained = np.unpackbits(fm._trained_ids, count=n_ids).astype(bool)
    assert trained.sum() > 0.8 * n_ids
    moved = []
    for k, p in enumerate(fm.net_.module_.parameters()):
        mean = torch.stack([e[k].double() for e in epochs[2:]]).mean(0)
        if p.dim() == 2 and p.shape[0] == n_ids:
            p, mean, last = p[trained], mean[trained], epochs[-1][k][trained]
        else:
            last = epochs[-1][k]
        torch.testing.assert_close(p.double(), mean, rtol=0, atol=1e-6)
        moved.append(not torch.equal(p, last))
    assert any(moved)  # not the last epoch's weights


def test_batch_norm_statistics_are_those_of_the_averaged_weights(data):
    X, y = data
    dnn = DNNClassifier(
        embed_dim=4, hidden_units=(16,), batch_norm=True, dropout=0.0,
        max_epochs=4, early_stopping=False, batch_size=256, random_state=0,
        callbacks=[WeightAveraging(start=2)],
    ).fit(X, y)  # fmt: skip
    module = dnn.net_.module_
    norms = [m for m in module.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert norms and all(m.momentum == 0.1 for m in norms)  # momentum restored
    fitted = [(m.running_mean.clone(), m.running_var.clone()) for m in norms]
    # the same statistics from a pass of the training rows through the final
    # (averaged) weights: a cumulative average over the batches
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    module.train()
    dataset = dnn._dataset(dnn._check_X(X, reset=False), np.zeros(len(y)), None)
    with torch.no_grad():
        for batch, _ in dnn.net_.get_iterator(dataset, training=False):
            dnn.net_.infer(batch)
    module.eval()
    for m, (mean, var) in zip(norms, fitted, strict=True):
        assert int(m.num_batches_tracked) == -(-len(y) // 256)
        torch.testing.assert_close(m.running_mean, mean)
        torch.testing.assert_close(m.running_var, var)


def test_a_fit_that_ends_before_start_keeps_its_weights(data):
    X, y = data
    params = dict(embed_dim=4, max_epochs=2, early_stopping=False, random_state=0)
    plain = FMClassifier(**params).fit(X, y)
    late = FMClassifier(**params, callbacks=[WeightAveraging(start=5)]).fit(X, y)
    np.testing.assert_array_equal(plain.predict_proba(X), late.predict_proba(X))


def test_clone_pickle_and_save_carry_no_training_state(data, tmp_path):
    X, y = data
    fm = FMClassifier(
        embed_dim=4, max_epochs=3, early_stopping=False, random_state=0,
        callbacks=[WeightAveraging(start=2)],
    )  # fmt: skip
    twin = clone(fm)
    assert repr(twin.callbacks[0]) == "WeightAveraging(start=2)"
    fm.fit(X, y)
    averaging = dict(fm.net_.callbacks_)["WeightAveraging"]
    assert averaging.sums_ is None and averaging.dataset_ is None
    loaded = pickle.loads(pickle.dumps(fm))
    np.testing.assert_array_equal(loaded.predict_proba(X), fm.predict_proba(X))
    # skfeat.io keeps the callback (its start) with the model
    from skfeat.io import load, save

    path = tmp_path / "fm.skfeat"
    save(fm, path)
    restored = load(path)
    assert repr(restored.callbacks) == "[WeightAveraging(start=2)]"
    np.testing.assert_array_equal(restored.predict_proba(X), fm.predict_proba(X))
    np.testing.assert_array_equal(twin.fit(X, y).predict_proba(X), fm.predict_proba(X))


def test_errors_name_the_parameter(data):
    X, y = data
    with pytest.raises(ValueError, match="needs early_stopping=False"):
        FMClassifier(max_epochs=2, early_stopping=True,
                     callbacks=[WeightAveraging()]).fit(X, y)  # fmt: skip
    with pytest.raises(ValueError, match="start must be an int >= 1, got 0"):
        FMClassifier(max_epochs=2, callbacks=[WeightAveraging(start=0)]).fit(X, y)
    with pytest.raises(TypeError, match="start must be an int >= 1"):
        FMClassifier(max_epochs=2, callbacks=[WeightAveraging(start="3")]).fit(X, y)


def test_averaging_from_files(data, tmp_path):
    # the rows streamed from files give the batch-norm pass as they gave training
    pytest.importorskip("pyarrow")
    from skfeat.data import FileSource

    X, y = data
    path = tmp_path / "rows.parquet"
    X.assign(label=y).to_parquet(path)
    params = dict(
        embed_dim=4, hidden_units=(16,), batch_norm=True, dropout=0.0,
        max_epochs=3, early_stopping=False, random_state=0,
    )  # fmt: skip
    dnn = DNNClassifier(**params, callbacks=[WeightAveraging(start=2)])
    dnn.fit(FileSource(path, target="label"))
    norms = [m for m in dnn.net_.module_.modules()
             if isinstance(m, torch.nn.BatchNorm1d)]  # fmt: skip
    assert norms and all(int(m.num_batches_tracked) > 0 for m in norms)
    assert dnn.score(X, y) > 0.6


def test_every_other_way_of_fitting_keeps_it(data, monkeypatch):
    from skfeat.compress import distill
    from skfeat.distributed import fit_distributed
    from skfeat.privacy import fit_private

    X, y = data
    params = dict(embed_dim=4, max_epochs=3, early_stopping=False, random_state=0)
    plain = FMClassifier(**params, callbacks=[WeightAveraging(start=2)]).fit(X, y)
    # a one-process fit_distributed job averages its epochs as fit does
    one = fit_distributed(
        FMClassifier(**params, callbacks=[_Record(), WeightAveraging(start=2)]),
        X, y,
    )  # fmt: skip
    epochs = _recorded(one).epochs
    n_ids = int(sum(one.schema_.cardinalities))
    for k, p in enumerate(one.net_.module_.parameters()):
        if p.shape[0] != n_ids:  # the table's untrained rows are refilled
            mean = torch.stack([e[k].double() for e in epochs[1:]]).mean(0)
            torch.testing.assert_close(p.double(), mean, rtol=0, atol=1e-6)
    # partial_fit: each call averages its own epochs
    part = FMClassifier(**params, callbacks=[_Record(), WeightAveraging(start=1)])
    part.partial_fit(X, y, classes=[0, 1])
    first = _recorded(part).epochs[-1]
    for p, last in zip(part.net_.module_.parameters(), first, strict=True):
        if p.shape[0] != int(sum(part.schema_.cardinalities)):
            torch.testing.assert_close(p, last)  # one epoch: its own weights
    part.partial_fit(X, y)
    assert part.score(X, y) > 0.5
    student = distill(plain, FMClassifier(**params,
                                          callbacks=[WeightAveraging(start=2)]), X)
    assert student.score(X, y) > 0.5
    private = fit_private(
        FMClassifier(**params, callbacks=[WeightAveraging(start=2)]), X, y,
        target_epsilon=8.0,
    )
    assert private.predict_proba(X).shape == (len(y), 2)
    # several processes: a clear refusal
    monkeypatch.setattr(torch.distributed, "is_initialized", lambda: True)
    monkeypatch.setattr(torch.distributed, "get_world_size", lambda: 2)
    with pytest.raises(ValueError, match="does not run across processes"):
        FMClassifier(**params, callbacks=[WeightAveraging(start=2)]).fit(X, y)
