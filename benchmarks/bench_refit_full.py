"""Does the defaults' holdout cost the BARS gap? Refit on all rows.

The defaults early-stop on a ``validation_fraction`` split of the training rows
(10% when the recorded runs were made, 5% for the deep models since), so they
train on 90% or 95% of them. This script fits ``Model(random_state=0)``
as ``bench_defaults`` does, reads the epoch whose weights early stopping kept and
the epochs after which the plateau schedule divided the learning rate, then
refits the same model on **all** training rows for that many epochs with the
learning rate divided at the same epochs (no early stopping), and scores both on
the held-out split. It measures what a "refit after early stopping" default
would gain, at twice the fitting time.

Run with ``SKFEAT_DATA=../shared/data python -m benchmarks.bench_refit_full
--data frappe --model dcnv2 [--threads 2] [--embed-dim 10]
[--validation-fraction 0.1]``.
"""

import argparse
import functools
import json
import time

import torch
from sklearn.metrics import roc_auc_score
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import MultiStepLR

from benchmarks.bench_defaults import MODELS, load
from benchmarks.bench_seeds import refit_schedule


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="frappe")
    parser.add_argument("--model", choices=sorted(MODELS), default="dcnv2")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--embed-dim", type=int, default=None,
        help="embedding size (default: the model's; the recorded runs had 10, the "
        "deep models' default before the seventh session)",
    )  # fmt: skip
    parser.add_argument(
        "--validation-fraction", type=float, default=None,
        help="holdout share (default: the model's; the recorded runs had 0.1, the "
        "deep models' default before the eighth session)",
    )  # fmt: skip
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X_tr, y_tr, X_te, y_te = load(args.data, "category")[:4]
    Model = MODELS[args.model]
    if args.embed_dim is not None:
        Model = functools.partial(Model, embed_dim=args.embed_dim)
    if args.validation_fraction is not None:
        Model = functools.partial(Model, validation_fraction=args.validation_fraction)

    start = time.perf_counter()
    first = Model(random_state=0).fit(X_tr, y_tr)
    first_s = time.perf_counter() - start
    auc_first = roc_auc_score(y_te, first.predict_proba(X_te)[:, 1])
    history = first.net_.history
    best, milestones = refit_schedule(first)

    start = time.perf_counter()
    refit = Model(
        random_state=0, early_stopping=False, max_epochs=best, lr_schedule=None,
        callbacks=[("refit_lr", LRScheduler(policy=MultiStepLR,
                                            milestones=milestones, gamma=0.1))],
    ).fit(X_tr, y_tr)  # fmt: skip
    refit_s = time.perf_counter() - start
    auc_refit = roc_auc_score(y_te, refit.predict_proba(X_te)[:, 1])
    print(json.dumps({
        "data": args.data, "model": first.__class__.__name__, "threads": args.threads,
        "defaults_auc": round(float(auc_first), 6), "epochs_run": len(history),
        "best_epoch": best, "lr_drops_after_epochs": milestones,
        "refit_all_rows_auc": round(float(auc_refit), 6),
        "fit_s": round(first_s, 1), "refit_s": round(refit_s, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
