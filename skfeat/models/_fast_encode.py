"""A per-row fast path for :class:`~skfeat.models._fields.FieldEncoder`.

A serving call predicts one row (or a few). ``FieldEncoder.transform`` goes
through pandas ``astype``/``where`` per column and scikit-learn's
``OrdinalEncoder`` and ``StandardScaler`` input checks, which cost far more than
the model for a handful of rows. :class:`FastFieldEncoder` gives the same ids
and values from dict look-ups built once from the fitted encoder; any value it is
not sure about (non-numeric text in a numeric column, infinity) sends the call
back to the full encoder, which raises its usual error.
"""

import numpy as np
import pandas as pd

from skfeat.models._fields import MISSING_ID, N_RESERVED_IDS, UNKNOWN_ID

#: inputs with at most this many rows use the fast path
FAST_PATH_MAX_ROWS = 64


class FastFieldEncoder:
    """Dict-based encoding equal to ``encoder.transform`` (ids and values)."""

    def __init__(self, encoder):
        self.encoder = encoder
        self.cat_cols = np.flatnonzero(encoder.categorical)
        self.num_cols = np.flatnonzero(~np.asarray(encoder.categorical))
        self.tables = []
        self.missing_ids = []
        if self.cat_cols.size:
            ordinal = encoder.ordinal_
            cats = ordinal.categories_
            longest = max(len(c) for c in cats)
            # every category of every column, padded with the column's first one,
            # encoded once by the fitted OrdinalEncoder: its ids are the truth
            grid = np.empty((longest, len(cats)), dtype=object)
            for j, c in enumerate(cats):
                values = list(c) + [c[0]] * (longest - len(c))
                grid[:, j] = values
            codes = ordinal.transform(grid) + N_RESERVED_IDS
            for j, c in enumerate(cats):
                table = {}
                for i, value in enumerate(c):
                    if not _is_missing(value):
                        table[value] = int(codes[i, j])
                self.tables.append(table)
                # as OrdinalEncoder: a missing value never seen in fit is unknown
                seen = len(c) > 0 and _is_missing(c[-1])
                self.missing_ids.append(MISSING_ID if seen else UNKNOWN_ID)
        if self.num_cols.size:
            self.mean = encoder.scaler_.mean_
            self.scale = encoder.scaler_.scale_

    def transform(self, X):
        n = X.shape[0]
        frame = hasattr(X, "iloc")
        cat = np.zeros((n, self.cat_cols.size), dtype=np.int64)
        for k, j in enumerate(self.cat_cols):
            table, missing_id = self.tables[k], self.missing_ids[k]
            col = X.iloc[:, j].tolist() if frame else X[:, j].tolist()
            for i, value in enumerate(col):
                if _is_missing(value):
                    cat[i, k] = missing_id
                else:
                    try:
                        cat[i, k] = table.get(value, UNKNOWN_ID)
                    except TypeError:  # unhashable: let the full path decide
                        return self.encoder.transform(X)
        num = np.zeros((n, self.num_cols.size), dtype=np.float64)
        for k, j in enumerate(self.num_cols):
            col = X.iloc[:, j] if frame else X[:, j]
            try:
                if hasattr(col, "to_numpy"):
                    num[:, k] = col.to_numpy(dtype=np.float64, na_value=np.nan)
                else:
                    num[:, k] = np.asarray(col, dtype=np.float64)
            except (TypeError, ValueError):
                return self.encoder.transform(X)  # raises the usual message
        if self.num_cols.size:
            if np.isinf(num).any():
                return self.encoder.transform(X)
            num = (num - self.mean) / self.scale
            num = np.nan_to_num(num, nan=0.0).astype(np.float32)
        else:
            num = num.astype(np.float32)
        return {"cat": cat, "num": num}


def _is_missing(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(value != value)  # NaN, float or numpy
    except (TypeError, ValueError):
        return False
