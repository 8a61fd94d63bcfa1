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

The module is one class, :class:`FieldEncoder` (fit, transform, the lookup
tables and the matching of values whose type changed), kept together because
its parts share the fitted vocabulary.
"""

import math
import numbers
import warnings
import weakref
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.preprocessing import OrdinalEncoder, StandardScaler

from skfeat._fields._bags import (
    MAX_DEFAULT_LENGTH,
    bag_vocabulary,
    check_separator,
    pad_last,
    split_cells,
    value_counts,
)
from skfeat._fields._binning import NumericBinner
from skfeat._fields._columns import (  # noqa: F401 - re-exported
    INTEGER_CODE_MIN_REPEATS,
    _is_categorical_dtype,
    resolve_categorical,
    resolve_vector_features,
)
from skfeat._fields._hashing import HASH_KEY, hash_categories  # noqa: F401 - re-exported
from skfeat._fields._ids import (  # noqa: F401
    MISSING_ID,
    N_RESERVED_IDS,
    UNKNOWN_ID,
    empty_id_table,
)
from skfeat._fields._schema import FieldSchema
from skfeat._fields._values import (  # noqa: F401 - re-exported
    _column,
    _convert,
    _first_non_numeric,
    _is_arrow_text,
    _is_nan,
    _missing_mask,
    _value_kind,
    check_categorical_values,
    check_dense_array,
    check_field_input,
    check_no_datetime,
)
from skfeat.utils._validation import check_float32_range, clip_model_input

#: below this many rows a column is looked up value by value instead of being
#: factorised first: factorising pays two index builds per column and call, which a
#: serving request of a few rows does not win back (one Frappe-like row: 1.8 ms
#: looked up, 2.7-3.3 ms factorised)
FACTORIZE_MIN_ROWS = 1024

#: up to this many values a column's ids are probed one value at a time
#: (``Index.get_loc``, well under a microsecond each) instead of by one
#: ``Index.get_indexer`` call (about 0.1 ms however few the values)
SMALL_LOOKUP_ROWS = 32


def _position(index, value):
    """Position of ``value`` in the unique ``index``, or -1 (as ``get_indexer``)."""
    try:
        pos = index.get_loc(value)
    except (KeyError, TypeError, ValueError):
        return -1
    return pos if isinstance(pos, int | np.integer) else -1


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
    bag_groups : list of dict or None, default=None
        Multi-value (bag) columns, as
        :func:`~skfeat._fields._bags.resolve_multi_value_features` gives them
        (none of them categorical). Their ids come out as ``"bag"``: int64
        ``(n, sum of their lengths)``, padded with ``-1``.
    """

    def __init__(
        self, categorical, names, min_frequency=None, encoding="vocabulary",
        hash_buckets=None, vector_groups=None, binned=None, n_bins=None,
        bag_groups=None,
    ):  # fmt: skip
        self.categorical = categorical
        self.names = names
        self.min_frequency = min_frequency
        self.encoding = encoding
        self.hash_buckets = hash_buckets
        self.vector_groups = vector_groups
        self.binned = binned
        self.n_bins = n_bins
        self.bag_groups = bag_groups

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
        in_bag = self._in_bag()
        if not groups:
            return (
                np.flatnonzero(categorical & ~in_bag),
                np.flatnonzero(~categorical & ~in_bag),
                np.zeros(0, dtype=np.int64),
            )
        in_vector = np.zeros(len(categorical), dtype=bool)
        vec_cols = np.concatenate([np.asarray(c, dtype=np.int64) for _, c in groups])
        in_vector[vec_cols] = True
        return (
            np.flatnonzero(categorical & ~in_vector & ~in_bag),
            np.flatnonzero(~categorical & ~in_vector & ~in_bag),
            vec_cols,
        )

    def _in_bag(self):
        in_bag = np.zeros(len(self.categorical), dtype=bool)
        for bag in getattr(self, "bag_groups", None) or ():
            in_bag[bag["column"]] = True
        return in_bag

    def _schema(self, cardinalities, n_numeric):
        """The fields: one per column, a vector field at its first column."""
        groups = getattr(self, "vector_groups", None) or []
        bag_groups = getattr(self, "bag_groups", None) or []
        categorical = np.asarray(self.categorical, dtype=bool)
        if not groups and not bag_groups:
            return FieldSchema(
                names=list(self.names),
                categorical=categorical,
                cardinalities=cardinalities,
                n_numeric=int(n_numeric),
            )
        first = {int(min(cols)): (name, cols) for name, cols in groups}
        bags = {bag["column"] for bag in bag_groups}
        in_vector = np.zeros(len(categorical), dtype=bool)
        for _, cols in groups:
            in_vector[list(cols)] = True
        names, kinds, vector, bag, columns, dims = [], [], [], [], [], []
        for j in range(len(categorical)):
            if j in first:
                name, cols = first[j]
                names.append(name)
                kinds.append(False)
                vector.append(True)
                bag.append(False)
                columns.append(tuple(int(c) for c in cols))
                dims.append(len(cols))
            elif not in_vector[j]:
                names.append(self.names[j])
                kinds.append(bool(categorical[j]) and j not in bags)
                vector.append(False)
                bag.append(j in bags)
                columns.append((j,))
        extra = {}
        if bag_groups:  # a schema without bag fields keeps their defaults
            extra = dict(
                bag=np.asarray(bag, dtype=bool),
                **self._bag_specs(len(cardinalities)),
            )
        return FieldSchema(
            names=names,
            categorical=np.asarray(kinds, dtype=bool),
            cardinalities=cardinalities,
            n_numeric=int(n_numeric),
            vector=np.asarray(vector, dtype=bool),
            vector_dims=tuple(dims),
            columns=tuple(columns),
            **extra,
        )

    def _bag_specs(self, n_segments):
        """``bags`` and ``bag_cardinalities`` of the schema (see FieldSchema)."""
        cat_cols, _, _ = self._column_kinds()
        cat_index = {int(j): i for i, j in enumerate(cat_cols)}
        specs, own = [], []
        for k, options in enumerate(self.bag_groups):
            target = options["target"]
            if target is None:  # its own segment, after the categorical fields'
                segment = n_segments + len(own)
                own.append(int(self.bag_cardinalities_[k]))
                target_field = -1
            else:  # its target's segment
                segment = target_field = cat_index[int(target)]
            specs.append(
                (int(self.bag_lengths_[k]), options["pooling"], segment, target_field)
            )
        return {"bags": tuple(specs), "bag_cardinalities": tuple(own)}

    def fit(self, X, sample_weight=None):
        """Fit the encoding of ``X``.

        With ``sample_weight``, the scaling of numeric and vector columns is the
        weighted one, and values seen only in rows of weight 0 are unknown, as if
        each row were repeated its weight's times (quantile bins and
        ``min_frequency`` count rows, unweighted).
        """
        self.fit_binner(X)
        X = self._bin(X)
        cat_cols, num_cols, vec_cols = self._column_kinds()
        self.ordinal_ = None
        self.scaler_ = None
        self.vector_scaler_ = None
        w = sample_weight
        if vec_cols.size:
            self.vector_scaler_ = StandardScaler().fit(
                self._vector_part(X), sample_weight=w
            )
        self._fit_bags(X, w)
        if self.encoding == "hash":
            if num_cols.size:
                self.scaler_ = StandardScaler().fit(
                    self._numeric_part(X, num_cols), sample_weight=w
                )
            self.category_kinds_ = [None] * int(cat_cols.size)
            self.schema_ = self._schema(
                [int(self.hash_buckets) + N_RESERVED_IDS] * int(cat_cols.size),
                num_cols.size,
            )
            return self
        if cat_cols.size:
            distinct = None
            if w is not None and np.any(np.asarray(w) > 0):
                keep = np.asarray(w) > 0
            elif self.min_frequency is None:  # with it, categories need counts
                distinct = self._distinct_values(X, cat_cols)
            if distinct is not None:
                # one column's distinct strings or integers: nothing to check
                self._fit_sorted_categories(distinct)
            else:
                values = self._categorical_part(X, cat_cols)
                for i, j in enumerate(cat_cols):
                    check_categorical_values(values[:, i], self.names[j])
                if w is not None and np.any(np.asarray(w) > 0):
                    values = values[keep]
                self.ordinal_ = self._new_ordinal().fit(values)
        if num_cols.size:
            self.scaler_ = StandardScaler().fit(
                self._numeric_part(X, num_cols), sample_weight=w
            )
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
            known = _sorted_distinct(values)
            if known is not None:
                sorted_categories.append(known)
                continue
            column = np.empty((max(len(values), 1), 1), dtype=object)
            column[:, 0] = "__skfeat_empty__"
            column[: len(values), 0] = values
            sorted_categories.append(self._new_ordinal().fit(column).categories_[0])
        if cat_cols.size:
            self._set_ordinal_categories(sorted_categories)
        return self._set_schema()

    def _set_ordinal_categories(self, categories):
        """``ordinal_`` with the given per-column categories, already sorted.

        The encoder reads only ``categories_`` (and the infrequent ones, none
        here) from it; it is fitted on one row so that it is a fitted
        ``OrdinalEncoder`` that pickles and saves like any other.
        """
        first = np.array([[c[0] if len(c) else np.nan for c in categories]], object)
        self.ordinal_ = self._new_ordinal().fit(first)
        self.ordinal_.categories_ = categories

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
        known = self.__dict__.pop("_fit_kinds", None)
        if self.ordinal_ is None:
            self.category_kinds_ = []
        elif known is not None and known[0] is self.ordinal_.categories_:
            self.category_kinds_ = list(known[1])
        else:
            self.category_kinds_ = [
                _value_kind(cats) for cats in self.ordinal_.categories_
            ]
        self.schema_ = self._schema(cardinalities, num_cols.size)
        return self

    # ------------------------------------------------------------- bag fields
    def _fit_bags(self, X, sample_weight=None):
        """Fit each bag column's vocabulary (unless shared) and length on ``X``."""
        counts, longest = [], []
        for bag in getattr(self, "bag_groups", None) or ():
            values = _bag_cells(X, bag["column"])
            check_separator(values, bag["sep"], bag["name"])
            lengths, flat = split_cells(values, bag["sep"], bag["name"])
            weights = (
                None if sample_weight is None else np.repeat(sample_weight, lengths)
            )
            counts.append(value_counts(flat, weights))
            longest.append(int(lengths.max()) if lengths.size else 0)
        return self.set_bag_counts(counts, longest, X.shape[0])

    def set_bag_counts(self, counts, longest, n_rows):
        """Set the bag columns' vocabularies and lengths from their statistics.

        Parameters
        ----------
        counts : list of pandas.Series
            Per bag column, the count of each value (over the values of every
            row, weighted rows of weight 0 left out).
        longest : list of int
            Per bag column, its longest bag.
        n_rows : int
            Rows seen (a fractional ``min_frequency`` is a share of them).
        """
        self.bag_lengths_, self.bag_vocab_ = [], []
        self.bag_cardinalities_, self.bag_kinds_ = [], []
        threshold = _count_threshold(self.min_frequency, n_rows)
        for bag, count, most in zip(
            getattr(self, "bag_groups", None) or (), counts, longest, strict=True
        ):
            length = bag["max_length"]
            if length is None:
                length = min(max(int(most), 1), MAX_DEFAULT_LENGTH)
                if most > MAX_DEFAULT_LENGTH:
                    warnings.warn(
                        f"Multi-value column {bag['name']!r} holds bags of up to "
                        f"{most} values; each keeps its last {MAX_DEFAULT_LENGTH}. "
                        "Set max_length in its options to choose.",
                        UserWarning,
                        stacklevel=3,
                    )
            self.bag_lengths_.append(int(length))
            if bag["target"] is not None:  # the target's vocabulary and rows
                self.bag_vocab_.append(None)
                self.bag_cardinalities_.append(0)
                self.bag_kinds_.append(None)
            elif getattr(self, "encoding", "vocabulary") == "hash":
                self.bag_vocab_.append(None)
                self.bag_cardinalities_.append(int(self.hash_buckets) + N_RESERVED_IDS)
                self.bag_kinds_.append(None)
            else:
                values = np.asarray(count.index.tolist() + [None], dtype=object)[:-1]
                check_categorical_values(values, bag["name"])
                categories, ids, cardinality = bag_vocabulary(count, threshold)
                self.bag_vocab_.append((categories, ids))
                self.bag_cardinalities_.append(int(cardinality))
                self.bag_kinds_.append(_value_kind(categories))
        self.__dict__.pop("_bag_cache", None)
        if getattr(self, "schema_", None) is not None:
            self._refresh_schema()
        return self

    def _refresh_schema(self):
        _, num_cols, _ = self._column_kinds()
        if getattr(self, "encoding", "vocabulary") == "hash":
            n_cat = len(self._column_kinds()[0])
            self.schema_ = self._schema(
                [int(self.hash_buckets) + N_RESERVED_IDS] * n_cat, num_cols.size
            )
            return self
        return self._set_schema()

    def _bag_ids(self, X):
        """The bag columns' ids, side by side, each padded to its length."""
        cat_cols, _, _ = self._column_kinds()
        cat_index = {int(j): i for i, j in enumerate(cat_cols)}
        parts = []
        for k, bag in enumerate(self.bag_groups):
            values = _bag_cells(X, bag["column"])
            lengths, flat = split_cells(values, bag["sep"], bag["name"])
            if getattr(self, "encoding", "vocabulary") == "hash":
                ids = hash_categories(flat, self.hash_buckets)
                parts.append(pad_last(ids, lengths, self.bag_lengths_[k]))
                continue
            # a bag's values repeat (a history's items): each distinct value is
            # matched and looked up once
            codes, distinct = pd.factorize(flat, use_na_sentinel=True)
            distinct = np.asarray(distinct, dtype=object)
            if bag["target"] is not None:
                i = cat_index[int(bag["target"])]
                distinct = _match_bag_kind(distinct, self.category_kinds_[i])
                ids = self._lookup_column(distinct, i)
                missing_id = self._lookup_tables()[i][2]
            else:
                ids = self._own_bag_ids(k, distinct)
                missing_id = MISSING_ID
            ids = np.append(ids, missing_id)[codes]  # code -1: a missing value
            parts.append(pad_last(ids, lengths, self.bag_lengths_[k]))
        return np.concatenate(parts, axis=1)

    def _own_bag_ids(self, k, flat):
        cache = self.__dict__.setdefault("_bag_cache", {})
        if k not in cache:
            categories, ids = self.bag_vocab_[k]
            cache[k] = (pd.Index(categories, dtype=object), np.asarray(ids))
        index, ids = cache[k]
        flat = _match_bag_kind(flat, self.bag_kinds_[k])
        pos = index.get_indexer(flat)
        out = np.where(pos >= 0, ids[pos] if len(ids) else UNKNOWN_ID, UNKNOWN_ID)
        out[_missing_mask(flat)] = MISSING_ID
        return out.astype(np.int64)

    def transform(self, X):
        """Return ``{"cat": int64 (n, n_cat), "num": float32 (n, n_num)}``.

        With vector fields, also ``"vec"``: float32 ``(n, sum of their lengths)``;
        with bag columns, also ``"bag"``: int64 ``(n, sum of their lengths)``,
        padded with ``-1``.
        """
        out = self._transform(X)
        if getattr(self, "bag_groups", None):
            out["bag"] = self._bag_ids(X)
        return out

    def _transform(self, X):
        n = X.shape[0]
        X = self._bin(X)
        cat_cols, num_cols, vec_cols = self._column_kinds()
        if cat_cols.size:
            if getattr(self, "encoding", "vocabulary") == "hash":
                cat = empty_id_table(n, cat_cols.size)
                for i, j in enumerate(cat_cols):
                    col = _column(X, j)
                    raw = col.to_numpy() if hasattr(col, "to_numpy") else col
                    cat[:, i] = hash_categories(raw, self.hash_buckets)
            else:
                cat = self._categorical_ids(X, cat_cols)
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
        out = np.empty(part.shape, dtype=np.int64)
        for i in range(part.shape[1]):
            out[:, i] = self._lookup_column(part[:, i], i)
        return out

    def _lookup_tables(self):
        tables = self.__dict__.get("_lookup_cache")
        if tables is None:
            tables = self._lookup_cache = self._build_lookup()
        return tables

    def _lookup_column(self, values, i):
        """Ids of the values (an object array) of categorical field ``i``."""
        index, ids, missing_id, unknown_id = self._lookup_tables()[i]
        missing = _missing_mask(values)
        if len(values) <= SMALL_LOOKUP_ROWS:  # a hash probe per value
            pos = np.fromiter(
                (_position(index, v) for v in values.tolist()), np.int64, len(values)
            )
        else:
            pos = index.get_indexer(values)
        col = np.where(pos >= 0, ids[pos], unknown_id)
        col[missing] = missing_id
        return col

    def _categorical_ids(self, X, cols):
        """Ids of the categorical columns ``cols`` of ``X``.

        A DataFrame column of one type (text, integer or category dtype) is
        factorised first, and only its distinct values go through the checks and
        the lookup: the same ids as the lookup of every value, in a fraction of
        the time (no object array of all the rows is built). Other columns, and
        columns whose kind of values changed since ``fit``, take the general path.
        """
        n = X.shape[0]
        out = empty_id_table(n, len(cols))
        slow, tabled = [], []
        # labels read once: indexing a frame by a unique label is a fraction
        # of iloc's cost, and reading the labels one by one costs as much
        labels = (
            X.columns.tolist() if hasattr(X, "iloc") and X.columns.is_unique else None
        )
        fitted_codes = self.__dict__.pop("_fit_codes", None)
        if fitted_codes is not None and fitted_codes[0]() is not X:
            fitted_codes = None
        for i, j in enumerate(cols):
            by_codes = self._category_code_ids(X, j, i, labels)
            if by_codes is not None:
                out[:, i] = by_codes
                continue
            if fitted_codes is not None and fitted_codes[2] is not None:
                # the frame fit just factorised: its ids are known too
                tabled.append((i, fitted_codes[2][i], fitted_codes[1][i].codes))
                continue
            if fitted_codes is not None:
                fast = fitted_codes[1][i]
            elif n >= FACTORIZE_MIN_ROWS:
                fast = self._factorized(X, j)
            else:  # a few rows (one serving request) cost less as they are
                fast = None
            if fast is None or not self._same_kind(fast.distinct, i, fast.kind):
                slow.append(i)
                continue
            ids = self._lookup_column(fast.distinct, i)
            # a missing value has code -1, the last entry: the field's missing id
            tabled.append((i, np.append(ids, self._lookup_tables()[i][2]), fast.codes))
        _fill_by_codes(out, tabled)
        if slow:
            part = self._categorical_part(X, cols[slow])
            for k, i in enumerate(slow):
                values = self._match_kind(part[:, k], i, self.names[cols[i]])
                out[:, i] = self._lookup_column(values, i)
        return out

    def _category_code_ids(self, X, j, i, labels=None):
        """Ids of a pandas categorical column through its codes, or None.

        The ids of a column's categories are looked up once per categories
        object (a frame's rows share their column's dtype: every serving
        request cut from one frame, or built with the training categories) and
        each row's id is then one array index; categories much more numerous
        than the rows and not seen before are not all looked up (that would cost
        more than the rows'): only the rows' values are. None for other columns
        and for categories whose kind of values changed since ``fit``.
        ``labels`` are the frame's column labels when they are unique (the
        column is then taken by label), else None.
        """
        if not hasattr(X, "iloc"):
            return None
        col = X[labels[j]] if labels is not None else X.iloc[:, j]
        values = col.array
        if not isinstance(values, pd.Categorical):
            return None
        categories = values.categories
        cache = self.__dict__.setdefault("_codes_cache", {})
        hit = cache.get(i)
        if hit is None or hit[0] is not categories:
            if len(categories) > max(4 * len(col), FACTORIZE_MIN_ROWS):
                # few rows of a large vocabulary: look up only the rows' values
                codes = values.codes
                present = codes >= 0
                used = np.asarray(categories.take(codes[present]), dtype=object)
                if not self._same_kind(used, i):
                    return None
                out = np.full(len(codes), self._lookup_tables()[i][2], np.int64)
                out[present] = self._lookup_column(used, i)
                return out
            known = np.asarray(categories, dtype=object)
            if not self._same_kind(known, i):
                return None
            ids = self._lookup_column(known, i)
            # a missing value has code -1, the last entry: the field's missing id
            hit = cache[i] = (categories, np.append(ids, self._lookup_tables()[i][2]))
        return hit[1][values.codes]

    @staticmethod
    def _factorized(X, j, *, sort=False):
        """A DataFrame column of one type as :class:`_Factorized`, or None.

        Codes are -1 for missing values; the distinct values are an object array
        (Python ``str`` or ``int``, as ``to_numpy(dtype=object)`` gives them).
        With ``sort``, ``order`` orders the distinct values as Python's
        ``sorted`` does (``OrdinalEncoder``'s order), or is None where that must
        be left to ``sorted``.
        """
        if not hasattr(X, "iloc") or X.shape[0] == 0:
            return None
        col = X.iloc[:, j]
        dtype = col.dtype
        if _is_arrow_text(dtype):
            return _arrow_text_factorized(col.array, sort)
        typed = (
            isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_integer_dtype(dtype)
            or isinstance(dtype, pd.StringDtype)
        )
        if not typed:
            return None
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        distinct = np.asarray(uniques, dtype=object)
        kind = pd.api.types.infer_dtype(distinct, skipna=True)
        if kind not in ("string", "integer"):
            return None  # categories of mixed or other values: the general path
        order = None
        if sort and not isinstance(dtype, pd.CategoricalDtype):
            # a text or integer column's own sort, about twice as fast as
            # ``sorted`` over the Python objects; a categorical column's uniques
            # would sort by its categories' order instead
            order = np.asarray(uniques.argsort(), dtype=np.intp)
        return _Factorized(codes, distinct, order, kind)

    def _same_kind(self, values, i, kind=None):
        """Whether field ``i``'s values need no matching through their text.

        ``kind``, where given, is the values' kind already known.
        """
        fitted = self.category_kinds_[i] if hasattr(self, "category_kinds_") else None
        if fitted not in ("string", "integer"):
            return False
        return (kind or _value_kind(values)) in (fitted, "empty")

    def _distinct_values(self, X, cols):
        """Each column's ``(distinct values, order, kind)``, or None.

        The distinct values end with NaN if any is missing; ``order`` sorts the
        others (None: not known, ``sorted`` finds it); ``kind`` is theirs
        (``"string"`` or ``"integer"``).

        The columns' codes are kept for the next :meth:`transform` of the same
        frame (the fit path encodes the frame it fitted on), which takes them
        instead of factorising again.
        """
        out, factorized = [], []
        for j in cols:
            fast = self._factorized(X, j, sort=True)
            if fast is None:
                return None
            factorized.append(fast)
            distinct = fast.distinct
            if (fast.codes < 0).any():
                distinct = np.append(distinct, np.array([np.nan], dtype=object))
            out.append((distinct, fast.order, fast.kind))
        try:
            self._fit_codes = (weakref.ref(X), factorized, None)
        except TypeError:  # pragma: no cover - a frame without weak references
            pass
        return out

    def _fit_sorted_categories(self, distinct):
        """Fit ``ordinal_`` on each column's distinct values, already known.

        The categories ``OrdinalEncoder`` finds on these values (sorted, NaN
        last), without its scan of every value for missing ones: the values
        are one column's distinct strings or integers, NaN only at the end.
        """
        categories, tables = [], []
        for values, order, _ in distinct:
            missing = bool(len(values) and _is_nan(values[-1]))
            present = values[:-1] if missing else values
            n = len(present)
            if order is None:
                listed = present.tolist()
                order = sorted(range(n), key=listed.__getitem__)
            cats = np.empty(n + missing, dtype=object)
            cats[:n] = present[order]
            if missing:
                cats[-1] = np.nan
            categories.append(cats)
            # each distinct value's id is its place in the sorted categories
            # (as the lookup built from them gives it); code -1, the last entry,
            # is a missing value: the missing id when the field had one in fit
            table = np.empty(n + 1, dtype=np.int64)
            table[order] = np.arange(N_RESERVED_IDS, n + N_RESERVED_IDS)
            table[-1] = MISSING_ID if missing else UNKNOWN_ID
            tables.append(table)
        self._set_ordinal_categories(categories)
        # the categories' kinds, known from the factorisation: the schema takes
        # them instead of inferring them again from every category
        self._fit_kinds = (categories, [kind for _, _, kind in distinct])
        kept = self.__dict__.get("_fit_codes")
        if kept is not None:
            self._fit_codes = (kept[0], kept[1], tables)

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

    def category_ids(self):
        """Each categorical field's vocabulary and ids, as ``transform`` gives them.

        Returns
        -------
        tables : list of (ndarray, ndarray, int, int)
            One entry per categorical field, in the order of the ``"cat"``
            output: its categories (object array, missing values left out),
            the id of each, the id of a missing value and the id of an unseen
            value. Empty with ``encoding="hash"``, which has no vocabulary.
        """
        if getattr(self, "encoding", "vocabulary") == "hash" or self.ordinal_ is None:
            return []
        tables = self.__dict__.get("_lookup_cache")
        if tables is None:
            tables = self._lookup_cache = self._build_lookup()
        out = []
        for index, ids, missing_id, unknown_id in tables:
            categories = np.asarray(index, dtype=object)
            present = ~_missing_mask(categories)
            ids = np.asarray(ids[: len(categories)], dtype=np.int64)
            out.append(
                (categories[present], ids[present], int(missing_id), int(unknown_id))
            )
        return out

    #: caches rebuilt on first use, left out of pickles and skfeat.io files
    _transient_attributes = (
        "_lookup_cache",
        "_bag_cache",
        "_codes_cache",
        "_fit_codes",
        "_fit_kinds",
    )

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


