"""Single-row ``predict_proba`` latency: the serving call, one request at a time.

    python -m benchmarks.bench_latency --model fm
    python -m benchmarks.bench_latency --model deepfm

Fits the model for one epoch on 20,000 rows of Frappe-shaped synthetic data (10
categorical fields with Frappe_x1's cardinalities; latency does not depend on the
weights), then times ``predict_proba(X.iloc[[i]])`` for 1,000 different rows after
50 warm-up calls and reports the median and the 90th percentile, in milliseconds.
"""

import argparse
import json
import time

import numpy as np
import torch

from benchmarks._frappe_data import frappe_or_synthetic
from skfeat.models import DeepFMClassifier, FMClassifier

MODELS = {"fm": FMClassifier, "deepfm": DeepFMClassifier}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=sorted(MODELS), default="fm")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y, _, _, source = frappe_or_synthetic(n_train=20_000, n_valid=1)
    est = MODELS[args.model](max_epochs=1, random_state=0).fit(X, y)
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
                "data": source,
                "calls": args.calls,
                "median_ms": round(float(np.median(times)), 3),
                "p90_ms": round(float(np.percentile(times, 90)), 3),
                "torch_threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
