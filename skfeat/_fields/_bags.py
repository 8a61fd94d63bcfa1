"""Multi-value and sequence columns: one field holding a bag of ids per row.

A *bag column* (``multi_value_features``) holds, per row, several values of one
vocabulary: a movie's genres, an ad's keywords, or a user's recent items (a
*sequence*, most recent last). A cell is a list, tuple or array of values, or a
text of values joined by the column's separator (``"Drama|Comedy"``, as CSV
files hold them). The rules, shared by every fit path:

* each value gets an id of the bag's vocabulary, with the reserved ids of every
  categorical field: a missing cell (NaN, None) is a bag of one missing id (0); a
  missing value inside a list is the missing id; a value never seen in ``fit`` is
  the unknown id (1); with ``min_frequency`` the rare values share one id;
* an empty list (or an empty text) is a bag of no id, which the model pools to a
  zero vector;
* a scalar cell (a number, or a text without the separator) is a bag of one value;
* a bag keeps its last ``max_length`` values (the most recent ones of a sequence);
* a bag with a ``target`` column shares that categorical column's vocabulary
  and embedding rows (a history of items and the item to score).

The encoded bags of a row come out side by side, each padded to its
``max_length`` with ``-1`` (see :func:`pad_last`).
"""

import itertools
import numbers
import warnings

import numpy as np
import pandas as pd

from skfeat._fields._columns import column_index
from skfeat._fields._ids import N_RESERVED_IDS

#: pooling of a bag's embeddings: mean, sum, elementwise max, or attention to the
#: target column's embedding (a DIN local activation unit)
POOLINGS = ("mean", "sum", "max", "attention")

#: options of one bag column in ``multi_value_features``
BAG_OPTIONS = ("sep", "pooling", "max_length", "target")

#: a bag longer than this in ``fit`` with ``max_length=None`` is cut to it, with a
#: warning: the padded width is paid by every row
MAX_DEFAULT_LENGTH = 256

#: separators looked for when no text cell holds the given one
_OTHER_SEPARATORS = ("|", ",", ";", "\t", " ")


def resolve_multi_value_features(spec, n_features, feature_names):
    """Check ``multi_value_features``; return one options dict per bag column.

    Parameters
    ----------
    spec : None, list or dict
        ``None``; a list of column names or indices (default options); or a dict
        from a column name or index to its options (a dict, or None).
    n_features : int
        Number of input columns.
    feature_names : ndarray or None
        Column names (None for arrays).

    Returns
    -------
    bags : list of dict
        Keys ``name``, ``column`` (index), ``sep``, ``pooling``, ``max_length``
        and ``target`` (a column index or None), sorted by column.
    """
    if spec is None:
        return []
    if isinstance(spec, str) or not isinstance(spec, dict | list | tuple):
        raise TypeError(
            "multi_value_features must be a list of column names or a dict mapping "
            f"a column name to its options, got {type(spec).__name__}."
        )
    items = spec.items() if isinstance(spec, dict) else [(c, None) for c in spec]
    names = None if feature_names is None else [str(c) for c in feature_names]
    bags = {}
    for column, options in items:
        j = column_index(column, n_features, names, "multi_value_features")
        where = f"multi_value_features[{column!r}]"
        if j in bags:
            raise ValueError(f"{where}: column listed twice.")
        options = {} if options is None else options
        if not isinstance(options, dict):
            raise TypeError(
                f"{where} must be a dict of options ({', '.join(BAG_OPTIONS)}), "
                f"got {options!r}."
            )
        unknown = sorted(set(options) - set(BAG_OPTIONS))
        if unknown:
            raise ValueError(
                f"{where} has unknown option(s) {unknown}; the options are "
                f"{list(BAG_OPTIONS)}."
            )
        sep = options.get("sep", "|")
        if not isinstance(sep, str) or not sep:
            raise ValueError(f"{where}['sep'] must be a non-empty string, got {sep!r}.")
        pooling = options.get("pooling", "mean")
        if pooling not in POOLINGS:
            raise ValueError(
                f"{where}['pooling'] must be one of {list(POOLINGS)}, got {pooling!r}."
            )
        max_length = options.get("max_length")
        if max_length is not None and (
            not isinstance(max_length, numbers.Integral)
            or isinstance(max_length, bool)
            or max_length < 1
        ):
            raise ValueError(
                f"{where}['max_length'] must be a positive integer or None, got "
                f"{max_length!r}."
            )
        target = options.get("target")
        if target is not None:
            target = column_index(target, n_features, names, f"{where}['target']")
            if target == j:
                raise ValueError(f"{where}['target'] names the bag column itself.")
        if pooling == "attention" and target is None:
            raise ValueError(
                f"{where}: pooling='attention' attends to a target column's "
                "embedding; name it with 'target' (the categorical column whose "
                "vocabulary the sequence shares, for example the item to score)."
            )
        bags[j] = {
            "name": names[j] if names is not None else f"x{j}",
            "column": j,
            "sep": sep,
            "pooling": pooling,
            "max_length": None if max_length is None else int(max_length),
            "target": target,
        }
    for bag in bags.values():
        if bag["target"] is not None and bag["target"] in bags:
            raise ValueError(
                f"multi_value_features[{bag['name']!r}]['target'] names another bag "
                "column; the target must be a categorical column of one value per row."
            )
    return [bags[j] for j in sorted(bags)]


