"""The reserved ids of every categorical field, defined once.

* id 0: missing (NaN or None),
* id 1: unknown (a value never seen in ``fit``),
* ids 2, 3, ...: the field's vocabulary (or hash buckets).
"""

import numpy as np

MISSING_ID = 0
UNKNOWN_ID = 1
N_RESERVED_IDS = 2


def empty_id_table(n_rows, n_columns):
    """An uninitialised C-ordered int64 array of shape ``(n_rows, n_columns)``.

    A large one is allocated by torch rather than numpy: numpy asks the kernel for
    transparent huge pages for every array of 4 MB or more, and where the kernel
    compacts memory to serve them (``defrag`` in ``madvise`` mode) the first
    write of a fresh table costs several times more than with ordinary pages
    (on the benchmark machine, a large share of the set-up that
    ``benchmarks/bench_throughput.py`` times).

    Examples
    --------
    >>> from skfeat._fields._ids import empty_id_table
    >>> empty_id_table(3, 2).shape, empty_id_table(3, 2).dtype.name
    ((3, 2), 'int64')
    """
    if n_rows * n_columns * 8 < 1 << 22:
        return np.empty((n_rows, n_columns), dtype=np.int64)
    import torch  # only large tables need it

    return torch.empty((n_rows, n_columns), dtype=torch.int64).numpy()
