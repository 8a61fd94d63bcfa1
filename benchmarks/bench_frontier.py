"""DCNv3 and FinalNet with their defaults on Frappe_x1, over several seeds.

``Model(random_state=seed).fit(X_train, y_train)`` and the AUC on Frappe_x1
``valid``, as ``bench_defaults.py`` scores the other models; one line per seed,
then the mean and standard deviation (``ddof=1``) and the fit seconds::

    SKFEAT_DATA=/work/shared/data OMP_NUM_THREADS=1 \
        python -m benchmarks.bench_frontier --model dcnv3 --seeds 0 1 2
    SKFEAT_DATA=/work/shared/data OMP_NUM_THREADS=1 \
        python -m benchmarks.bench_frontier --model finalnet --seeds 0 1 2

``--set name=value`` (repeatable) overrides a default, for screening one
(``--set dropout=0.2``, ``--set "block2_hidden_units=(400, 400)"``; values are
Python literals). ``--threads`` sets torch's thread count (default 1).
"""

import argparse
import ast
import json
import os
import platform
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from skfeat.datasets import load_frappe
from skfeat.models import DCNv3Classifier, FinalNetClassifier

MODELS = {"dcnv3": DCNv3Classifier, "finalnet": FinalNetClassifier}


def _override(text):
    name, _, value = text.partition("=")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if not os.environ.get("SKFEAT_DATA"):
        raise SystemExit("set SKFEAT_DATA to the data folder (holding frappe_x1)")
    torch.set_num_threads(args.threads)
    params = dict(_override(s) for s in args.set)
    data = load_frappe()
    Xtr, ytr, Xva, yva = data.train.X, data.train.y, data.valid.X, data.valid.y
    aucs, seconds = [], []
    for seed in args.seeds:
        model = MODELS[args.model](random_state=seed, **params)
        start = time.perf_counter()
        model.fit(Xtr, ytr)
        seconds.append(time.perf_counter() - start)
        aucs.append(roc_auc_score(yva, model.predict_proba(Xva)[:, 1]))
        print(
            json.dumps(
                {
                    "model": args.model,
                    "seed": seed,
                    "valid_auc": round(aucs[-1], 5),
                    "epochs": int(model.n_iter_),
                    "fit_seconds": round(seconds[-1], 1),
                    "valid_curve": [
                        round(float(v), 5) for v in model.validation_score_
                    ],
                }
            ),
            flush=True,
        )
    std = float(np.std(aucs, ddof=1)) if len(aucs) > 1 else 0.0
    print(
        json.dumps(
            {
                "model": args.model,
                "params": {k: repr(v) for k, v in params.items()},
                "seeds": args.seeds,
                "valid_auc_mean": round(float(np.mean(aucs)), 5),
                "valid_auc_std": round(std, 5),
                "fit_seconds_mean": round(float(np.mean(seconds)), 1),
                "threads": args.threads,
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
