"""Field encoders fitted on data spread over several processes.

Every process holds a shard of the rows. To encode its shard exactly as one
process holding all rows would, each process sends the *statistics* of its shard
(category counts per categorical field; count, mean and sum of squared deviations
per numeric field), every process merges them in the same order, and each builds
the same encoder. No row leaves its process.
"""

import math
import numbers

import numpy as np
import pandas as pd

from skfeat.models._fields import FieldEncoder


def local_field_stats(encoder, X):
    """Statistics of this shard that the merged encoder needs.

    ``encoder`` is an unfitted :class:`FieldEncoder` that knows which columns are
    categorical; ``X`` is the checked shard.
    """
    cat_cols = np.flatnonzero(encoder.categorical)
    num_cols = np.flatnonzero(~np.asarray(encoder.categorical, dtype=bool))
    stats = {"n_rows": int(X.shape[0]), "cat": [], "num": []}
    if cat_cols.size:
        values = encoder._categorical_part(X, cat_cols)
        for i in range(cat_cols.size):
            column = pd.Series(values[:, i], dtype=object)
            missing = column.isna()
            counts = column[~missing].value_counts(sort=False)
            stats["cat"].append(
                (list(zip(counts.index.tolist(), counts.tolist())), int(missing.sum()))
            )
    if num_cols.size:
        values = encoder._numeric_part(X, num_cols)
        for i in range(num_cols.size):
            col = values[:, i]
            col = col[~np.isnan(col)]
            n = int(col.size)
            mean = float(col.mean()) if n else 0.0
            m2 = float(((col - mean) ** 2).sum()) if n else 0.0
            stats["num"].append((n, mean, m2))
    return stats


def _merge_moments(a, b):
    # Chan et al.'s pairwise update of (count, mean, sum of squared deviations)
    n_a, mean_a, m2_a = a
    n_b, mean_b, m2_b = b
    n = n_a + n_b
    if n == 0:
        return (0, 0.0, 0.0)
    delta = mean_b - mean_a
    mean = mean_a + delta * n_b / n
    m2 = m2_a + m2_b + delta * delta * n_a * n_b / n
    return (n, mean, m2)


def _count_threshold(min_frequency, n_rows):
    """``min_frequency`` as the integer count below which a category is rare.

    A count ``c`` is below a real threshold ``t`` exactly when ``c < ceil(t)``,
    so a fraction of the rows becomes an equivalent integer.
    """
    if min_frequency is None:
        return None
    if isinstance(min_frequency, numbers.Integral):
        return int(min_frequency)
    return max(1, math.ceil(min_frequency * n_rows))


def merged_encoder(categorical, names, min_frequency, all_stats):
    """The :class:`FieldEncoder` that fitting on the union of the shards gives.

    Categorical fields: the encoder is fitted on a small stand-in column in which
    each category appears ``min(count, threshold)`` times (once without
    ``min_frequency``), which yields the same categories and the same rare ones;
    columns are padded with missing values, which take the reserved missing id
    either way. Numeric fields: the scaler's mean and variance are the pooled
    ones.
    """
    categorical = np.asarray(categorical, dtype=bool)
    n_rows = sum(s["n_rows"] for s in all_stats)
    threshold = _count_threshold(min_frequency, n_rows)
    cat_cols = np.flatnonzero(categorical)
    num_cols = np.flatnonzero(~categorical)

    columns = []
    for i in range(cat_cols.size):
        counts = {}
        missing = 0
        for stats in all_stats:
            pairs, n_missing = stats["cat"][i]
            missing += n_missing
            for value, count in pairs:
                counts[value] = counts.get(value, 0) + count
        repeats = [
            1 if threshold is None else min(c, threshold) for c in counts.values()
        ]
        column = np.repeat(np.array(list(counts), dtype=object), repeats)
        if missing:
            column = np.append(column, np.array([np.nan], dtype=object))
        columns.append(column)
    length = max([len(c) for c in columns] + [1])
    frame = {}
    for i, j in enumerate(cat_cols):
        column = np.full(length, np.nan, dtype=object)
        column[: len(columns[i])] = columns[i]
        frame[j] = column
    for j in num_cols:
        frame[j] = np.zeros(length)
    frame = pd.DataFrame({f"c{j}": frame[j] for j in range(categorical.size)})

    encoder = FieldEncoder(categorical, names, threshold).fit(frame)
    encoder.min_frequency = min_frequency
    if num_cols.size:
        moments = [(0, 0.0, 0.0)] * num_cols.size
        for stats in all_stats:
            moments = [_merge_moments(a, b) for a, b in zip(moments, stats["num"])]
        count = np.array([m[0] for m in moments], dtype=np.int64)
        mean = np.array([m[1] for m in moments])
        var = np.array([m[2] / m[0] if m[0] else 0.0 for m in moments])
        scale = np.sqrt(var)
        # scikit-learn's test for a constant feature, whose scale is set to 1
        eps = np.finfo(np.float64).eps
        constant = var <= count * eps * var + (count * mean * eps) ** 2
        constant |= scale < 10 * eps
        scale[constant] = 1.0
        scaler = encoder.scaler_
        scaler.mean_ = mean
        scaler.var_ = var
        scaler.scale_ = scale
        scaler.n_samples_seen_ = (
            int(count[0]) if np.all(count == count[0]) and count[0] == n_rows else count
        )
    return encoder
