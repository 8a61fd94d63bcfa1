"""Federated averaging (FedAvg) of skfeat models that share one field encoding."""

import copy

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted


def federated_average(models, *, weights=None):
    """Average the weights of several copies of one skfeat model (FedAvg).

    The building block of a federated-learning simulation (McMahan et al.,
    2017): a server sends its model to the clients, each client trains its copy
    on its own data (``partial_fit``) and sends it back, and the server averages
    the copies' weights, typically weighted by the clients' numbers of rows.
    All copies must come from the same fitted model (the same field encoding and
    module layout); only the module's parameters and float buffers are averaged,
    the rest (encoders, classes, optimizer state) is taken from ``models[0]``.

    Parameters
    ----------
    models : list of fitted skfeat models
        The clients' copies of one model, e.g. made with ``copy.deepcopy`` of the
        server's model and trained with ``partial_fit``.
    weights : array-like of shape (n_models,) or None, default=None
        Non-negative weight of each model (e.g. its number of training rows);
        equal weights when None.

    Returns
    -------
    model : fitted estimator
        A new model holding the averaged weights.

    Examples
    --------
    One round of federated training with two clients:

    >>> import copy
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FMClassifier
    >>> from skfeat.privacy import federated_average
    >>> X, y, _ = make_interaction_classification(3000, 6, random_state=0)
    >>> server = FMClassifier(embed_dim=4, random_state=0)
    >>> server = server.partial_fit(X[:300], y[:300], classes=[0, 1])  # public rows
    >>> shards = [(X[300:1600], y[300:1600]), (X[1600:], y[1600:])]
    >>> clients = [copy.deepcopy(server).partial_fit(Xk, yk) for Xk, yk in shards]
    >>> server = federated_average(clients, weights=[len(yk) for _, yk in shards])
    >>> server.predict_proba(X[:2]).shape
    (2, 2)
    """
    models = list(models)
    if not models:
        raise ValueError("federated_average needs at least one model.")
    first = models[0]
    for m in models:
        check_is_fitted(m)
        if type(m) is not type(first):
            raise TypeError(
                "federated_average needs copies of one model, got "
                f"{type(first).__name__} and {type(m).__name__}."
            )
        if not _same_encoding(m, first):
            raise ValueError(
                "federated_average needs models that share one field encoding: "
                "start every client from a copy of the same fitted model."
            )
    if weights is None:
        weights = np.ones(len(models))
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (len(models),):
        raise ValueError(
            f"weights must have one entry per model ({len(models)}), got shape "
            f"{weights.shape}."
        )
    if (weights < 0).any() or weights.sum() <= 0 or not np.isfinite(weights).all():
        raise ValueError("weights must be non-negative, finite and not all zero.")
    weights = weights / weights.sum()

    result = copy.deepcopy(first)
    states = [m.net_.module_.state_dict() for m in models]
    averaged = {}
    for key, value in states[0].items():
        if torch.is_floating_point(value):
            stacked = torch.stack([s[key].to(value.device) for s in states])
            w = torch.as_tensor(weights, dtype=value.dtype, device=value.device)
            averaged[key] = torch.tensordot(w, stacked, dims=1)
        else:
            averaged[key] = value
    result.net_.module_.load_state_dict(averaged)
    return result


def _same_encoding(a, b):
    sa, sb = getattr(a, "schema_", None), getattr(b, "schema_", None)
    if (sa is None) != (sb is None):
        return False
    if sa is not None and (
        sa.names != sb.names
        or list(sa.cardinalities) != list(sb.cardinalities)
        or sa.n_numeric != sb.n_numeric
    ):
        return False
    ea, eb = getattr(a, "encoder_", None), getattr(b, "encoder_", None)
    if ea is None or eb is None:
        return ea is eb
    if ea.ordinal_ is None or eb.ordinal_ is None:
        return (ea.ordinal_ is None) == (eb.ordinal_ is None)
    return len(ea.ordinal_.categories_) == len(eb.ordinal_.categories_) and all(
        len(ca) == len(cb) and np.array_equal(ca.astype(str), cb.astype(str))
        for ca, cb in zip(ea.ordinal_.categories_, eb.ordinal_.categories_)
    )
