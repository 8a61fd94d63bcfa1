"""Pruning of rarely used or low-norm rows of the embedding tables."""

from numbers import Real

import numpy as np
import torch

from skfeat._fields._encoder import N_RESERVED_IDS, UNKNOWN_ID
from skfeat.compress._common import (
    check_field_model,
    copy_model,
    dense_table,
    field_embeddings,
    refresh_optimizer,
    table_bits,
)
from skfeat.models._untrained import count_ids, segment_cardinalities
from skfeat.nn._compressed import CompressedEmbedding


def prune_embeddings(
    estimator, *, keep=0.5, criterion="norm", X=None, fallback="unknown"
):
    """Return a copy of a fitted model that keeps only part of each embedding table.

    In every categorical field, the ids seen in ``fit`` are ranked (by the L2 norm
    of their embedding row, or by how often they occur in ``X``) and the top
    ``keep`` share keeps its row; the others are dropped from the table and, at
    prediction time, read the row of the field's unknown id (``fallback="unknown"``,
    the row an unseen category gets) or a zero row (``fallback="zero"``). The two
    reserved ids (missing, unknown) are always kept. The table shrinks to the kept
    rows plus one 4-byte index entry per id (a
    :class:`~skfeat.nn.CompressedEmbedding`), and stays compatible with
    :func:`quantize_embeddings`.

    Parameters
    ----------
    estimator : BaseFieldModel
        A fitted skfeat model trained on field input.
    keep : float in (0, 1], default=0.5
        Share of each field's ids that keep their own row (rounded up, so every
        field keeps at least one).
    criterion : {"norm", "frequency"}, default="norm"
        ``"norm"``: rank ids by the L2 norm of their row (all of it: for an FM the
        first-order weight and the factors). ``"frequency"``: rank ids by their
        count in ``X`` (usually the training data); ties are broken by the norm.
    X : {DataFrame, array-like} of shape (n_samples, n_features), default=None
        Data whose id counts rank the ids; required for ``criterion="frequency"``.
    fallback : {"unknown", "zero"}, default="unknown"
        What a pruned id reads.

    Returns
    -------
    model : estimator of the same class
        The pruned copy, with ``pruned_fraction_`` (share of the non-reserved ids
        that lost their row) set; ``estimator`` itself is left unchanged.

    See Also
    --------
    quantize_embeddings : Store the kept rows in 8 or 4 bits.

    Examples
    --------
    >>> from skfeat.compress import prune_embeddings
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FMClassifier
    >>> X, y, _ = make_interaction_classification(2000, 6, random_state=0)
    >>> fm = FMClassifier(embed_dim=8, max_epochs=5, random_state=0).fit(X, y)
    >>> pruned = prune_embeddings(fm, keep=0.75, criterion="frequency", X=X)
    >>> pruned.pruned_fraction_
    0.25
    >>> pruned.predict_proba(X[:2]).shape
    (2, 2)
    """
    check_field_model(estimator, "prune_embeddings")
    if isinstance(keep, bool) or not isinstance(keep, Real) or not 0 < keep <= 1:
        raise ValueError(f"keep must be a float in (0, 1], got {keep!r}.")
    if criterion not in ("norm", "frequency"):
        raise ValueError(f"criterion must be 'norm' or 'frequency', got {criterion!r}.")
    if fallback not in ("unknown", "zero"):
        raise ValueError(f"fallback must be 'unknown' or 'zero', got {fallback!r}.")
    # the table's segments: categorical fields, then bag fields with their own ids
    cardinalities = segment_cardinalities(estimator.schema_)
    if not cardinalities:
        raise ValueError(
            "prune_embeddings found no categorical field in "
            f"{type(estimator).__name__}; there is nothing to prune."
        )
    counts = None
    if criterion == "frequency":
        if X is None:
            raise ValueError("criterion='frequency' needs X to count the ids.")
        inputs = estimator.encode_inputs(X)
        flat = count_ids(
            inputs["cat"], cardinalities, None, inputs.get("bag"),
            estimator.schema_.bag_specs,
        )  # fmt: skip
        bounds = np.concatenate([[0], np.cumsum(cardinalities)])
        counts = [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    model = copy_model(estimator)
    n_pruned = n_ids = 0
    for fe in field_embeddings(model.net_.module_):
        weight = dense_table(fe.table)
        norms = weight.norm(dim=1).numpy()
        offsets = np.concatenate([[0], np.cumsum(cardinalities)[:-1]])
        keep_mask = np.zeros(weight.shape[0], dtype=bool)
        for j, (start, card) in enumerate(zip(offsets, cardinalities)):
            keep_mask[start : start + N_RESERVED_IDS] = True
            ids = np.arange(N_RESERVED_IDS, card)
            if ids.size == 0:
                continue
            score = norms[start + ids]
            if counts is not None:
                # lexsort: last key is primary; counts first, norm breaks ties
                order = np.lexsort((-score, -counts[j][ids]))
            else:
                order = np.argsort(-score, kind="stable")
            n_keep = int(np.ceil(keep * ids.size))
            keep_mask[start + ids[order[:n_keep]]] = True
            n_pruned += ids.size - n_keep
            n_ids += ids.size
        kept_rows = np.flatnonzero(keep_mask)
        new_row = np.full(weight.shape[0], -1, dtype=np.int64)
        new_row[kept_rows] = np.arange(kept_rows.size)
        stored = weight[torch.from_numpy(kept_rows)]
        if fallback == "zero":
            stored = torch.cat([stored, stored.new_zeros(1, stored.shape[1])])
            default = np.full(weight.shape[0], kept_rows.size)
        else:
            field_of = np.repeat(np.arange(len(cardinalities)), cardinalities)
            default = new_row[offsets[field_of] + UNKNOWN_ID]
        index = np.where(new_row >= 0, new_row, default)
        fe.table = CompressedEmbedding(
            stored, index=torch.from_numpy(index), bits=table_bits(fe.table)
        )
    refresh_optimizer(model)
    model.pruned_fraction_ = n_pruned / max(n_ids, 1)
    return model
