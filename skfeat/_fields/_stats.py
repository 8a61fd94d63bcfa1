"""Mergeable statistics of a table, and the field encoder they give.

A fit that never holds all rows at once (from files, or one shard per process)
builds its :class:`~skfeat._fields.FieldEncoder` from statistics: each block of
rows updates a :class:`FieldStatistics`, statistics of different processes are
merged, and :meth:`FieldStatistics.to_encoder` gives the encoder that fitting on
all the rows in memory gives:

* value counts of every column that may be categorical (categorical dtypes, and
  integer columns, which the integer-code rule may read as ids), with missing
  counts: the same vocabulary, rare values and reserved ids as in memory;
* count, mean and sum of squared deviations of every numeric column, merged by
  Chan et al.'s pairwise update (numerically stable): the scaling of memory, up
  to float rounding;
* for ``numeric_bins``, a uniform sample of each numeric column (the values with
  the smallest random keys, which merges exactly); while a column holds at most
  ``sample_size`` values the sample is the whole column and its bins are those
  of memory;
* the target's labels (classifiers) or moments (regressors).
"""

import math
import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from skfeat._fields._bags import (
    resolve_multi_value_features,
    split_cells,
    value_counts,
)
from skfeat._fields._binning import NumericBinner
from skfeat._fields._encoder import _missing_mask
from skfeat._fields._kinds import ColumnProfile, dtype_categorical, integer_columns
from skfeat._fields._values import _is_arrow_text

#: values kept per numeric column for the quantile bins of ``numeric_bins``
SAMPLE_SIZE = 200_000


