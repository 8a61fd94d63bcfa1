"""What reliability costs: the divergence check, the fit snapshot, and skfeat.io.

Run::

    SKFEAT_DATA=../shared/data python -m benchmarks.bench_reliability --threads 1

For a Frappe-sized FM and DeepFM (trained one epoch on Frappe_x1 train, or on
Frappe-shaped synthetic data without SKFEAT_DATA) it prints, as JSON:

* the time of one training epoch, of the end-of-fit weight check
  (``check_finite_parameters``) and of the per-call snapshot that makes
  ``partial_fit`` atomic; the per-batch loss check reads the loss value skorch
  already synchronises, so it adds no device sync and is not timed separately;
* the size of a ``skfeat.io.save`` file and of a pickle, and the times to save and
  load each (median of 5), and whether the loaded model predicts bit-identically.
"""

import argparse
import io
import json
import os
import pickle
import platform
import tempfile
import time

import numpy as np
import torch

from benchmarks._frappe_data import frappe_or_synthetic
from skfeat.io import load, save
from skfeat.models import DeepFMClassifier, FMClassifier
from skfeat.models._engine import check_finite_parameters
from skfeat.models._guards import _RestoreOnError


def _median_time(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def run(model, X, y, X_valid):
    est = model.fit(X, y)
    epoch = float(est.net_.history[-1, "dur"])
    check = _median_time(lambda: check_finite_parameters(est.net_.module_))

    def snapshot():
        with _RestoreOnError(est):
            pass

    snap = _median_time(snapshot)
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "model.safetensors")
    save_s = _median_time(lambda: save(est, path))
    load_s = _median_time(lambda: load(path))
    buf = io.BytesIO()
    pickle_save = _median_time(lambda: pickle.dump(est, io.BytesIO()))
    pickle.dump(est, buf)
    raw = buf.getvalue()
    pickle_load = _median_time(lambda: pickle.loads(raw))
    same = np.array_equal(load(path).predict_proba(X_valid), est.predict_proba(X_valid))
    n_params = sum(p.numel() for p in est.net_.module_.parameters())
    return {
        "model": type(est).__name__,
        "parameters": int(n_params),
        "epoch_s": round(epoch, 3),
        "finite_weight_check_s": round(check, 5),
        "partial_fit_snapshot_s": round(snap, 5),
        "safetensors_bytes": os.path.getsize(path),
        "pickle_bytes": len(raw),
        "save_s": round(save_s, 4),
        "load_s": round(load_s, 4),
        "pickle_dump_s": round(pickle_save, 4),
        "pickle_load_s": round(pickle_load, 4),
        "bit_identical_after_load": bool(same),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y, X_valid, _, source = frappe_or_synthetic()
    models = [
        FMClassifier(max_epochs=1, early_stopping=False, random_state=0),
        DeepFMClassifier(max_epochs=1, early_stopping=False, random_state=0),
    ]
    rows = [run(m, X, y, X_valid) for m in models]
    print(
        json.dumps(
            {
                "data": source,
                "rows": len(X),
                "threads": args.threads,
                "machine": platform.processor() or platform.machine(),
                "results": rows,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
