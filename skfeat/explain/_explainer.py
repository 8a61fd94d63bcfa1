"""The public explainer: exact or sampled SHAP (interaction) values.

One class, :class:`InteractionExplainer`, whose docstring (every method and
its trade-offs) is a third of the module.
"""

from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shap
from sklearn.base import is_classifier as _sk_is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skfeat.data._source import is_source
from skfeat.explain._ensemble import (
    check_voting,
    is_voting,
    voting_decomposer,
    voting_function,
)
from skfeat.explain._estimate import (
    MAX_ENUMERATION_FIELDS,
    default_budget,
    estimate_game,
    summarise_background,
    warn_large_background,
)
from skfeat.explain._exact import (
    background_moments,
    exact_interaction_values,
    exact_shap_values,
    expected_value,
)
from skfeat.explain._interaction_explanation import InteractionExplanation
from skfeat.explain._pipeline import (
    decomposer_of,
    field_names,
    fitted_on_arrays,
    on_arrays,
)
from skfeat.explain._sampling import MaskedGame, permutation_interactions

_METHODS = ("auto", "exact", "enumeration", "regression", "sampling")


class InteractionExplainer:
    """Interventional SHAP values and SHAP interaction values of a fitted model.

    The players are the input columns of ``model`` (for a ``Pipeline``, the raw
    columns given to the pipeline), except that the columns of a vector field
    (``vector_features`` of a skfeat model) are one player, switched on and off
    together and shown under the field's name. A column is masked as a whole by
    taking its value from background rows, so the value of a coalition ``S`` for a
    row ``x`` is ``v(S) = mean_b f(x_S, b_notS)`` (shap's ``Independent`` masker,
    with the joint distribution of the replaced columns kept). ``f`` is the logit
    (``decision_function``) for classifiers and ``predict`` otherwise.

    Interaction values follow the convention of shap's ``TreeExplainer``
    (Lundberg et al. 2020): off the diagonal ``Phi_ij`` is half the Shapley
    interaction index, the diagonal is ``phi_i - sum_{j != i} Phi_ij``; the matrix
    is symmetric, its rows sum to the SHAP values and all of it sums to
    ``f(x) - E_B f``.

    Parameters
    ----------
    model : estimator, Pipeline or callable
        A fitted estimator with ``decision_function`` or ``predict``, a fitted
        ``Pipeline`` ending in one, a fitted soft ``VotingClassifier`` or
        ``VotingRegressor`` (see ``ensemble_output``), or a function mapping a
        table like ``background`` to a 1d array of outputs.
    background : DataFrame or array-like of shape (n_background, n_features)
        Rows that masked columns take their values from. With the exact method
        it enters only through its means and pairwise moments (computed in
        chunks), so the whole training set can serve. A
        :class:`~skfeat.data.FileSource` is accepted too: the closed form
        streams all of its rows; the rest (the model-agnostic methods and a
        deep model's remainder) uses a uniform sample of ``max_background``
        rows read from the files, with a warning when that is fewer than all.
    method : {"auto", "exact", "enumeration", "regression", "sampling"}, \
default="auto"
        ``"exact"``: closed form for models whose output is at most second order
        in the columns (skfeat's FM and FwFM, read through their ``decompose``
        method), bare or at the end of a ``Pipeline`` whose preprocessing acts
        column by column (see Notes). ``"enumeration"``: all ``2^m``
        coalitions evaluated, exact for any model. ``"regression"``: ``budget``
        coalitions per row, border sizes enumerated and the rest sampled in
        complementary pairs, a Shapley-kernel regression on a Möbius basis;
        a cross-fitted unbiased (regression-adjusted Monte Carlo) estimate
        sets each entry's standard error and is blended into the SHAP values
        (see :mod:`skfeat.explain._regression` for the references); with
        ``budget >= 2^m`` it is exact. ``"sampling"``:
        antithetic permutations (``n_permutations``), unbiased, kept for
        comparison. ``"auto"``: ``"exact"`` where it applies, else
        ``"enumeration"`` when ``2^m <= budget``, else ``"regression"``. For a
        model whose decomposition has a ``remainder`` (DeepFM, Wide & Deep),
        every method except ``"exact"`` computes the second-order part in
        closed form and estimates only the remainder (a control variate,
        ``control_variate_``).
    n_permutations : int, default=64
        Permutations per explained row for ``method="sampling"``, drawn as
        antithetic pairs; pairs of columns adjacent too rarely are topped up,
        so the cost is at least ``2 m * n_permutations`` coalitions per row.
    random_state : int, RandomState instance or None, default=None
        Seeds the coalitions sampled (and the background sample, see
        ``max_background``). With an int every call gives the same result.
    batch_size : int, default=32768
        About the most model rows per model call.
    output : int or None, default=None
        Which column of a multiclass ``decision_function`` to explain (required
        there, else ignored).
    budget : int or None, default=None
        Coalitions evaluated per explained row (as in shapiq), each on every
        background row; ``None`` means ``min(2^m, 512)``. At least 16.
    dtype : {"float32", "float64"}, default="float32"
        Precision of skfeat's field models inside the model-agnostic methods.
        float32 is used only where it reproduces the float64 output of the
        background rows to ``1e-4``; use ``"float64"`` for exactness checks.
    max_background : int or None, default=1000
        Above this many background rows the model-agnostic methods use a
        uniform sample of that size, with a warning (the closed form always
        uses the whole background).
    verbose : int, default=0
        A progress bar (tqdm) over coalition-rows when positive.
    ensemble_output : {"mean_proba", "mean_logit"}, default="mean_proba"
        What is explained for a soft ``VotingClassifier`` (ignored for other
        models). ``"mean_proba"``: the log-odds of the weighted mean of the
        members' probabilities, which is what the ensemble predicts; it is not
        second order even when every member is, so it is estimated (or
        enumerated) like any other model. ``"mean_logit"``: the weighted mean
        of the members' logits (the log-odds of the ensemble that averages
        logits); exact in closed form when every member is second order (FM,
        FwFM, bare or at the end of a column-wise ``Pipeline``), and with the
        members' remainders estimated otherwise. A ``VotingRegressor``'s
        prediction is the weighted mean of its members' predictions, which is
        always explained, exactly for FM-family members.

    Attributes
    ----------
    method_ : str
        The method used: ``"exact"``, ``"enumeration"``, ``"regression"`` or
        ``"sampling"``.
    control_variate_ : bool
        Whether the second-order part of a decomposition is computed in closed
        form and only the remainder estimated.
    budget_ : int
        Coalitions per explained row for the model-agnostic methods.
    n_model_rows_ : int or None
        Model rows evaluated by the last explanation computed (enumeration
        and regression; at most ``budget_ * n_background`` per explained row,
        fewer where masked rows coincide, see Notes); None before the first
        one and for the exact and sampling methods.
    exact_unavailable_reason_ : str or None
        Why the exact path (closed form, or control variate) does not apply to
        ``model``, e.g. the pipeline step that does not act column by column;
        None when it applies.
    expected_value : float
        ``E_B f``, the mean output over the background (the base value).
    feature_names : list of str
        Names of the players.

    See Also
    --------
    rank_interactions : Column pairs ranked by mean absolute interaction.
    plot_interaction_heatmap : Heatmap of mean absolute interaction values.

    Notes
    -----
    The exact method costs ``O(m k)`` per row for SHAP values and ``O(m^2 k)``
    for interaction values (``m`` columns, ``k`` embedding size), plus
    ``O(n_background m^2 k)`` once. Enumeration and regression cost at most
    ``budget_ * n_background`` model rows per explained row (enumeration:
    ``2^m``), evaluated in large batches; SHAP values and interaction values
    come from the same evaluations, cached for the last ``X`` explained, so
    asking for both costs one pass. For skfeat's field models only distinct
    masked rows are evaluated: where the explained row and a background row
    agree on a column, coalitions that differ only there give the same row
    (on Frappe_x1's categorical columns about 28% of ``budget_ *
    n_background`` are distinct). For DeepFM and Wide & Deep the MLP's first
    layer is split by field, so it costs nothing per coalition. Measured
    accuracy and speed are in the user guide (:ref:`explaining`).

    Shapley values and interaction values are linear in the explained
    function, so the values of a weighted mean of models are the weighted
    mean of their values: the explainer writes the mean of the members'
    decompositions as one decomposition (pair weights folded into the
    embeddings) and applies the closed form to it.

    Through a ``Pipeline`` the exact path applies when every output column
    of the preprocessing is a function of one raw column: a
    ``ColumnTransformer`` (or chain) of scalers, ``OrdinalEncoder``,
    ``OneHotEncoder``, ``KBinsDiscretizer``, ``TargetEncoder``,
    ``SimpleImputer``, ``QuantileTransformer``, ``PowerTransformer``, skfeat's
    ``EmbeddingEncoder`` or ``"passthrough"``, checked on the background. The
    encoded columns of one raw column are then played together, exactly, and the
    players and displayed values are the raw columns (the raw columns feeding
    one vector field of the final model are one player).

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.explain import InteractionExplainer
    >>> from skfeat.models import FMRegressor
    >>> X, y, truth = make_interaction_regression(
    ...     n_samples=1000, n_fields=4, interactions=1, random_state=0)
    >>> model = FMRegressor(embed_dim=4, max_epochs=5, random_state=0).fit(X, y)
    >>> explainer = InteractionExplainer(model, X)
    >>> explainer.method_
    'exact'
    >>> inter = explainer.shap_interaction_values(X.iloc[:5])
    >>> inter.values.shape
    (5, 4, 4)
    >>> import numpy as np
    >>> total = inter.values.sum(axis=(1, 2)) + inter.base_values
    >>> bool(np.allclose(total, model.predict(X.iloc[:5]), atol=1e-4))
    True
    """

    def __init__(
        self,
        model,
        background,
        *,
        method="auto",
        n_permutations=64,
        random_state=None,
        batch_size=32768,
        output=None,
        budget=None,
        dtype="float32",
        max_background=1000,
        verbose=0,
        ensemble_output="mean_proba",
    ):
        self.model = model
        self.background = background
        self.method = method
        self.n_permutations = n_permutations
        self.random_state = random_state
        self.batch_size = batch_size
        self.output = output
        self.budget = budget
        self.dtype = dtype
        self.max_background = max_background
        self.verbose = verbose
        self.ensemble_output = ensemble_output
        # an explainer is not an estimator: like shap's explainers it checks its
        # inputs and summarises the background once, here
        self._setup()

    # ----------------------------------------------------------------- setup
    def _setup(self):
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}.")
        if not isinstance(self.n_permutations, Integral) or self.n_permutations < 2:
            raise ValueError(
                f"n_permutations must be an integer >= 2, got {self.n_permutations!r}."
            )
        if not isinstance(self.batch_size, Integral) or self.batch_size < 1:
            raise ValueError(
                f"batch_size must be a positive integer, got {self.batch_size!r}."
            )
        if self.budget is not None and (
            not isinstance(self.budget, Integral) or self.budget < 16
        ):
            raise ValueError(
                f"budget must be None or an integer >= 16, got {self.budget!r}."
            )
        if self.dtype not in ("float32", "float64"):
            raise ValueError(
                f"dtype must be 'float32' or 'float64', got {self.dtype!r}."
            )
        source = self.background if is_source(self.background) else None
        if source is not None:
            # the closed form streams every row of the files (its moments); the
            # model-agnostic estimators use a uniform sample, read in one pass
            if self.max_background is None:
                self._background = source.to_pandas()[0]
            else:
                self._background = source.sample(
                    self.max_background, random_state=self.random_state
                )
        else:
            self._background = _as_table(self.background, "background")
        if self._background.shape[0] == 0:
            raise ValueError("background must hold at least one row.")
        self._cache = None
        self.n_model_rows_ = None
        if is_voting(self.model):
            # voting ensembles (skfeat/explain/_ensemble.py): the weighted sum of
            # the members' decompositions where the explained output is linear
            check_is_fitted(self.model)
            check_voting(self.model, self.ensemble_output)
            self._f = voting_function(self.model, self.ensemble_output, self.output)
            self._decomposer, self.exact_unavailable_reason_ = voting_decomposer(
                self.model, self._background, self.ensemble_output, decomposer_of
            )
        else:
            self._f = _output_function(self.model, self.output)
            # --- pipelines (skfeat/explain/_pipeline.py): the exact path through
            # preprocessing that acts column by column; else sampling, and why
            self._decomposer, self.exact_unavailable_reason_ = decomposer_of(
                self.model, self._background
            )
        if fitted_on_arrays(self.model, self._background):
            # labelled data for a model fitted on arrays (e.g. ``pipe[-1]`` on a
            # frame of ``get_feature_names_out`` columns): keep the labels
            self._f = on_arrays(self._f)
        can_exact = self._decomposer is not None
        if self.method == "exact" and not can_exact:
            raise TypeError(
                f"method={self.method!r} needs a skfeat estimator with a decompose "
                f"method (FM, FwFM, DeepFM, Wide&Deep), bare or at the end of a "
                f"Pipeline whose preprocessing acts column by column, or a voting "
                f"ensemble of them; got "
                f"{_describe(self.model)}: {self.exact_unavailable_reason_}. Use "
                "method='auto', 'regression' or 'sampling'."
            )
        # --- end of the pipeline hook
        # players: the columns, or the fields of a model with vector fields
        self._owner = getattr(self._decomposer, "raw_owner", None)
        if self._owner is not None:  # a pipeline ending in a vector-field model
            player_names = list(self._decomposer.names)
        else:
            self._owner, player_names = _players(self.model, self._background)
        m = self._background.shape[1] if self._owner is None else len(player_names)
        self.budget_ = default_budget(m) if self.budget is None else int(self.budget)
        self.control_variate_ = False
        remainder = None
        if can_exact:
            moments, bias, weights, names, remainder = background_moments(
                self._decompose,
                self._background if source is None else source,
                self.batch_size,
            )
            if remainder is not None and self.method == "exact":
                raise ValueError(
                    f"{_describe(self.model)}'s decomposition has a remainder (a "
                    "part that is not second order, e.g. a deep component), so "
                    "method='exact' does not apply; use method='auto' (exact for "
                    "the second-order part, estimates for the rest), 'enumeration' "
                    "or 'regression'."
                )
            self._moments, self._weights = moments, weights
            self.feature_names = names
            self.expected_value = expected_value(moments, bias, weights) + (
                remainder or 0.0
            )
            if remainder is None and self.method in ("auto", "exact"):
                self.method_ = "exact"
                return
            # model-agnostic estimator for the remainder only (control variate)
            self.control_variate_ = remainder is not None
        self.method_ = self._pick_method(m)
        if self.method_ == "enumeration" and m > MAX_ENUMERATION_FIELDS:
            raise ValueError(
                f"method='enumeration' evaluates 2^m coalitions; m={m} columns is "
                f"more than {MAX_ENUMERATION_FIELDS}. Use method='regression'."
            )
        self._game_background = summarise_background(
            self._background, self.max_background, self.random_state
        )
        if source is not None and self._background.shape[0] < source.n_rows:
            warn_large_background(source.n_rows, self.max_background, stacklevel=4)
        if not can_exact:
            self.feature_names = player_names or _feature_names(
                self._background, self.model
            )
            out = np.concatenate(
                [
                    self._f(_rows(self._game_background, slice(s, s + self.batch_size)))
                    for s in range(0, self._game_background.shape[0], self.batch_size)
                ]
            )
            self.expected_value = float(out.mean())
        elif self._game_background is not self._background:
            # the closed-form part uses the whole background, the remainder the
            # summary: the base value follows the parts
            rest = self._decompose(self._game_background).remainder
            if rest is not None:
                self.expected_value += float(np.mean(rest)) - remainder

    def _pick_method(self, m):
        if self.method in ("enumeration", "regression", "sampling"):
            return self.method
        # auto
        if m <= MAX_ENUMERATION_FIELDS and 2**m <= self.budget_:
            return "enumeration"
        return "regression"

    def _decompose(self, X):
        out = self.output if _n_outputs(self.model) > 1 else None
        return self._decomposer.decompose(X, output=out)

    def _remainder(self, X):
        return np.asarray(self._decompose(X).remainder, dtype=np.float64)

    def _check_X(self, X):
        X = _as_table(X, "X")
        if X.shape[0] == 0:
            raise ValueError("X holds 0 rows: there is nothing to explain.")
        bg = self._background
        if isinstance(bg, pd.DataFrame):
            if not isinstance(X, pd.DataFrame):
                raise TypeError(
                    "The background is a DataFrame, so X must be one too (with the "
                    "same columns)."
                )
            missing = [c for c in bg.columns if c not in X.columns]
            if missing:
                raise ValueError(f"X lacks background columns {missing}.")
            X = X[list(bg.columns)]
        elif isinstance(X, pd.DataFrame):
            X = X.to_numpy()
        if X.shape[1] != bg.shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} columns but the background has {bg.shape[1]}."
            )
        return X

    # ------------------------------------------------------------- explaining
    def shap_values(self, X):
        """SHAP values of the rows of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows to explain, with the model's input columns.

        Returns
        -------
        explanation : shap.Explanation
            ``values`` of shape (n_samples, n_features), ``base_values`` of
            shape (n_samples,); with the sampling method ``error_std`` holds the
            standard error of each value.
        """
        X = self._check_X(X)
        if self.method_ == "exact":
            values = self._exact(X, exact_shap_values)
            return self._explanation(X, values, None)
        phi, phi_se, _, _ = self._estimate(X)
        return self._explanation(X, phi, phi_se)

    def shap_interaction_values(self, X):
        """SHAP interaction values of the rows of ``X`` (TreeExplainer convention).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows to explain, with the model's input columns.

        Returns
        -------
        explanation : shap.Explanation
            ``values`` of shape (n_samples, n_features, n_features), symmetric,
            each row summing to the SHAP value; with an estimating method
            ``error_std`` holds the standard error of each entry (0 where the
            entry is exact).
        """
        X = self._check_X(X)
        if self.method_ == "exact":
            values = self._exact(X, exact_interaction_values)
            return self._explanation(X, values, None)
        _, _, values, se = self._estimate(X)
        return self._explanation(X, values, se)

    def __call__(self, X):
        """Same as :meth:`shap_values`, the way shap's explainers are called."""
        return self.shap_values(X)

    def _exact(self, X, fn):
        parts = []
        for s in range(0, X.shape[0], self.batch_size):
            dec = self._decompose(_rows(X, slice(s, s + self.batch_size)))
            parts.append(fn(dec.linear, dec.embeddings, self._moments, self._weights))
        return np.concatenate(parts)

    def _estimate(self, X):
        """SHAP values, interaction matrix and their standard errors, cached.

        One pass gives both: :meth:`shap_values` and
        :meth:`shap_interaction_values` on the same ``X`` share the evaluations.
        """
        key = _fingerprint(X)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        rng = check_random_state(self.random_state)
        stats = {}
        if self.method_ == "sampling":
            result = self._sample(X, rng)
        else:
            result = estimate_game(
                self.model,
                self._f,
                X,
                self._game_background,
                method=self.method_,
                budget=self.budget_,
                rng=rng,
                batch_size=self.batch_size,
                output=self.output if _n_outputs(self.model) > 1 else None,
                remainder=self._remainder if self.control_variate_ else None,
                dtype=self.dtype,
                verbose=self.verbose,
                owner=self._owner,
                stats=stats,
            )
        self.n_model_rows_ = stats.get("model_rows")
        if self.control_variate_:
            phi, phi_se, values, se = result
            result = (
                phi + self._exact(X, exact_shap_values),
                phi_se,
                values + self._exact(X, exact_interaction_values),
                se,
            )
        self._cache = (key, result)
        return result

    def _sample(self, X, rng):
        f = self._f
        if self.control_variate_:
            f = self._remainder
        game = MaskedGame(
            f, X, self._game_background, self.batch_size, owner=self._owner
        )
        phi, phi_se, sii, sii_se, _, _ = permutation_interactions(
            game, self.n_permutations, rng
        )
        values = 0.5 * sii
        se = 0.5 * sii_se
        m = values.shape[1]
        idx = np.arange(m)
        values[:, idx, idx] = phi - values.sum(axis=2)
        se[:, idx, idx] = np.sqrt(phi_se**2 + (se**2).sum(axis=2))
        return phi, phi_se, values, se

    def _explanation(self, X, values, error_std):
        data, display = _numeric_data(X)
        if self._owner is not None:
            data, display = _player_data(X, data, display, self._owner)
        # interaction values: a shap.Explanation sliced by name on both axes
        kind = InteractionExplanation if np.ndim(values) == 3 else shap.Explanation
        return kind(
            values,
            base_values=np.full(X.shape[0], self.expected_value),
            data=data,
            display_data=display,
            feature_names=list(self.feature_names),
            error_std=error_std,
        )


