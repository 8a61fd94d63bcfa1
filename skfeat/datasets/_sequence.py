"""Synthetic sequence data: the label depends on whether the target is in a history."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils import Bunch, check_random_state

from skfeat.utils._sklearn_compat import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_items": [Interval(Integral, 2, None, closed="left")],
        "history_length": [Interval(Integral, 1, None, closed="left")],
        "p_in_history": [Interval(Real, 0, 1, closed="both")],
        "p_hit": [Interval(Real, 0, 1, closed="both")],
        "p_miss": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_history_classification(
    n_samples=10_000,
    *,
    n_items=50,
    history_length=20,
    p_in_history=0.5,
    p_hit=0.8,
    p_miss=0.2,
    random_state=None,
):
    """Binary classification data whose label says if the target is in a history.

    Each row has a target ``item`` drawn uniformly from ``n_items`` items and a
    ``history`` of ``history_length`` items (a list, most recent last, standing
    for the items a user saw before). With probability ``p_in_history`` the
    target is in the history, at a uniform position; the other positions (all of
    them otherwise) hold items drawn uniformly, with replacement, from the items
    other than the target. The label is drawn as::

        y ~ Bernoulli(p_hit if item in history else p_miss)

    so the signal is a pure history-target interaction: neither the item nor the
    history alone (nor any item's presence in the history) says anything about
    the label, and pooling the history without looking at the target dilutes the
    one matching item among ``history_length``. ``truth.proba`` is the
    generating probability, the best any model can predict, so
    ``roc_auc_score(y, truth.proba)`` is the oracle AUC.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of rows.
    n_items : int, default=50
        Number of items, ``0`` to ``n_items - 1``.
    history_length : int, default=20
        Items in each history.
    p_in_history : float, default=0.5
        Probability that the target is in the history.
    p_hit : float, default=0.8
        Probability of a positive label when the target is in the history.
    p_miss : float, default=0.2
        Probability of a positive label when it is not.
    random_state : int, RandomState instance or None, default=None
        Seed of the random generator, for reproducible output.

    Returns
    -------
    X : DataFrame of shape (n_samples, 2)
        ``item`` (int) and ``history`` (a list of ``history_length`` ints per
        row).
    y : ndarray of shape (n_samples,)
        Labels in {0, 1}.
    truth : Bunch
        ``proba`` (the generating probability of ``y = 1``), ``in_history``
        (whether the target is in the history), ``position`` (its index in the
        history, -1 when absent) and ``multi_value_features`` (the options that
        let a model attend from the history to the item, ready to pass to a
        model).

    Examples
    --------
    >>> from sklearn.metrics import roc_auc_score
    >>> from skfeat.datasets import make_history_classification
    >>> X, y, truth = make_history_classification(
    ...     n_samples=1000, n_items=10, history_length=3, random_state=0)
    >>> X.columns.tolist(), len(X["history"].iloc[0])
    (['item', 'history'], 3)
    >>> truth.multi_value_features
    {'history': {'target': 'item', 'pooling': 'attention'}}
    >>> round(roc_auc_score(y, truth.proba), 2)  # the oracle AUC
    0.79
    """
    rng = check_random_state(random_state)
    item = rng.randint(n_items, size=n_samples)
    # the other items: uniform over the n_items - 1 ids that are not the target
    history = rng.randint(n_items - 1, size=(n_samples, history_length))
    history += history >= item[:, None]
    in_history = rng.uniform(size=n_samples) < p_in_history
    position = np.where(in_history, rng.randint(history_length, size=n_samples), -1)
    rows = np.flatnonzero(in_history)
    history[rows, position[rows]] = item[rows]
    proba = np.where(in_history, float(p_hit), float(p_miss))
    y = (rng.uniform(size=n_samples) < proba).astype(np.int64)
    cells = np.empty(n_samples, dtype=object)
    cells[:] = history.tolist()
    X = pd.DataFrame({"item": item.astype(np.int64), "history": cells})
    truth = Bunch(
        proba=proba,
        in_history=in_history,
        position=position,
        multi_value_features={"history": {"target": "item", "pooling": "attention"}},
    )
    return X, y, truth
