"""Explicit crosses of categorical columns, by vocabulary or by hashing."""

from itertools import combinations
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import murmurhash3_32
from sklearn.utils.validation import check_is_fitted

from skfeat.preprocessing._utils import check_table, column_names, column_values
from skfeat.utils._sklearn_compat import (
    Interval,
    StrOptions,
    _align_api_if_sparse,
    _check_feature_names_in,
    _fit_context,
)

CROSS_SEPARATOR = "__x__"
#: code of the reserved "other" entry of every cross in vocabulary mode
OTHER_CODE = 0
_MAX_KEY = 2**62


def _token(value):
    """The string a cell value is compared (and hashed) by; missing -> "nan"."""
    try:
        if pd.isna(value):
            return "nan"
    except (TypeError, ValueError):  # array-like cells
        pass
    return str(value)


def _unique_names(names):
    """``names`` with each repeat suffixed ``__2``, ``__3``, ... (never a name
    already taken), so that output columns can be told apart."""
    taken = set(names)
    seen = set()
    out = []
    for name in names:
        if name in seen:
            k = 2
            while f"{name}__{k}" in taken:
                k += 1
            name = f"{name}__{k}"
            taken.add(name)
        seen.add(name)
        out.append(name)
    return out


def factorize_column(col):
    """Row codes and the distinct string tokens of one column.

    Cells are compared by their string form, so that the same value read as
    object, string or category gives the same token (and the same hash in every
    process). Returns ``(codes, tokens)`` with ``tokens[codes[r]]`` the token of
    row ``r``.
    """
    if isinstance(getattr(col, "dtype", None), pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy().astype(np.int64)
        uniques = np.append(col.cat.categories.to_numpy(dtype=object), np.nan)
        codes = np.where(codes < 0, len(uniques) - 1, codes)
    else:
        values = col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
        except TypeError:  # unhashable cells: compare their string forms
            values = np.array([_token(v) for v in values], dtype=object)
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
        codes = np.asarray(codes, dtype=np.int64)
    tokens = np.array([_token(v) for v in uniques], dtype=object)
    # distinct values may share a string form (1 and "1", None and NaN): merge them
    merged, tokens = pd.factorize(tokens)
    return merged[codes].astype(np.int64), np.asarray(tokens, dtype=object)


def _compress(keys, codes, card):
    """Combine running keys with one more column into compact keys (< n rows)."""
    combined = keys * card + codes
    _, inverse = np.unique(combined, return_inverse=True)
    return inverse.astype(np.int64).ravel()


class FeatureCrosser(TransformerMixin, BaseEstimator):
    """Explicit crosses of categorical columns, as one-hot columns or codes.

    Every input column is read as categorical: a cell is compared by its string
    form (``1.0`` and ``"1.0"`` match, ``1`` and ``1.0`` do not), and missing
    values (NaN, None) form their own category ``"nan"``. Bin numeric columns
    first (e.g. with :class:`~sklearn.preprocessing.KBinsDiscretizer`) when they
    hold many distinct values.

    A cross of columns ``(a, b)`` takes the value ``(x_a, x_b)``. With
    ``n_bins=None`` the crosses seen in ``fit`` form a vocabulary, and a cross
    never seen (or seen fewer than ``min_frequency`` times) maps to a reserved
    "other" entry. With an integer ``n_bins`` the token ``"a=x_a|b=x_b"`` is hashed
    with scikit-learn's ``murmurhash3_32`` (seed 0) into ``n_bins`` buckets: no
    vocabulary is kept, every combination, seen or not, lands in its bucket, and
    the output is identical in every process (Python's ``hash`` is salted per
    process and is never used).

    Parameters
    ----------
    interactions : "all_pairs", int or list of tuples, default="all_pairs"
        Which columns to cross. ``"all_pairs"``: every pair of columns; an int
        ``d >= 2``: every combination of 2 to ``d`` columns (like
        ``PolynomialFeatures(interaction_only=True)``); a list of tuples of
        column names or indices, each of at least two distinct columns and each
        set of columns once.
    n_bins : int or None, default=None
        ``None``: exact vocabulary. An int: hash every cross into this many
        buckets (per cross).
    output : {"onehot", "codes"}, default="onehot"
        ``"onehot"``: a sparse CSR matrix with one block of columns per cross
        (vocabulary mode: the "other" column first, then the seen combinations;
        hashing: ``n_bins`` columns). ``"codes"``: an int64 array with one column
        per cross (vocabulary mode: 0 for "other", then ``1, 2, ...``; hashing:
        the bucket in ``[0, n_bins)``); it works with
        ``set_output(transform="pandas")``.
    min_frequency : int or None, default=None
        Vocabulary mode only (ignored when hashing): combinations seen fewer
        times in ``fit`` map to "other".

    Attributes
    ----------
    crosses_ : list of tuple of int
        The crossed column indices, in output order.
    cross_names_ : list of str
        Name of each cross, its column names joined by ``"__x__"``
        (e.g. ``"user__x__item"``); a repeated name gets the suffix ``"__2"``.
    categories_ : list of ndarray or None
        Vocabulary mode: for each input column, its sorted string tokens seen in
        ``fit``; ``None`` when hashing.
    vocabularies_ : list of ndarray or None
        Vocabulary mode: for each cross, the sorted int64 keys of its kept
        combinations (mixed-radix codes into ``categories_``); code ``c >= 1`` of
        the output is ``vocabularies_[cross][c - 1]``. ``None`` when hashing.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when X was a DataFrame.

    See Also
    --------
    InteractionSelector : Crosses only the pairs an FM finds important.
    sklearn.preprocessing.PolynomialFeatures : Products of numeric columns.
    sklearn.feature_extraction.FeatureHasher : The hashing trick for features.

    Notes
    -----
    ``m`` columns give ``m (m - 1) / 2`` pairs. With hashing, the expected share
    of colliding combinations in a cross is about ``n_unique / n_bins``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skfeat.preprocessing import FeatureCrosser
    >>> X = pd.DataFrame({"user": ["u1", "u2", "u1"], "item": ["a", "a", "b"],
    ...                   "hour": ["9", "9", "21"]})
    >>> crosser = FeatureCrosser([("user", "item")]).fit(X)
    >>> crosser.get_feature_names_out()
    array(['user__x__item_other', 'user__x__item_u1_a', 'user__x__item_u1_b',
           'user__x__item_u2_a'], dtype=object)
    >>> crosser.transform(pd.DataFrame({"user": ["u2", "u3"], "item": ["a", "a"],
    ...                                 "hour": ["9", "9"]})).toarray()
    array([[0., 0., 0., 1.],
           [1., 0., 0., 0.]])
    >>> codes = FeatureCrosser(n_bins=16, output="codes").set_output(
    ...     transform="pandas")
    >>> codes.fit_transform(X).columns.tolist()
    ['user__x__item', 'user__x__hour', 'item__x__hour']
    """

    _parameter_constraints: dict = {
        "interactions": [
            StrOptions({"all_pairs"}),
            Interval(Integral, 2, None, closed="left"),
            list,
            tuple,
        ],
        "n_bins": [Interval(Integral, 1, None, closed="left"), None],
        "output": [StrOptions({"onehot", "codes"})],
        "min_frequency": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        interactions="all_pairs",
        *,
        n_bins=None,
        output="onehot",
        min_frequency=None,
    ):
        self.interactions = interactions
        self.n_bins = n_bins
        self.output = output
        self.min_frequency = min_frequency

    # --------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find the crosses and, without hashing, their vocabularies.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)
            Every column is read as categorical.
        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        X = check_table(self, X, reset=True)
        names = column_names(self)
        self.crosses_ = self._resolve_crosses(names)
        self.cross_names_ = _unique_names(
            [CROSS_SEPARATOR.join(names[j] for j in cross) for cross in self.crosses_]
        )
        if self.n_bins is not None:
            self.categories_ = None
            self.vocabularies_ = None
            return self

        used = sorted({j for cross in self.crosses_ for j in cross})
        self.categories_ = [None] * self.n_features_in_
        codes = {}
        for j in used:
            row_codes, tokens = factorize_column(column_values(X, j))
            order = np.argsort(tokens.astype(str), kind="stable")
            rank = np.empty_like(order)
            rank[order] = np.arange(order.size)
            self.categories_[j] = tokens[order]
            codes[j] = rank[row_codes]
        self.vocabularies_ = []
        for cross in self.crosses_:
            keys = self._mixed_radix(cross, codes)
            uniq, counts = np.unique(keys, return_counts=True)
            if self.min_frequency is not None:
                uniq = uniq[counts >= self.min_frequency]
            self.vocabularies_.append(uniq)
        return self

    def _resolve_crosses(self, names):
        m = self.n_features_in_
        spec = self.interactions
        if isinstance(spec, str) or isinstance(spec, Integral):
            if m < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 columns to cross, got "
                    f"{m} feature(s)."
                )
            degree = 2 if isinstance(spec, str) else int(spec)
            return [
                c
                for size in range(2, min(degree, m) + 1)
                for c in combinations(range(m), size)
            ]
        crosses = []
        for item in spec:
            if isinstance(item, (str, bytes)) or not hasattr(item, "__len__"):
                raise ValueError(
                    "interactions must be 'all_pairs', an int degree or a list of "
                    f"tuples of columns, got the entry {item!r}."
                )
            cross = tuple(self._column_index(col, names) for col in item)
            if len(cross) < 2 or len(set(cross)) != len(cross):
                raise ValueError(
                    "every cross in interactions needs at least two distinct "
                    f"columns, got {tuple(item)!r}."
                )
            if set(cross) in [set(c) for c in crosses]:
                raise ValueError(
                    f"interactions lists the cross of {tuple(item)!r} twice."
                )
            crosses.append(cross)
        return crosses

    def _column_index(self, col, names):
        if isinstance(col, str):
            if not hasattr(self, "feature_names_in_"):
                raise ValueError(
                    f"interactions names column {col!r}, but X has no column "
                    "names; pass a DataFrame or use column indices."
                )
            if col not in names:
                raise ValueError(
                    f"interactions names column {col!r}, which is not a column of "
                    f"X (columns: {names})."
                )
            return names.index(col)
        if isinstance(col, Integral) and not isinstance(col, bool):
            if not -self.n_features_in_ <= col < self.n_features_in_:
                raise ValueError(
                    f"interactions holds column index {col}, out of range for X "
                    f"with {self.n_features_in_} columns."
                )
            return int(col) % self.n_features_in_
        raise TypeError(
            "interactions must hold column names (str) or indices (int), got "
            f"{col!r} of type {type(col).__name__}."
        )

    def _mixed_radix(self, cross, codes):
        """Stable int64 key of each row's combination (codes must be >= 0)."""
        cards = [len(self.categories_[j]) for j in cross]
        if np.prod([float(c) for c in cards]) >= _MAX_KEY:
            raise ValueError(
                f"The cross {self.cross_names_[self.crosses_.index(cross)]!r} has "
                "too many possible combinations for a vocabulary; use hashing "
                "(n_bins=...)."
            )
        keys = np.zeros_like(codes[cross[0]])
        for j, card in zip(cross, cards):
            keys = keys * card + codes[j]
        return keys

    # ----------------------------------------------------------- transforming
    def transform(self, X):
        """Cross the columns of ``X``.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)

        Returns
        -------
        X_out : sparse matrix of shape (n_samples, n_output_columns) or ndarray \
of shape (n_samples, n_crosses)
            One-hot CSR matrix (float64) or int64 codes, see ``output``.
        """
        check_is_fitted(self)
        X = check_table(self, X, reset=False)
        codes = self._transform_codes(X)
        if self.output == "codes":
            return codes
        widths = self._block_widths()
        offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
        n, n_crosses = codes.shape
        indices = (codes + offsets).ravel()
        indptr = np.arange(n + 1, dtype=np.int64) * n_crosses
        data = np.ones(indices.size, dtype=np.float64)
        out = sp.csr_matrix((data, indices, indptr), shape=(n, int(np.sum(widths))))
        return _align_api_if_sparse(out)

    def _transform_codes(self, X):
        n = X.shape[0]
        used = sorted({j for cross in self.crosses_ for j in cross})
        columns = {j: factorize_column(column_values(X, j)) for j in used}
        out = np.zeros((n, len(self.crosses_)), dtype=np.int64)
        if self.n_bins is None:
            codes = {}
            for j in used:
                row_codes, tokens = columns[j]
                known = pd.Index(self.categories_[j].astype(str))
                codes[j] = known.get_indexer(tokens.astype(str))[row_codes]
            for c, cross in enumerate(self.crosses_):
                seen = np.all([codes[j] >= 0 for j in cross], axis=0)
                keys = self._mixed_radix(
                    cross, {j: np.maximum(codes[j], 0) for j in cross}
                )
                vocab = self.vocabularies_[c]
                pos = np.searchsorted(vocab, keys)
                found = seen & (pos < vocab.size)
                found[found] = vocab[pos[found]] == keys[found]
                out[:, c] = np.where(found, pos + 1, OTHER_CODE)
            return out
        names = column_names(self)
        for c, cross in enumerate(self.crosses_):
            keys = np.zeros(n, dtype=np.int64)
            for j in cross:
                row_codes, tokens = columns[j]
                keys = _compress(keys, row_codes, len(tokens))
            first = np.unique(keys, return_index=True)[1]
            buckets = np.empty(first.size, dtype=np.int64)
            for u, r in enumerate(first):
                token = "|".join(
                    f"{names[j]}={columns[j][1][columns[j][0][r]]}" for j in cross
                )
                buckets[u] = murmurhash3_32(token, seed=0, positive=True) % self.n_bins
            out[:, c] = buckets[keys]
        return out

    def _block_widths(self):
        if self.n_bins is not None:
            return [int(self.n_bins)] * len(self.crosses_)
        return [1 + v.size for v in self.vocabularies_]

    # ------------------------------------------------------------------ names
    def get_feature_names_out(self, input_features=None):
        """Get the names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; defaults to ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            Codes: the cross names (``"a__x__b"``). One-hot: ``"a__x__b_other"``
            then ``"a__x__b_<value of a>_<value of b>"`` for each kept
            combination (vocabulary) or ``"a__x__b_h<bucket>"`` (hashing). A name
            that would repeat an earlier one (values or column names holding
            ``"_"`` or ``"__x__"``) gets the suffix ``"__2"``, ``"__3"``, ...
        """
        check_is_fitted(self)
        names = [str(n) for n in _check_feature_names_in(self, input_features)]
        cross_names = _unique_names(
            [CROSS_SEPARATOR.join(names[j] for j in c) for c in self.crosses_]
        )
        if self.output == "codes":
            return np.asarray(cross_names, dtype=object)
        out = []
        for c, (cross, name) in enumerate(zip(self.crosses_, cross_names)):
            if self.n_bins is not None:
                out.extend(f"{name}_h{b}" for b in range(self.n_bins))
                continue
            out.append(f"{name}_other")
            keys = self.vocabularies_[c]
            parts = []
            for j in reversed(cross):
                card = len(self.categories_[j])
                parts.append(self.categories_[j][keys % card].astype(str))
                keys = keys // card
            parts.reverse()
            combos = parts[0]
            for part in parts[1:]:
                combos = np.char.add(np.char.add(combos.astype(str), "_"), part)
            out.extend(f"{name}_{v}" for v in combos.tolist())
        return np.asarray(_unique_names(out), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        # the output dtype is fixed (float64 one-hot or int64 codes), not the input's
        tags.transformer_tags.preserves_dtype = []
        return tags
