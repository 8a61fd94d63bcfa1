"""Criteo-shaped synthetic click data written to parquet files in chunks."""

import os

import numpy as np

N_NUMERIC = 13
N_CATEGORICAL = 26


def _weights(field, ids, seed, scale):
    # a pseudo-random weight per (field, id) from a hash of the id: no table of
    # the vocabulary's size is ever held (SplitMix64 finaliser)
    z = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z ^= np.uint64((seed * 1_000_003 + field * 7919) & 0xFFFFFFFF)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    u = (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return (u - 0.5) * 2 * scale


def make_criteo_files(
    folder,
    n_rows,
    *,
    rows_per_file=1_000_000,
    n_ids=1_000_000,
    zipf_a=1.2,
    chunk_rows=250_000,
    random_state=0,
    rows_seed=0,
):
    """Write Criteo-shaped click data (13 numeric + 26 categorical fields) to files.

    Each categorical field ``C1 .. C26`` draws Zipf-distributed integer ids below
    ``n_ids`` (a few ids are frequent, most are rare, as in Criteo); numeric
    fields ``I1 .. I13`` are log-normal counts with missing values. The label
    ``click`` is drawn from a planted logit: a per-id weight in 8 fields, one
    field-pair interaction and 3 numeric terms, with an intercept of -1.6. The
    click rate depends on the planted weights of the frequent ids: 0.307 with
    ``random_state=0``, from 0.23 to 0.41 over ``random_state`` 0 to 7 (400,000
    and 200,000 rows). The rate and the AUC of the planted logit on the written
    rows (the ceiling any model can reach) are returned; the folder holds the
    parquet files only, so ``pandas.read_parquet(folder)`` reads it.

    Rows are made and written ``chunk_rows`` at a time, so memory does not grow
    with ``n_rows``. Needs pyarrow (``pip install skfeat[data]``).

    Parameters
    ----------
    folder : str or path
        Created if needed; files are ``part-00000.parquet``, ...
    n_rows : int
        Total number of rows.
    rows_per_file : int, default=1_000_000
        Rows of each file (the last file may hold fewer).
    n_ids : int, default=1_000_000
        Ids per categorical field (the vocabulary can reach ``26 * n_ids``).
    zipf_a : float, default=1.2
        Zipf exponent of the ids (larger: fewer distinct ids).
    chunk_rows : int, default=250_000
        Rows generated at a time, which bounds the memory used.
    random_state : int, default=0
        Seeds the planted weights (the "true model").
    rows_seed : int, default=0
        Seeds the rows: files with the same ``random_state`` and different
        ``rows_seed`` are a train and a test set of one problem.

    Returns
    -------
    meta : dict
        ``files``, ``n_rows``, ``click_rate``, ``auc_ceiling`` and
        ``categorical`` (the names of the categorical columns).

    Examples
    --------
    >>> import tempfile
    >>> from skfeat.datasets import make_criteo_files
    >>> meta = make_criteo_files(tempfile.mkdtemp(), 2000, rows_per_file=1000)
    >>> len(meta["files"]), meta["n_rows"]
    (2, 2000)
    >>> 0.6 < meta["auc_ceiling"] < 1.0
    True
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from sklearn.metrics import roc_auc_score

    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng([random_state, rows_seed])
    names = [f"I{i + 1}" for i in range(N_NUMERIC)] + [
        f"C{i + 1}" for i in range(N_CATEGORICAL)
    ]
    files, writer, in_file = [], None, 0
    logits, labels = [], []
    done = 0
    while done < n_rows:
        n = min(chunk_rows, n_rows - done, rows_per_file - in_file)
        num = np.floor(rng.lognormal(1.0, 1.2, size=(n, N_NUMERIC)))
        num[rng.random((n, N_NUMERIC)) < 0.1] = np.nan
        ids = (rng.zipf(zipf_a, size=(n, N_CATEGORICAL)) - 1) % n_ids
        logit = np.full(n, -1.6)
        for f in range(8):
            logit += _weights(f, ids[:, f], random_state, 1.2)
        logit += _weights(100, ids[:, 0] * 7 + ids[:, 1] % 7, random_state, 1.0)
        scaled = np.log1p(np.nan_to_num(num[:, :3], nan=0.0))
        logit += 0.4 * scaled[:, 0] - 0.3 * scaled[:, 1] + 0.2 * scaled[:, 2]
        y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
        logits.append(logit.astype(np.float32))
        labels.append(y)
        table = pa.table(
            {
                "click": y,
                **{names[j]: num[:, j] for j in range(N_NUMERIC)},
                **{
                    names[N_NUMERIC + j]: ids[:, j].astype(np.int64)
                    for j in range(N_CATEGORICAL)
                },
            }
        )
        if writer is None:
            path = os.path.join(folder, f"part-{len(files):05d}.parquet")
            writer = pq.ParquetWriter(path, table.schema)
            files.append(path)
        writer.write_table(table, row_group_size=min(chunk_rows, 65_536))
        in_file += n
        done += n
        if in_file >= rows_per_file or done >= n_rows:
            writer.close()
            writer, in_file = None, 0
    y_all = np.concatenate(labels)
    meta = {
        "files": files,
        "n_rows": int(n_rows),
        "click_rate": float(y_all.mean()),
        "auc_ceiling": float(roc_auc_score(y_all, np.concatenate(logits))),
        "categorical": names[N_NUMERIC:],
    }
    return meta
