"""Batch-sliced datasets: whole batches are cut out of tensors, never built row by row.

Per-row ``__getitem__`` followed by a collate function is the usual reason a torch CTR
model trains ten times slower than it should on a CPU. Here an epoch draws one
permutation and each batch gathers its rows with one ``index_select`` per tensor;
without shuffling a batch is a view.
"""

import math

import numpy as np
import torch
from torch.utils.data import Dataset


class FieldDataset(Dataset):
    """Encoded inputs, targets and sample weights held as whole tensors.

    Parameters
    ----------
    inputs : dict of str to torch.Tensor
        Keyword arguments of the module's ``forward``, each with the samples on the
        first axis. A sparse batch is given by the three CSR arrays ``indptr``,
        ``indices`` and ``values``; see :meth:`from_csr`.
    y : torch.Tensor or None, default=None
        Targets, samples on the first axis.
    sample_weight : torch.Tensor or None, default=None
        One non-negative weight per sample.

    Examples
    --------
    >>> import torch
    >>> from skfeat.utils import FieldDataset
    >>> data = FieldDataset(
    ...     {"cat": torch.arange(10).reshape(5, 2), "num": torch.zeros(5, 0)},
    ...     y=torch.arange(5.0))
    >>> len(data)
    5
    >>> X_batch, y_batch = data.slice(1, 3)
    >>> X_batch["cat"].tolist(), y_batch.tolist()
    ([[2, 3], [4, 5]], [1.0, 2.0])
    """

    def __init__(self, inputs, y=None, sample_weight=None):
        self.inputs = inputs
        self.y = y
        self.sample_weight = sample_weight

    @classmethod
    def from_csr(cls, X, y=None, sample_weight=None):
        """Build a dataset from a scipy CSR matrix (libFM-style rows).

        Parameters
        ----------
        X : scipy.sparse.csr_matrix of shape (n_samples, n_features)
            The rows, one feature value per stored entry.
        y : Tensor of shape (n_samples,) or None, default=None
            Targets.
        sample_weight : Tensor of shape (n_samples,) or None, default=None
            Per-row weights.

        Returns
        -------
        dataset : FieldDataset
            The rows as ``indptr``, ``indices`` and ``values`` tensors.
        """
        inputs = {
            "indptr": torch.from_numpy(X.indptr.astype(np.int64)),
            "indices": torch.from_numpy(X.indices.astype(np.int64)),
            "values": torch.from_numpy(X.data.astype(np.float32)),
        }
        return cls(inputs, y=y, sample_weight=sample_weight)

    @property
    def is_sparse(self):
        """Whether the rows are sparse (built by :meth:`from_csr`)."""
        return "indptr" in self.inputs

    def __len__(self):
        if self.is_sparse:
            return len(self.inputs["indptr"]) - 1
        return len(next(iter(self.inputs.values())))

    def __getitem__(self, i):  # pragma: no cover - only for torch's Dataset contract
        Xb, yb = self.slice(i, i + 1)
        return Xb, yb

    def to(self, device):
        """Move every tensor to ``device``.

        Parameters
        ----------
        device : str or torch.device
            Target device.

        Returns
        -------
        dataset : FieldDataset
            A new dataset whose tensors live on ``device``.
        """

        def move(t):
            return None if t is None else t.to(device)

        return FieldDataset(
            {k: move(v) for k, v in self.inputs.items()},
            move(self.y),
            move(self.sample_weight),
        )

    def take(self, index):
        """Return a new dataset holding the rows ``index``.

        Parameters
        ----------
        index : Tensor of shape (n_rows,)
            Integer positions of the rows to keep.

        Returns
        -------
        dataset : FieldDataset
            The selected rows.
        """

        def pick(t):
            # index_select: the same rows as t[index], in a third of the time
            return None if t is None else t.index_select(0, index)

        if self.is_sparse:
            inputs = _take_csr(self.inputs, index)
        else:
            inputs = {k: pick(v) for k, v in self.inputs.items()}
        return FieldDataset(inputs, pick(self.y), pick(self.sample_weight))

    def slice(self, start, stop):
        """Return the batch of rows ``start:stop`` as ``(X_dict, y)``.

        ``X_dict`` holds the module's keyword arguments and, when weights were given,
        ``sample_weight`` (the training net takes it out before calling the module).

        Parameters
        ----------
        start : int
            First row of the batch.
        stop : int
            Row after the last row of the batch.

        Returns
        -------
        X_dict : dict of Tensor
            The batch's inputs.
        y : Tensor or None
            The batch's targets.
        """
        if self.is_sparse:
            indptr = self.inputs["indptr"][start : stop + 1]
            lo, hi = int(indptr[0]), int(indptr[-1])
            Xb = {
                "indptr": indptr - lo,
                "indices": self.inputs["indices"][lo:hi],
                "values": self.inputs["values"][lo:hi],
            }
        else:
            Xb = {k: v[start:stop] for k, v in self.inputs.items()}
        if self.sample_weight is not None:
            Xb["sample_weight"] = self.sample_weight[start:stop]
        yb = None if self.y is None else self.y[start:stop]
        return Xb, yb


def _take_csr(inputs, index):
    indptr, indices, values = inputs["indptr"], inputs["indices"], inputs["values"]
    lengths = indptr[1:] - indptr[:-1]
    new_lengths = lengths[index]
    new_indptr = torch.zeros(len(index) + 1, dtype=indptr.dtype, device=indptr.device)
    torch.cumsum(new_lengths, 0, out=new_indptr[1:])
    # position of every kept entry in the old arrays
    starts = torch.repeat_interleave(indptr[:-1][index], new_lengths)
    within = torch.arange(
        int(new_indptr[-1]), device=indptr.device
    ) - torch.repeat_interleave(new_indptr[:-1], new_lengths)
    pos = starts + within
    return {"indptr": new_indptr, "indices": indices[pos], "values": values[pos]}


class BatchIterator:
    """Iterate over a :class:`FieldDataset` in contiguous slices.

    With ``shuffle=True`` each pass draws one permutation of the rows and each
    batch gathers its slice of it, drawing the permutation from torch's global
    generator (which skfeat seeds from
    ``random_state`` inside ``fit``).

    Parameters
    ----------
    dataset : FieldDataset
        The rows to iterate over.
    batch_size : int
        Rows per batch (the last batch may hold fewer).
    shuffle : bool, default=False
        Permute the rows at every pass.

    Examples
    --------
    >>> import torch
    >>> from skfeat.utils import BatchIterator, FieldDataset
    >>> data = FieldDataset({"x": torch.arange(5)}, y=torch.arange(5.0))
    >>> batches = BatchIterator(data, batch_size=2)
    >>> len(batches)
    3
    >>> [X["x"].tolist() for X, y in batches]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        dataset = self.dataset
        if hasattr(dataset, "iter_batches"):  # streamed (skfeat.data.FileSource)
            yield from dataset.iter_batches(self.batch_size, self.shuffle)
            return
        n = len(dataset)
        if not self.shuffle:
            for start in range(0, n, self.batch_size):
                yield dataset.slice(start, min(start + self.batch_size, n))
            return
        # each batch gathers its own rows of the epoch's permutation: the same
        # batches as permuting the whole dataset first, without a second copy
        # of it (whose fresh pages cost more than the gather itself)
        order = torch.randperm(n)
        for start in range(0, n, self.batch_size):
            rows = order[start : start + self.batch_size]
            yield dataset.take(rows).slice(0, len(rows))
