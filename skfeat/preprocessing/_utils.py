"""Helpers shared by the transformers: table validation, model choice, embeddings."""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.frozen import FrozenEstimator
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted

from skfeat.utils._sklearn_compat import validate_data


def check_table(estimator, X, *, reset):
    """Validate ``X`` while keeping a DataFrame (and its dtypes) as it is.

    Arrays go through ``check_array`` with ``dtype=None`` so that strings and
    objects survive; ``n_features_in_`` and ``feature_names_in_`` are set (on
    ``reset``) or checked as scikit-learn does.
    """
    name = type(estimator).__name__
    if sp.issparse(X):
        raise TypeError(
            f"{name} needs a dense table (DataFrame or array, one column per "
            "field); sparse input is not accepted."
        )
    if isinstance(X, pd.DataFrame):
        for size, axis in ((X.shape[0], "sample"), (X.shape[1], "feature")):
            if size == 0:
                raise ValueError(
                    f"Found array with 0 {axis}(s) (shape={X.shape}) while a "
                    f"minimum of 1 is required by {name}."
                )
    else:
        X = check_array(
            X,
            dtype=None,
            ensure_all_finite="allow-nan",
            estimator=name,
            input_name="X",
        )
    validate_data(estimator, X, reset=reset, skip_check_array=True)
    return X


def column_names(estimator):
    """Names of the input columns: ``feature_names_in_`` or ``x0, x1, ...``."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        return [str(n) for n in names]
    return [f"x{i}" for i in range(estimator.n_features_in_)]


def column_values(X, j):
    """Column ``j`` of a DataFrame or array as a 1d array or Series."""
    return X.iloc[:, j] if isinstance(X, pd.DataFrame) else X[:, j]


def is_classification_target(y, task):
    """Whether ``task`` (``"auto"``, ``"classification"``, ``"regression"``) and
    ``y`` call for a classifier."""
    if task != "auto":
        return task == "classification"
    return type_of_target(y, input_name="y") in ("binary", "multiclass")


def require_y(estimator, y):
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y "
            "is None."
        )


def fitted_model(model, name):
    """The fitted estimator inside ``model`` (a fitted model or a FrozenEstimator)."""
    if isinstance(model, FrozenEstimator):
        model = model.estimator
    check_is_fitted(
        model,
        msg=f"{name} must be a fitted skfeat model: %(name)s is "
        "not fitted yet. Fit it first (and wrap it in "
        "sklearn.frozen.FrozenEstimator to keep it fitted under clone).",
    )
    if not callable(getattr(model, "decompose", None)):
        raise TypeError(
            f"{name} must have a decompose method (an FM-family skfeat model), got "
            f"{type(model).__name__}."
        )
    return model


def model_outputs(model):
    """``output=`` values to pass to ``decompose``: one per class for multiclass."""
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes) > 2:
        return list(range(len(classes)))
    return [None]


def model_embeddings(model, X):
    """Per-row field embeddings ``(n, m, k * n_outputs)``, column order.

    A multiclass FM holds one embedding table per class; their embeddings are
    concatenated along the last axis.
    """
    decompositions = [model.decompose(X, output=c) for c in model_outputs(model)]
    if not any(np.any(d.embeddings != 0) for d in decompositions):
        # e.g. Wide&Deep: its decompose has a wide part but no pair term, so the
        # "embeddings" it returns are zeros and every feature would be 0
        raise TypeError(
            f"{type(model).__name__} has no pair embeddings (its decompose returns "
            "no second-order term), so it cannot provide field embeddings. Use a "
            "model with an FM part: FM, FwFM or DeepFM."
        )
    parts = [d.embeddings for d in decompositions]
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=2)
