"""Sparse dictionary coding of pairwise interaction features."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.decomposition import MiniBatchDictionaryLearning, SparseCoder
from sklearn.utils.validation import check_is_fitted

from skfeat.preprocessing._utils import (
    check_table,
    column_names,
    fitted_model,
    model_embeddings,
)
from skfeat.utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    validate_data,
)

_TRANSFORM_ALGORITHMS = {"lasso_lars", "lasso_cd", "lars", "omp", "threshold"}


class SparseInteractionCoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Sparse codes of pairwise interaction features over a learned dictionary.

    Each row's pairwise interaction features are built, a dictionary of
    ``n_components`` atoms ("interaction motifs") is learned with scikit-learn's
    :class:`~sklearn.decomposition.MiniBatchDictionaryLearning`, and every row is
    coded against it with a :class:`~sklearn.decomposition.SparseCoder`. The
    codes are the output: a few loadings per row on patterns of column pairs that
    act together (Mairal et al. 2009).

    The interaction features of a row are:

    * without ``embedding_model``, ``interaction_features="products"``: the
      products ``x_i * x_j`` of every pair of columns ``i < j`` of a numeric X;
    * without ``embedding_model``, ``interaction_features="input"``: X itself,
      already holding interaction features (for example flattened SHAP
      interaction values, or ``TruncatedSVD`` of crossed features);
    * with ``embedding_model`` (a fitted FM-family model): the element-wise
      products ``e_i * e_j`` of the model's field embeddings of every pair of
      columns, ``embed_dim`` features per pair (X is then the model's input).

    Parameters
    ----------
    n_components : int, default=8
        Number of dictionary atoms.
    alpha : float, default=1.0
        Sparsity penalty of dictionary learning.
    interaction_features : {"products", "input"}, default="products"
        How rows become interaction features, see above. ``"input"`` cannot be
        combined with ``embedding_model``.
    embedding_model : fitted FM-family estimator or None, default=None
        Model whose field embeddings are multiplied pairwise (a ``FrozenEstimator``
        wrapping one stays fitted when cloned).
    fit_algorithm : {"cd", "lars"}, default="cd"
        Solver of the dictionary learning's coding step.
    batch_size : int, default=256
        Rows per mini-batch.
    max_iter : int, default=100
        Most passes over the data; learning stops earlier when the cost stops
        improving (scikit-learn's ``max_no_improvement``).
    transform_algorithm : {"omp", "lasso_lars", "lasso_cd", "lars", \
"threshold"}, default="omp"
        Coding algorithm of ``transform``.
    transform_n_nonzero_coefs : int or None, default=None
        Non-zero coefficients per row for ``"omp"`` and ``"lars"``.
    transform_alpha : float or None, default=None
        Penalty of the lasso and threshold coders (``None``: ``alpha``).
    positive_code : bool, default=False
        Constrain the codes to be non-negative (needs ``fit_algorithm="cd"`` and a
        lasso ``transform_algorithm``).
    positive_dict : bool, default=False
        Constrain the atoms to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seeds dictionary initialisation and the mini-batch order.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_interaction_features)
        The learned atoms (unit norm).
    interaction_feature_names_ : ndarray of str objects
        Name of each interaction feature: ``"a*b"`` for a product of columns,
        ``"a*b_<d>"`` for dimension ``d`` of an embedding product.
    dictionary_learner_ : MiniBatchDictionaryLearning
        The fitted learner.
    coder_ : SparseCoder
        The coder used by ``transform``.
    n_iter_ : int
        Passes over the data run by the learner.
    n_steps_ : int
        Mini-batches processed by the learner.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when X was a DataFrame.

    See Also
    --------
    sklearn.decomposition.MiniBatchDictionaryLearning : The dictionary learner.
    sklearn.decomposition.SparseCoder : The coder.

    Notes
    -----
    Dictionary learning is sensitive to scale: standardise X (or normalise the
    rows of ``"input"`` features) first, and tune ``alpha``. Atoms come back in
    an arbitrary order. Outputs are named ``sparseinteractioncoder0, ...``.

    Examples
    --------
    >>> import numpy as np
    >>> from skfeat.preprocessing import SparseInteractionCoder
    >>> X = np.random.RandomState(0).normal(size=(200, 4))
    >>> coder = SparseInteractionCoder(n_components=3, random_state=0).fit(X)
    >>> coder.components_.shape
    (3, 6)
    >>> coder.interaction_feature_names_[:3].tolist()
    ['x0*x1', 'x0*x2', 'x0*x3']
    >>> coder.transform(X).shape
    (200, 3)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "interaction_features": [StrOptions({"products", "input"})],
        "embedding_model": [HasMethods(["decompose"]), None],
        "fit_algorithm": [StrOptions({"cd", "lars"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "transform_algorithm": [StrOptions(_TRANSFORM_ALGORITHMS)],
        "transform_n_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "transform_alpha": [Interval(Real, 0, None, closed="left"), None],
        "positive_code": ["boolean"],
        "positive_dict": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=8,
        *,
        alpha=1.0,
        interaction_features="products",
        embedding_model=None,
        fit_algorithm="cd",
        batch_size=256,
        max_iter=100,
        transform_algorithm="omp",
        transform_n_nonzero_coefs=None,
        transform_alpha=None,
        positive_code=False,
        positive_dict=False,
        random_state=None,
    ):
        self.n_components = n_components
        self.alpha = alpha
        self.interaction_features = interaction_features
        self.embedding_model = embedding_model
        self.fit_algorithm = fit_algorithm
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.transform_algorithm = transform_algorithm
        self.transform_n_nonzero_coefs = transform_n_nonzero_coefs
        self.transform_alpha = transform_alpha
        self.positive_code = positive_code
        self.positive_dict = positive_dict
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the dictionary of interaction motifs.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)
            Numeric data, or the embedding model's input.
        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        if self.embedding_model is not None and self.interaction_features == "input":
            raise ValueError(
                "interaction_features='input' cannot be combined with "
                "embedding_model: the embedding products are the interaction "
                "features."
            )
        features = self._features(X, reset=True)
        self.dictionary_learner_ = MiniBatchDictionaryLearning(
            n_components=self.n_components,
            alpha=self.alpha,
            max_iter=self.max_iter,
            fit_algorithm=self.fit_algorithm,
            batch_size=self.batch_size,
            transform_algorithm=self.transform_algorithm,
            transform_n_nonzero_coefs=self.transform_n_nonzero_coefs,
            transform_alpha=self.transform_alpha,
            positive_code=self.positive_code,
            positive_dict=self.positive_dict,
            random_state=self.random_state,
        ).fit(features)
        self.components_ = self.dictionary_learner_.components_
        self.n_iter_ = self.dictionary_learner_.n_iter_
        self.n_steps_ = self.dictionary_learner_.n_steps_
        self.coder_ = SparseCoder(
            self.components_,
            transform_algorithm=self.transform_algorithm,
            transform_n_nonzero_coefs=self.transform_n_nonzero_coefs,
            transform_alpha=(
                self.alpha if self.transform_alpha is None else self.transform_alpha
            ),
            positive_code=self.positive_code,
        )
        return self

    def _features(self, X, *, reset):
        if self.embedding_model is not None:
            X = check_table(self, X, reset=reset)
            model = fitted_model(self.embedding_model, "embedding_model")
            if reset:
                self.embedding_model_ = model
            emb = model_embeddings(self.embedding_model_, X)
            i, j = np.triu_indices(emb.shape[1], k=1)
            features = (emb[:, i, :] * emb[:, j, :]).reshape(emb.shape[0], -1)
            if reset:
                names = column_names(self)
                self.interaction_feature_names_ = np.asarray(
                    [
                        f"{names[a]}*{names[b]}_{d}"
                        for a, b in zip(i, j)
                        for d in range(emb.shape[2])
                    ],
                    dtype=object,
                )
            return features
        _check_numeric_columns(X, type(self).__name__)
        X = validate_data(
            self, X, reset=reset, dtype=[np.float64, np.float32], copy=False
        )
        if self.interaction_features == "input":
            if reset:
                self.interaction_feature_names_ = np.asarray(
                    column_names(self), dtype=object
                )
            return X
        if X.shape[1] < 2:
            raise ValueError(
                f"{type(self).__name__} builds products of column pairs and needs "
                f"at least 2 columns, got {X.shape[1]} feature(s)."
            )
        i, j = np.triu_indices(X.shape[1], k=1)
        if reset:
            names = column_names(self)
            self.interaction_feature_names_ = np.asarray(
                [f"{names[a]}*{names[b]}" for a, b in zip(i, j)], dtype=object
            )
        return X[:, i] * X[:, j]

    def transform(self, X):
        """Sparse codes of the rows' interaction features.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            Sparse code of each row.
        """
        check_is_fitted(self)
        return self.coder_.transform(self._features(X, reset=False))

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        with_model = self.embedding_model is not None
        tags.input_tags.categorical = with_model
        tags.input_tags.string = with_model
        tags.input_tags.allow_nan = with_model
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _check_numeric_columns(X, name):
    """Name the first non-numeric DataFrame column instead of numpy's message."""
    if not hasattr(X, "dtypes"):
        return
    for col, dtype in zip(X.columns, X.dtypes):
        if not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        ):
            raise ValueError(
                f"{name} without an embedding_model codes numeric features, but "
                f"column {col!r} has dtype {dtype}. Pass embedding_model= (a fitted "
                "FM-family model) to code categorical data, or encode the column first."
            )
