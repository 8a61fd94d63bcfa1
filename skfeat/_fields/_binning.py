"""Quantile binning of numeric columns into embedded categorical fields.

A numeric field enters FM-style models through ``value * embedding`` and a linear
weight: one slope per field, so a U-shaped effect cannot be fitted and one
outlying value reaches an outlying logit. ``numeric_bins=k`` instead cuts each
numeric column at its training quantiles into at most ``k`` bins and embeds the
bin id like a category (the discretisation FuxiCTR/BARS configs and the
"embeddings for numerical features" literature use): any monotone or non-monotone
effect is learnt, and an outlier falls into the last bin.
"""

import numpy as np


class NumericBinner:
    """Replace the chosen numeric columns by their quantile-bin index.

    Parameters
    ----------
    columns : ndarray of int
        Input columns to bin.
    n_bins : int
        Most bins per column (fewer when the column has fewer distinct values).
    names : list of str
        Column names, for error messages.
    """

    def __init__(self, columns, n_bins, names):
        self.columns = columns
        self.n_bins = n_bins
        self.names = names

    def fit(self, X):
        self.edges_ = []
        quantiles = np.linspace(0, 1, self.n_bins + 1)[1:-1]
        for j in self.columns:
            values = self._values(X, j)
            values = values[~np.isnan(values)]
            if values.size == 0:
                self.edges_.append(np.array([]))
                continue
            distinct = np.unique(values)
            if distinct.size <= self.n_bins:  # one bin per value: midpoints
                edges = (distinct[1:] + distinct[:-1]) / 2
            else:
                edges = np.unique(np.quantile(values, quantiles))
            self.edges_.append(edges)
        return self

    def transform(self, X):
        """A copy of ``X`` whose binned columns hold bin ids (float, NaN kept)."""
        if hasattr(X, "iloc"):
            out = X.copy()
            for edges, j in zip(self.edges_, self.columns):
                out.isetitem(j, self._bin(self._values(X, j), edges))
            return out
        out = np.array(X, dtype=object if X.dtype == object else np.float64)
        for edges, j in zip(self.edges_, self.columns):
            out[:, j] = self._bin(self._values(X, j), edges)
        return out

    @staticmethod
    def _bin(values, edges):
        ids = np.searchsorted(edges, values, side="right").astype(np.float64)
        ids[np.isnan(values)] = np.nan
        return ids

    def _values(self, X, j):
        col = X.iloc[:, j] if hasattr(X, "iloc") else X[:, j]
        try:
            if hasattr(col, "to_numpy"):
                return col.to_numpy(dtype=np.float64, na_value=np.nan)
            return np.asarray(col, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Column {self.names[j]!r} is treated as numeric but holds "
                "non-numeric values. List it in categorical_features to treat it "
                "as categorical."
            ) from exc
