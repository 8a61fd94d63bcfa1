"""Entity embeddings: categorical columns as dense vectors learned with a target."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skfeat.preprocessing._utils import (
    check_table,
    column_values,
    fitted_model,
    is_classification_target,
    model_embeddings,
    model_outputs,
    require_y,
)
from skfeat.utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
)


class EmbeddingEncoder(TransformerMixin, BaseEstimator):
    """Entity embeddings of categorical columns, learned with the target.

    Each categorical column is replaced by its learned embedding, a dense vector
    of ``embed_dim`` floats per category (Guo & Berkhahn 2016). The embeddings
    are those of a factorization machine: fitted here on ``(X, y)`` with skfeat's
    training engine (:class:`~skfeat.models.FMClassifier` or
    :class:`~skfeat.models.FMRegressor`), or read from an already fitted skfeat
    FM-family model (``from_model``) through its ``decompose`` method. Categories
    unseen in the model's ``fit`` get the model's unknown embedding.

    Parameters
    ----------
    embed_dim : int, default=8
        Size of the learned embeddings (ignored with ``from_model``).
    from_model : fitted FM-family estimator or None, default=None
        Take the embeddings from this fitted model (e.g. an FMClassifier, or a
        ``FrozenEstimator`` wrapping one so that it stays fitted when cloned, as in
        ``GridSearchCV``) instead of fitting one; ``y`` is then ignored.
    task : {"auto", "classification", "regression"}, default="auto"
        Which model to fit: ``"auto"`` fits a classifier for binary or multiclass
        targets and a regressor otherwise.
    numeric : {"passthrough", "drop"}, default="passthrough"
        What to do with numeric (non-categorical) columns: keep their values, or
        leave them out.
    categorical_features : "from_dtype", "all", array-like or None, \
            default="from_dtype"
        Which columns are categorical, as in :class:`~skfeat.models.FMClassifier`
        (``"all"`` treats the columns of a numeric array as categories). Ignored
        with ``from_model``, whose own choice is used.
    min_frequency : int, float or None, default=None
        Categories rarer than this share one embedding.
    learning_rate : float, default=0.01
        Adam step size of the fitted model.
    batch_size : int or "auto", default="auto"
        Rows per gradient step of the fitted model.
    max_epochs : int, default=20
        Most passes over the data.
    alpha : float, default=1e-6
        L2 penalty of the fitted model.
    early_stopping : bool or "auto", default="auto"
        Early stopping of the fitted model on a validation split (``"auto"``: on
        whenever a split leaves rows on both sides, at every data size).
    random_state : int, RandomState instance or None, default=None
        Seeds the fitted model.

    Attributes
    ----------
    model_ : estimator
        The model the embeddings come from.
    is_categorical_ : ndarray of bool of shape (n_features_in_,)
        Which input columns are embedded.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when X was a DataFrame.

    See Also
    --------
    skfeat.models.FMClassifier : The model whose embeddings are used.
    sklearn.preprocessing.TargetEncoder : One number per category instead.

    Notes
    -----
    The output column names are ``"<column>_emb<d>"`` (``d < embed_dim``; for a
    multiclass model, one block of ``embed_dim`` per class). A downstream model
    trained on the rows the embeddings were learned on sees optimistic features
    (target leakage): fit the encoder on other rows, or cross-fit.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.preprocessing import EmbeddingEncoder
    >>> X, y, truth = make_interaction_classification(
    ...     n_samples=500, n_fields=3, interactions=1, random_state=0)
    >>> enc = EmbeddingEncoder(embed_dim=2, max_epochs=2, random_state=0)
    >>> enc.fit_transform(X, y).shape
    (500, 6)
    >>> enc.get_feature_names_out()[:3].tolist()
    ['f0_emb0', 'f0_emb1', 'f1_emb0']
    """

    _parameter_constraints: dict = {
        "embed_dim": [Interval(Integral, 1, None, closed="left")],
        "from_model": [HasMethods(["decompose"]), None],
        "task": [StrOptions({"auto", "classification", "regression"})],
        "numeric": [StrOptions({"passthrough", "drop"})],
        "categorical_features": ["array-like", StrOptions({"from_dtype", "all"}), None],
        "min_frequency": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
            None,
        ],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        embed_dim=8,
        *,
        from_model=None,
        task="auto",
        numeric="passthrough",
        categorical_features="from_dtype",
        min_frequency=None,
        learning_rate=0.01,
        batch_size="auto",
        max_epochs=20,
        alpha=1e-6,
        early_stopping="auto",
        random_state=None,
    ):
        self.embed_dim = embed_dim
        self.from_model = from_model
        self.task = task
        self.numeric = numeric
        self.categorical_features = categorical_features
        self.min_frequency = min_frequency
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.alpha = alpha
        self.early_stopping = early_stopping
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the embeddings (or take them from ``from_model``).

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
            Target; required unless ``from_model`` is given.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        X = check_table(self, X, reset=True)
        if self.from_model is not None:
            model = fitted_model(self.from_model, "from_model")
            if model.n_features_in_ != self.n_features_in_:
                raise ValueError(
                    f"X has {self.n_features_in_} features, but from_model was "
                    f"fitted on {model.n_features_in_}."
                )
        else:
            require_y(self, y)
            model = self._make_model(y).fit(X, y)
        self.model_ = model
        self.is_categorical_ = np.asarray(model.is_categorical_, dtype=bool).copy()
        self._embed_width = len(model_outputs(model)) * self._model_embed_dim(X)
        return self

    def _make_model(self, y):
        from skfeat.models import FMClassifier, FMRegressor

        Model = FMClassifier if is_classification_target(y, self.task) else FMRegressor
        return Model(
            embed_dim=self.embed_dim,
            learning_rate=self.learning_rate,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            alpha=self.alpha,
            early_stopping=self.early_stopping,
            categorical_features=self.categorical_features,
            min_frequency=self.min_frequency,
            random_state=self.random_state,
        )

    def _model_embed_dim(self, X):
        first = X.iloc[:1] if isinstance(X, pd.DataFrame) else X[:1]
        return model_embeddings(self.model_, first).shape[2] // len(
            model_outputs(self.model_)
        )

    def transform(self, X):
        """Replace categorical columns by their embeddings.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
            Float64 columns in input column order: each categorical column's
            embedding, and numeric columns as they are (unless dropped).
        """
        check_is_fitted(self)
        X = check_table(self, X, reset=False)
        emb = model_embeddings(self.model_, X)
        blocks = []
        for j, categorical in enumerate(self.is_categorical_):
            if categorical:
                blocks.append(emb[:, j, :])
            elif self.numeric == "passthrough":
                blocks.append(self._numeric_column(X, j)[:, None])
        if not blocks:
            return np.zeros((X.shape[0], 0))
        return np.hstack(blocks).astype(np.float64)

    def _numeric_column(self, X, j):
        col = column_values(X, j)
        if hasattr(col, "to_numpy"):
            return col.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(col, dtype=np.float64)

    def get_feature_names_out(self, input_features=None):
        """Get the names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; defaults to ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"<column>_emb<d>"`` for embedded columns, the column's name for
            numeric columns passed through.
        """
        check_is_fitted(self)
        names = [str(n) for n in _check_feature_names_in(self, input_features)]
        out = []
        for j, categorical in enumerate(self.is_categorical_):
            if categorical:
                out.extend(f"{names[j]}_emb{d}" for d in range(self._embed_width))
            elif self.numeric == "passthrough":
                out.append(names[j])
        return np.asarray(out, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.target_tags.required = self.from_model is None
        return tags
