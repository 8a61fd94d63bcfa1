"""Top-k ranking metrics for recommendation, and scorers for model selection.

Conventions (all three metrics):

* ``y_true`` marks the relevant (held-out) items of each user, ``y_score`` scores
  every item; both have shape ``(n_users, n_items)`` and may be scipy sparse.
* Items are ranked by decreasing score; ties are broken by the lower item index
  first, so results are deterministic. Items to exclude (e.g. already seen) should
  be given ``-inf`` scores.
* Users with no relevant item are left out of the average (they have no defined
  recall or NDCG); if no user has one, the result is ``nan``.
"""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array

from skfeat.utils._sklearn_compat import Interval, validate_params


def _dense(a, name):
    if sp.issparse(a):
        a = a.toarray()
    return check_array(a, ensure_all_finite=False, input_name=name, dtype=np.float64)


def _top_k(y_true, y_score, k):
    y_true = _dense(y_true, "y_true") > 0
    y_score = _dense(y_score, "y_score")
    if y_true.shape != y_score.shape:
        raise ValueError(
            f"y_true and y_score must have the same shape, got {y_true.shape} and "
            f"{y_score.shape}."
        )
    k = min(int(k), y_score.shape[1])
    # stable sort of -score: equal scores keep item order (lower index first)
    order = np.argsort(-y_score, axis=1, kind="stable")[:, :k]
    hits = np.take_along_axis(y_true, order, axis=1)
    n_relevant = y_true.sum(axis=1)
    return hits, n_relevant, k


def _average(values, n_relevant):
    keep = n_relevant > 0
    if not keep.any():
        return float("nan")
    return float(values[keep].mean())


_PARAMS = {
    "y_true": ["array-like", "sparse matrix"],
    "y_score": ["array-like", "sparse matrix"],
    "k": [Interval(Integral, 1, None, closed="left")],
}


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def recall_at_k(y_true, y_score, k=20):
    """Recall@k as in Mult-VAE (Liang et al., WWW 2018).

    ``|relevant in top k| / min(k, |relevant|)`` per user, averaged over users with
    at least one relevant item.

    Parameters
    ----------
    y_true : {array-like, sparse matrix} of shape (n_users, n_items)
        Non-zero where an item is relevant.
    y_score : {array-like, sparse matrix} of shape (n_users, n_items)
        Scores; higher ranks first, ties broken by lower item index.
    k : int, default=20
        Cut-off.

    Returns
    -------
    recall : float
        Mean over users with a relevant item, in [0, 1].

    Examples
    --------
    >>> from skfeat.metrics import recall_at_k
    >>> recall_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.0]], k=2)
    0.5
    """
    hits, n_relevant, k = _top_k(y_true, y_score, k)
    denom = np.maximum(np.minimum(k, n_relevant), 1)
    return _average(hits.sum(axis=1) / denom, n_relevant)


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def ndcg_at_k(y_true, y_score, k=100):
    """Normalised discounted cumulative gain at k, binary relevance.

    ``DCG@k = sum_{r <= k} rel_r / log2(r + 1)`` divided by the DCG of a perfect
    ranking of the user's relevant items; averaged over users with at least one
    relevant item.

    Parameters
    ----------
    y_true : {array-like, sparse matrix} of shape (n_users, n_items)
    y_score : {array-like, sparse matrix} of shape (n_users, n_items)
    k : int, default=100
        Cut-off: the number of top-ranked items considered.

    Returns
    -------
    ndcg : float
        Mean over users with a relevant item, in [0, 1].

    Examples
    --------
    >>> from skfeat.metrics import ndcg_at_k
    >>> round(ndcg_at_k([[0, 1]], [[0.9, 0.1]], k=2), 4)  # relevant item at rank 2
    0.6309
    """
    hits, n_relevant, k = _top_k(y_true, y_score, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discounts).sum(axis=1)
    ideal_cum = np.concatenate([[0.0], np.cumsum(discounts)])
    idcg = ideal_cum[np.minimum(n_relevant, k)]
    return _average(dcg / np.where(idcg > 0, idcg, 1.0), n_relevant)


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def hit_rate_at_k(y_true, y_score, k=10):
    """Share of users with at least one relevant item in their top k.

    Parameters
    ----------
    y_true : {array-like, sparse matrix} of shape (n_users, n_items)
    y_score : {array-like, sparse matrix} of shape (n_users, n_items)
    k : int, default=10
        Cut-off: the number of top-ranked items considered.

    Returns
    -------
    hit_rate : float
        Mean over users with a relevant item, in [0, 1].

    Examples
    --------
    >>> from skfeat.metrics import hit_rate_at_k
    >>> hit_rate_at_k([[1, 0, 0], [0, 0, 1]], [[0.1, 0.5, 0.2], [0, 0, 1]], k=1)
    0.5
    """
    hits, n_relevant, _ = _top_k(y_true, y_score, k)
    return _average(hits.any(axis=1).astype(float), n_relevant)


_METRICS = {"recall": recall_at_k, "ndcg": ndcg_at_k, "hit_rate": hit_rate_at_k}


class _RankingScorer:
    def __init__(self, metric, k):
        self.metric = metric
        self.k = k

    def __call__(self, estimator, X, y=None):
        return estimator.score(X, y, metric=self.metric, k=self.k)

    def __repr__(self):
        return f"make_ranking_scorer({self.metric!r}, k={self.k})"


def make_ranking_scorer(metric="ndcg", k=100):
    """Scorer for ``GridSearchCV(scoring=...)`` over recommenders such as MultVAE.

    The scorer calls ``estimator.score(X, y, metric=metric, k=k)``: the estimator
    recommends from ``X`` (the items users interacted with) and is judged on ``y``
    (their held-out items), or on a held-out part of ``X`` when ``y`` is None.

    Parameters
    ----------
    metric : {"ndcg", "recall", "hit_rate"}, default="ndcg"
        The ranking metric: :func:`ndcg_at_k`, :func:`recall_at_k` or
        :func:`hit_rate_at_k`.
    k : int, default=100
        Cut-off: the number of top-ranked items considered.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``; higher is better.

    Examples
    --------
    >>> from skfeat.metrics import make_ranking_scorer
    >>> make_ranking_scorer("recall", k=20)
    make_ranking_scorer('recall', k=20)
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {sorted(_METRICS)}, got {metric!r}.")
    if int(k) < 1:
        raise ValueError(f"k must be a positive integer, got {k}.")
    return _RankingScorer(metric, int(k))


def ranking_metric(metric):
    """Return the metric function named ``metric`` ("ndcg", "recall", "hit_rate").

    Parameters
    ----------
    metric : {"ndcg", "recall", "hit_rate"}
        Name of the metric.

    Returns
    -------
    function : callable
        :func:`ndcg_at_k`, :func:`recall_at_k` or :func:`hit_rate_at_k`.

    Examples
    --------
    >>> from skfeat.metrics import ranking_metric
    >>> ranking_metric("ndcg").__name__
    'ndcg_at_k'
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {sorted(_METRICS)}, got {metric!r}.")
    return _METRICS[metric]