def _bag_cells(X, j):
    col = _column(X, j)
    if hasattr(col, "to_numpy"):
        return col.to_numpy(dtype=object)
    return np.asarray(col, dtype=object)


def _match_bag_kind(flat, fitted):
    """A bag's values as the kind ``fit`` saw, where one to one.

    Text cells split by the separator always give strings, so integer ids read
    from CSV match the integer ids of parquet lists (and the other way); the
    values of the other kind are converted one by one.
    """
    if fitted not in ("string", "integer") or not len(flat):
        return flat
    kind = _value_kind(flat)
    if kind in (fitted, "empty") or (fitted == "integer" and kind == "boolean"):
        return flat
    other = np.array(
        [
            not isinstance(v, str) if fitted == "string" else isinstance(v, str)
            for v in flat.tolist()
        ],
        dtype=bool,
    )
    other &= ~_missing_mask(flat)
    converted = _convert(flat[other], fitted)
    if converted is None:
        return flat
    out = flat.copy()
    out[other] = converted
    return out


def _count_threshold(min_frequency, n_rows):
    """``min_frequency`` as the count below which a value is rare (or None)."""
    if min_frequency is None:
        return None
    if isinstance(min_frequency, numbers.Integral):
        return int(min_frequency)
    return max(1, math.ceil(min_frequency * n_rows))


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


