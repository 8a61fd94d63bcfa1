"""Column kinds: which input columns become categorical, numeric, binned or vector
fields, decided by one rule for every way of fitting.

The rule reads a *profile* of the columns: which have a categorical dtype, and for
integer columns how many distinct values they hold against how many rows. A fit in
memory profiles its arrays; a fit from files or across processes profiles the
streamed and merged :class:`~skfeat._fields.FieldStatistics`, so a column gets the
same kind from the same rows whichever way they arrive.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skfeat._fields._bags import resolve_multi_value_features
from skfeat._fields._columns import (
    INTEGER_CODE_AMBIGUITY,
    INTEGER_CODE_MIN_REPEATS,
    _is_categorical_dtype,
    resolve_categorical,
    resolve_vector_features,
)
from skfeat._fields._encoder import FieldEncoder
from skfeat.exceptions import ColumnKindWarning


@dataclass(frozen=True)
class ColumnProfile:
    """What the kind rule needs to know of the columns.

    Attributes
    ----------
    names : list of str
        Column names (``x0``, ``x1``, ... for arrays).
    feature_names : ndarray or None
        The names the user's parameters may refer to (None for arrays).
    dtype_categorical : ndarray of bool
        Columns whose dtype is category, object, string or bool.
    integer : ndarray of bool
        DataFrame columns of integer (not bool) dtype: candidates for ids.
    n_distinct, n_present : ndarray of int
        Distinct values and non-missing rows of each integer column (0 elsewhere).
    """

    names: list
    feature_names: np.ndarray | None
    dtype_categorical: np.ndarray
    integer: np.ndarray
    n_distinct: np.ndarray
    n_present: np.ndarray

    @classmethod
    def from_frame(cls, X, names, feature_names):
        """Profile an in-memory DataFrame or array."""
        n = X.shape[1]
        integer = integer_columns(X)
        n_distinct = np.zeros(n, dtype=np.int64)
        n_present = np.zeros(n, dtype=np.int64)
        for j in np.flatnonzero(integer):
            col = X.iloc[:, j]
            n_present[j] = int(col.notna().sum())
            n_distinct[j] = int(col.nunique(dropna=True))
        return cls(
            names=list(names),
            feature_names=feature_names,
            dtype_categorical=dtype_categorical(X),
            integer=integer,
            n_distinct=n_distinct,
            n_present=n_present,
        )

    def integer_codes(self):
        """Integer columns whose distinct values repeat at least
        ``INTEGER_CODE_MIN_REPEATS`` times on average.

        ``pd.read_csv`` gives id columns (users, items, hashed CTR fields) integer
        dtype. A column whose distinct values each come back several times is a
        code or a small count, and an embedding per value fits it at least as
        well as one slope; a column whose values are mostly distinct (money,
        weights) stays numeric. Arrays and float columns are never affected.
        """
        return (
            self.integer
            & (self.n_present > 0)
            & (self.n_distinct * INTEGER_CODE_MIN_REPEATS <= self.n_present)
        )

    def ambiguous_integers(self):
        """Integer columns within ``INTEGER_CODE_AMBIGUITY`` of the threshold,
        whose kind could differ on a subset or a superset of these rows."""
        low = INTEGER_CODE_MIN_REPEATS / INTEGER_CODE_AMBIGUITY
        high = INTEGER_CODE_MIN_REPEATS * INTEGER_CODE_AMBIGUITY
        return (
            self.integer
            & (self.n_present > 0)
            & (self.n_distinct * low <= self.n_present)
            & (self.n_present < self.n_distinct * high)
        )


def _warn_ambiguous(profile, columns):
    """One :class:`ColumnKindWarning` naming every ambiguous integer column."""
    codes = profile.integer_codes()
    parts = []
    for j in columns:
        per_value = profile.n_present[j] / profile.n_distinct[j]
        kind = "integer codes" if codes[j] else "numeric"
        parts.append(
            f"Integer column {profile.names[j]!r} is near the integer-code "
            f"threshold: {profile.n_present[j]} values, {profile.n_distinct[j]} "
            f"distinct ({per_value:.1f} rows per value; codes from "
            f"{INTEGER_CODE_MIN_REPEATS}), read as {kind} here"
        )
    warnings.warn(
        "; ".join(parts) + ". A subset or superset of these rows (a "
        "cross-validation fold, a refit on more data) may read it the other way; "
        "pass categorical_features (names or indices) to fix its kind.",
        ColumnKindWarning,
        stacklevel=2,
    )


def dtype_categorical(X):
    """Columns of a DataFrame whose dtype makes them categorical."""
    if not hasattr(X, "dtypes"):
        return np.zeros(X.shape[1], dtype=bool)
    return np.array([_is_categorical_dtype(dt) for dt in X.dtypes], dtype=bool)


def integer_columns(X):
    """DataFrame columns of integer, non-boolean dtype."""
    if not hasattr(X, "dtypes"):
        return np.zeros(X.shape[1], dtype=bool)
    return np.array(
        [
            pd.api.types.is_integer_dtype(dt) and not pd.api.types.is_bool_dtype(dt)
            for dt in X.dtypes
        ],
        dtype=bool,
    )


class _DtypeView:
    """The ``dtypes`` of a profile, for :func:`resolve_categorical`."""

    def __init__(self, categorical):
        self.shape = (1, len(categorical))
        self.dtypes = [
            pd.CategoricalDtype() if c else np.dtype(np.float64) for c in categorical
        ]


@dataclass(frozen=True)
class ColumnKinds:
    """The kind of every input column, as every fit path decides it.

    Attributes
    ----------
    categorical : ndarray of bool
        Columns encoded through a vocabulary (or hashing), integer codes included,
        binned columns excluded.
    codes : ndarray of bool
        Integer columns read as categorical codes.
    vector : ndarray of bool
        Columns inside a vector field.
    binned : ndarray of bool
        Numeric columns cut into quantile bins (``numeric_bins``).
    groups : list of (str, list of int)
        The vector fields.
    bag : ndarray of bool
        Multi-value (bag) columns.
    bags : list of dict
        Their options (see
        :func:`~skfeat._fields._bags.resolve_multi_value_features`).
    """

    categorical: np.ndarray
    codes: np.ndarray
    vector: np.ndarray
    binned: np.ndarray
    groups: list
    bag: np.ndarray | None = None
    bags: tuple = ()

    @property
    def feature_kinds(self):
        """One of "categorical", "integer codes", "numeric", "binned numeric",
        "vector" per column."""
        kinds = np.where(
            self.vector,
            "vector",
            np.where(
                self.codes,
                "integer codes",
                np.where(self.categorical, "categorical", "numeric"),
            ),
        )
        kinds = np.where(self.binned, "binned numeric", kinds)
        if self.bag is not None:
            kinds = np.where(self.bag, "multi-value", kinds)
        return kinds.astype(object)

    def new_encoder(self, names, *, min_frequency, encoding, hash_buckets, n_bins):
        """An unfitted :class:`FieldEncoder` for these kinds."""
        return FieldEncoder(
            self.categorical | self.binned,
            list(names),
            min_frequency,
            encoding=encoding,
            hash_buckets=hash_buckets,
            vector_groups=self.groups or None,
            binned=self.binned if self.binned.any() else None,
            n_bins=n_bins,
            bag_groups=list(self.bags) or None,
        )


def resolve_kinds(
    profile, *, categorical_features, vector_features=None, numeric_bins=None,
    multi_value_features=None,
):  # fmt: skip
    """Decide every column's kind from ``profile`` and the estimator's options.

    Raises a ``ValueError`` naming the column when the options contradict each
    other (a column listed as categorical and inside a vector field).
    """
    n = len(profile.names)
    groups = resolve_vector_features(vector_features, n, profile.feature_names)
    in_vector = np.zeros(n, dtype=bool)
    for _, cols in groups:
        in_vector[cols] = True
    bags = resolve_multi_value_features(
        multi_value_features, n, profile.feature_names
    )
    in_bag = np.zeros(n, dtype=bool)
    targets = np.zeros(n, dtype=bool)
    for bag in bags:
        in_bag[bag["column"]] = True
        if bag["target"] is not None:
            targets[bag["target"]] = True
    clash = np.flatnonzero((in_bag | targets) & in_vector)
    if clash.size:
        raise ValueError(
            f"Column {profile.names[int(clash[0])]!r} is in vector_features and in "
            "multi_value_features (as a bag column or a bag's target); a column "
            "belongs to one field."
        )
    categorical = resolve_categorical(
        _DtypeView(profile.dtype_categorical),
        categorical_features,
        n,
        profile.feature_names,
    )
    cf = categorical_features
    if groups and cf is not None and not isinstance(cf, str):
        clash = np.flatnonzero(categorical & in_vector)
        if clash.size:
            j = int(clash[0])
            field = next(name for name, cols in groups if j in cols)
            raise ValueError(
                f"Column {profile.names[j]!r} is listed in categorical_features and "
                f"in vector_features[{field!r}]; a vector field's columns are "
                "numeric. Remove it from one of them."
            )
    cf_listed = cf is not None and not isinstance(cf, str)
    if bags and cf_listed and (categorical & in_bag).any():
        j = int(np.flatnonzero(categorical & in_bag)[0])
        raise ValueError(
            f"Column {profile.names[j]!r} is listed in categorical_features and in "
            "multi_value_features; a multi-value column is one bag field. Remove it "
            "from categorical_features."
        )
    # "from_dtype" and "all" apply to the columns outside the vector and bag
    # fields; a bag's target is an id column, categorical whatever its dtype
    categorical = (categorical & ~in_vector & ~in_bag) | targets
    codes = np.zeros(n, dtype=bool)
    if isinstance(cf, str) and cf == "from_dtype":
        codes = profile.integer_codes() & ~categorical & ~in_vector & ~in_bag
        ambiguous = profile.ambiguous_integers() & ~categorical & ~in_vector & ~in_bag
        if ambiguous.any():
            _warn_ambiguous(profile, np.flatnonzero(ambiguous))
        categorical = categorical | codes
    binned = np.zeros(n, dtype=bool)
    if numeric_bins is not None:
        binned = ~categorical & ~in_vector & ~in_bag
    return ColumnKinds(
        categorical=categorical,
        codes=codes,
        vector=in_vector,
        binned=binned,
        groups=groups,
        bag=in_bag if bags else None,
        bags=tuple(bags),
    )
