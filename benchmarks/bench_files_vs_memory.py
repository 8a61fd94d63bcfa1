"""Files against memory at Criteo shape, defaults: same kinds, same accuracy, and
validation rows that are never trained on.

Two checks on the same rows, each model with its defaults:

* ``--check criteo``: ``make_criteo_files`` writes ``--rows`` training rows in
  ``--files`` parquet files (integer id columns) and 200,000 test rows from
  another seed. ``FMClassifier()`` (or ``--model deepfm``) is fitted from a
  ``FileSource`` over the files (default shuffling) and in memory on the same
  rows (``source.to_pandas()``); the output gives both ``feature_kinds_``
  summaries, whether they are equal, and both test AUCs.
* ``--check random-labels``: the same number of rows with a unique id per row
  and random labels, in ``--files`` files. A model that saw its validation rows
  would memorise them and bring the validation loss far below chance
  (``log 2 = 0.693``); the output gives the lowest validation loss of each fit.

    OMP_NUM_THREADS=1 python -m benchmarks.bench_files_vs_memory --check criteo \
        --rows 400000 --threads 1
    OMP_NUM_THREADS=1 python -m benchmarks.bench_files_vs_memory \
        --check random-labels --rows 400000 --threads 1
"""

import argparse
import json
import platform
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score

from skfeat.data import FileSource
from skfeat.datasets import make_criteo_files
from skfeat.models import DeepFMClassifier, FMClassifier

MODELS = {"fm": FMClassifier, "deepfm": DeepFMClassifier}


def _fit(model, X, y=None):
    start = time.perf_counter()
    est = MODELS[model](random_state=0)
    est.fit(X, y) if y is not None else est.fit(X)
    return est, round(time.perf_counter() - start, 1)


def criteo(args, folder):
    rows_per_file = -(-args.rows // args.files)
    kw = dict(rows_per_file=rows_per_file, n_ids=args.n_ids, chunk_rows=100_000)
    make_criteo_files(folder / "train", args.rows, rows_seed=0, **kw)
    make_criteo_files(folder / "test", 200_000, rows_seed=1, **kw)
    source = FileSource(folder / "train", target="click")
    X, y = source.to_pandas()
    X_test, y_test = FileSource(folder / "test", target="click").to_pandas()
    out = {}
    for name, fit_args in (("files", (source,)), ("memory", (X, y))):
        est, seconds = _fit(args.model, *fit_args)
        out[name] = {
            "test_auc": round(float(roc_auc_score(
                y_test, est.predict_proba(X_test)[:, 1])), 6),
            "kinds": dict(Counter(est.feature_kinds_)),
            "epochs": est.n_iter_,
            "fit_seconds": seconds,
        }  # fmt: skip
        out[name]["_kinds"] = list(est.feature_kinds_)
    out["kinds_equal"] = out["files"].pop("_kinds") == out["memory"].pop("_kinds")
    out["auc_gap"] = round(out["files"]["test_auc"] - out["memory"]["test_auc"], 6)
    return out


def random_labels(args, folder):
    rng = np.random.RandomState(0)
    data = pd.DataFrame(
        {
            "row": [f"r{i}" for i in range(args.rows)],
            "click": rng.randint(0, 2, args.rows),
        }
    )
    bounds = np.linspace(0, args.rows, args.files + 1).astype(int)
    (folder / "random").mkdir()
    for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        data.iloc[lo:hi].to_parquet(folder / "random" / f"part-{i:05d}.parquet")
    source = FileSource(folder / "random", target="click")
    out = {}
    for name, fit_args in (
        ("files", (source,)),
        ("memory", (data[["row"]], data["click"].to_numpy())),
    ):
        est, seconds = _fit(args.model, *fit_args)
        # the validation loss of every epoch (from memory, scoring="auto"
        # monitors the AUC, and skorch records the loss beside it)
        loss = np.asarray(est.net_.history[:, "valid_loss"], dtype=float)
        out[name] = {
            "min_valid_loss": round(float(loss.min()), 4),
            "monitored": [round(float(v), 4) for v in est.validation_score_],
            "epochs": est.n_iter_,
            "fit_seconds": seconds,
        }
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", choices=["criteo", "random-labels"],
                        default="criteo")  # fmt: skip
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--n-ids", type=int, default=100_000)
    parser.add_argument("--model", choices=sorted(MODELS), default="fm")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        run = criteo if args.check == "criteo" else random_labels
        result = run(args, Path(tmp))
    print(json.dumps({
        "check": args.check, "rows": args.rows, "n_files": args.files,
        "n_ids": args.n_ids, "model": args.model, **result,
        "torch_threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
