"""Embedding rows that no training row reached, set to their field's mean.

An id that no training row carries keeps its initial value after training: the
reserved missing and unknown ids when the training rows hold no missing or rare
values, and the ids of values seen only in the validation holdout. That value
says nothing about the data. The unknown id starts at zero, which scores a new
category as if its field contributed nothing; in CTR data the bias carries the
base rate and the known categories of a field mostly contribute below zero, so a
new ad or site scored far above every known one.

After training, every such row becomes the mean of its field's trained rows,
weighted by how many training rows carried each id. A new category then enters
as the average training row of its field: in the FM family its logit is the
count-weighted mean of the known categories' logits for the same other fields
(the logit is linear in one field's row; a module whose score is not, such as an
FwFM whose first-order term is an inner product within the row, says which row
averages through an ``average_rows(rows, weights)`` method), so it lies within
their range and its mean prediction sits near the prior. Training itself is
unchanged, and so is every prediction on rows whose ids were trained.
"""

import numpy as np
import torch

from skfeat.nn import FieldEmbedding


def segment_cardinalities(schema):
    """Ids of each segment of a model's table: its categorical fields', then
    those of its bag fields with their own vocabulary."""
    return [int(c) for c in schema.cardinalities] + [
        int(c) for c in schema.own_bag_cardinalities
    ]


#: ids counted per bincount (at least): a block of rows of the table at a time
_COUNT_BLOCK_IDS = 1 << 21


def count_ids(cat, cardinalities, sample_weight=None, bag=None, bag_specs=()):
    """How many rows carry each id: one count per row of the shared table.

    Parameters
    ----------
    cat : Tensor of shape (n_rows, n_fields)
        Encoded categorical ids, each within its field.
    cardinalities : sequence of int
        Ids of each table segment: the categorical fields', then those of the
        bag fields with their own vocabulary.
    sample_weight : Tensor of shape (n_rows,) or None, default=None
        Row weights: a row of weight 0 trains nothing and counts nothing, and a
        row of weight ``k`` counts as ``k`` copies of it.
    bag : Tensor of shape (n_rows, sum of lengths) or None, default=None
        Encoded bag ids (``-1`` pads), counted in their segments.
    bag_specs : sequence of tuple, default=()
        ``FieldSchema.bag_specs``: each bag's length and segment.

    Returns
    -------
    counts : ndarray of float64, shape (sum(cardinalities),)
        Segment ``f``'s counts sit at ``offsets[f]:offsets[f] + cardinalities[f]``.
    """
    card = np.asarray(cardinalities, dtype=np.int64)
    offsets = torch.as_tensor(np.concatenate([[0], np.cumsum(card)[:-1]]))
    total = int(card.sum())
    counts = torch.zeros(total, dtype=torch.float64)
    cat = cat.cpu()
    n_cat = cat.shape[1]
    if sample_weight is None:
        # whole counts, block by block of rows: no copy of the whole table of
        # ids shifted by their offsets, and exact whatever the order of the
        # sums. A block holds at least as many ids as the id table has rows, so
        # that the bincounts' outputs cost no more than their inputs
        step = max(1, max(_COUNT_BLOCK_IDS, total) // max(n_cat, 1))
        for start in range(0, cat.shape[0] if n_cat else 0, step):
            flat = (cat[start : start + step].to(torch.int64) + offsets[:n_cat])
            counts += torch.bincount(flat.reshape(-1), minlength=total)
    else:
        # field by field: each bin sums its rows' weights in row order, as one
        # bincount of the whole shifted table would
        weights = sample_weight.double().cpu()
        for f in range(n_cat):
            ids = cat[:, f].to(torch.int64).contiguous()
            field = torch.bincount(ids, weights=weights, minlength=int(card[f]))
            start = int(offsets[f])
            counts[start : start + field.numel()] += field
    start = 0
    for length, _, segment, _ in bag_specs:
        ids = bag[:, start : start + length].to(torch.int64).cpu()
        start += length
        present = ids >= 0
        rows = ids[present] + offsets[segment]
        w = None
        if sample_weight is not None:
            w = sample_weight.double().cpu().unsqueeze(1).expand_as(ids)[present]
        counts += torch.bincount(rows, weights=w, minlength=total).double()
    return counts.numpy()


def fill_untrained_rows(module, cardinalities, counts, trained_before=None):
    """Set every untrained row of ``module``'s id tables to its field's mean.

    Parameters
    ----------
    module : torch.nn.Module
        The trained module; every :class:`~skfeat.nn.FieldEmbedding` inside it
        whose table holds these fields is filled.
    cardinalities : sequence of int
        Ids of each table segment (categorical fields, then own-vocabulary bags).
    counts : ndarray of float64, shape (sum(cardinalities),)
        Training rows per id (:func:`count_ids`), the weights of the mean.
    trained_before : ndarray of bool or None, default=None
        Rows trained by earlier ``partial_fit`` calls: kept as they are.

    Returns
    -------
    trained : ndarray of bool, shape (sum(cardinalities),)
        The rows trained so far (``counts > 0`` or ``trained_before``).
    """
    card = np.asarray(cardinalities, dtype=np.int64)
    total = int(card.sum())
    trained = np.asarray(counts) > 0
    if trained_before is not None and trained_before.shape == trained.shape:
        trained = trained | trained_before
    tables = [
        m.table.weight
        for m in module.modules()
        # a compressed (frozen) table is not trained: it is left alone
        if isinstance(m, FieldEmbedding)
        and isinstance(m.table, torch.nn.Embedding)
        and getattr(m, "n_segments", m.n_categorical) == len(card)
        and m.table.num_embeddings == total
    ]
    bounds = np.concatenate([[0], np.cumsum(card)])
    weights = torch.as_tensor(np.asarray(counts), dtype=torch.float64)
    # a module whose score is not linear in a table row says which row averages
    average = getattr(module, "average_rows", _weighted_mean)
    with torch.no_grad():
        for table in tables:
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
                untrained = ~trained[lo:hi]
                w = weights[lo:hi]
                if not untrained.any() or not bool(w.sum() > 0):
                    continue  # all trained, or no weights to average
                mean = average(table[lo:hi], w.to(table.device))
                index = torch.as_tensor(np.flatnonzero(untrained) + lo)
                table[index.to(table.device)] = mean.to(table.dtype)
    return trained


def _weighted_mean(rows, weights):
    return (weights.double() @ rows.double()) / weights.double().sum()