# ---------------------------------------------------------------- helpers
def _describe(model):
    return type(model).__name__


def _fingerprint(X):
    """A content hash of the rows explained, for the per-X cache."""
    if isinstance(X, pd.DataFrame):
        try:
            content = int(pd.util.hash_pandas_object(X).sum())
        except TypeError:  # list cells (a multi-value column): by their text
            content = int(pd.util.hash_pandas_object(X.map(_cell_text)).sum())
        return (X.shape, tuple(X.columns), content)
    arr = np.ascontiguousarray(X)
    if arr.dtype == object:
        frame = pd.DataFrame(arr)
        return (arr.shape, int(pd.util.hash_pandas_object(frame).sum()))
    return (arr.shape, arr.dtype.str, hash(arr.tobytes()))


def is_classifier(model):
    # sklearn >= 1.6 reads tags, which plain callables and wrappers do not have
    try:
        return _sk_is_classifier(model)
    except (AttributeError, TypeError):
        return False


def _n_outputs(model):
    classes = getattr(model, "classes_", None)
    if is_classifier(model) and classes is not None and len(classes) > 2:
        return len(classes)
    return 1


def _output_function(model, output):
    """The function explained, as float64, validated once."""
    is_estimator = hasattr(model, "fit") or isinstance(model, Pipeline)
    if is_estimator:
        check_is_fitted(model)
    if hasattr(model, "decision_function"):
        raw = model.decision_function
    elif hasattr(model, "predict") and not is_classifier(model):
        raw = model.predict
    elif hasattr(model, "predict"):
        raise TypeError(
            f"{_describe(model)} is a classifier without decision_function; the "
            "explainer explains the logit and cannot explain class labels."
        )
    elif callable(model) and not is_estimator:
        raw = model
    else:
        raise TypeError(
            f"Cannot explain {_describe(model)}: it has neither decision_function "
            "nor predict, and is not a callable."
        )
    if output is not None and not isinstance(output, Integral):
        raise ValueError(f"output must be a column index (int), got {output!r}.")

    def f(X):
        out = np.asarray(raw(X), dtype=np.float64)
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if out.ndim == 2:
            if output is None:
                raise ValueError(
                    f"{_describe(model)} has {out.shape[1]} outputs (a multiclass "
                    "classifier?); pass output= (the column to explain)."
                )
            if not 0 <= output < out.shape[1]:
                raise ValueError(
                    f"output must be in [0, {out.shape[1]}), got {output}."
                )
            out = out[:, output]
        return out

    return f


