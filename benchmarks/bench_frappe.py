"""Frappe_x1 accuracy: train on ``train``, early-stop on ``valid``, report valid AUC.

Follows the BARS protocol (fixed split, embedding_dim 10, batch 4096, Adam, binary
cross-entropy, early stopping with restored best weights) except that early stopping
monitors the validation log-loss rather than AUC. Needs the data:

    SKFEAT_DATA=../shared/data python -m benchmarks.bench_frappe --model fm
    SKFEAT_DATA=../shared/data python -m benchmarks.bench_frappe --model fwfm
"""

import argparse
import json
import platform
import time

import numpy as np
import torch
from sklearn.metrics import log_loss, roc_auc_score

from skfeat.datasets import load_frappe
from skfeat.models import FMClassifier, FwFMClassifier

MODELS = {"fm": FMClassifier, "fwfm": FwFMClassifier}

# the settings recorded in docs/benchmarks.md
DEFAULTS = {
    "fm": dict(embed_dim=10, learning_rate=1e-2, alpha=1e-6, batch_size=4096),
    "fwfm": dict(embed_dim=10, learning_rate=1e-2, alpha=1e-5, batch_size=4096),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=sorted(MODELS), default="fm")
    parser.add_argument("--params", default="{}", help="JSON overrides")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_frappe()
    params = dict(
        DEFAULTS[args.model], max_epochs=100, n_iter_no_change=2, random_state=args.seed
    )
    params.update(json.loads(args.params))
    est = MODELS[args.model](**params)
    t0 = time.perf_counter()
    est.fit(data.train.X, data.train.y, eval_set=(data.valid.X, data.valid.y))
    wall = time.perf_counter() - t0
    p = est.predict_proba(data.valid.X)[:, 1]
    epoch = float(np.median(est.net_.history[:, "dur"]))
    print(
        json.dumps(
            {
                "model": type(est).__name__,
                "params": {k: v for k, v in params.items()},
                "valid_auc": round(roc_auc_score(data.valid.y, p), 4),
                "valid_logloss": round(log_loss(data.valid.y, p), 4),
                "epochs": est.n_iter_,
                "s_per_epoch": round(epoch, 2),
                "fit_seconds": round(wall, 1),
                "machine": platform.machine(),
                "torch_threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
