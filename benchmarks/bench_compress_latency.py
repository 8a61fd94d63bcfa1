"""Interleaved prediction latency of an FM and its compressed copies on Frappe_x1.

The latencies in ``bench_compress`` are measured one model after another, minutes
apart, and a shared box makes them drift. Here the models take turns: each round
times every model once (one row, then 10,000 rows), and the medians over rounds are
compared as ratios to the float model measured in the same rounds::

    SKFEAT_DATA=../shared/data OMP_NUM_THREADS=1 \\
        python -m benchmarks.bench_compress_latency --threads 1
"""

import argparse
import json
import time

import numpy as np
import torch

from skfeat.compress import prune_embeddings, quantize_embeddings
from skfeat.datasets import load_frappe
from skfeat.models import FMClassifier


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_frappe()
    fm = FMClassifier(
        embed_dim=10, batch_size=4096, max_epochs=2, early_stopping=False,
        random_state=0,
    ).fit(data.train.X, data.train.y)  # fmt: skip
    models = {
        "float32": fm,
        "int8": quantize_embeddings(fm, bits=8),
        "int4": quantize_embeddings(fm, bits=4),
        "prune 25% (frequency)": prune_embeddings(
            fm, keep=0.75, criterion="frequency", X=data.train.X
        ),
    }
    one, batch = data.valid.X.iloc[:1], data.valid.X.iloc[:10_000]
    # the module alone, on pre-encoded inputs: what the compression changes
    enc = fm._dataset(fm._check_X(batch, reset=False), None, None).inputs
    times = {name: {"one": [], "batch": [], "module": []} for name in models}
    for _ in range(args.rounds):
        for name, model in models.items():
            for key, X in (("one", one), ("batch", batch)):
                t0 = time.perf_counter()
                model.predict_proba(X)
                times[name][key].append(time.perf_counter() - t0)
            module = model.net_.module_
            with torch.no_grad():
                t0 = time.perf_counter()
                module(**enc)
                times[name]["module"].append(time.perf_counter() - t0)
    base = {k: np.median(v) for k, v in times["float32"].items()}
    for name, t in times.items():
        med = {k: float(np.median(v)) for k, v in t.items()}
        print(
            json.dumps(
                {
                    "model": name,
                    "one_row_ms": round(1000 * med["one"], 3),
                    "batch_10k_ms": round(1000 * med["batch"], 2),
                    "module_10k_ms": round(1000 * med["module"], 3),
                    "ratio_one": round(med["one"] / base["one"], 3),
                    "ratio_batch": round(med["batch"] / base["batch"], 3),
                    "ratio_module": round(med["module"] / base["module"], 3),
                }
            )
        )


if __name__ == "__main__":
    main()
