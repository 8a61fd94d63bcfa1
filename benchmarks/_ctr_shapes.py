"""Generated data of the two CTR shapes the throughput benchmarks run on.

* **Criteo shape**: 26 categorical fields whose cardinalities are those of the
  Criteo display-advertising data (the Kaggle release that Criteo_x1 splits),
  capped at ``cap`` ids per field (1,483,115 ids in all at the default 200,000);
  ids drawn from a Zipf law (exponent ``zipf_a``) over a random order of each
  field's ids, so that few are frequent and most are rare; labels from a planted
  logit (first-order weights in 8 fields and one field pair).
* **Frappe shape**: 10 categorical fields with Frappe_x1's cardinalities (5,382
  ids), same construction.

Values are strings (``str`` dtype), as CTR logs hold hashed hex tokens; the
numeric ids before the string conversion are kept for the systems that take
indices (the bare torch loop, xLearn, fastFM).
"""

import numpy as np
import pandas as pd

#: Criteo (Kaggle display advertising) categorical cardinalities, C1 .. C26
CRITEO_CARDINALITIES = (
    1460, 583, 10131227, 2202608, 305, 24, 12517, 633, 3, 93145, 5683, 8351593,
    3194, 27, 14992, 5461306, 10, 5652, 2173, 4, 7046547, 18, 15, 286181, 105,
    142572,
)  # fmt: skip

#: Frappe_x1 categorical cardinalities (shared/data/README.md)
FRAPPE_CARDINALITIES = (957, 4082, 7, 7, 2, 3, 2, 9, 80, 233)


def _hash_weights(field, ids, seed, scale):
    # a pseudo-random weight per (field, id) from a hash of the id (SplitMix64)
    z = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z ^= np.uint64((seed * 1_000_003 + field * 7919) & 0xFFFFFFFF)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    u = (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return (u - 0.5) * 2 * scale


def make_ctr(
    n_rows, shape="criteo", *, cap=200_000, zipf_a=1.2, seed=0, rows_seed=0,
    as_strings=True,
):  # fmt: skip
    """Return ``(X, y, ids, cardinalities)`` of a CTR shape.

    Parameters
    ----------
    n_rows : int
        Rows to draw.
    shape : {"criteo", "frappe"}
        Which cardinalities.
    cap : int
        Largest cardinality of a field (Criteo shape).
    zipf_a : float
        Zipf exponent of the ids.
    seed : int
        Seeds the planted weights and the order of the ids (the "true model").
    rows_seed : int
        Seeds the rows: same ``seed``, other ``rows_seed`` gives a test set.
    as_strings : bool
        Give ``X`` string columns (else int64 columns).

    Returns
    -------
    X : DataFrame of shape (n_rows, n_fields)
    y : ndarray of int64
    ids : ndarray of int64, shape (n_rows, n_fields)
        The id of each field, ``0 .. cardinality - 1``.
    cardinalities : list of int
    """
    cards = CRITEO_CARDINALITIES if shape == "criteo" else FRAPPE_CARDINALITIES
    cards = [min(int(c), int(cap)) for c in cards]
    order_rng = np.random.default_rng([seed, 7])
    rng = np.random.default_rng([seed, rows_seed, 11])
    ids = np.empty((n_rows, len(cards)), dtype=np.int64)
    for f, card in enumerate(cards):
        # Zipf rank -> a fixed random id, so frequent ids are spread over the table
        rank = (rng.zipf(zipf_a, size=n_rows) - 1) % card
        ids[:, f] = order_rng.permutation(card)[rank]
    logit = np.full(n_rows, -1.2)
    for f in range(min(8, len(cards))):
        logit += _hash_weights(f, ids[:, f], seed, 1.2)
    logit += _hash_weights(100, ids[:, 0] * 7 + ids[:, 1] % 7, seed, 1.0)
    y = (rng.random(n_rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    names = [f"C{f + 1}" for f in range(len(cards))]
    if as_strings:
        cols = {
            name: pd.array(np.char.mod("%x", ids[:, f]), dtype="str")
            for f, name in enumerate(names)
        }
    else:
        cols = {name: ids[:, f] for f, name in enumerate(names)}
    return pd.DataFrame(cols), y, ids, cards
