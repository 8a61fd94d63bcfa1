"""The column options of the estimators, resolved against the input's columns:
which columns are categorical (``categorical_features`` and the dtypes), which
integer columns are ids, and which columns form vector fields."""

import numbers

import numpy as np
import pandas as pd

_CATEGORICAL_KINDS = "OUSb"  # object, unicode, bytes, bool


def _is_categorical_dtype(dtype):
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or (getattr(dtype, "kind", None) in _CATEGORICAL_KINDS)
        or isinstance(dtype, pd.StringDtype)
    )


def resolve_categorical(X, categorical_features, n_features, feature_names):
    """Return a boolean mask of the categorical columns of ``X``.

    ``categorical_features`` is ``"from_dtype"``, ``"all"``, ``None``, an array-like
    of column names or indices, or a boolean mask.
    """
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str) and categorical_features == "all":
        return np.ones(n_features, dtype=bool)
    if isinstance(categorical_features, str):  # "from_dtype"
        if hasattr(X, "dtypes"):
            return np.array([_is_categorical_dtype(dt) for dt in X.dtypes], dtype=bool)
        return np.zeros(n_features, dtype=bool)
    values = np.asarray(categorical_features)
    if values.size == 0:
        return np.zeros(n_features, dtype=bool)
    if values.dtype.kind == "b":
        if values.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask must have {n_features} "
                f"entries (one per column of X), got {values.shape[0]}."
            )
        return values.copy()
    mask = np.zeros(n_features, dtype=bool)
    for item in values.tolist():
        if isinstance(item, str):
            if feature_names is None:
                raise ValueError(
                    f"categorical_features names column {item!r}, but X has no "
                    "column names; pass a DataFrame or use column indices."
                )
            where = np.flatnonzero(np.asarray(feature_names) == item)
            if where.size == 0:
                raise ValueError(
                    f"categorical_features names column {item!r}, which is not a "
                    f"column of X (columns: {list(feature_names)})."
                )
            mask[where[0]] = True
        elif isinstance(item, numbers.Integral):
            if not -n_features <= item < n_features:
                raise ValueError(
                    f"categorical_features holds index {item}, out of range for X "
                    f"with {n_features} columns."
                )
            mask[item] = True
        else:
            raise TypeError(
                "categorical_features must hold column names (str) or indices (int), "
                f"got {item!r} of type {type(item).__name__}."
            )
    return mask


def resolve_vector_features(vector_features, n_features, feature_names):
    """Check ``vector_features`` and return its groups as ``[(name, [col, ...])]``.

    ``vector_features`` maps a field name to a list of column names or indices.
    The groups come sorted by their first (lowest) column; each keeps its columns
    in the order given. Returns ``[]`` for ``None``.
    """
    if vector_features is None:
        return []
    if not isinstance(vector_features, dict):
        raise TypeError(
            "vector_features must be a dict mapping a field name to a list of "
            f"columns, got {type(vector_features).__name__}."
        )
    names = None if feature_names is None else [str(c) for c in feature_names]
    owner = {}
    groups = []
    for field, columns in vector_features.items():
        if not isinstance(field, str):
            raise TypeError(
                f"vector_features keys are field names (str), got {field!r} of type "
                f"{type(field).__name__}."
            )
        if isinstance(columns, str) or not hasattr(columns, "__iter__"):
            raise TypeError(
                f"vector_features[{field!r}] must be a list of column names or "
                f"indices, got {columns!r}."
            )
        items = list(np.asarray(columns, dtype=object).ravel())
        if not items:
            raise ValueError(f"vector_features[{field!r}] lists no column.")
        cols = []
        for item in items:
            j = column_index(
                item, n_features, names, f"vector_features[{field!r}]"
            )
            label = repr(names[j]) if names is not None else f"index {j}"
            if j in owner:
                where = "twice" if owner[j] == field else f"also in field {owner[j]!r}"
                raise ValueError(
                    f"vector_features[{field!r}] lists column {label}, {where}: a "
                    "column belongs to at most one vector field."
                )
            owner[j] = field
            cols.append(j)
        groups.append((field, cols))
    scalar_names = (
        [names[j] for j in range(n_features) if j not in owner]
        if names is not None
        else [f"x{j}" for j in range(n_features) if j not in owner]
    )
    for field, _ in groups:
        if field in scalar_names:
            raise ValueError(
                f"vector field name {field!r} is also the name of a column outside "
                "the vector fields; give the vector field another name."
            )
    return sorted(groups, key=lambda g: min(g[1]))


def column_index(column, n_features, names, where):
    """The index of ``column`` (a name or an index) among the input columns.

    Raises a ``ValueError`` or ``TypeError`` that starts with ``where`` (the
    option that names it) when the name is not a column, ``X`` has no names, the
    index is out of range, or the item is neither.
    """
    if isinstance(column, str):
        if names is None:
            raise ValueError(
                f"{where} names column {column!r}, but X has no column names; pass a "
                "DataFrame or use column indices."
            )
        if column not in names:
            raise ValueError(
                f"{where} names column {column!r}, which is not a column of X "
                f"(columns: {names})."
            )
        return names.index(column)
    if isinstance(column, numbers.Integral) and not isinstance(column, bool):
        if not -n_features <= column < n_features:
            raise ValueError(
                f"{where} holds index {column}, out of range for X with {n_features} "
                "columns."
            )
        return int(column) % n_features
    raise TypeError(
        f"{where} must hold column names (str) or indices (int), got {column!r}."
    )


#: Under ``categorical_features="from_dtype"``, an integer column of a DataFrame is
#: read as categorical codes (ids) when its distinct values repeat at least this
#: many times on average (``n_distinct * INTEGER_CODE_MIN_REPEATS <= n_rows``).
#: Four rows per id are enough for an embedding to learn something, and the
#: threshold is low so that an id column becomes codes early and stays codes on
#: the subsets of its rows that cross-validation fits (see
#: :data:`INTEGER_CODE_AMBIGUITY`).
INTEGER_CODE_MIN_REPEATS = 4

#: A column whose rows per distinct value lie within this factor of
#: ``INTEGER_CODE_MIN_REPEATS`` gets a :class:`~skfeat.exceptions.ColumnKindWarning`.
#: Sub-sampling a fraction ``q`` of the rows scales rows-per-value by at least
#: ``q`` (the distinct values can only shrink) and rarely raises it, so a column
#: outside the band keeps its kind on every subset of at least ``1 / factor`` of
#: its rows: cross-validation folds with ``cv >= 2`` and their refit agree.
INTEGER_CODE_AMBIGUITY = 2
