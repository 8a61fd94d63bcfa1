"""Per-row int8 / int4 quantisation of the embedding tables of a fitted model."""

from skfeat.compress._common import (
    check_field_model,
    copy_model,
    dense_table,
    field_embeddings,
    refresh_optimizer,
)
from skfeat.nn._compressed import CompressedEmbedding


def quantize_embeddings(estimator, *, bits=8):
    """Return a copy of a fitted model whose embedding tables are stored in integers.

    Every categorical embedding table (the ``FieldEmbedding`` tables of FM, FwFM,
    DeepFM, DNN, Wide & Deep, DCN, AutoInt, Fi-GNN and the VAEs) is replaced by a
    :class:`~skfeat.nn.CompressedEmbedding` holding ``bits``-bit integers and one
    float32 scale per row (symmetric per-row quantisation: each entry is off by at
    most half its row's scale). Everything else (numeric-field vectors, MLPs,
    attention, biases) stays float32. The result is an ordinary fitted estimator of
    the same class: ``predict``, ``predict_proba``, pickling and ``clone`` work as
    usual (a later ``fit`` trains a fresh, uncompressed model).

    This is a small own implementation in plain torch, so it runs wherever torch
    does and pickles like any module; the lookup dequantises the gathered rows only.

    Parameters
    ----------
    estimator : BaseFieldModel
        A fitted skfeat model trained on field input (a DataFrame or dense array).
        Already pruned tables (:func:`prune_embeddings`) are quantised too.
    bits : {8, 4}, default=8
        Integer width: 8 bits cut a float32 table about 4x (plus 4 bytes of scale
        per row), 4 bits about 8x.

    Returns
    -------
    model : estimator of the same class
        The compressed copy; ``estimator`` itself is left unchanged.

    See Also
    --------
    prune_embeddings : Drop rarely used or low-norm rows.
    embedding_nbytes : Size of the tables before and after.

    Examples
    --------
    >>> import numpy as np
    >>> from skfeat.compress import embedding_nbytes, quantize_embeddings
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FMClassifier
    >>> X, y, _ = make_interaction_classification(2000, 6, random_state=0)
    >>> fm = FMClassifier(embed_dim=8, max_epochs=5, random_state=0).fit(X, y)
    >>> small = quantize_embeddings(fm, bits=8)
    >>> p, q = fm.predict_proba(X)[:, 1], small.predict_proba(X)[:, 1]
    >>> bool(np.abs(p - q).max() < 0.01)
    True
    >>> embedding_nbytes(small) < embedding_nbytes(fm) / 2
    True
    """
    check_field_model(estimator, "quantize_embeddings")
    if bits not in (8, 4):
        raise ValueError(f"bits must be 8 or 4, got {bits!r}.")
    model = copy_model(estimator)
    for fe in field_embeddings(model.net_.module_):
        table = fe.table
        index = getattr(table, "index", None)
        if index is not None:
            # quantise the stored (pruned) rows, keep the id -> row map
            weight = table.stored_rows()
        else:
            weight = dense_table(table)
        fe.table = CompressedEmbedding(weight, index=index, bits=bits)
    refresh_optimizer(model)
    return model