class FieldStatistics:
    """Statistics of a table's columns and target, updated block by block.

    Parameters
    ----------
    names : list of str
        Column names.
    feature_names : ndarray or None
        Names the estimator's options refer to (None for arrays).
    dtype_categorical, integer : ndarray of bool
        Columns with a categorical dtype, and integer (id candidate) columns.
    count_values : ndarray of bool
        Columns whose values are counted.
    sample : ndarray of bool
        Columns of which a uniform sample is kept (for quantile bins).
    classifier : bool or None
        Keep the target's labels (True), moments (False) or nothing (None).
    seed : int
        Seeds the sample's random keys.
    sample_size : int, default=SAMPLE_SIZE
    bags : list of dict, default=()
        Multi-value columns (see
        :func:`~skfeat._fields._bags.resolve_multi_value_features`): their
        values are counted over every bag, with the longest bag.
    """

    def __init__(
        self, names, feature_names, *, dtype_categorical, integer, count_values,
        sample, classifier, seed, sample_size=SAMPLE_SIZE, bags=(),
    ):  # fmt: skip
        self.names = list(names)
        self.feature_names = feature_names
        self.dtype_categorical = np.asarray(dtype_categorical, dtype=bool)
        self.integer = np.asarray(integer, dtype=bool)
        self.count_values = np.asarray(count_values, dtype=bool)
        self.sample = np.asarray(sample, dtype=bool)
        self.classifier = classifier
        self.seed = int(seed)
        self.sample_size = int(sample_size)
        n = len(self.names)
        self.n_rows = 0
        self.missing = np.zeros(n, dtype=np.int64)
        # missing rows of positive weight (all of them without weights)
        self.missing_kept = np.zeros(n, dtype=np.int64)
        self.counts = {int(j): [] for j in np.flatnonzero(self.count_values)}
        self.moments = {
            int(j): (0, 0.0, 0.0) for j in np.flatnonzero(~self.dtype_categorical)
        }
        self.samples = {
            int(j): (np.zeros(0), np.zeros(0)) for j in np.flatnonzero(self.sample)
        }
        self.labels = np.zeros(0, dtype=object)
        self.target_moments = (0, 0.0, 0.0)
        self._n_updates = 0
        self.bags = [dict(b) for b in bags]
        self.bag_counts = [[] for _ in self.bags]
        self.bag_longest = [0] * len(self.bags)
        for bag in self.bags:  # a bag column has no moments, sample or counts
            j = bag["column"]
            self.moments.pop(j, None)
            self.samples.pop(j, None)
            self.counts.pop(j, None)
            self.count_values[j] = False
            self.sample[j] = False

    @classmethod
    def for_frame(cls, X, names, feature_names, *, categorical_features,
                  encoding, numeric_bins, classifier, seed,
                  multi_value_features=None):  # fmt: skip
        """Empty statistics with the columns that ``X``'s layout calls for."""
        bags = resolve_multi_value_features(
            multi_value_features, X.shape[1], feature_names
        )
        dtype_cat = dtype_categorical(X)
        integer = integer_columns(X)
        n = X.shape[1]
        if categorical_features is None:
            may_be_categorical = np.zeros(n, dtype=bool)
        elif (
            isinstance(categorical_features, str)
            and categorical_features == "from_dtype"
        ):
            may_be_categorical = dtype_cat | integer
        else:  # "all" or an explicit list: any column may be
            may_be_categorical = np.ones(n, dtype=bool)
        if encoding == "hash":  # no vocabulary: only the integer-code rule counts
            may_be_categorical = may_be_categorical & integer
        sample = ~dtype_cat if numeric_bins is not None else np.zeros(n, dtype=bool)
        return cls(
            names, feature_names, dtype_categorical=dtype_cat, integer=integer,
            count_values=may_be_categorical, sample=sample, classifier=classifier,
            seed=seed, bags=bags,
        )  # fmt: skip

    # ------------------------------------------------------------- updating
    def update(self, X, y=None, sample_weight=None):
        """Add a block of rows (a DataFrame or array with the columns in order).

        With ``sample_weight`` (as a fit in memory weighs them): moments of the
        numeric columns and the target are weighted, and values seen only in
        rows of weight 0 are not counted (they are unknown to the encoder).
        Column kinds, samples for bins and class labels ignore the weights.
        """
        n = X.shape[0]
        self.n_rows += n
        w = None if sample_weight is None else np.asarray(sample_weight, float)
        kept = np.ones(n, dtype=bool) if w is None else w > 0
        in_bag = {bag["column"]: k for k, bag in enumerate(self.bags)}
        for j in range(len(self.names)):
            col = X.iloc[:, j] if hasattr(X, "iloc") else X[:, j]
            if j in in_bag:
                self._update_bag(in_bag[j], col, kept)
                continue
            if j in self.counts or self.dtype_categorical[j]:
                counted = None
                if j in self.counts and w is None:
                    counted = _arrow_text_counts(col)
                if counted is not None:
                    counts, n_missing = counted
                    self.missing[j] += n_missing
                    self.missing_kept[j] += n_missing
                else:
                    values = _as_objects(col)
                    missing = _missing_mask(values)
                    self.missing[j] += int(missing.sum())
                    self.missing_kept[j] += int((missing & kept).sum())
                    if j in self.counts:
                        counts = pd.Series(
                            values[~missing & kept], dtype=object
                        ).value_counts(sort=False)
                        counts = counts[counts.to_numpy() > 0]
                if j in self.counts:
                    self.counts[j].append(counts)
                    if len(self.counts[j]) > 16:
                        self.counts[j] = [_merge_counts(self.counts[j])]
                if self.dtype_categorical[j]:
                    continue
            values = _as_floats(col, self.names[j])
            has_value = ~np.isnan(values)
            present = values[has_value]
            if j not in self.counts:
                self.missing[j] += n - present.size
                self.missing_kept[j] += int((~has_value & kept).sum())
            self.moments[j] = merge_moments(
                self.moments[j],
                _moments(present, None if w is None else w[has_value]),
            )
            if j in self.samples:
                rng = np.random.default_rng([self.seed, j, self._n_updates])
                keys = rng.random(present.size)
                self.samples[j] = self._bottom(
                    (
                        np.concatenate([self.samples[j][0], keys]),
                        np.concatenate([self.samples[j][1], present]),
                    )  # fmt: skip
                )
        self._n_updates += 1
        if y is not None:
            self._update_target(np.asarray(y), w)
        return self

    def _update_bag(self, k, col, kept):
        bag = self.bags[k]
        cells = np.asarray(
            col.to_numpy(dtype=object) if hasattr(col, "to_numpy") else col,
            dtype=object,
        )
        lengths, flat = split_cells(cells, bag["sep"], bag["name"])
        if lengths.size:
            self.bag_longest[k] = max(self.bag_longest[k], int(lengths.max()))
        counts = value_counts(flat, np.repeat(kept, lengths))
        self.bag_counts[k].append(counts)
        if len(self.bag_counts[k]) > 16:
            self.bag_counts[k] = [_merge_counts(self.bag_counts[k])]

    def _update_target(self, y, sample_weight=None):
        if self.classifier:
            self.labels = _union(self.labels, pd.unique(y.ravel()))
        elif self.classifier is not None:
            yy = np.asarray(y, dtype=np.float64)
            self.target_moments = merge_moments(
                self.target_moments, _moments(yy, sample_weight)
            )

    def _bottom(self, keyed):
        keys, values = keyed
        if keys.size <= self.sample_size:
            return keys, values
        keep = np.argpartition(keys, self.sample_size)[: self.sample_size]
        return keys[keep], values[keep]

    def merge(self, other):
        """Add the statistics of other rows (another block, file or process)."""
        self.n_rows += other.n_rows
        self.missing = self.missing + other.missing
        self.missing_kept = self.missing_kept + other.missing_kept
        for j in self.counts:
            self.counts[j] = [_merge_counts(self.counts[j] + other.counts[j])]
        for j in self.moments:
            self.moments[j] = merge_moments(self.moments[j], other.moments[j])
        for j in self.samples:
            a, b = self.samples[j], other.samples[j]
            self.samples[j] = self._bottom(
                (np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]))
            )
        self.labels = _union(self.labels, other.labels)
        self.target_moments = merge_moments(self.target_moments, other.target_moments)
        for k in range(len(self.bags)):
            self.bag_counts[k] = [
                _merge_counts(self.bag_counts[k] + other.bag_counts[k])
            ]
            self.bag_longest[k] = max(self.bag_longest[k], other.bag_longest[k])
        return self

    # -------------------------------------------------------------- results
    def value_counts(self, j):
        """Counts of column ``j``'s values, a Series indexed by value."""
        self.counts[j] = [_merge_counts(self.counts[j])]
        return self.counts[j][0]

    def profile(self):
        """The :class:`ColumnProfile` the kind rule reads."""
        n = len(self.names)
        n_distinct = np.zeros(n, dtype=np.int64)
        n_present = np.zeros(n, dtype=np.int64)
        for j in np.flatnonzero(self.integer):
            if j in self.counts:
                n_distinct[j] = len(self.value_counts(int(j)))
            n_present[j] = self.n_rows - self.missing[j]
        return ColumnProfile(
            names=self.names,
            feature_names=self.feature_names,
            dtype_categorical=self.dtype_categorical,
            integer=self.integer & self.count_values,
            n_distinct=n_distinct,
            n_present=n_present,
        )

    def classes(self):
        """The target's labels, sorted."""
        return np.asarray(sorted(self.labels.tolist()))

    def target_scale(self):
        """``(mean, standard deviation)`` of the target (deviation 1 if constant)."""
        n, mean, m2 = self.target_moments
        std = math.sqrt(m2 / n) if n else 0.0
        return mean, (std if std > 0 else 1.0)

    def to_encoder(self, kinds, *, min_frequency, encoding, hash_buckets,
                   n_bins, max_categories=None):  # fmt: skip
        """The fitted :class:`FieldEncoder` of the rows seen, for ``kinds``.

        ``max_categories`` keeps the most frequent values of each field (ties:
        the smaller text first); the others map to the unknown id.
        """
        names = self.names
        encoder = kinds.new_encoder(
            names, min_frequency=min_frequency, encoding=encoding,
            hash_buckets=hash_buckets, n_bins=n_bins,
        )  # fmt: skip
        binner = None
        if kinds.binned.any():
            cols = np.flatnonzero(kinds.binned)
            width = max(self.samples[int(j)][1].size for j in cols)
            table = np.full((max(width, 1), len(names)), np.nan)
            for j in cols:
                values = self.samples[int(j)][1]
                table[: values.size, j] = values
            binner = NumericBinner(cols, int(n_bins), names).fit(table)
        encoded_cat = (kinds.categorical | kinds.binned) & ~kinds.vector
        cat_cols = np.flatnonzero(encoded_cat)
        columns = {}
        if encoding != "hash":
            threshold = _count_threshold(min_frequency, self.n_rows)
            for j in cat_cols:
                counts, n_missing = self._field_counts(int(j), binner)
                if max_categories is not None or threshold is None:
                    kept = _keep(counts, None, self.n_rows, max_categories)
                    counts = counts.loc[kept] if max_categories is not None else counts
                values = np.asarray(counts.index.tolist() + [None], dtype=object)[:-1]
                if threshold is None:
                    repeats = np.ones(len(values), dtype=np.int64)
                else:
                    repeats = np.minimum(counts.to_numpy(), threshold)
                column = np.repeat(values, repeats)
                if n_missing:
                    n_nan = 1 if threshold is None else min(n_missing, threshold)
                    column = np.append(column, np.full(n_nan, np.nan, dtype=object))
                columns[int(j)] = column
        # a one-row layout (the hashed fit reads its columns' kinds from it)
        frame = pd.DataFrame(
            {
                f"c{j}": (
                    np.array(["a"], dtype=object) if encoded_cat[j] else np.zeros(1)
                )
                for j in range(len(names))
            }
        )
        threshold = _count_threshold(min_frequency, self.n_rows)
        # the stand-in frame already holds bin ids: fit without binning
        fitted = type(encoder)(
            encoder.categorical, names, threshold, encoding=encoding,
            hash_buckets=hash_buckets, vector_groups=encoder.vector_groups,
            bag_groups=encoder.bag_groups,
        )  # fmt: skip
        bag_counts = [_merge_counts(c) for c in self.bag_counts]
        if self.bags:  # before the fit below (its schema reads them) and after
            fitted.set_bag_counts(bag_counts, self.bag_longest, self.n_rows)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if encoding == "hash" or not cat_cols.size:
                fitted.fit(frame)
            elif threshold is None:
                fitted.fit_categories(
                    frame.iloc[:1], [columns[int(j)] for j in cat_cols]
                )
            else:
                ordinals = []
                for j in cat_cols:
                    column = np.asarray(columns[int(j)], dtype=object)[:, None]
                    if not len(column):
                        column = np.array([["__skfeat_empty__"]], dtype=object)
                    ordinals.append(fitted._new_ordinal().fit(column))
                fitted.fit_column_encoders(frame.iloc[:1], ordinals)
        fitted.min_frequency = min_frequency
        if self.bags:
            fitted.set_bag_counts(bag_counts, self.bag_longest, self.n_rows)
        fitted.binned = encoder.binned
        fitted.n_bins = encoder.n_bins
        fitted.binner_ = binner
        _, num_cols, vec_cols = fitted._column_kinds()
        if num_cols.size:
            fitted.scaler_ = self._scaler(num_cols)
        if vec_cols.size:
            fitted.vector_scaler_ = self._scaler(vec_cols)
        return fitted

    def _field_counts(self, j, binner):
        """Counts and missing rows of categorical (or binned) column ``j``."""
        n_missing = int(self.missing_kept[j])
        if binner is None or j not in binner.columns:
            return self.value_counts(j), n_missing
        values = self.samples[j][1]
        where = int(np.flatnonzero(np.asarray(binner.columns) == j)[0])
        ids = NumericBinner._bin(values, binner.edges_[where])
        counts = pd.Series(ids, dtype=object).value_counts(sort=False)
        present = self.n_rows - n_missing
        if values.size and values.size < present:  # a sample: scale to the rows
            counts = (counts * (present / values.size)).round().astype(np.int64)
        return counts, n_missing

    def _scaler(self, cols):
        """A fitted ``StandardScaler`` with the merged moments of ``cols``."""
        moments = [self.moments[int(j)] for j in cols]
        count = np.array([m[0] for m in moments], dtype=np.float64)
        mean = np.array([m[1] for m in moments])
        var = np.array([m[2] / m[0] if m[0] else 0.0 for m in moments])
        scale = np.sqrt(var)
        # scikit-learn's test for a constant feature, whose scale is set to 1
        eps = np.finfo(np.float64).eps
        constant = var <= count * eps * var + (count * mean * eps) ** 2
        constant |= scale < 10 * eps
        scale[constant] = 1.0
        scaler = StandardScaler()
        scaler.mean_ = mean
        scaler.var_ = var
        scaler.scale_ = scale
        scaler.n_features_in_ = len(cols)
        scaler.n_samples_seen_ = (
            int(count[0])
            if np.all(count == count[0]) and count[0] == self.n_rows
            else count
        )
        return scaler


