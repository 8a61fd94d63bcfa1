"""Data-parallel training of one skfeat estimator with torch DDP.

:func:`fit_distributed` runs inside every worker process of a job that a launcher
started (``torchrun``, Ray Train's ``TorchTrainer``, Spark's ``TorchDistributor``:
each sets the ``RANK``/``WORLD_SIZE``/``MASTER_ADDR`` environment that
``torch.distributed`` reads, or initialises the process group itself). The fit is
the estimator's own, with three changes:

* the field encoders, the classes and the target scaling are fitted on the union of
  the shards by exchanging statistics, never rows
  (:class:`~skfeat._fields.FieldStatistics`);
* the module is wrapped in :class:`~torch.nn.parallel.DistributedDataParallel`
  after the skorch net is initialised, so every backward pass averages the
  gradients of all processes (one dense all-reduce, bucketed, overlapping the
  backward pass) and the replicas stay identical;
* ``batch_size`` is the global batch: each process takes ``batch_size /
  world_size`` rows of its shard per step.

After training the wrapper is removed: what is returned is an ordinary fitted
estimator.
"""

import math
import os

import numpy as np
import scipy.sparse as sp
import torch
import torch.distributed as dist
from sklearn.utils import _safe_indexing

from skfeat.models import BaseFieldModel, FitVariant


class _DataParallel(torch.nn.parallel.DistributedDataParallel):
    """DDP that lets the net reach the wrapped module's own attributes."""

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(super().__getattr__("module"), name)


class _ProcessGroup:
    """Use the process group the launcher made, or make one from the environment.

    Outside any launcher (no ``WORLD_SIZE`` in the environment) a one-process group
    is made in memory, so the same script runs, and is debugged, in one process.
    """

    def __init__(self, backend):
        self.backend = backend
        self.owned = False

    def __enter__(self):
        if not dist.is_available():  # pragma: no cover - torch built without it
            raise RuntimeError("fit_distributed needs torch.distributed.")
        if not dist.is_initialized():
            if "WORLD_SIZE" in os.environ:
                dist.init_process_group(backend=self.backend)
            else:
                dist.init_process_group(
                    backend=self.backend, store=dist.HashStore(), rank=0, world_size=1
                )
            self.owned = True
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.owned:
            if exc_type is None:
                dist.barrier()  # no process tears the group down under another
            dist.destroy_process_group()
        return False


def _ignore_empty_parameters(module):
    """Keep DDP away from parameters with no entries.

    A model without numeric fields holds a ``(0, embed_dim)`` numeric embedding,
    which never receives a gradient; DDP would wait for it forever.
    """
    empty = [name for name, p in module.named_parameters() if p.numel() == 0]
    if empty:
        DDP = torch.nn.parallel.DistributedDataParallel
        DDP._set_params_and_buffers_to_ignore_for_model(module, empty)


