"""Data, options and probes of the fit-path equivalence matrix
(``tests/test_fit_paths.py``), shared with its torchrun worker."""

import numpy as np
import pandas as pd

N_ROWS = 1200
N_FILES = 3
BATCH_ROWS = 100

#: encoder options of the matrix: name -> estimator parameters
OPTIONS = {
    "plain": {},
    "numeric_bins": {"numeric_bins": 4},
    "vector_features": {"vector_features": {"emb": ["v0", "v1", "v2"]}},
    "hash": {"categorical_encoding": "hash", "hash_buckets": 32},
    "min_frequency": {"min_frequency": 8},
    # the row-sparse path large vocabularies take (lazy updates, no dense Adam)
    "sparse_gradients": {"sparse_gradients": True},
    # text cells read as bags of ids; "recent" shares the ad_id vocabulary
    "multi_value": {
        "multi_value_features": {
            "tags": {"pooling": "sum"},
            "recent": {"target": "ad_id", "max_length": 3},
        }
    },
}

#: small, fast model settings every path shares
MODEL = dict(embed_dim=2, max_epochs=1, batch_size=64, random_state=0)


def frame():
    """Columns of every kind, with ``ad_id``: 100 integer ids that repeat 12
    times on average over the whole table (ids by the integer-code rule) but
    never inside the first 100 rows, the layout of Criteo-shaped files (the
    first record batch alone looks numeric)."""
    rng = np.random.RandomState(0)
    n = N_ROWS
    ad = np.empty(n, dtype=np.int64)
    ad[:BATCH_ROWS] = np.arange(BATCH_ROWS)
    ad[BATCH_ROWS:] = rng.randint(0, BATCH_ROWS, n - BATCH_ROWS)
    X = pd.DataFrame(
        {
            "site": rng.choice(["a", "b", "c", "d", "e"], n),
            "device": pd.Series(rng.choice(["p", "q", None], n, p=[0.5, 0.4, 0.1])),
            "ad_id": ad.astype(np.int64),
            "price": rng.gamma(2.0, 3.0, n),
            "age": rng.normal(40, 10, n),
            "v0": rng.normal(size=n),
            "v1": rng.normal(size=n),
            "v2": rng.normal(size=n),
            # delimited text: categorical unless read as multi-value
            "tags": ["|".join(rng.choice(list("stuvw"), rng.randint(0, 3),
                                         replace=False)) for _ in range(n)],
            "recent": ["|".join(str(a) for a in ad[max(0, i - rng.randint(0, 5)):i])
                       for i in range(n)],
        }
    )  # fmt: skip
    X["device"] = X["device"].astype(object)
    logit = (X["site"] < "c") * 1.0 - 0.05 * (X["age"] - 40) + X["v0"]
    y = (rng.random_sample(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return X, y


def probe():
    """Rows to encode: seen values, unseen values and missing values."""
    X, _ = frame()
    extra = pd.DataFrame(
        {
            "site": ["zz", None],
            "device": ["unseen", None],
            "ad_id": [10**6, 3],
            "price": [1e3, np.nan],
            "age": [np.nan, -5.0],
            "v0": [0.0, np.nan],
            "v1": [1.0, 2.0],
            "v2": [np.nan, 3.0],
            "tags": ["s|zz", None],
            "recent": ["3|1000000|4|5", None],
        }
    )
    extra["device"] = extra["device"].astype(object)
    return pd.concat([X.iloc[:40], extra], ignore_index=True)


def summary(model):
    """What must agree across fit paths: the schema, the encoded probe rows,
    the column kinds, and the set of public fitted attributes."""
    encoded = model.encoder_.transform(probe())
    attrs = sorted(k for k in vars(model) if k.endswith("_") and not k.startswith("_"))
    return {
        "schema": model.schema_,
        "encoded": encoded,
        "feature_kinds": list(model.feature_kinds_),
        "attributes": attrs,
    }