def split_cells(values, sep, name):
    """Each cell's values, flattened: ``(lengths, flat values)``.

    Parameters
    ----------
    values : array-like of shape (n,)
        The column's cells.
    sep : str
        Separator of text cells.
    name : str
        Column name, for error messages.

    Returns
    -------
    lengths : ndarray of int64, shape (n,)
        Values per cell (1 for a missing cell, which holds one missing value).
    flat : ndarray of object, shape (lengths.sum(),)
        The values, cell after cell; missing values are NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from skfeat._fields._bags import split_cells
    >>> cells = np.array(["a|b", ["c"], np.nan, "", 7], dtype=object)
    >>> lengths, flat = split_cells(cells, "|", "tags")
    >>> lengths.tolist(), flat.tolist()
    ([2, 1, 1, 0, 1], ['a', 'b', 'c', nan, 7])
    """
    cells = np.asarray(values, dtype=object).ravel()
    n = len(cells)
    kinds = np.fromiter((_cell_kind(c) for c in cells.tolist()), np.int8, n)
    bad = np.flatnonzero(kinds == _BAD)
    if bad.size:
        cell = cells[int(bad[0])]
        raise TypeError(
            f"Multi-value column {name!r} holds a {type(cell).__name__} cell "
            f"({cell!r}); a cell is a list, tuple or array of values, a text of "
            f"values joined by {sep!r}, one value, or missing."
        )
    lengths = np.zeros(n, dtype=np.int64)
    rows, parts = [], []
    text = np.flatnonzero(kinds == _TEXT)
    if text.size:  # one join and one split for every text cell
        texts = cells[text].tolist()
        counts = np.fromiter((t.count(sep) + 1 for t in texts), np.int64, text.size)
        lengths[text] = counts
        rows.append(np.repeat(text, counts))
        parts.append(_objects(sep.join(texts).split(sep)))
    lists = np.flatnonzero(kinds == _LIST)
    if lists.size:
        items = cells[lists].tolist()
        counts = np.fromiter(map(len, items), np.int64, lists.size)
        lengths[lists] = counts
        rows.append(np.repeat(lists, counts))
        arrays = all(isinstance(i, np.ndarray) for i in items)
        if arrays and len({i.dtype for i in items}) == 1:  # parquet list columns
            joined = np.concatenate(items) if items else np.zeros(0)
            parts.append(joined.astype(object))
        else:
            parts.append(_objects(list(itertools.chain.from_iterable(items))))
    one = np.flatnonzero((kinds == _SCALAR) | (kinds == _MISSING))
    if one.size:  # one value; a missing cell holds one missing value
        lengths[one] = 1
        rows.append(one)
        values = cells[one].copy()
        values[kinds[one] == _MISSING] = np.nan
        parts.append(values)
    if not parts:
        return lengths, np.zeros(0, dtype=object)
    # empty values (an empty text, the ends of "a|") are no value; a part of
    # numbers holds none (and comparing each number to "" is slow)
    empty = [
        np.zeros(len(p), dtype=bool)
        if pd.api.types.infer_dtype(p, skipna=True) in ("integer", "floating")
        else p == ""
        for p in parts
    ]
    row = np.concatenate(rows)
    flat = np.concatenate(parts)
    empty = np.concatenate(empty)
    if len(parts) > 1:  # back to row order
        order = np.argsort(row, kind="stable")
        row, flat, empty = row[order], flat[order], empty[order]
    if empty.any():
        lengths = lengths - np.bincount(row[empty], minlength=n)
        flat = flat[~empty]
    flat[pd.isna(flat)] = np.nan
    return lengths, flat


