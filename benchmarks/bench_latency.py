"""Single-row ``predict_proba`` latency: the serving call, one request at a time.

    python -m benchmarks.bench_latency --model fm
    python -m benchmarks.bench_latency --model deepfm
    python -m benchmarks.bench_latency --model fm --n-ids 10000000
    python -m benchmarks.bench_latency --model deepfm --embed-dim 10

``--embed-dim`` sets the embedding size (default: the model's default; the runs
recorded before the seventh session had 10, then every model's default).

Fits the model for one epoch on 20,000 rows of Frappe-shaped synthetic data (10
categorical fields with Frappe_x1's cardinalities; latency does not depend on the
weights), then times ``predict_proba(X.iloc[[i]])`` for 1,000 different rows after
50 warm-up calls and reports the median and the 90th percentile, in milliseconds.

With ``--n-ids N`` the model instead has a vocabulary of ``N`` ids in one field:
``max(N, 20000)`` rows (field ``item`` holds every id 0 .. N-1, as int64, the other
nine fields Frappe's small ones) are written to parquet files in a temporary folder
and the model is fitted from a :class:`~skfeat.data.FileSource` (one epoch; the
vocabulary is built in its streaming pass). Also reported: the fit time, the first
call (which builds the per-field lookup tables once) and the process's peak
resident memory.
"""

import argparse
import json
import os
import resource
import tempfile
import time

import numpy as np
import pandas as pd
import torch

from benchmarks._frappe_data import FRAPPE_CARDINALITIES, frappe_or_synthetic
from skfeat.models import DeepFMClassifier, FMClassifier

MODELS = {"fm": FMClassifier, "deepfm": DeepFMClassifier}


def _with_embed_dim(Model, embed_dim):
    def make(**params):
        return Model(embed_dim=embed_dim, **params)

    return make


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=sorted(MODELS), default="fm")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-ids", type=int, default=None)
    parser.add_argument("--embed-dim", type=int, default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    extra = {}
    if args.n_ids is None:
        X, y, _, _, source = frappe_or_synthetic(n_train=20_000, n_valid=1)
        Model = MODELS[args.model]
        if args.embed_dim is not None:
            Model = _with_embed_dim(Model, args.embed_dim)
        est = Model(max_epochs=1, random_state=0).fit(X, y)
    else:
        # the large-vocabulary runs were recorded with embedding size 10
        Model = _with_embed_dim(MODELS[args.model], args.embed_dim or 10)
        est, X, extra = _fit_large_vocabulary(Model, args.n_ids)
        source = f"synthetic, {args.n_ids:,} ids in field 'item', fitted from files"
    t0 = time.perf_counter()
    est.predict_proba(X.iloc[[0]])
    extra["first_call_ms"] = round((time.perf_counter() - t0) * 1e3, 1)
    for i in range(50):
        est.predict_proba(X.iloc[[i]])
    times = []
    for i in range(args.calls):
        row = X.iloc[[i]]
        t0 = time.perf_counter()
        est.predict_proba(row)
        times.append(time.perf_counter() - t0)
    times = np.array(times) * 1e3
    print(
        json.dumps(
            {
                "model": type(est).__name__,
                "embed_dim": est.embed_dim,
                "data": source,
                "calls": args.calls,
                "median_ms": round(float(np.median(times)), 3),
                "p90_ms": round(float(np.percentile(times, 90)), 3),
                "torch_threads": torch.get_num_threads(),
                **extra,
                "peak_rss_gib": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2
                ),
            }
        )
    )


def _fit_large_vocabulary(Model, n_ids, chunk=1_000_000):
    from skfeat.data import FileSource

    rng = np.random.default_rng(0)
    n_rows = max(n_ids, 20_000)
    folder = tempfile.mkdtemp(prefix="skfeat_latency_")
    ids = rng.permutation(n_ids)
    weights = {n: rng.normal(0, 0.5, c) for n, c in FRAPPE_CARDINALITIES.items()}
    for part, start in enumerate(range(0, n_rows, chunk)):
        n = min(chunk, n_rows - start)
        columns = {"item": ids[np.arange(start, start + n) % n_ids].astype(np.int64)}
        logit = np.full(n, -0.7) + 0.5 * (columns["item"] % 3 - 1)
        for name, card in FRAPPE_CARDINALITIES.items():
            if name != "item":
                codes = rng.zipf(1.3, size=n) % card
                columns[name] = codes.astype(np.int64)
                logit += weights[name][codes]
        columns["click"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(
            np.int8
        )
        pd.DataFrame(columns).to_parquet(
            os.path.join(folder, f"part-{part:05d}.parquet"), index=False
        )
    train = FileSource(folder, target="click")
    est = Model(max_epochs=1, random_state=0, early_stopping=False,
                categorical_features="all", batch_size=4096, scoring="loss",
                lr_schedule=None, clip_grad_norm=None)  # fmt: skip
    t0 = time.perf_counter()
    est.fit(train)
    fit_s = time.perf_counter() - t0
    X = next(train.iter_frames(with_target=False))[0].iloc[: 1000 + 50]
    X = X.sample(frac=1.0, random_state=0).reset_index(drop=True)
    vocabulary = est.schema_.cardinalities[list(train.feature_names_).index("item")]
    return est, X, {"n_ids": n_ids, "item_ids_in_model": int(vocabulary),
                    "fit_s": round(fit_s, 1)}  # fmt: skip


if __name__ == "__main__":
    main()