def _moments(values, weights=None):
    """``(count, mean, sum of squared deviations)`` of ``values``; with
    ``weights`` the count is their sum and both sums are weighted."""
    if weights is None:
        if not values.size:
            return (0, 0.0, 0.0)
        mean = float(values.mean())
        return (int(values.size), mean, float(((values - mean) ** 2).sum()))
    total = float(weights.sum())
    if total <= 0:
        return (0, 0.0, 0.0)
    mean = float(np.average(values, weights=weights))
    return (total, mean, float((weights * (values - mean) ** 2).sum()))


def merge_moments(a, b):
    """Chan et al.'s pairwise update of ``(count, mean, sum of squared deviations)``."""
    n_a, mean_a, m2_a = a
    n_b, mean_b, m2_b = b
    n = n_a + n_b
    if n == 0:
        return (0, 0.0, 0.0)
    delta = mean_b - mean_a
    mean = mean_a + delta * n_b / n
    m2 = m2_a + m2_b + delta * delta * n_a * n_b / n
    return (n, mean, m2)


def _arrow_text_counts(col):
    """``(counts of the present values, number of missing)`` of an arrow text
    column, counted by arrow; None for any other column.

    The counts are those of ``value_counts(sort=False)`` over the column's
    values as Python objects (the same values, in order of first appearance),
    without building the objects of every row.
    """
    if not _is_arrow_text(getattr(col, "dtype", None)):
        return None
    import pyarrow.compute as pc

    data = col.array.__arrow_array__()
    counted = pc.value_counts(data)
    values, counts = counted.field("values"), counted.field("counts")
    if values.null_count:
        present = values.is_valid()
        values, counts = values.filter(present), counts.filter(present)
    index = pd.Index(values.to_numpy(zero_copy_only=False), dtype=object)
    series = pd.Series(
        counts.to_numpy().astype(np.int64), index=index, name="count"
    )
    return series, int(data.null_count)