def _objects(values):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


_TEXT, _LIST, _SCALAR, _MISSING, _BAD = range(5)


def _cell_kind(cell):
    if isinstance(cell, str):
        return _TEXT
    if isinstance(cell, list | tuple | np.ndarray | pd.Series):
        if isinstance(cell, np.ndarray) and cell.ndim != 1:
            return _BAD
        return _LIST
    if cell is None or (isinstance(cell, float) and np.isnan(cell)) or cell is pd.NA:
        return _MISSING
    if isinstance(cell, numbers.Number | np.generic):
        return _SCALAR
    return _BAD


def check_separator(values, sep, name):
    """Warn when no text cell holds ``sep`` but many hold another separator."""
    cells = np.asarray(values, dtype=object)
    texts = pd.Series([c for c in cells.tolist() if isinstance(c, str)], dtype=object)
    if len(texts) < 2 or texts.str.contains(sep, regex=False).any():
        return
    for other in _OTHER_SEPARATORS:
        if other == sep:
            continue
        holding = int(texts.str.contains(other, regex=False).sum())
        if holding * 2 >= len(texts):
            warnings.warn(
                f"No text cell of multi-value column {name!r} holds its separator "
                f"{sep!r}, but {holding} of {len(texts)} hold {other!r} (for example "
                f"{texts[texts.str.contains(other, regex=False)].iloc[0]!r}); each "
                f"cell is read as one value. Pass sep={other!r} in its options if "
                "the values are joined by it.",
                UserWarning,
                stacklevel=4,
            )
            return


def pad_last(ids, lengths, max_length):
    """Bags of ids as an ``(n, max_length)`` array, padded with ``-1``.

    Each row holds its bag's last ``max_length`` ids from column 0 on.

    Examples
    --------
    >>> import numpy as np
    >>> from skfeat._fields._bags import pad_last
    >>> pad_last(np.array([5, 6, 7, 8]), np.array([3, 0, 1]), 2)
    array([[ 6,  7],
           [-1, -1],
           [ 8, -1]])
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    n = lengths.size
    out = np.full((n, max_length), -1, dtype=np.int64)
    if not lengths.sum():
        return out
    starts = np.cumsum(lengths) - lengths
    skip = np.repeat(np.maximum(lengths - max_length, 0), lengths)
    pos = np.arange(lengths.sum()) - np.repeat(starts, lengths)
    keep = pos >= skip
    rows = np.repeat(np.arange(n), lengths)[keep]
    out[rows, (pos - skip)[keep]] = np.asarray(ids, dtype=np.int64)[keep]
    return out


def bag_vocabulary(counts, threshold):
    """A bag column's categories and their ids, from value counts.

    Parameters
    ----------
    counts : pandas.Series
        Count of each value (index), missing values left out.
    threshold : int or None
        Values counted fewer times share one id (the last), as
        ``OrdinalEncoder``'s infrequent category does.

    Returns
    -------
    categories : ndarray of object
        Sorted values.
    ids : ndarray of int64
        The id of each.
    cardinality : int
        Ids of the field, the reserved ones included.
    """
    values = np.asarray(counts.index.tolist() + [None], dtype=object)[:-1]
    if values.size:
        order = np.argsort(values, kind="stable")
        values = values[order]
        c = counts.to_numpy()[order]
    else:
        c = np.zeros(0, dtype=np.int64)
    ids = np.empty(values.size, dtype=np.int64)
    frequent = np.ones(values.size, dtype=bool) if threshold is None else c >= threshold
    n_frequent = int(frequent.sum())
    ids[frequent] = np.arange(n_frequent) + N_RESERVED_IDS
    rare = not frequent.all()
    ids[~frequent] = n_frequent + N_RESERVED_IDS
    return values, ids, n_frequent + int(rare) + N_RESERVED_IDS


def value_counts(flat, weights=None):
    """Counts of the present values of ``flat`` (weights: rows of weight 0 drop)."""
    flat = np.asarray(flat, dtype=object)
    present = ~pd.isna(flat)
    if weights is not None:
        present &= np.asarray(weights) > 0
    counts = pd.Series(flat[present], dtype=object).value_counts(sort=False)
    return counts[counts.to_numpy() > 0]
