"""Untrained ids (unseen, missing, holdout-only) before and after their fill.

A fit gives every embedding row that no training row reached the count-weighted
mean of its field's trained rows (``skfeat/models/_untrained.py``). One fit per
model, defaults: the rows are recorded just before the fill, so the held-out AUC
and the mean prediction of rows with an untrained id are reported for both
states of the same trained model:

    SKFEAT_DATA=../shared/data python -m benchmarks.bench_unseen_ids \
        --data frappe --model fm --threads 2
    SKFEAT_DATA=../shared/data python -m benchmarks.bench_unseen_ids \
        --data movielens --model deepfm

``--data``/``--model``/``--read`` as in ``benchmarks.bench_defaults``.
``--data planted`` draws 20,000 click rows whose six devices click at 0.15 to
0.23 (a site effect on top) and reports, after the fill and before it, the mean
prediction of every row with each known device put in, and with an unseen and
a missing device:

    python -m benchmarks.bench_unseen_ids --data planted --model fm
"""

import argparse
import copy
import json
import platform
import time

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score

import skfeat.models._base as base
from benchmarks.bench_defaults import MODELS, load


def planted(n=20_000, seed=0):
    rng = np.random.RandomState(seed)
    rates = np.array([0.15, 0.18, 0.20, 0.22, 0.17, 0.23])
    device = rng.choice(6, n, p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
    site = rng.randint(0, 40, n)
    logit = np.log(rates / (1 - rates))[device] + rng.normal(size=40)[site] * 0.3
    y = (rng.rand(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame(
        {
            "device": pd.Categorical([f"d{d}" for d in device]),
            "site": pd.Categorical([f"s{s}" for s in site]),
            "hour": rng.randint(0, 24, n),
        }
    )
    return X, y


def device_means(est, X):
    def mean_with(value):
        Xd = X.copy()
        cats = [value] if isinstance(value, str) else ["d0"]
        Xd["device"] = pd.Categorical([value] * len(X), categories=cats)
        return round(float(est.predict_proba(Xd)[:, 1].mean()), 4)

    known = [mean_with(f"d{d}") for d in range(6)]
    return {"known": [min(known), max(known)], "unseen": mean_with("new"),
            "missing": mean_with(np.nan)}  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="frappe")
    parser.add_argument("--read", default="category")
    parser.add_argument("--model", choices=sorted(MODELS), default="fm")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.data == "planted":
        X_tr, y_tr = planted()
        X_te, y_te = planted(seed=1)
    else:
        X_tr, y_tr, X_te, y_te = load(args.data, args.read)
    fill = base.fill_untrained_rows
    saved = {}

    def recording_fill(module, cardinalities, counts, before=None):
        saved["state"] = copy.deepcopy(module.state_dict())
        saved["trained"] = np.asarray(counts) > 0
        return fill(module, cardinalities, counts, before)

    base.fill_untrained_rows = recording_fill
    est = MODELS[args.model](random_state=0)
    t0 = time.perf_counter()
    est.fit(X_tr, y_tr)
    wall = time.perf_counter() - t0
    base.fill_untrained_rows = fill

    cat = est.encode_inputs(X_te)["cat"]
    offsets = np.concatenate([[0], np.cumsum(est.schema_.cardinalities)[:-1]])
    untrained_row = (~saved["trained"][cat + offsets]).any(axis=1)
    after = est.predict_proba(X_te)[:, 1]
    devices = {}
    if args.data == "planted":
        devices["after_fill"] = device_means(est, X_tr)
    filled = copy.deepcopy(est.net_.module_.state_dict())
    est.net_.module_.load_state_dict(saved["state"])
    before = est.predict_proba(X_te)[:, 1]
    if args.data == "planted":
        devices["before_fill"] = device_means(est, X_tr)
    est.net_.module_.load_state_dict(filled)

    def summary(p):
        return {
            "auc": round(float(roc_auc_score(y_te, p)), 6),
            "mean_p_untrained_rows": round(float(p[untrained_row].mean()), 4)
            if untrained_row.any()
            else None,
            "mean_p_other_rows": round(float(p[~untrained_row].mean()), 4),
        }

    out = {
        "data": args.data,
        "model": type(est).__name__,
        "held_out_rows": int(len(y_te)),
        "rows_with_an_untrained_id": int(untrained_row.sum()),
        "label_mean_untrained_rows": round(float(np.mean(y_te[untrained_row])), 4)
        if untrained_row.any()
        else None,
        "train_label_mean": round(float(np.mean(y_tr)), 4),
        "before_fill": summary(before),
        "after_fill": summary(after),
        "mean_prediction_by_device": devices or None,
        "fit_seconds": round(wall, 1),
        "epochs": est.n_iter_,
        "torch_threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
