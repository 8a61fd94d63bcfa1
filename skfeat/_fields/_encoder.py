"""Field encoding: input columns become model fields.

Every input column is one *field*. A categorical field holds one id per row; a numeric
field holds one standardised value per row. Ids are assigned by scikit-learn's
``OrdinalEncoder`` and shifted so that each categorical field reserves two ids:

* id 0: missing (NaN or None at fit or predict time),
* id 1: unknown (a category never seen in ``fit``),
* ids 2, 3, ...: the categories seen in ``fit``; with ``min_frequency`` the rare ones
  share one id (scikit-learn's "infrequent" category).

Numeric fields are standardised with ``StandardScaler``; a missing numeric value is
replaced by the training mean (0 after scaling), so it contributes exactly what an
average value would. Raw numeric values must lie within float32's range and
standardised ones are clipped to ``MAX_ABS_MODEL_INPUT`` standard deviations, with a
warning (see :mod:`skfeat.utils._validation`).

Categorical values are matched by value. When a column's values change type between
``fit`` and a later call (text in ``fit``, integers later, as ``pd.read_csv`` and a
JSON request may give the same ids), they are matched through their text where that
is unambiguous, with a warning; otherwise a warning says how many became unknown.
Datetime columns are refused with a ``TypeError``: convert them explicitly.

A *vector field* (``vector_features``) groups several numeric columns (a text or
image embedding computed elsewhere) into one field. Each of its columns is
standardised with ``StandardScaler`` as a numeric column is, under the same
float32-range and clipping rules; a missing value (NaN) counts as that column's
training mean, so a wholly missing vector embeds as the mean vector. The model
embeds the whole vector by one learned projection, and the explainers play it as
one player.
"""

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import OrdinalEncoder, StandardScaler
from sklearn.utils.validation import check_array

from skfeat._fields._binning import NumericBinner
from skfeat._fields._hashing import HASH_KEY, hash_categories  # noqa: F401 - re-exported
from skfeat._fields._ids import MISSING_ID, N_RESERVED_IDS, UNKNOWN_ID  # noqa: F401
from skfeat.utils._validation import check_float32_range, clip_model_input

_CATEGORICAL_KINDS = "OUSb"  # object, unicode, bytes, bool