def _as_objects(col):
    """Values as an object array, pandas' missing values as NaN (as in memory)."""
    values = (
        col.to_numpy(dtype=object, copy=True)
        if hasattr(col, "to_numpy")
        else (np.array(col, dtype=object))
    )
    values[_missing_mask(values)] = np.nan
    return values


def _as_floats(col, name):
    try:
        if hasattr(col, "to_numpy"):
            values = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = np.asarray(col, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Column {name!r} is treated as numeric but holds non-numeric values. "
            "List it in categorical_features to treat it as categorical."
        ) from exc
    if np.isinf(values).any():
        raise ValueError(
            f"Input X contains infinity in column {name!r}; only NaN is accepted "
            "as a missing value."
        )
    return values


def _merge_counts(parts):
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.Series([], dtype=np.int64)
    if len(parts) == 1:
        return parts[0].astype(np.int64)
    both = pd.concat(parts)
    return both.groupby(level=0, sort=False).sum().astype(np.int64)


def _union(a, b):
    both = np.concatenate([np.asarray(a, dtype=object), np.asarray(b, dtype=object)])
    return np.asarray(pd.unique(both), dtype=object)


def _count_threshold(min_frequency, n_rows):
    """``min_frequency`` as the integer count below which a value is rare.

    A count ``c`` is below a real threshold ``t`` exactly when ``c < ceil(t)``,
    so a fraction of the rows becomes an equivalent integer.
    """
    if min_frequency is None:
        return None
    if isinstance(min_frequency, numbers.Integral):
        return int(min_frequency)
    return max(1, math.ceil(min_frequency * n_rows))


def _keep(counts, min_frequency, n_rows, max_categories):
    """Values kept in the vocabulary: at least ``min_frequency`` rows, and the
    ``max_categories`` most frequent (ties: the smaller text first)."""
    values = counts.index
    c = counts.to_numpy()
    if min_frequency is not None:
        least = min_frequency if min_frequency >= 1 else min_frequency * n_rows
        values, c = values[c >= least], c[c >= least]
    if max_categories is not None and len(c) > max_categories:
        k = int(max_categories)
        kth = np.partition(c, len(c) - k)[len(c) - k]  # the k-th largest count
        sure = c > kth
        tied = np.flatnonzero(c == kth)
        need = k - int(sure.sum())
        text = np.array([str(v) for v in values[tied].tolist()])
        chosen = tied[np.argsort(text, kind="stable")[:need]]
        keep = np.flatnonzero(sure)
        values = values[np.sort(np.concatenate([keep, chosen]))]
    return values.tolist()