#: rows filled at a time by :func:`_fill_by_codes`: a block of the output stays
#: in cache while its columns are written
_FILL_BLOCK_ROWS = 8192


def _sorted_distinct(values):
    """``OrdinalEncoder``'s categories of a column of strings or integers, or None.

    The values sorted (``sorted``, as ``OrdinalEncoder`` sorts them), one NaN
    last if there is any, without its scan of every value for missing ones;
    None where the values are of another or of mixed kinds, hold None, or are
    all missing (``OrdinalEncoder`` decides those).
    """
    values = np.asarray(values, dtype=object)
    missing = _missing_mask(values)
    present = values[~missing]
    if not present.size or any(v is None for v in values[missing]):
        return None
    if pd.api.types.infer_dtype(present, skipna=False) not in ("string", "integer"):
        return None
    distinct = sorted(set(present.tolist()))
    out = np.empty(len(distinct) + bool(missing.any()), dtype=object)
    out[: len(distinct)] = distinct
    if missing.any():
        out[-1] = np.nan
    return out


class _Factorized(NamedTuple):
    """A column as codes into its distinct values (see ``_factorized``)."""

    codes: np.ndarray  # int32 or int64, -1 for a missing value
    distinct: np.ndarray  # object: Python str or int, none missing
    order: np.ndarray | None  # sorts ``distinct`` as ``sorted`` does, or None
    kind: str  # the distinct values' kind: "string" or "integer"


