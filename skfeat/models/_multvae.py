"""Mult-VAE for collaborative filtering on implicit feedback, as an estimator."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted
from skorch import NeuralNet
from torch.nn import functional as F

from skfeat.exceptions import DivergenceError
from skfeat.metrics import ranking_metric
from skfeat.models._engine import check_finite_parameters
from skfeat.models._guards import _RestoreOnError, _SeededTorch
from skfeat.nn._vae import MultVAEModule, gaussian_kl
from skfeat.utils._allocator import keep_step_buffers_on_the_heap
from skfeat.utils._batching import BatchIterator, FieldDataset
from skfeat.utils._sklearn_compat import (
    Interval,
    _fit_context,
    validate_data,
)
from skfeat.utils._validation import (
    PositiveIntSequence,
    check_device,
    check_weight_shapes,
)


class _MultVAENet(NeuralNet):
    """Multinomial log-likelihood plus an annealed KL term (Liang et al. 2018)."""

    def __init__(self, *args, beta_max=0.2, anneal_steps=200_000, **kwargs):
        super().__init__(*args, **kwargs)
        self.beta_max = beta_max
        self.anneal_steps = anneal_steps

    def initialize(self):
        super().initialize()
        self.n_updates_ = 0
        return self

    def infer(self, x, **fit_params):
        return self.module_(**x)

    def current_beta(self):
        if self.anneal_steps <= 0:
            return self.beta_max
        return min(self.beta_max, self.n_updates_ / self.anneal_steps)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        logits, mu, log_var = y_pred
        nll = -(F.log_softmax(logits, dim=1) * y_true).sum(dim=1).mean()
        kl = gaussian_kl(mu, log_var).mean()
        if training:
            self.n_updates_ += 1
        return nll + self.current_beta() * kl


class MultVAE(TransformerMixin, BaseEstimator):
    """Variational autoencoder for implicit-feedback recommendation (Mult-VAE).

    Liang, Krishnan, Hoffman and Jebara, "Variational Autoencoders for
    Collaborative Filtering", WWW 2018: each user's row of the user x item matrix
    is encoded to a Gaussian latent ``z``; the decoder gives a multinomial
    distribution over items. The loss is the multinomial negative log-likelihood
    plus ``beta`` times the KL divergence, with ``beta`` raised linearly from 0 to
    ``beta_max`` over ``anneal_steps`` updates (the paper's KL annealing).

    Parameters
    ----------
    latent_dim : int, default=200
        Size of ``z`` (the paper's 200).
    hidden_units : tuple of int, default=(600,)
        Encoder hidden widths; the decoder mirrors them.
    dropout : float, default=0.5
        Dropout on the normalised input.
    beta_max : float, default=0.2
        Cap of the KL weight.
    anneal_steps : int, default=20000
        Updates over which ``beta`` grows from 0 to ``beta_max``; 0 uses
        ``beta_max`` from the start.
    learning_rate : float, default=1e-3
        Step size of the Adam optimizer, positive.
    alpha : float, default=0.0
        L2 weight decay on all weights.
    batch_size : int, default=500
        Users per gradient step.
    max_epochs : int, default=50
        Number of passes over the training users.
    user_col, item_col : str, default="user", "item"
        Columns naming user and item when ``X`` is a DataFrame of pairs.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout.
    verbose : int, default=0
        Print skorch's per-epoch table when positive.
    device : str, default="cpu"
        Torch device to train and predict on, e.g. ``"cuda"``.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained net (``net_.module_`` is the torch module).
    n_items_ : int
        Number of items (columns of the user x item matrix).
    items_ : ndarray or None
        Item labels when fitted on a DataFrame of pairs (column ``j`` of the
        matrix is item ``items_[j]``), else None.
    users_ : ndarray or None
        User labels when fitted on a DataFrame of pairs.
    n_features_in_ : int
        Equal to ``n_items_`` for matrix input.

    Notes
    -----
    Input is a scipy sparse or dense user x item matrix of interactions (any
    positive value counts as the count of that interaction), or a DataFrame of
    ``(user, item)`` pairs, which is pivoted into such a matrix with the users and
    items seen in ``fit`` (unseen items in later calls are ignored).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from skfeat.models import MultVAE
    >>> rng = np.random.RandomState(0)
    >>> X = sp.csr_matrix((rng.rand(50, 30) < 0.2).astype(float))
    >>> vae = MultVAE(latent_dim=8, hidden_units=(16,), max_epochs=3,
    ...               random_state=0).fit(X)
    >>> vae.transform(X).shape
    (50, 8)
    >>> vae.recommend(X[:2], k=3).shape
    (2, 3)
    """

    _parameter_constraints = {
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_units": [PositiveIntSequence(allow_empty=True)],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "beta_max": [Interval(Real, 0, None, closed="left")],
        "anneal_steps": [Interval(Integral, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
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
        latent_dim=200,
        *,
        hidden_units=(600,),
        dropout=0.5,
        beta_max=0.2,
        anneal_steps=20_000,
        learning_rate=1e-3,
        alpha=0.0,
        batch_size=500,
        max_epochs=50,
        user_col="user",
        item_col="item",
        random_state=None,
        verbose=0,
        device="cpu",
    ):
        self.latent_dim = latent_dim
        self.hidden_units = hidden_units
        self.dropout = dropout
        self.beta_max = beta_max
        self.anneal_steps = anneal_steps
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.user_col = user_col
        self.item_col = item_col
        self.random_state = random_state
        self.verbose = verbose
        self.device = device

    # ---------------------------------------------------------------- input
    def _to_matrix(self, X, *, reset):
        if hasattr(X, "columns"):
            self._check_frame(X)
        if hasattr(X, "columns") and {self.user_col, self.item_col} <= set(X.columns):
            if reset:
                self.users_ = np.asarray(pd.unique(X[self.user_col]))
                self.items_ = np.asarray(pd.unique(X[self.item_col]))
            if self.items_ is None:
                raise TypeError(
                    "MultVAE was fitted on a matrix; pass a user x item matrix."
                )
            users = pd.Index(pd.unique(X[self.user_col]))
            rows = users.get_indexer(X[self.user_col])
            cols = pd.Index(self.items_).get_indexer(X[self.item_col])
            keep = cols >= 0  # items unseen in fit are ignored
            M = sp.csr_matrix(
                (np.ones(keep.sum()), (rows[keep], cols[keep])),
                shape=(len(users), len(self.items_)),
            )
            M.sum_duplicates()
            if reset:
                self.n_features_in_ = len(self.items_)
            return M
        if reset:
            self.users_, self.items_ = None, None
        M = check_array(X, accept_sparse="csr", dtype=np.float32, input_name="X")
        validate_data(self, M, reset=reset, skip_check_array=True)
        if (M.data if sp.issparse(M) else M).min(initial=0) < 0:
            raise ValueError(
                "Negative values in data passed to MultVAE: X holds interaction "
                "counts, which cannot be negative."
            )
        return sp.csr_matrix(M)

    def _check_frame(self, X):
        check_pairs_frame(X, self.user_col, self.item_col, "MultVAE")

    def _tensor(self, M):
        return torch.from_numpy(np.asarray(M.toarray(), dtype=np.float32))

    # ----------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit on a user x item matrix or a DataFrame of (user, item) pairs.

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
        hidden = [int(h) for h in self.hidden_units]
        M = self._to_matrix(X, reset=True)
        self.n_items_ = M.shape[1]
        dense = self._tensor(M)
        dataset = FieldDataset({"x": dense}, y=dense)
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        with _SeededTorch(seed, self.device):
            module = MultVAEModule(self.n_items_, hidden, self.latent_dim, self.dropout)
            self.net_ = self._new_net(module)
            keep_step_buffers_on_the_heap()
            self.net_.fit(dataset, None)
        losses = self.net_.history[:, "train_loss"]
        if not np.all(np.isfinite(losses)):
            raise DivergenceError(
                "MultVAE diverged: the training loss became non-finite. Lower "
                f"learning_rate (now {self.learning_rate!r}). The estimator is left "
                "as it was before this call."
            )
        try:
            check_finite_parameters(self.net_.module_)
        except DivergenceError as exc:
            raise DivergenceError(
                f"MultVAE diverged: {exc} Lower learning_rate (now "
                f"{self.learning_rate!r}). The estimator is left as it was before "
                "this call."
            ) from None
        self.n_iter_ = len(self.net_.history)
        return self

    def _new_net(self, module, batch_size=None):
        return _MultVAENet(
            module,
            criterion=torch.nn.Identity,
            optimizer=torch.optim.Adam,
            optimizer__weight_decay=self.alpha,
            lr=self.learning_rate,
            batch_size=self.batch_size if batch_size is None else batch_size,
            max_epochs=self.max_epochs,
            iterator_train=BatchIterator,
            iterator_valid=BatchIterator,
            iterator_train__shuffle=True,
            train_split=None,
            verbose=self.verbose,
            device=self.device,
            beta_max=self.beta_max,
            anneal_steps=self.anneal_steps,
        )

    def rebuild_net(self, weights, optimizer_state, batch_size, *, adapt_module=None):
        """Rebuild ``net_`` around saved weights (used by :func:`skfeat.io.load`).

        ``n_items_``, ``hidden_units`` and ``latent_dim`` are compared with the
        weights' shapes on PyTorch's meta device before any module is allocated.

        Parameters
        ----------
        weights : dict of str to Tensor
            The module's state dict.
        optimizer_state : dict or None
            The optimizer's state dict.
        batch_size : int
            The net's batch size.
        adapt_module : callable, default=None
            Takes the freshly built module and returns the module to hold.

        Raises
        ------
        ValueError
            If the weights' names or shapes differ from the declared ones.
        """
        hidden = [int(h) for h in self.hidden_units]

        def build():
            module = MultVAEModule(self.n_items_, hidden, self.latent_dim, self.dropout)
            return module if adapt_module is None else adapt_module(module)

        check_weight_shapes(build, weights, type(self).__name__)
        self.net_ = self._new_net(build(), batch_size)
        self.net_.initialize()
        self.net_.module_.load_state_dict(weights)
        if optimizer_state is not None:
            self.net_.optimizer_.load_state_dict(optimizer_state)

    # ------------------------------------------------------------- outputs
    def _forward(self, M):
        check_is_fitted(self)
        module = self.net_.module_
        module.eval()
        with torch.no_grad():
            logits, mu, _ = module(self._tensor(M).to(self.device))
        return logits.cpu().numpy().astype(np.float64), mu.cpu().numpy()

    def transform(self, X):
        """Latent means ``mu`` of each user (row).

        Parameters
        ----------
        X : {sparse matrix, array-like} of shape (n_users, n_items) or DataFrame

        Returns
        -------
        Z : ndarray of shape (n_users, latent_dim)
            Latent mean of each user.
        """
        check_is_fitted(self)
        return self._forward(self._to_matrix(X, reset=False))[1].astype(np.float64)

    def predict_scores(self, X, exclude_seen=True):
        """Item scores (decoder logits) per user; seen items get ``-inf``.

        Parameters
        ----------
        X : {sparse matrix, array-like} of shape (n_users, n_items) or DataFrame
        exclude_seen : bool, default=True
            Give the items each user already has in ``X`` a score of ``-inf``.

        Returns
        -------
        scores : ndarray of shape (n_users, n_items)
            Score of every item for each user, higher ranks first.
        """
        check_is_fitted(self)
        M = self._to_matrix(X, reset=False)
        scores = self._forward(M)[0]
        if exclude_seen:
            scores[M.nonzero()] = -np.inf
        return scores

    def recommend(self, X, k=10, exclude_seen=True):
        """Top-``k`` items per user, best first.

        Parameters
        ----------
        X : {sparse matrix, array-like} of shape (n_users, n_items) or DataFrame
        k : int, default=10
            Number of items to recommend per user.
        exclude_seen : bool, default=True
            Never recommend an item the user already has in ``X``.

        Returns
        -------
        items : ndarray of shape (n_users, k)
            Item labels (``items_``) when fitted on pairs, else column indices.
        """
        check_top_k(k)
        scores = self.predict_scores(X, exclude_seen=exclude_seen)
        k = min(int(k), scores.shape[1])
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return top if self.items_ is None else self.items_[top]

    def score(self, X, y=None, metric="ndcg", k=100):
        """Ranking quality of the recommendations (NDCG@100 by default).

        With ``y`` (a user x item matrix of held-out interactions, same rows as
        ``X``), items are recommended from ``X`` (seen ones excluded) and judged on
        ``y``. Without ``y``, 20% of each user's items in ``X`` are held out at
        random (seeded by ``random_state``) and the rest are used to recommend.

        Parameters
        ----------
        X : {sparse matrix, array-like} of shape (n_users, n_items) or DataFrame
        y : {sparse matrix, array-like} of shape (n_users, n_items), default=None
            Held-out interactions; a 1d ``y`` (as a pipeline passes) is ignored.
        metric : {"ndcg", "recall", "hit_rate"}, default="ndcg"
        k : int, default=100
            Cut-off of the ranking metric.

        Returns
        -------
        score : float
            The ranking metric, higher is better.
        """
        check_is_fitted(self)
        M = self._to_matrix(X, reset=False)
        if y is None or np.ndim(y) < 2:
            # no held-out matrix (a 1d y, as pipelines pass, carries none)
            M, held = _hold_out(M, 0.2, self.random_state)
        else:
            held = sp.csr_matrix(check_array(y, accept_sparse="csr", input_name="y"))
            if held.shape != M.shape:
                raise ValueError(
                    f"y must be a held-out matrix shaped like X {M.shape}, got "
                    f"{held.shape}."
                )
        scores = self.predict_scores(M, exclude_seen=True)
        return ranking_metric(metric)(held, scores, k=k)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        tags.requires_fit = True
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags


def check_top_k(k):
    """``k`` of ``recommend``: a positive integer."""
    if not isinstance(k, Integral | np.integer) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")


def check_pairs_frame(X, user_col, item_col, name):
    """Refuse a DataFrame that is neither a non-empty pairs frame (``user_col``,
    ``item_col``) nor a numeric user x item matrix, naming the columns.

    A two-column frame of ids under other names would otherwise be read as a
    matrix of two items.
    """
    cols = list(X.columns)
    if {user_col, item_col} <= set(cols):
        if len(X) == 0:
            raise ValueError(
                f"{name} got an empty DataFrame of (user, item) pairs: at least one "
                "pair is needed."
            )
        return
    numeric = all(
        pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt)
        for dt in X.dtypes
    )
    if len(cols) == 2 or not numeric:
        raise ValueError(
            f"{name} takes a DataFrame of (user, item) pairs with columns "
            f"{user_col!r} and {item_col!r} (set user_col and item_col to match "
            f"yours), or a numeric user x item matrix; got columns {cols}. Pass "
            "X.to_numpy() if this is a matrix of 2 items."
        )


def _hold_out(M, fraction, random_state):
    """Split each row's non-zeros into kept and held-out parts (at least one kept)."""
    rng = check_random_state(random_state)
    M = sp.csr_matrix(M)
    keep = M.copy().tolil()
    held = sp.lil_matrix(M.shape)
    for u in range(M.shape[0]):
        items = M.indices[M.indptr[u] : M.indptr[u + 1]]
        if len(items) < 2:
            continue
        n_held = max(1, int(round(fraction * len(items))))
        chosen = rng.choice(items, size=n_held, replace=False)
        for j in chosen:
            held[u, j] = M[u, j]
            keep[u, j] = 0
    keep = sp.csr_matrix(keep)
    keep.eliminate_zeros()
    return keep, sp.csr_matrix(held)
