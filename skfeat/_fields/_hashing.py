"""Vocabulary-free ids for categorical values: a hash stable across processes.

Kept free of torch and scikit-learn imports so that a fresh process can check
the ids cheaply (see ``tests/test_scale.py``).
"""

import numbers

import numpy as np
import pandas as pd

from skfeat._fields._ids import MISSING_ID, N_RESERVED_IDS

#: SipHash key of :func:`hash_categories` (16 ASCII characters, fixed forever:
#: changing it changes every hashed model's ids)
HASH_KEY = "skfeat-hash-v1.0"


def hash_categories(values, n_buckets):
    """Ids ``2 .. n_buckets + 1`` of categorical values, without a vocabulary.

    A value's id is ``2 + h % n_buckets`` where ``h`` is the 64-bit SipHash-2-4
    (``pandas.util.hash_array`` with the fixed key :data:`HASH_KEY`) of the UTF-8
    bytes of ``str(value)``: the same in every process and on every platform
    (Python's ``hash`` of a string is salted per process). A value hashes as its
    text, integral numbers as integers and booleans as ``1``/``0``: ``3``,
    ``3.0`` and ``"3"`` share an id (as the same id read from CSV, parquet and
    JSON should), while ``"3.0"`` does not. Missing values (NaN, None) get id 0;
    id 1 (unknown) is never used. Each distinct value is hashed once per call.

    Examples
    --------
    >>> import numpy as np
    >>> from skfeat._fields._hashing import hash_categories
    >>> values = np.array(["a", "b", "c", None, 3, "3", 3.0], dtype=object)
    >>> hash_categories(values, 1000)
    array([940, 620, 690,   0,  28,  28,  28])
    """
    values = np.asarray(values)
    if values.dtype.kind not in "iu":  # integers factorize fast as they are
        values = values.astype(object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = _texts(np.asarray(uniques, dtype=object))
    if text.size:
        hashed = pd.util.hash_array(text, hash_key=HASH_KEY, categorize=False)
        ids = (hashed % np.uint64(n_buckets)).astype(np.int64) + N_RESERVED_IDS
    else:
        ids = np.zeros(0, dtype=np.int64)
    out = np.full(len(values), MISSING_ID, dtype=np.int64)
    known = codes >= 0
    out[known] = ids[codes[known]]
    return out


def _texts(uniques):
    # vectorised for the common all-string and all-integer columns
    kind = pd.api.types.infer_dtype(uniques, skipna=False)
    if kind == "string":
        return uniques
    if kind == "integer":
        return uniques.astype(np.int64).astype(str).astype(object)
    return np.array([_hash_text(u) for u in uniques], dtype=object)


def _hash_text(value):
    # equal values must give equal text whatever their type, since the values a
    # call sees are merged by equality first (3 == 3.0 == True ... == 1)
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))
    return str(value)
