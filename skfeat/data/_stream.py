"""Encoded batches streamed from a :class:`FileSource`.

:class:`SourceDataset` is the second implementation of the "give me encoded
batches" role of :class:`skfeat.utils.FieldDataset`: skfeat's
:class:`~skfeat.utils.BatchIterator` hands iteration to its ``iter_batches``, so
the training engine keeps its one loop (and early stopping, callbacks, history).
It knows nothing of models: the caller passes the function that encodes a block
of rows.
"""

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset


class SourceDataset(Dataset):
    """Encoded batches streamed from a :class:`FileSource`.

    Parameters
    ----------
    source : FileSource
    encode : callable
        ``encode(X_frame, y_or_None) -> FieldDataset``: the fitted model's
        encoding of a block of rows.
    with_target : bool
    subset : {"all", "train", "valid"}, default="all"
        With a validation fraction, which rows to keep.
    fraction, seed : float, int
        The validation holdout (see :meth:`FileSource.holdout`): fixed by the
        rows' place in the files, never re-drawn when the files are shuffled.
    n_rows : int or None
        Rows in the subset (for ``len``).
    """

    def __init__(
        self, source, encode, *, with_target, subset="all", fraction=0.0, seed=0,
        n_rows=None,
    ):  # fmt: skip
        self.source = source
        self.encode = encode
        self.with_target = with_target
        self.subset = subset
        self.fraction = fraction
        self.seed = seed
        self.n_rows = source.n_rows if n_rows is None else int(n_rows)

    def __len__(self):
        return self.n_rows

    def __getitem__(self, i):  # pragma: no cover - torch's Dataset contract only
        raise TypeError("SourceDataset is read in batches only.")

    def _frames(self, file_order):
        blocks = self.source.iter_blocks(
            with_target=self.with_target, file_order=file_order
        )
        for file_index, batch_index, X, y in blocks:
            if self.subset != "all":
                valid = self.source.holdout(
                    len(X), self.fraction, self.seed, file_index, batch_index
                )
                keep = valid if self.subset == "valid" else ~valid
                X = X[keep]
                y = None if y is None else y[keep]
            if len(X):
                yield X, y

    def iter_batches(self, batch_size, shuffle):
        """Yield ``(X_dict, y)`` batches of ``batch_size`` rows.

        Without shuffling, rows come in file order and every batch but the last
        is full, as in-memory batches are. With ``shuffle`` the files come in a
        random order and blocks of ``source.shuffle_buffer`` rows (spanning files
        and record batches) are permuted; a block's last batch may be shorter.
        The draws come from torch's global generator, which ``fit`` seeds from
        ``random_state``.
        """
        block = int(self.source.shuffle_buffer) if shuffle else 0
        n_files = len(self.source.files_)
        order = torch.randperm(n_files).tolist() if block else None
        pending, pending_y, n_pending = [], [], 0
        for X, y in self._frames(order):
            pending.append(X)
            pending_y.append(y)
            n_pending += len(X)
            if n_pending >= max(block, batch_size):
                rest = yield from self._emit(pending, pending_y, batch_size, block)
                pending, pending_y = rest
                n_pending = sum(len(p) for p in pending)
        if n_pending:
            yield from self._emit(pending, pending_y, batch_size, block, final=True)

    def _emit(self, frames, ys, batch_size, block, final=False):
        X_all = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        y_all = None if ys[0] is None else np.concatenate(ys)
        if block or final:
            n_emit = len(X_all)
        else:
            n_emit = len(X_all) // batch_size * batch_size
        data = self.encode(
            X_all.iloc[:n_emit], None if y_all is None else y_all[:n_emit]
        )
        if block:
            # each batch gathers its own rows of the block's permutation: the
            # same batches as permuting the block first, without a copy of the
            # whole block (whose fresh pages cost more than the gathers)
            order = torch.randperm(len(data))
            for start in range(0, n_emit, batch_size):
                rows = order[start : start + batch_size]
                yield data.take(rows).slice(0, len(rows))
        else:
            for start in range(0, n_emit, batch_size):
                yield data.slice(start, min(start + batch_size, n_emit))
        if n_emit == len(X_all):
            return [], []
        rest_y = [None] if y_all is None else [y_all[n_emit:]]
        return [X_all.iloc[n_emit:]], rest_y
