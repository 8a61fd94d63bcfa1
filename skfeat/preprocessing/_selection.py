"""Explain, then engineer: cross the column pairs an FM finds important."""

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skfeat.preprocessing._crossing import FeatureCrosser
from skfeat.preprocessing._utils import (
    check_table,
    column_names,
    is_classification_target,
    model_outputs,
    require_y,
)
from skfeat.utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
)


def _rows(X, index):
    return X.iloc[index] if isinstance(X, pd.DataFrame) else X[index]


class InteractionSelector(TransformerMixin, BaseEstimator):
    """Cross the column pairs with the largest SHAP interaction values.

    Explain, then engineer (as GLIDER, Tsang et al. 2020): an FM-family model is
    fitted on ``(X, y)``, the exact SHAP interaction values of
    :class:`~skfeat.explain.InteractionExplainer` rank every pair of columns by
    its mean absolute interaction, and the top pairs are crossed by a
    :class:`FeatureCrosser`. A linear model or gradient boosting downstream then
    gets the interactions that matter, and only those.

    Parameters
    ----------
    model : FM-family estimator or None, default=None
        Model to fit and explain; it must have a ``decompose`` method (FM, FwFM).
        It is cloned and fitted on ``(X, y)``; to use an already fitted model,
        wrap it in :class:`sklearn.frozen.FrozenEstimator` (its ``fit`` does
        nothing, and it stays fitted under ``clone``). ``None`` fits an
        :class:`~skfeat.models.FMClassifier` (classification targets) or
        :class:`~skfeat.models.FMRegressor` with ``embed_dim=8`` and
        ``max_epochs=20``.
    k : int or None, default=10
        Number of top pairs to cross (fewer when there are fewer pairs).
        ``None``: every pair above ``threshold``.
    threshold : float or None, default=None
        Cross only pairs whose mean absolute SHAP interaction value is at least
        this. Combined with ``k``: the top ``k`` of those.
    n_bins : int or None, default=None
        Passed to :class:`FeatureCrosser`: ``None`` for a vocabulary, an int to
        hash each cross into that many buckets.
    output : {"onehot", "codes"}, default="onehot"
        Passed to :class:`FeatureCrosser`.
    min_frequency : int or None, default=None
        Passed to :class:`FeatureCrosser`.
    categorical_features : "from_dtype", "all", array-like or None, \
            default="from_dtype"
        Which columns the default model treats as categorical (ignored when
        ``model`` is given).
    n_background : int, default=1000
        Training rows (drawn at random) that form the explainer's background.
    n_explain : int, default=1000
        Training rows (drawn at random) whose interaction values are averaged.
    random_state : int, RandomState instance or None, default=None
        Seeds the default model and the row draws.

    Attributes
    ----------
    model_ : estimator
        The fitted model that was explained.
    interaction_scores_ : DataFrame
        Every pair ranked by ``mean_abs_interaction`` (descending), with columns
        ``feature_a``, ``feature_b``, ``mean_abs_interaction`` and
        ``mean_interaction``, as :func:`skfeat.explain.rank_interactions` returns
        it (a multiclass model's classes are averaged).
    selected_pairs_ : list of tuple of str
        The crossed pairs, by column name, best first.
    crosser_ : FeatureCrosser
        The fitted crosser of the selected pairs.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when X was a DataFrame.

    See Also
    --------
    FeatureCrosser : Crosses given columns.
    skfeat.explain.InteractionExplainer : The SHAP interaction values used.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FMClassifier
    >>> from skfeat.preprocessing import InteractionSelector
    >>> X, y, truth = make_interaction_classification(
    ...     n_samples=1000, n_fields=4, cardinality=4, interactions=1,
    ...     interaction_strength=3.0, random_state=0)
    >>> model = FMClassifier(embed_dim=4, max_epochs=5, random_state=0)
    >>> selector = InteractionSelector(model, k=1, random_state=0).fit(X, y)
    >>> selector.selected_pairs_ == truth.pairs
    True
    >>> selector.transform(X).shape
    (1000, 17)
    """

    _parameter_constraints: dict = {
        "model": [HasMethods(["fit", "decompose"]), None],
        "k": [Interval(Integral, 1, None, closed="left"), None],
        "threshold": [Interval(Real, 0, None, closed="left"), None],
        "n_bins": [Interval(Integral, 1, None, closed="left"), None],
        "output": [StrOptions({"onehot", "codes"})],
        "min_frequency": [Interval(Integral, 1, None, closed="left"), None],
        "categorical_features": ["array-like", StrOptions({"from_dtype", "all"}), None],
        "n_background": [Interval(Integral, 1, None, closed="left")],
        "n_explain": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        model=None,
        *,
        k=10,
        threshold=None,
        n_bins=None,
        output="onehot",
        min_frequency=None,
        categorical_features="from_dtype",
        n_background=1000,
        n_explain=1000,
        random_state=None,
    ):
        self.model = model
        self.k = k
        self.threshold = threshold
        self.n_bins = n_bins
        self.output = output
        self.min_frequency = min_frequency
        self.categorical_features = categorical_features
        self.n_background = n_background
        self.n_explain = n_explain
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the model, rank the pairs and fit the crosser of the best ones.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Target of the model.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        # imported here: shap and the explainers are heavy, and a crosser alone
        # should import fast (e.g. in worker processes)
        import shap

        from skfeat.explain import InteractionExplainer, rank_interactions

        X = check_table(self, X, reset=True)
        if self.n_features_in_ < 2:
            raise ValueError(
                f"{type(self).__name__} ranks pairs of columns and needs at least 2 "
                f"columns, got {self.n_features_in_} feature(s)."
            )
        rng = check_random_state(self.random_state)
        if isinstance(self.model, FrozenEstimator):
            model = self.model.estimator
            check_is_fitted(model)
        else:
            require_y(self, y)
            model = self._make_model(y).fit(X, y)
        self.model_ = model

        n = X.shape[0]
        background = _rows(X, np.sort(rng.permutation(n)[: self.n_background]))
        explained = _rows(X, np.sort(rng.permutation(n)[: self.n_explain]))
        values = []
        for output in model_outputs(model):
            explainer = InteractionExplainer(model, background, output=output)
            values.append(explainer.shap_interaction_values(explained).values)
        names = column_names(self)
        ranking = rank_interactions(
            shap.Explanation(values=np.concatenate(values), feature_names=names)
        )
        self.interaction_scores_ = ranking

        keep = ranking
        if self.threshold is not None:
            keep = keep[keep["mean_abs_interaction"] >= self.threshold]
        if self.k is not None:
            keep = keep.iloc[: self.k]
        self.selected_pairs_ = [
            (str(a), str(b)) for a, b in keep[["feature_a", "feature_b"]].values
        ]
        if not self.selected_pairs_:
            warnings.warn(
                f"No pair reaches threshold={self.threshold}; the output has no "
                "columns.",
                UserWarning,
                stacklevel=2,
            )
        index = {name: i for i, name in enumerate(names)}
        pairs = [(index[a], index[b]) for a, b in self.selected_pairs_]
        self.crosser_ = FeatureCrosser(
            pairs,
            n_bins=self.n_bins,
            output=self.output,
            min_frequency=self.min_frequency,
        ).fit(X)
        return self

    def _make_model(self, y):
        if self.model is not None:
            return clone(self.model)
        from skfeat.models import FMClassifier, FMRegressor

        Model = FMClassifier if is_classification_target(y, "auto") else FMRegressor
        return Model(
            embed_dim=8,
            max_epochs=20,
            categorical_features=self.categorical_features,
            random_state=self.random_state,
        )

    def transform(self, X):
        """Cross the selected pairs of columns.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)

        Returns
        -------
        X_out : sparse matrix or ndarray
            See :meth:`FeatureCrosser.transform`.
        """
        check_is_fitted(self)
        X = check_table(self, X, reset=False)
        return self.crosser_.transform(X)

    def get_feature_names_out(self, input_features=None):
        """Get the names of the output columns (see :class:`FeatureCrosser`).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; defaults to ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            Names of the crossed columns.
        """
        check_is_fitted(self)
        return self.crosser_.get_feature_names_out(input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.target_tags.required = True
        tags.transformer_tags.preserves_dtype = []
        return tags
