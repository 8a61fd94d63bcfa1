"""Synthetic implicit feedback: Zipf item popularity and planted taste clusters."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch, check_random_state

from skfeat.utils._sklearn_compat import Interval, validate_params


@validate_params(
    {
        "n_users": [Interval(Integral, 1, None, closed="left")],
        "n_items": [Interval(Integral, 2, None, closed="left")],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "mean_items": [Interval(Real, 1, None, closed="left")],
        "min_items": [Interval(Integral, 1, None, closed="left")],
        "popularity_exponent": [Interval(Real, 0, None, closed="left")],
        "cluster_strength": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_implicit_feedback(
    n_users=943,
    n_items=1682,
    *,
    n_clusters=10,
    mean_items=100.0,
    min_items=20,
    popularity_exponent=1.0,
    cluster_strength=3.0,
    random_state=None,
):
    """User x item implicit feedback with Zipf popularity and planted clusters.

    Each user belongs to one of ``n_clusters`` taste clusters and each item to
    one of as many item communities (uniformly at random). Item ``i`` has
    popularity rank ``r_i`` (a random permutation) and user ``u`` values it at
    ``-popularity_exponent * log(r_i) + cluster_strength * [c_u == g_i]``. A
    user draws a log-normal number of items (mean about ``mean_items``, at
    least ``min_items``, as MovieLens keeps users with 20 ratings or more)
    *without replacement*, each with probability proportional to
    ``exp(value)`` (Gumbel top-k sampling). The defaults give a
    MovieLens-100k-shaped matrix: 943 users, 1682 items, about 95,000
    interactions, a long-tailed item popularity, and about two thirds of a
    user's items in their own cluster's community.

    Parameters
    ----------
    n_users, n_items : int, default=943, 1682
        Number of users and of items.
    n_clusters : int, default=10
        Number of planted communities of users and items.
    mean_items : float, default=100.0
        Mean number of items per user before clipping to
        ``[min_items, n_items // 2]``.
    min_items : int, default=20
        Least number of items per user.
    popularity_exponent : float, default=1.0
        Zipf exponent of the item popularity (0: all items equally popular).
    cluster_strength : float, default=3.0
        Log-odds bonus of an item of the user's own community (0: no
        clusters; 3: each in-community item is e^3, about 20 times, as likely).
    random_state : int, RandomState instance or None, default=None
        Seed of the random generator, for reproducible output.

    Returns
    -------
    data : Bunch
        ``X`` (CSR matrix of shape (n_users, n_items) with ones),
        ``user_cluster`` and ``item_cluster`` (the planted labels),
        ``popularity_rank`` (1 is the most popular item).

    Examples
    --------
    >>> from skfeat.datasets import make_implicit_feedback
    >>> data = make_implicit_feedback(200, 100, n_clusters=4, mean_items=15,
    ...                               min_items=5, random_state=0)
    >>> data.X.shape
    (200, 100)
    >>> bool((data.X.sum(axis=1) >= 5).all())
    True
    """
    rng = check_random_state(random_state)
    user_cluster = rng.randint(n_clusters, size=n_users)
    item_cluster = rng.randint(n_clusters, size=n_items)
    rank = rng.permutation(n_items) + 1
    sigma = 0.9
    counts = rng.lognormal(np.log(mean_items) - sigma**2 / 2, sigma, size=n_users)
    high = max(min_items, n_items // 2)
    counts = np.clip(np.round(counts), min_items, high).astype(int)
    counts = np.minimum(counts, n_items)
    value = -popularity_exponent * np.log(rank)[None, :] + cluster_strength * (
        user_cluster[:, None] == item_cluster[None, :]
    )
    value = value + rng.gumbel(size=(n_users, n_items))
    order = np.argsort(-value, axis=1, kind="stable")
    rows = np.repeat(np.arange(n_users), counts)
    cols = np.concatenate([order[u, : counts[u]] for u in range(n_users)])
    X = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n_users, n_items), dtype=np.float64
    )
    X.sort_indices()
    return Bunch(
        X=X,
        user_cluster=user_cluster,
        item_cluster=item_cluster,
        popularity_rank=rank,
    )
