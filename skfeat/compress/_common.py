"""Helpers shared by the compression functions: checks, copies, table walks."""

import copy

from sklearn.utils.validation import check_is_fitted

from skfeat.nn._compressed import CompressedEmbedding
from skfeat.nn._embedding import FieldEmbedding


def check_field_model(estimator, what):
    """Raise a clear error unless ``estimator`` is a fitted skfeat field model."""
    from skfeat.models import BaseFieldModel

    if not isinstance(estimator, BaseFieldModel):
        raise TypeError(
            f"{what} needs a fitted skfeat model (a BaseFieldModel such as "
            f"FMClassifier), got {type(estimator).__name__}."
        )
    check_is_fitted(estimator)
    if estimator.input_kind_ != "fields":
        raise TypeError(
            f"{what} needs a model fitted on field input (a DataFrame or dense "
            f"array); {type(estimator).__name__} was fitted on sparse input."
        )


def field_embeddings(module):
    """Every :class:`FieldEmbedding` inside ``module`` (shared ones once)."""
    found = [m for m in module.modules() if isinstance(m, FieldEmbedding)]
    if not found:
        raise TypeError(
            f"{type(module).__name__} has no FieldEmbedding table to compress."
        )
    return found


def dense_table(table):
    """The float ``(num_embeddings, dim)`` table behind an embedding module."""
    if isinstance(table, CompressedEmbedding):
        return table.dense_weight()
    return table.weight.detach().float()


def table_bits(table):
    return table.bits if isinstance(table, CompressedEmbedding) else None


def copy_model(estimator):
    """A deep copy of a fitted model with the module in eval mode.

    The copy's net forgets the validation data that early stopping on an
    ``eval_set`` left in it (``train_split``): a served model does not need it, and
    it can outweigh the tables many times over.
    """
    model = copy.deepcopy(estimator)
    model.net_.set_params(train_split=None)
    model.net_.module_.eval()
    return model


def refresh_optimizer(model):
    """Rebuild the net's optimizer over the (changed) module's parameters.

    This drops the optimizer state of the replaced tables (Adam keeps two floats
    per weight), so a pickled compressed model does not carry it. The net's
    ``module`` becomes the compressed module too, and its callbacks start afresh
    (a learning-rate scheduler holds the old optimizer, early stopping a copy of
    the best weights): neither keeps the full-precision tables alive.
    """
    net = model.net_
    net.module = net.module_
    net.initialize_callbacks()
    net.initialize_optimizer()
    net.module_.eval()


def embedding_nbytes(estimator):
    """Return the bytes held by the embedding tables of a fitted skfeat model.

    Counts every categorical embedding table (float32 weights, or the integer
    rows, scales and index of a compressed one); numeric-field vectors and the
    rest of the network are not included.

    Parameters
    ----------
    estimator : BaseFieldModel
        A fitted skfeat model trained on field input.

    Returns
    -------
    nbytes : int
        Bytes of the embedding tables.

    Examples
    --------
    >>> from skfeat.compress import embedding_nbytes
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FMClassifier
    >>> X, y, _ = make_interaction_classification(500, 6, cardinality=10,
    ...                                           random_state=0)
    >>> fm = FMClassifier(embed_dim=3, max_epochs=1, random_state=0).fit(X, y)
    >>> embedding_nbytes(fm)  # 6 fields x (10 + 2 reserved ids) x (1 + 3) float32
    1152
    """
    check_field_model(estimator, "embedding_nbytes")
    total = 0
    for fe in field_embeddings(estimator.net_.module_):
        table = fe.table
        if isinstance(table, CompressedEmbedding):
            total += table.nbytes()
        else:
            total += table.weight.numel() * table.weight.element_size()
    return total