@dataclass(frozen=True)
class FieldSchema:
    """What the module needs to know about the fields.

    Attributes
    ----------
    names : list of str
        One name per field, in input column order.
    categorical : ndarray of bool
        Whether each field (input column) is categorical.
    cardinalities : list of int
        Number of ids of each categorical field, reserved ids included, in the order
        the categorical fields appear among the input columns.
    n_numeric : int
        Number of numeric fields.
    order : ndarray of int
        ``order[j]`` is the field (input column, without vector fields) of the
        ``j``-th field of the module, whose fields come as all categorical
        fields, then all numeric ones, then all vector ones.
    vector : ndarray of bool or None
        Whether each field is a vector field; ``None`` when there are none. With
        vector fields, ``names`` and ``categorical`` describe the fields: one per
        input column outside the vector fields, and one per vector field at the
        position of its first column.
    vector_dims : tuple of int
        Length of each vector field, in module order (the order of the fields).
    columns : tuple of tuple of int or None
        The input columns of each field; ``None`` when field ``i`` is column
        ``i``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skfeat.models import FMClassifier
    >>> X = pd.DataFrame({"age": [31.0, 45.0, 27.0, 52.0],
    ...                   "city": pd.Categorical(["a", "b", "a", "c"])})
    >>> clf = FMClassifier(max_epochs=1, random_state=0).fit(X, [0, 1, 0, 1])
    >>> clf.schema_.cardinalities  # 3 cities + the missing and unknown ids
    [5]
    >>> clf.schema_.order.tolist()  # module fields: categorical first
    [1, 0]
    """

    names: list
    categorical: np.ndarray
    cardinalities: list
    n_numeric: int
    vector: np.ndarray | None = None
    vector_dims: tuple = ()
    columns: tuple | None = None

    def __eq__(self, other):
        if not isinstance(other, FieldSchema):
            return NotImplemented
        return (
            list(self.names) == list(other.names)
            and np.array_equal(self.categorical, other.categorical)
            and list(self.cardinalities) == list(other.cardinalities)
            and int(self.n_numeric) == int(other.n_numeric)
            and (self.vector is None) == (other.vector is None)
            and (self.vector is None or np.array_equal(self.vector, other.vector))
            and tuple(self.vector_dims) == tuple(other.vector_dims)
            and self.columns == other.columns
        )

    __hash__ = None  # holds arrays

    @property
    def n_fields(self):
        return len(self.names)

    @property
    def order(self):
        if self.vector is None:
            return np.concatenate(
                [np.flatnonzero(self.categorical), np.flatnonzero(~self.categorical)]
            )
        vector = np.asarray(self.vector, dtype=bool)
        return np.concatenate(
            [
                np.flatnonzero(self.categorical),
                np.flatnonzero(~self.categorical & ~vector),
                np.flatnonzero(vector),
            ]
        )

    def field_of_column(self, n_columns):
        """``(n_columns,)`` array: the field each input column belongs to."""
        if self.columns is None:
            return np.arange(n_columns)
        owner = np.empty(n_columns, dtype=np.int64)
        for i, cols in enumerate(self.columns):
            owner[list(cols)] = i
        return owner


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
            if isinstance(item, str):
                if names is None:
                    raise ValueError(
                        f"vector_features[{field!r}] names column {item!r}, but X has "
                        "no column names; pass a DataFrame or use column indices."
                    )
                if item not in names:
                    raise ValueError(
                        f"vector_features[{field!r}] names column {item!r}, which is "
                        "not a column of X."
                    )
                j = names.index(item)
            elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
                if not -n_features <= item < n_features:
                    raise ValueError(
                        f"vector_features[{field!r}] holds index {item}, out of "
                        f"range for X with {n_features} columns."
                    )
                j = int(item) % n_features
            else:
                raise TypeError(
                    f"vector_features[{field!r}] must hold column names (str) or "
                    f"indices (int), got {item!r}."
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


#: Under ``categorical_features="from_dtype"``, an integer column of a DataFrame is
#: read as categorical codes (ids) when its distinct values repeat at least this
#: many times on average (``n_distinct * INTEGER_CODE_MIN_REPEATS <= n_rows``).
INTEGER_CODE_MIN_REPEATS = 10


def integer_code_columns(X):
    """Boolean mask of the integer DataFrame columns that look like codes.

    ``pd.read_csv`` gives id columns (users, items, hashed CTR fields) integer
    dtype. A column whose few distinct values each come back many times is a code
    or a small count, and an embedding per value fits it at least as well as one
    slope; a column with many distinct values (money, weights) stays numeric.
    Arrays and float columns are never affected.
    """
    mask = np.zeros(X.shape[1], dtype=bool)
    if not hasattr(X, "dtypes"):
        return mask
    for j, dtype in enumerate(X.dtypes):
        if not pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(
            dtype
        ):
            continue
        col = X.iloc[:, j]
        n = int(col.notna().sum())
        mask[j] = n > 0 and col.nunique(dropna=True) * INTEGER_CODE_MIN_REPEATS <= n
    return mask


def _column(X, j):
    return X.iloc[:, j] if hasattr(X, "iloc") else X[:, j]


class FieldEncoder:
    """Turn a DataFrame or array into categorical ids and numeric values.

    Parameters
    ----------
    categorical : ndarray of bool
        Which input columns are categorical.
    names : list of str
        Column names, used in error messages and as field names.
    min_frequency : int, float or None
        Passed to ``OrdinalEncoder``: categories rarer than this share one id.
    encoding : {"vocabulary", "hash"}, default="vocabulary"
        ``"hash"``: no vocabulary; a value's id is ``2 + hash(text) % hash_buckets``
        (see :func:`hash_categories`), the same in every process and platform.
    hash_buckets : int or None, default=None
        Buckets per categorical field with ``encoding="hash"``.
    vector_groups : list of (str, list of int) or None, default=None
        Vector fields: a name and the input columns of each (none of them
        categorical). Their values come out as ``"vec"``, the fields side by side
        in the order of their first column.
    binned : ndarray of bool or None, default=None
        Numeric columns cut into at most ``n_bins`` quantile bins (fitted as
        ``binner_``) whose bin index is then encoded as a category; they are
        marked in ``categorical`` too.
    n_bins : int or None, default=None
        Most bins per binned column.
    """

    def __init__(
        self, categorical, names, min_frequency=None, encoding="vocabulary",
        hash_buckets=None, vector_groups=None, binned=None, n_bins=None,
    ):  # fmt: skip
        self.categorical = categorical
        self.names = names
        self.min_frequency = min_frequency
        self.encoding = encoding
        self.hash_buckets = hash_buckets
        self.vector_groups = vector_groups
        self.binned = binned
        self.n_bins = n_bins

    #: fitted by ``fit`` when columns are binned; encoders of models fitted before
    #: the binner moved here have none (their model bins the columns itself)
    binner_ = None

    def _bin(self, X):
        """``X`` with its binned columns replaced by their bin index."""
        if self.binner_ is None:
            return X
        return self.binner_.transform(X)

    def fit_binner(self, X):
        """Fit the quantile bins of the binned columns on ``X`` (a frame or array)."""
        binned = getattr(self, "binned", None)
        self.binner_ = None
        if binned is not None and np.any(binned):
            self.binner_ = NumericBinner(
                np.flatnonzero(binned), int(self.n_bins), self.names
            ).fit(X)
        return self

    def _column_kinds(self):
        """``(categorical columns, numeric columns, vector columns)`` indices."""
        categorical = np.asarray(self.categorical, dtype=bool)
        groups = getattr(self, "vector_groups", None)
        if not groups:
            return (
                np.flatnonzero(categorical),
                np.flatnonzero(~categorical),
                np.zeros(0, dtype=np.int64),
            )
        in_vector = np.zeros(len(categorical), dtype=bool)
        vec_cols = np.concatenate([np.asarray(c, dtype=np.int64) for _, c in groups])
        in_vector[vec_cols] = True
        return (
            np.flatnonzero(categorical & ~in_vector),
            np.flatnonzero(~categorical & ~in_vector),
            vec_cols,
        )

    def _schema(self, cardinalities, n_numeric):
        groups = getattr(self, "vector_groups", None)
        categorical = np.asarray(self.categorical, dtype=bool)
        if not groups:
            return FieldSchema(
                names=list(self.names),
                categorical=categorical,
                cardinalities=cardinalities,
                n_numeric=int(n_numeric),
            )
        first = {int(min(cols)): (name, cols) for name, cols in groups}
        in_vector = np.zeros(len(categorical), dtype=bool)
        for _, cols in groups:
            in_vector[list(cols)] = True
        names, kinds, vector, columns, dims = [], [], [], [], []
        for j in range(len(categorical)):
            if j in first:
                name, cols = first[j]
                names.append(name)
                kinds.append(False)
                vector.append(True)
                columns.append(tuple(int(c) for c in cols))
                dims.append(len(cols))
            elif not in_vector[j]:
                names.append(self.names[j])
                kinds.append(bool(categorical[j]))
                vector.append(False)
                columns.append((j,))
        return FieldSchema(
            names=names,
            categorical=np.asarray(kinds, dtype=bool),
            cardinalities=cardinalities,
            n_numeric=int(n_numeric),
            vector=np.asarray(vector, dtype=bool),
            vector_dims=tuple(dims),
            columns=tuple(columns),
        )

    def fit(self, X):
        self.fit_binner(X)
        X = self._bin(X)
        cat_cols, num_cols, vec_cols = self._column_kinds()
        self.ordinal_ = None
        self.scaler_ = None
        self.vector_scaler_ = None
        if vec_cols.size:
            self.vector_scaler_ = StandardScaler().fit(self._vector_part(X))
        if self.encoding == "hash":
            if num_cols.size:
                self.scaler_ = StandardScaler().fit(self._numeric_part(X, num_cols))
            self.category_kinds_ = [None] * int(cat_cols.size)
            self.schema_ = self._schema(
                [int(self.hash_buckets) + N_RESERVED_IDS] * int(cat_cols.size),
                num_cols.size,
            )
            return self
        if cat_cols.size:
            self.ordinal_ = self._new_ordinal().fit(self._categorical_part(X, cat_cols))
        if num_cols.size:
            self.scaler_ = StandardScaler().fit(self._numeric_part(X, num_cols))
        return self._set_schema()

    def _new_ordinal(self):
        return OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=-1,
            encoded_missing_value=-2,
            min_frequency=self.min_frequency,
            dtype=np.float64,
        )

    def fit_categories(self, X, categories):
        """Fit on each categorical field's list of categories, one at a time.

        The result of a streaming pass (no ``min_frequency`` left to apply):
        each list is sorted by its own ``OrdinalEncoder`` (as a fit in memory
        sorts it), so no table as wide as the largest vocabulary is built for
        the other fields. ``X`` gives the columns' layout (a row is enough);
        the numeric scaling is set by the caller.
        """
        cat_cols, _, _ = self._column_kinds()
        self.ordinal_ = None
        self.scaler_ = None
        self.vector_scaler_ = None  # a FileSource has no vector fields
        if self.encoding == "hash":
            return self.fit(X)
        sorted_categories = []
        for values in categories:
            column = np.empty((max(len(values), 1), 1), dtype=object)
            column[:, 0] = "__skfeat_empty__"
            column[: len(values), 0] = values
            sorted_categories.append(self._new_ordinal().fit(column).categories_[0])
        if cat_cols.size:
            first = np.array([[c[0] for c in sorted_categories]], dtype=object)
            self.ordinal_ = self._new_ordinal().fit(first)
            self.ordinal_.categories_ = sorted_categories
        return self._set_schema()

    def fit_column_encoders(self, X, ordinals):
        """Use one fitted ``OrdinalEncoder`` per categorical field.

        The result of statistics with ``min_frequency``: each field's stand-in
        column (every value repeated up to the rarity threshold) is fitted on
        its own, so fields of different lengths need no padding (padding would
        add a category). ``X`` gives the columns' layout; the numeric scaling is
        set by the caller.
        """
        self.ordinal_ = ColumnwiseOrdinal(ordinals) if ordinals else None
        self.scaler_ = None
        self.vector_scaler_ = None
        return self._set_schema()

    def _set_schema(self):
        _, num_cols, _ = self._column_kinds()
        cardinalities = []
        if self.ordinal_ is not None:
            try:
                infrequent_all = self.ordinal_.infrequent_categories_
            except AttributeError:  # min_frequency is None
                infrequent_all = [None] * len(self.ordinal_.categories_)
            for j, cats in enumerate(self.ordinal_.categories_):
                n = len(cats)
                if len(cats) and _is_nan(cats[-1]):
                    n -= 1  # missing has its own reserved id
                infrequent = infrequent_all[j]
                if infrequent is not None:
                    n = n - len(infrequent) + 1
                cardinalities.append(n + N_RESERVED_IDS)
        self.category_kinds_ = (
            [_value_kind(cats) for cats in self.ordinal_.categories_]
            if self.ordinal_ is not None
            else []
        )
        self.schema_ = self._schema(cardinalities, num_cols.size)
        return self

    def transform(self, X):
        """Return ``{"cat": int64 (n, n_cat), "num": float32 (n, n_num)}``.

        With vector fields, also ``"vec"``: float32 ``(n, sum of their lengths)``.
        """
        n = X.shape[0]
        X = self._bin(X)
        cat_cols, num_cols, vec_cols = self._column_kinds()
        if cat_cols.size:
            if getattr(self, "encoding", "vocabulary") == "hash":
                cat = np.empty((n, cat_cols.size), dtype=np.int64)
                for i, j in enumerate(cat_cols):
                    col = _column(X, j)
                    raw = col.to_numpy() if hasattr(col, "to_numpy") else col
                    cat[:, i] = hash_categories(raw, self.hash_buckets)
            else:
                part = self._categorical_part(X, cat_cols)
                for i, j in enumerate(cat_cols):
                    part[:, i] = self._match_kind(part[:, i], i, self.names[j])
                cat = self._lookup_ids(part)
        else:
            cat = np.zeros((n, 0), dtype=np.int64)
        if num_cols.size:
            num = self.scaler_.transform(self._numeric_part(X, num_cols))
            num = clip_model_input(
                np.nan_to_num(num, nan=0.0), [self.names[j] for j in num_cols]
            ).astype(np.float32)
        else:
            num = np.zeros((n, 0), dtype=np.float32)
        if not vec_cols.size:
            return {"cat": cat, "num": num}
        vec = self.vector_scaler_.transform(self._vector_part(X))
        vec = clip_model_input(
            np.nan_to_num(vec, nan=0.0), self._vector_column_names()
        ).astype(np.float32)
        return {"cat": cat, "num": num, "vec": vec}

    def _vector_column_names(self):
        return [
            f"{self.names[c]} (vector field {name!r})"
            for name, cols in self.vector_groups
            for c in cols
        ]

    def _vector_part(self, X):
        """The vector fields' raw values, float64, checked column by column."""
        parts = []
        for name, cols in self.vector_groups:
            cols = np.asarray(cols, dtype=np.int64)
            try:
                if hasattr(X, "iloc"):
                    block = np.column_stack(
                        [
                            X.iloc[:, j].to_numpy(dtype=np.float64, na_value=np.nan)
                            for j in cols
                        ]
                    )
                else:
                    block = np.asarray(X[:, cols], dtype=np.float64)
            except (TypeError, ValueError) as exc:
                bad = next(
                    j for j in cols if _first_non_numeric(_column(X, j)) is not None
                )
                raise ValueError(
                    f"Column {self.names[bad]!r} of vector field {name!r} holds "
                    "non-numeric values (for example "
                    f"{_first_non_numeric(_column(X, bad))!r}); a vector field's "
                    "columns must be numbers."
                ) from exc
            if np.isinf(block).any():
                bad = self.names[cols[np.flatnonzero(np.isinf(block).any(axis=0))[0]]]
                raise ValueError(
                    f"Input X contains infinity in column {bad!r} of vector field "
                    f"{name!r}; only NaN is accepted as a missing value."
                )
            for i, j in enumerate(cols):
                check_float32_range(
                    block[:, i],
                    f"Column {self.names[j]!r} of vector field {name!r}",
                )
            parts.append(block)
        return np.concatenate(parts, axis=1)

    def _lookup_ids(self, part):
        """Ids of the categorical values, in time proportional to the rows.

        scikit-learn's ``OrdinalEncoder.transform`` builds a set of the whole
        vocabulary on every call (2.9 s for one row of a 300,000-id field); here
        each field's categories live in a ``pandas.Index`` whose hash table is built
        once, and a lookup costs time in the batch only. The ids are those the
        fitted ``OrdinalEncoder`` gives (checked by the tests): categories keep
        their code (rare ones share the infrequent code), missing values and
        unseen values get the reserved ids.
        """
        tables = self.__dict__.get("_lookup_cache")
        if tables is None:
            tables = self._lookup_cache = self._build_lookup()
        out = np.empty(part.shape, dtype=np.int64)
        for i, (index, ids, missing_id, unknown_id) in enumerate(tables):
            values = part[:, i]
            missing = _missing_mask(values)
            pos = index.get_indexer(values)
            col = np.where(pos >= 0, ids[pos], unknown_id)
            col[missing] = missing_id
            out[:, i] = col
        return out

    def _build_lookup(self):
        ordinal = self.ordinal_
        cats = ordinal.categories_
        infrequent = getattr(ordinal, "infrequent_categories_", None)
        if infrequent is None or all(i is None for i in infrequent):
            # no infrequent category: a category's code is its position, so the
            # table needs no probe through OrdinalEncoder.transform (which costs
            # a minute for a 10,000,000-id field). As there, a missing value
            # gets the missing id when the field had missing values in fit
            # (NaN is then its last category), else the unknown id.
            return [
                (
                    pd.Index(np.asarray(c, dtype=object), dtype=object),
                    np.append(
                        np.arange(N_RESERVED_IDS, len(c) + N_RESERVED_IDS),
                        UNKNOWN_ID,
                    ).astype(np.int64),
                    MISSING_ID if len(c) and _is_nan(c[-1]) else UNKNOWN_ID,
                    UNKNOWN_ID,
                )
                for c in cats
            ]
        width = max(len(c) for c in cats) + 2
        # one transform of every category (and of a missing and an unseen value)
        # per field; the other fields hold their first category meanwhile
        probe = np.empty((width, len(cats)), dtype=object)
        for j, c in enumerate(cats):
            first = c[0] if len(c) else np.nan
            probe[:, j] = first
            probe[: len(c), j] = c
            probe[-2, j] = np.nan
            probe[-1, j] = _Unseen()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            codes = ordinal.transform(probe) + N_RESERVED_IDS
        # -1 (unknown) + 2 = 1 and -2 (missing) + 2 = 0, the reserved ids
        tables = []
        for j, c in enumerate(cats):
            ids = codes[: len(c), j].astype(np.int64)
            ids = np.append(ids, UNKNOWN_ID)  # ids[-1]: unused (pos is never -1)
            tables.append(
                (
                    pd.Index(np.asarray(c, dtype=object), dtype=object),
                    ids,
                    int(codes[-2, j]),
                    int(codes[-1, j]),
                )
            )
        return tables

    #: caches rebuilt on first use, left out of pickles and skfeat.io files
    _transient_attributes = ("_lookup_cache",)

    def __getstate__(self):
        state = dict(self.__dict__)
        for name in self._transient_attributes:
            state.pop(name, None)
        return state

    def _categorical_part(self, X, cols):
        # One object array for every source dtype (category, str, object, bool),
        # so that a column given as str at predict time and as category or object
        # in fit is compared value by value; pandas' missing values become NaN.
        if hasattr(X, "iloc"):
            out = np.empty((X.shape[0], len(cols)), dtype=object)
            for i, j in enumerate(cols):
                values = X.iloc[:, j].to_numpy(dtype=object, copy=True)
                values[_missing_mask(values)] = np.nan
                out[:, i] = values
            return out
        return np.asarray(X, dtype=object)[:, cols]

    def _numeric_part(self, X, cols):
        out = np.empty((X.shape[0], len(cols)), dtype=np.float64)
        for i, j in enumerate(cols):
            col = _column(X, j)
            try:
                if hasattr(col, "to_numpy"):
                    out[:, i] = col.to_numpy(dtype=np.float64, na_value=np.nan)
                else:
                    out[:, i] = np.asarray(col, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                example = _first_non_numeric(col)
                raise ValueError(
                    f"Column {self.names[j]!r} is treated as numeric but holds "
                    f"non-numeric values (for example {example!r}). List it in "
                    "categorical_features to treat it as categorical."
                ) from exc
        if not np.isfinite(out[~np.isnan(out)]).all():
            bad = [
                self.names[cols[i]]
                for i in range(len(cols))
                if np.isinf(out[:, i]).any()
            ]
            raise ValueError(
                f"Input X contains infinity in numeric column(s) {bad}; "
                "only NaN is accepted as a missing value."
            )
        for i, j in enumerate(cols):
            check_float32_range(out[:, i], f"Numeric column {self.names[j]!r}")
        return out

    def _match_kind(self, values, i, name):
        """Match values whose type changed since ``fit`` through their text."""
        fitted = self.category_kinds_[i] if hasattr(self, "category_kinds_") else None
        if fitted not in ("string", "integer"):
            return values
        kind = _value_kind(values)
        if kind in (fitted, "empty") or (fitted == "integer" and kind == "boolean"):
            return values
        missing = _missing_mask(values)
        converted = _convert(values[~missing], fitted)
        if converted is not None:
            out = values.copy()
            out[~missing] = converted
            warnings.warn(
                f"Categorical column {name!r} held {fitted} values in fit but "
                f"{kind} values now; they are matched through their text "
                f"(for example {values[~missing][0]!r} -> {converted[0]!r}).",
                UserWarning,
                stacklevel=5,
            )
            return out
        known = set(self.ordinal_.categories_[i].tolist())
        unknown = sum(v not in known for v in values[~missing].tolist())
        warnings.warn(
            f"Categorical column {name!r} held {fitted} values in fit but {kind} "
            f"values now, which cannot be matched one to one; {unknown} of "
            f"{len(values)} values map to the unknown id.",
            UserWarning,
            stacklevel=5,
        )
        return values


class ColumnwiseOrdinal:
    """Several one-column ``OrdinalEncoder``s read as one.

    Parameters
    ----------
    encoders : list of OrdinalEncoder
        One fitted encoder per categorical field, in field order.
    """

    def __init__(self, encoders):
        self.encoders = list(encoders)

    @property
    def categories_(self):
        return [e.categories_[0] for e in self.encoders]

    @property
    def infrequent_categories_(self):
        out = []
        for e in self.encoders:
            try:
                out.append(e.infrequent_categories_[0])
            except AttributeError:  # no min_frequency
                out.append(None)
        return out

    def transform(self, X):
        X = np.asarray(X, dtype=object)
        return np.column_stack(
            [e.transform(X[:, [i]])[:, 0] for i, e in enumerate(self.encoders)]
        )


class _Unseen:
    """A value equal to no category: probes the encoder's unknown id."""

    def __eq__(self, other):
        return other is self

    def __hash__(self):
        return id(self)

    def __lt__(self, other):  # sortable against anything, never matched
        return False

    def __gt__(self, other):
        return False


def _value_kind(values):
    """``"string"``, ``"integer"``, ``"floating"``, ``"boolean"``, ... of values."""
    values = np.asarray(values, dtype=object)
    values = values[~_missing_mask(values)]
    if values.size == 0:
        return "empty"
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "floating" and all(float(v).is_integer() for v in values[:1000]):
        return "integer"  # 3.0 == 3 already matches inside the encoder
    return kind


def _missing_mask(values):
    return np.asarray(pd.isna(np.asarray(values, dtype=object)), dtype=bool)


def _convert(values, kind):
    """Values as ``kind`` ("string" or "integer"), or None if not one to one."""
    if kind == "string":
        out = []
        for v in values.tolist():
            if isinstance(v, bool | np.bool_):
                return None
            if isinstance(v, numbers.Integral):
                out.append(str(int(v)))
            elif isinstance(v, numbers.Real) and float(v).is_integer():
                out.append(str(int(v)))
            else:
                return None
        return np.asarray(out, dtype=object)
    out = []
    for v in values.tolist():
        if not isinstance(v, str) or not v.strip().lstrip("+-").isdigit():
            return None
        out.append(int(v))
    return np.asarray(out, dtype=object)


def _is_nan(value):
    try:
        return value is None or bool(np.isnan(value))
    except TypeError:
        return False


def _first_non_numeric(col):
    for value in np.asarray(col, dtype=object).ravel():
        try:
            float(value)
        except (TypeError, ValueError):
            return value
    return None


def check_field_input(X, *, allow_sparse, estimator_name):
    """Light validation that keeps DataFrames as they are.

    Arrays go through ``check_array`` (numeric unless object dtype is needed for
    categorical columns, decided later); sparse input is accepted only when the model
    takes it.
    """
    if sp.issparse(X):
        if not allow_sparse:
            raise TypeError(
                f"{estimator_name} needs field-structured input (a DataFrame or a "
                "dense array, one column per field) and does not accept sparse "
                "input. Use FMClassifier/FMRegressor for libFM-style sparse rows, "
                "or pass X.toarray()."
            )
        return X
    if hasattr(X, "iloc"):
        if X.ndim != 2:
            raise ValueError(f"Expected a 2D DataFrame, got {X.ndim} dimensions.")
        if X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of "
                f"1 is required by {estimator_name}."
            )
        if X.shape[1] == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of "
                f"1 is required by {estimator_name}."
            )
        check_no_datetime(X, estimator_name)
        return X
    if getattr(getattr(X, "dtype", None), "kind", None) in ("m", "M"):
        raise TypeError(
            f"{estimator_name} got a datetime or timedelta array; skfeat does not "
            "encode dates implicitly. Convert them to numbers (for example "
            "seconds, or hour and weekday features) or to categories first."
        )
    return None  # caller runs check_array with the dtype it needs


def check_no_datetime(X, estimator_name):
    """Refuse datetime, timedelta and period columns with a TypeError naming them."""
    bad = [
        str(col)
        for col, dtype in zip(X.columns, X.dtypes)
        if getattr(dtype, "kind", None) in ("m", "M")
        or isinstance(dtype, pd.DatetimeTZDtype | pd.PeriodDtype)
    ]
    if bad:
        raise TypeError(
            f"{estimator_name} got datetime/timedelta column(s) {bad}; skfeat does "
            "not encode dates implicitly (as plain numbers their scale is "
            "nanoseconds since 1970). Convert them first: to numbers (for example "
            "X[col].astype('int64') // 10**9, or hour and weekday features) or to a "
            "categorical column (X[col].astype(str).astype('category'))."
        )


def check_dense_array(X, *, numeric, estimator_name):
    return check_array(
        X,
        dtype=np.float64 if numeric else None,
        ensure_all_finite="allow-nan",
        estimator=estimator_name,
        input_name="X",
    )