def _arrow_text_factorized(values, sort):
    """:class:`_Factorized` of an arrow-backed text array, by arrow itself.

    The codes are arrow's int32 indices as they are: pandas' ``factorize`` of
    the same column copies them twice (to writable int32, then int64), which
    is about a third of a million-row column's factorisation. The dictionary
    holds no missing value and only strings; arrow's sort of it is Python's
    order of ``str`` (UTF-8 byte order is code point order).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = values.__arrow_array__().dictionary_encode()
    if isinstance(encoded, pa.ChunkedArray):
        # one dictionary for all the chunks (arrow unifies them)
        encoded = (
            encoded.chunk(0) if encoded.num_chunks == 1 else encoded.combine_chunks()
        )
    if len(encoded.dictionary) == 0:
        return None  # only missing values: the general path
    indices = encoded.indices
    if indices.null_count:
        indices = pc.fill_null(indices, -1)
    order = None
    if sort:
        order = pc.array_sort_indices(encoded.dictionary).to_numpy().astype(np.intp)
    return _Factorized(
        indices.to_numpy(zero_copy_only=False),
        encoded.dictionary.to_numpy(zero_copy_only=False),
        order,
        "string",
    )


def _fill_by_codes(out, tabled):
    """``out[:, i] = table[codes]`` for each ``(i, table, codes)``.

    Block by block of rows: writing a whole column of a C-ordered table jumps a
    row's width at every value, several times slower for a million rows.
    """
    if not tabled:
        return
    for start in range(0, out.shape[0], _FILL_BLOCK_ROWS):
        block = out[start : start + _FILL_BLOCK_ROWS]
        stop = start + block.shape[0]
        for i, table, codes in tabled:
            block[:, i] = table[codes[start:stop]]