def _as_table(X, name):
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame().T
    if sp.issparse(X):
        raise TypeError(
            f"{name} is a sparse matrix of shape {X.shape}; the explainer's players "
            f"are the columns of a dense table: pass {name}.toarray() (a model "
            "fitted on sparse rows, which has no fields, cannot be explained)."
        )
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional, got shape {arr.shape}.")
    return arr


def _rows(data, index):
    if isinstance(data, pd.DataFrame):
        return data.iloc[index]
    return data[index]


def _feature_names(background, model):
    if isinstance(background, pd.DataFrame):
        return [str(c) for c in background.columns]
    names = getattr(model, "feature_names_in_", None)
    if names is not None and len(names) == background.shape[1]:
        return [str(c) for c in names]
    return [f"x{i}" for i in range(background.shape[1])]


def _players(model, background):
    """``(owner, names)``: the player of each column and the players' names.

    ``(None, None)`` when every column is a player; a skfeat model with vector
    fields plays each vector field's columns as one player (its field).
    """
    schema = getattr(model, "schema_", None)
    n_columns = background.shape[1]
    if getattr(schema, "columns", None) is None:
        return None, None
    if getattr(model, "n_features_in_", None) != n_columns:
        return None, None
    names = (
        field_names(model, background)
        if isinstance(background, pd.DataFrame)
        else list(schema.names)
    )
    return schema.field_of_column(n_columns), names


