"""DP-SGD on Frappe_x1: validation AUC against the privacy budget epsilon.

Trains ``FMClassifier`` on ``train`` with :func:`skfeat.privacy.fit_private`
(Poisson-sampled batches, per-row clipping, Gaussian noise, Opacus' RDP accountant)
for a fixed number of epochs at several target epsilons, and scores on ``valid``;
``inf`` clips the per-row gradients but adds no noise, and the last row is an
ordinary ``fit`` with the same settings (no clipping, no noise)::

    SKFEAT_DATA=../shared/data OMP_NUM_THREADS=1 \\
        python -m benchmarks.bench_private --threads 1

Needs ``pip install skfeat[privacy]`` (Opacus).
"""

import argparse
import json
import math
import time

import torch
from sklearn.metrics import roc_auc_score

from skfeat.datasets import load_frappe
from skfeat.models import FMClassifier
from skfeat.privacy import fit_private


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=2048)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--max-grad-norm", type=float, default=1.0)
    parser.add_argument("--delta", type=float, default=1e-6)
    parser.add_argument("--epsilons", default="1,3,8,inf")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_frappe()
    params = dict(
        embed_dim=10,
        alpha=1e-6,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        early_stopping=False,
        random_state=args.seed,
    )
    results = []
    for eps in [float(e) for e in args.epsilons.split(",")]:
        t0 = time.perf_counter()
        fm = fit_private(
            FMClassifier(**params),
            data.train.X,
            data.train.y,
            target_epsilon=eps,
            delta=args.delta,
            max_grad_norm=args.max_grad_norm,
        )
        auc = roc_auc_score(data.valid.y, fm.predict_proba(data.valid.X)[:, 1])
        r = {
            "target_epsilon": eps,
            "epsilon_": None if math.isinf(fm.epsilon_) else round(fm.epsilon_, 3),
            "delta": args.delta,
            "noise_multiplier": round(fm.noise_multiplier_, 4),
            "valid_auc": round(auc, 6),
            "fit_s": round(time.perf_counter() - t0, 1),
        }
        print(json.dumps(r), flush=True)
        results.append(r)
    t0 = time.perf_counter()
    fm = FMClassifier(**params).fit(data.train.X, data.train.y)
    auc = roc_auc_score(data.valid.y, fm.predict_proba(data.valid.X)[:, 1])
    r = {"target_epsilon": "non-private fit", "valid_auc": round(auc, 6)}
    r["fit_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(r), flush=True)
    results.append(r)
    summary = {"params": params, "max_grad_norm": args.max_grad_norm}
    summary.update(threads=torch.get_num_threads(), results=results)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
