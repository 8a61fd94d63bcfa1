"""LightGCN: a graph-convolution recommender for implicit feedback, as an estimator."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted

from skfeat.exceptions import DivergenceError
from skfeat.metrics import ranking_metric
from skfeat.models._guards import _RestoreOnError, _SeededTorch
from skfeat.models._multvae import _hold_out, check_pairs_frame, check_top_k
from skfeat.nn._lightgcn import LightGCNModule, normalized_adjacency
from skfeat.utils._allocator import keep_step_buffers_on_the_heap
from skfeat.utils._sklearn_compat import (
    Interval,
    _fit_context,
    validate_data,
)
from skfeat.utils._validation import check_device


class LightGCN(BaseEstimator):
    """LightGCN recommender: graph convolution over the user-item graph.

    He, Deng, Wang, Li, Zhang and Wang, "LightGCN: Simplifying and Powering
    Graph Convolution Network for Recommendation", SIGIR 2020. Users and items
    are the nodes of a bipartite graph whose edges are the observed
    interactions. Each node has an embedding; ``n_layers`` linear graph
    convolutions ``E^{(k+1)} = D^{-1/2} A D^{-1/2} E^{(k)}`` (no weights, no
    nonlinearity) spread them along the edges, and a node's final embedding is
    the mean of its layers. A user's score for an item is the dot product of
    their final embeddings. Training minimises the BPR loss
    ``-log sigmoid(s(u, i) - s(u, j))`` over every observed pair ``(u, i)`` with
    a negative item ``j`` drawn uniformly among the items ``u`` has not
    interacted with (redrawn each epoch), plus ``alpha / 2`` times the squared
    norms of the triple's layer-0 embeddings, averaged over the batch.

    Parameters
    ----------
    embed_dim : int, default=64
        Embedding size (the paper's 64).
    n_layers : int, default=3
        Graph convolutions (the paper's best setting, 3).
    alpha : float, default=1e-4
        L2 weight of the layer-0 embeddings of each batch (the paper's 1e-4).
    learning_rate : float, default=5e-3
        Adam's learning rate. The paper's 1e-3 leaves the model under-trained
        in ``max_epochs=100`` on data of MovieLens-100K's size; 5e-3 was chosen
        on real implicit feedback (MovieLens-100K and Frappe positives, see
        ``docs/benchmarks.md``).
    batch_size : int, default=2048
        Triples per update (the paper's 2048).
    max_epochs : int, default=100
        Passes over all observed pairs. The paper trains up to 1000 epochs at
        a learning rate of 1e-3 on its large data sets; on MovieLens-100K-sized
        data 100 at ``learning_rate=5e-3`` is enough (see
        ``docs/benchmarks.md``).
    user_col, item_col : str, default="user", "item"
        Columns naming user and item when ``X`` is a DataFrame of pairs.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the shuffles and the negative samples; a
        fixed seed gives bit-for-bit identical fits on CPU.
    verbose : int, default=0
        Print the loss of every epoch when positive.
    device : str, default="cpu"
        Torch device to train and predict on, e.g. ``"cuda"``.

    Attributes
    ----------
    module_ : LightGCNModule
        The trained torch module.
    user_embeddings_ : ndarray of shape (n_users_, embed_dim)
        Final (layer-averaged) embeddings of the users seen in ``fit``.
    item_embeddings_ : ndarray of shape (n_items_, embed_dim)
        Final embeddings of the items.
    n_users_, n_items_ : int
    users_ : ndarray or None
        User labels when fitted on a DataFrame of pairs (row ``u`` of
        ``user_embeddings_`` is user ``users_[u]``), else None.
    items_ : ndarray or None
        Item labels when fitted on a DataFrame of pairs, else None.
    loss_curve_ : list of float
        Mean training loss of each epoch.
    n_iter_ : int
        Epochs run.
    n_features_in_ : int
        Equal to ``n_items_`` for matrix input.

    Notes
    -----
    **Input.** A scipy sparse or dense user x item matrix (any positive value is
    an interaction), or a DataFrame of ``(user, item)`` pairs, as for
    :class:`MultVAE`. Items unseen in ``fit`` are ignored afterwards.

    **Which users are scored (new users, no refit).** LightGCN is transductive:
    it learns an embedding for each user of the training graph. To score a user
    it has not seen, :meth:`predict_scores` *folds the user in*: the user is
    attached to the trained graph through their items in ``X`` and propagated
    with the trained item layers, ``e_u = 1/(K+1) sum_{k=1..K} sum_{i in N(u)}
    e_i^{(k-1)} / sqrt(|N(u)| d_i)``, which is LightGCN's own propagation rule
    with an unknown (zero) layer-0 embedding. For a DataFrame of pairs, users
    whose label was seen in ``fit`` get their trained embedding and the others
    are folded in. For a matrix, rows are folded in unless ``users=`` names the
    trained user of each row. New *items* need a refit (``fit`` on all data):
    an item without trained embedding cannot be scored.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from skfeat.models import LightGCN
    >>> rng = np.random.RandomState(0)
    >>> X = sp.csr_matrix((rng.rand(50, 30) < 0.2).astype(float))
    >>> gcn = LightGCN(embed_dim=8, n_layers=2, max_epochs=3,
    ...                random_state=0).fit(X)
    >>> gcn.recommend(X[:2], k=3, users=[0, 1]).shape  # trained users 0 and 1
    (2, 3)
    >>> gcn.recommend(X[:2], k=3).shape  # the same rows, folded in
    (2, 3)
    """

    _parameter_constraints = {
        "embed_dim": [Interval(Integral, 1, None, closed="left")],
        "n_layers": [Interval(Integral, 0, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "user_col": [str],
        "item_col": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "device": [str],
    }

    def __init__(
        self,
        embed_dim=64,
        *,
        n_layers=3,
        alpha=1e-4,
        learning_rate=5e-3,
        batch_size=2048,
        max_epochs=100,
        user_col="user",
        item_col="item",
        random_state=None,
        verbose=0,
        device="cpu",
    ):
        self.embed_dim = embed_dim
        self.n_layers = n_layers
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.user_col = user_col
        self.item_col = item_col
        self.random_state = random_state
        self.verbose = verbose
        self.device = device

    # ---------------------------------------------------------------- input
    def _is_pairs(self, X):
        return hasattr(X, "columns") and {self.user_col, self.item_col} <= set(
            X.columns
        )

    def _to_matrix(self, X, *, reset):
        """``(M, user_labels)``: binary CSR matrix and the row labels (pairs)."""
        if hasattr(X, "columns"):
            check_pairs_frame(X, self.user_col, self.item_col, "LightGCN")
        if self._is_pairs(X):
            if reset:
                self.users_ = np.asarray(pd.unique(X[self.user_col]))
                self.items_ = np.asarray(pd.unique(X[self.item_col]))
                self.n_features_in_ = len(self.items_)
            if self.items_ is None:
                raise TypeError(
                    "LightGCN was fitted on a matrix; pass a user x item matrix."
                )
            users = pd.Index(pd.unique(X[self.user_col]))
            rows = users.get_indexer(X[self.user_col])
            cols = pd.Index(self.items_).get_indexer(X[self.item_col])
            keep = cols >= 0  # items unseen in fit are ignored
            M = sp.csr_matrix(
                (np.ones(keep.sum()), (rows[keep], cols[keep])),
                shape=(len(users), len(self.items_)),
            )
            labels = np.asarray(users)
        else:
            if reset:
                self.users_, self.items_ = None, None
            M = check_array(X, accept_sparse="csr", dtype=np.float64, input_name="X")
            validate_data(self, M, reset=reset, skip_check_array=True)
            if (M.data if sp.issparse(M) else M).min(initial=0) < 0:
                raise ValueError(
                    "Negative values in data passed to LightGCN: X holds "
                    "interactions, which cannot be negative."
                )
            M = sp.csr_matrix(M)
            labels = None
        M.sum_duplicates()
        M.data = (M.data > 0).astype(np.float64)
        M.eliminate_zeros()
        return M, labels

    # ----------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit on a user x item matrix or a DataFrame of (user, item) pairs.

        A fit that raises leaves the estimator as it was before the call.

        Parameters
        ----------
        X : {sparse matrix, array-like} of shape (n_users, n_items) or DataFrame
        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        check_device(self.device)
        with _RestoreOnError(self):
            return self._fit(X)

    def _fit(self, X):
        R, _ = self._to_matrix(X, reset=True)
        self.n_users_, self.n_items_ = R.shape
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(2**31 - 1))
        users, items = R.nonzero()
        self._item_degree = np.asarray(R.sum(axis=0)).ravel()
        adj = normalized_adjacency(R).to(self.device)
        with _SeededTorch(seed, self.device):
            module = LightGCNModule(
                self.n_users_, self.n_items_, self.embed_dim, self.n_layers
            ).to(self.device)
        optimizer = torch.optim.Adam(module.parameters(), lr=self.learning_rate)
        keys = np.sort(users.astype(np.int64) * self.n_items_ + items)
        self.loss_curve_ = []
        module.train()
        keep_step_buffers_on_the_heap()
        for epoch in range(self.max_epochs):
            order = rng.permutation(len(users))
            u_all, p_all = users[order], items[order]
            n_all = _sample_negatives(u_all, keys, self.n_items_, rng)
            total = 0.0
            for start in range(0, len(u_all), self.batch_size):
                sl = slice(start, start + self.batch_size)
                u, p, n = (
                    torch.from_numpy(a[sl].astype(np.int64)).to(self.device)
                    for a in (u_all, p_all, n_all)
                )
                diff, sq_norm = module(adj, u, p, n)
                bpr = torch.nn.functional.softplus(-diff).mean()
                loss = bpr + self.alpha * sq_norm / len(u)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(u)
            self.loss_curve_.append(total / max(len(u_all), 1))
            if not np.isfinite(self.loss_curve_[-1]):
                raise DivergenceError(
                    f"LightGCN diverged: the training loss became "
                    f"{self.loss_curve_[-1]} in epoch {epoch + 1}. Lower "
                    f"learning_rate (now {self.learning_rate!r}). The estimator is "
                    "left as it was before this call."
                )
            if self.verbose:
                print(f"epoch {epoch + 1}: loss {self.loss_curve_[-1]:.5f}")
        self.n_iter_ = self.max_epochs
        module.eval()
        with torch.no_grad():
            layers = [e.double().cpu().numpy() for e in module.layers(adj)]
        final = np.mean(layers, axis=0)
        self.user_embeddings_ = final[: self.n_users_]
        self.item_embeddings_ = final[self.n_users_ :]
        # item layers 0..K-1, for folding in new users (with no convolution,
        # n_layers=0, the layer-0 item embeddings)
        self._item_layers = [e[self.n_users_ :] for e in layers[:-1]] or [
            layers[0][self.n_users_ :]
        ]
        self.module_ = module
        return self

    def _rebuild_module(self, name):
        """An untrained module of the fitted shape (used by :func:`skfeat.io.load`)."""
        if name != "module_":
            raise ValueError(f"LightGCN has no module attribute {name!r}.")
        return LightGCNModule(
            self.n_users_, self.n_items_, self.embed_dim, self.n_layers
        )

    # ------------------------------------------------------------- outputs
    def _fold_in(self, M):
        """Embeddings of users given only by their items (rows of ``M``)."""
        M = sp.csr_matrix(M)
        d_u = np.asarray(M.sum(axis=1)).ravel()
        inv_u = np.zeros_like(d_u)
        inv_u[d_u > 0] = d_u[d_u > 0] ** -0.5
        inv_i = np.maximum(self._item_degree, 1.0) ** -0.5
        W = sp.diags(inv_u) @ M @ sp.diags(inv_i)
        out = np.zeros((M.shape[0], self.item_embeddings_.shape[1]))
        for layer in self._item_layers:
            out += W @ layer
        return out / (len(self._item_layers) + 1)

    def _user_rows(self, M, labels, users):
        """Final embedding of each row of ``M``: trained where known, else folded in."""
        n = M.shape[0]
        index = np.full(n, -1)
        if users is not None:
            users = np.asarray(users).ravel()
            if len(users) != n:
                raise ValueError(
                    f"users must name one trained user per row of X ({n} rows), "
                    f"got {len(users)}."
                )
            if self.users_ is None:
                index = users.astype(np.int64)
                bad = (index < -1) | (index >= self.n_users_)
                if bad.any():
                    raise ValueError(
                        f"users must hold row indices of the training matrix in "
                        f"[0, {self.n_users_}) (or -1 for a new user), got "
                        f"{users[bad][0]!r}."
                    )
            else:
                index = pd.Index(self.users_).get_indexer(users)
        elif labels is not None:
            index = pd.Index(self.users_).get_indexer(labels)
        emb = np.empty((n, self.item_embeddings_.shape[1]))
        known = index >= 0
        emb[known] = self.user_embeddings_[index[known]]
        if (~known).any():
            emb[~known] = self._fold_in(M[np.flatnonzero(~known)])
        return emb

    def predict_scores(self, X, exclude_seen=True, users=None):
        """Item scores per user (dot products); seen items get ``-inf``.

        Parameters
        ----------
        X : {sparse matrix, array-like} of shape (n_users, n_items) or DataFrame
            The users' interactions: a matrix (one row per user) or pairs (one
            row per unique user, in order of appearance).
        exclude_seen : bool, default=True
            Give the items each user already has in ``X`` a score of ``-inf``.
        users : array-like of shape (n_rows,), default=None
            The trained user of each row of a matrix ``X`` (row indices of the
            training matrix, -1 for a new user), or labels for pairs input.
            ``None``: pairs are matched by label; matrix rows are folded in.

        Returns
        -------
        scores : ndarray of shape (n_rows, n_items)
            Score of every item for each user, higher ranks first.
        """
        check_is_fitted(self)
        M, labels = self._to_matrix(X, reset=False)
        scores = self._user_rows(M, labels, users) @ self.item_embeddings_.T
        if exclude_seen:
            scores[M.nonzero()] = -np.inf
        return scores

    def recommend(self, X, k=10, exclude_seen=True, users=None):
        """Top-``k`` items per user, best first.

        Parameters
        ----------
        X : {sparse matrix, array-like} of shape (n_users, n_items) or DataFrame
        k : int, default=10
            Number of items to recommend per user.
        exclude_seen : bool, default=True
            Never recommend an item the user already has in ``X``.
        users : array-like, default=None
            See :meth:`predict_scores`.

        Returns
        -------
        items : ndarray of shape (n_rows, k)
            Item labels (``items_``) when fitted on pairs, else column indices.
        """
        check_top_k(k)
        scores = self.predict_scores(X, exclude_seen=exclude_seen, users=users)
        k = min(int(k), scores.shape[1])
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return top if self.items_ is None else self.items_[top]

    def score(self, X, y=None, metric="ndcg", k=100, users=None):
        """Ranking quality of the recommendations (NDCG@100 by default).

        With ``y`` (a user x item matrix of held-out interactions, same rows as
        ``X``), items are recommended from ``X`` (seen ones excluded) and judged on
        ``y``. Without ``y``, 20% of each user's items in ``X`` are held out at
        random (seeded by ``random_state``) and the rest are used to recommend;
        if ``X`` is the training data and its users are matched to their trained
        embeddings, those held-out items were seen in training, so pass ``y``
        for an honest estimate.

        Parameters
        ----------
        X : {sparse matrix, array-like} of shape (n_users, n_items) or DataFrame
        y : {sparse matrix, array-like} of shape (n_users, n_items), default=None
            Held-out interactions; a 1d ``y`` (as a pipeline passes) is ignored.
        metric : {"ndcg", "recall", "hit_rate"}, default="ndcg"
        k : int, default=100
            Cut-off of the ranking metric.
        users : array-like, default=None
            See :meth:`predict_scores`.

        Returns
        -------
        score : float
            The ranking metric, higher is better.
        """
        check_is_fitted(self)
        M, labels = self._to_matrix(X, reset=False)
        if users is None and labels is not None:
            users = labels
        if y is None or np.ndim(y) < 2:
            M, held = _hold_out(M, 0.2, self.random_state)
        else:
            held = sp.csr_matrix(check_array(y, accept_sparse="csr", input_name="y"))
            if held.shape != M.shape:
                raise ValueError(
                    f"y must be a held-out matrix shaped like X {M.shape}, got "
                    f"{held.shape}."
                )
        scores = self.predict_scores(M, exclude_seen=True, users=users)
        return ranking_metric(metric)(held, scores, k=k)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        tags.requires_fit = True
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags


def _sample_negatives(users, keys, n_items, rng):
    """One item per user that the user has not interacted with (uniform)."""
    neg = rng.randint(n_items, size=len(users))
    todo = np.arange(len(users))
    for _ in range(100):
        pair = users[todo].astype(np.int64) * n_items + neg[todo]
        pos = np.searchsorted(keys, pair)
        hit = (pos < len(keys)) & (keys[np.minimum(pos, len(keys) - 1)] == pair)
        todo = todo[hit]
        if not len(todo):
            break
        neg[todo] = rng.randint(n_items, size=len(todo))
    return neg