def _player_data(X, data, display, owner):
    """Per-player data: a vector field shows the L2 norm of its raw vector.

    ``data`` and ``display`` are per column (from :func:`_numeric_data`). A
    player of one column keeps that column's values; a vector field's value is
    ``sqrt(sum of squares)`` of its columns (NaN ignored), in both ``data`` and
    ``display_data``.
    """
    m = int(owner.max()) + 1
    out = np.empty((data.shape[0], m))
    shown = None if display is None else np.empty((data.shape[0], m), dtype=object)
    for p in range(m):
        cols = np.flatnonzero(owner == p)
        if len(cols) == 1:
            out[:, p] = data[:, cols[0]]
            if shown is not None:
                shown[:, p] = display[:, cols[0]]
        else:
            out[:, p] = np.sqrt(np.nansum(data[:, cols] ** 2, axis=1))
            if shown is not None:
                shown[:, p] = out[:, p]
    return out, shown


def _numeric_data(X):
    """Numbers for shap's colouring (category codes) and the raw values to show."""
    if not isinstance(X, pd.DataFrame):
        try:
            return np.asarray(X, dtype=np.float64), None
        except (TypeError, ValueError):
            codes = np.column_stack(
                [pd.factorize(col)[0] for col in np.asarray(X, dtype=object).T]
            )
            return codes.astype(np.float64), np.asarray(X, dtype=object)
    columns, numeric = [], True
    for name in X.columns:
        col = X[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = col.cat.codes.to_numpy().astype(np.float64)
            codes[codes < 0] = np.nan
            columns.append(codes)
            numeric = False
        elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            columns.append(col.to_numpy(dtype=np.float64, na_value=np.nan))
        else:
            try:
                codes = pd.factorize(col)[0].astype(np.float64)
            except TypeError:  # list cells (a multi-value column): by their text
                codes = pd.factorize(col.map(_cell_text))[0].astype(np.float64)
            codes[codes < 0] = np.nan
            columns.append(codes)
            numeric = False
    data = np.column_stack(columns) if columns else np.empty((len(X), 0))
    return data, None if numeric else X.to_numpy(dtype=object)


def _cell_text(value):
    if isinstance(value, list | tuple | np.ndarray):
        return repr(list(np.asarray(value, dtype=object).tolist()))
    return value