def _num_samples(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


def _default_backend(device):
    return "nccl" if torch.device(device).type == "cuda" else "gloo"


def _gather(obj):
    """Every process's ``obj``, in rank order, on every process."""
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def _rank_and_size(rank, world_size):
    if rank is None:
        if dist.is_available() and dist.is_initialized():
            rank = dist.get_rank()
        else:
            rank = int(os.environ.get("RANK", 0))
    if world_size is None:
        if dist.is_available() and dist.is_initialized():
            world_size = dist.get_world_size()
        else:
            world_size = int(os.environ.get("WORLD_SIZE", 1))
    if not 0 <= rank < world_size:
        raise ValueError(f"rank must lie in [0, {world_size}), got {rank}.")
    return rank, world_size


def shard(*arrays, rank=None, world_size=None):
    """The rows of ``arrays`` that this process trains on.

    Process ``rank`` of ``world_size`` gets the ``rank``-th of ``world_size``
    contiguous blocks of about equal size. Rank and size default to those of the
    current ``torch.distributed`` process group, else to the ``RANK`` and
    ``WORLD_SIZE`` environment variables that launchers such as ``torchrun`` set,
    else to ``0`` and ``1``.

    Parameters
    ----------
    *arrays : sequence of indexable data
        DataFrames, arrays, sparse matrices or lists with the same number of rows.
    rank : int, default=None
        This process's index.
    world_size : int, default=None
        Number of processes.

    Returns
    -------
    shards : list
        One block per array, of the same type.

    Examples
    --------
    >>> import numpy as np
    >>> from skfeat.distributed import shard
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> X_part, y_part = shard(X, y, rank=1, world_size=2)
    >>> y_part.tolist()
    [2, 3, 4]
    """
    rank, world_size = _rank_and_size(rank, world_size)
    if not arrays:
        return []
    n = _num_samples(arrays[0])
    for a in arrays[1:]:
        if _num_samples(a) != n:
            raise ValueError("shard needs arrays with the same number of rows.")
    bounds = np.linspace(0, n, world_size + 1).round().astype(int)
    rows = np.arange(bounds[rank], bounds[rank + 1])
    return [_safe_indexing(a, rows) for a in arrays]


def fit_distributed(estimator, X, y, *, sample_weight=None, backend=None):
    """Fit ``estimator`` data-parallel; call it in every process of the job.

    Each process passes its own shard of the rows. The field encoders, classes and
    target scaling are fitted on the union of the shards (only counts and moments
    are exchanged), the model is trained with
    :class:`~torch.nn.parallel.DistributedDataParallel` for ``max_epochs`` epochs,
    and every process ends with the same fitted estimator, which is returned:
    save it from rank 0.

    ``batch_size`` is the global batch size: every process takes
    ``ceil(batch_size / world_size)`` rows of its shard per step, and the
    gradients are averaged over the processes at every step, so a step sees the
    same number of rows as one step of a single-process fit. Embedding tables
    are ordinary dense parameters: their gradients are averaged by a dense
    all-reduce of the whole table at every step.

    Parameters
    ----------
    estimator : skfeat estimator
        An unfitted skfeat model (a :class:`~skfeat.models.BaseFieldModel`).
        ``early_stopping`` must be ``False`` or ``"auto"`` (read as ``False``):
        distributed training runs ``max_epochs`` epochs.
    X : {DataFrame, array-like, sparse matrix} of shape (n_shard_samples, n_features)
        This process's rows.
    y : array-like of shape (n_shard_samples,)
        This process's targets.
    sample_weight : array-like of shape (n_shard_samples,), default=None
        This process's sample weights.
    backend : {"gloo", "nccl"}, default=None
        Backend of a process group made here; ``None`` picks ``"nccl"`` for a CUDA
        ``device`` and ``"gloo"`` otherwise. A group that already exists (made by
        the launcher or the caller) is used as it is.

    Returns
    -------
    estimator : object
        The fitted estimator, the same in every process.

    Examples
    --------
    Outside a launcher the job has one process, which trains on all rows:

    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.distributed import fit_distributed, shard
    >>> from skfeat.models import FMClassifier
    >>> X, y, _ = make_interaction_classification(n_samples=600, random_state=0)
    >>> X_part, y_part = shard(X, y)  # under torchrun: this process's rows
    >>> model = fit_distributed(
    ...     FMClassifier(max_epochs=2, random_state=0), X_part, y_part)
    >>> model.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """
    if not isinstance(estimator, BaseFieldModel):
        raise TypeError(
            "fit_distributed trains skfeat models (subclasses of "
            f"skfeat.models.BaseFieldModel), got {type(estimator).__name__}."
        )
    if backend is None:
        backend = _default_backend(estimator.device)
    with _ProcessGroup(backend):
        return _fit(estimator, X, y, sample_weight)


class DataParallel(FitVariant):
    """The fit steps of a data-parallel fit (one object per process).

    The field encoders, classes and target scaling come from the statistics of
    every shard, merged (all-gathered, then merged in rank order, so every
    process builds the same encoder); the seed is rank 0's; each step takes
    ``batch_size / world_size`` rows per process; the module is wrapped in
    :class:`~torch.nn.parallel.DistributedDataParallel` for the training loop.
    """

    name = "fit_distributed"
    early_stopping = False
    from_statistics = True

    def __init__(self, device):
        self.device = torch.device(device)
        self.rank = dist.get_rank()
        self.world_size = dist.get_world_size()
        self._seed = 0

    def merge_statistics(self, statistics):
        shards = _gather(statistics)
        merged = shards[0]
        for other in shards[1:]:
            merged = merged.merge(other)
        return merged

    def total_rows(self, n_rows):
        return sum(_gather(int(n_rows)))

    def id_counts(self, counts):
        # every process fills the same rows with the same mean
        return sum(_gather(counts))

    def batch_size(self, batch_size):
        return max(1, math.ceil(batch_size / self.world_size))

    def seed(self, seed):
        self._seed = _gather(seed)[0]  # rank 0's, for random_state=None too
        return self._seed

    def train(self, net, train, valid):
        net.initialize()
        device_ids = [self.device] if self.device.type == "cuda" else None
        _ignore_empty_parameters(net.module_)
        # DDP broadcasts rank 0's parameters and buffers to every process here
        wrapped = _DataParallel(net.module_, device_ids=device_ids)
        net.module_ = wrapped
        try:
            # each process shuffles its own shard in its own, reproducible
            # order; join() lets a process with fewer batches finish
            with torch.random.fork_rng(devices=device_ids or []), wrapped.join():
                torch.manual_seed(self._seed + self.rank + 1)
                net.partial_fit(train, None)
        finally:
            net.module_ = wrapped.module


def _fit(est, X, y, sample_weight):
    kinds = _gather("sparse" if sp.issparse(X) else "dense")
    if len(set(kinds)) > 1:
        raise TypeError(
            "fit_distributed needs the same kind of X (dense or sparse) in every "
            f"process, got {kinds}."
        )
    return est.fit_variant(DataParallel(est.device), X, y, sample_weight=sample_weight)
