"""Out-of-the-box accuracy: ``Model(random_state=0).fit(X_train, y_train)``.

No eval_set, no tuning: each model with its defaults, trained on the training split
and scored on the held-out split, as a new user would call it. Needs the data:

    SKFEAT_DATA=../shared/data python -m benchmarks.bench_defaults --data frappe \
        --model fm
    SKFEAT_DATA=../shared/data python -m benchmarks.bench_defaults --data frappe \
        --model fm --read csv          # pd.read_csv: integer id columns
    SKFEAT_DATA=../shared/data python -m benchmarks.bench_defaults --data adult \
        --model hgb

``--data frappe`` scores Frappe_x1 ``valid`` (read as ``category`` columns by
``load_frappe``, or with ``--read csv`` straight from ``pd.read_csv``, integer ids);
``--data adult`` reads ``adult/train.csv`` and ``adult/test.csv`` with
``pd.read_csv`` (strings become object columns, numbers stay numeric) and scores
``test``. ``--model hgb`` is scikit-learn's ``HistGradientBoostingClassifier()``
(with ``categorical_features="from_dtype"`` on category columns).
"""

import argparse
import json
import os
import platform
import time

import numpy as np
import pandas as pd
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from skfeat.models import (
    AutoIntClassifier,
    DCNClassifier,
    DeepFMClassifier,
    DNNClassifier,
    FiGNNClassifier,
    FMClassifier,
    FwFMClassifier,
    WideDeepClassifier,
)

MODELS = {
    "fm": FMClassifier,
    "fwfm": FwFMClassifier,
    "dnn": DNNClassifier,
    "widedeep": WideDeepClassifier,
    "deepfm": DeepFMClassifier,
    "dcnv2": DCNClassifier,
    "autoint+": AutoIntClassifier,
    "fignn": FiGNNClassifier,
}


def _root():
    root = os.environ.get("SKFEAT_DATA")
    if not root:
        raise SystemExit("set SKFEAT_DATA to the data folder")
    return root


def load(data, read):
    root = _root()
    if data == "frappe":
        folder = os.path.join(root, "frappe_x1")
        train = pd.read_csv(os.path.join(folder, "train.csv"))
        valid = pd.read_csv(os.path.join(folder, "valid.csv"))
        y_tr, y_te = train.pop("label").to_numpy(), valid.pop("label").to_numpy()
        if read == "category":
            for col in train:
                cats = pd.unique(pd.concat([train[col], valid[col]]))
                train[col] = pd.Categorical(train[col], categories=cats)
                valid[col] = pd.Categorical(valid[col], categories=cats)
        return train, y_tr, valid, y_te
    folder = os.path.join(root, "adult")
    train = pd.read_csv(os.path.join(folder, "train.csv"))
    test = pd.read_csv(os.path.join(folder, "test.csv"))
    y_tr = (train.pop("income").str.strip(" .") == ">50K").astype(int).to_numpy()
    y_te = (test.pop("income").str.strip(" .") == ">50K").astype(int).to_numpy()
    return train, y_tr, test, y_te


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", choices=["frappe", "adult"], default="frappe")
    parser.add_argument("--model", choices=sorted(MODELS) + ["hgb"], default="fm")
    parser.add_argument("--read", choices=["category", "csv"], default="category")
    parser.add_argument("--params", default="{}", help="JSON overrides")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X_tr, y_tr, X_te, y_te = load(args.data, args.read)
    params = json.loads(args.params)
    if args.model == "hgb":
        est = HistGradientBoostingClassifier(random_state=0, **params)
        if args.data == "adult":  # string columns: HGB needs category dtype
            for col in X_tr.select_dtypes(exclude="number").columns:
                cats = pd.unique(pd.concat([X_tr[col], X_te[col]]))
                X_tr[col] = pd.Categorical(X_tr[col], categories=cats)
                X_te[col] = pd.Categorical(X_te[col], categories=cats)
    else:
        est = MODELS[args.model](random_state=0, **params)
    t0 = time.perf_counter()
    est.fit(X_tr, y_tr)
    wall = time.perf_counter() - t0
    p = est.predict_proba(X_te)[:, 1]
    out = {
        "data": args.data,
        "read": args.read,
        "model": type(est).__name__,
        "params": params,
        "auc": round(float(roc_auc_score(y_te, p)), 6),
        "fit_seconds": round(wall, 1),
        "epochs": getattr(est, "n_iter_", None),
        "torch_threads": torch.get_num_threads(),
        "machine": platform.machine(),
    }
    if hasattr(est, "is_categorical_"):
        out["categorical"] = [
            str(c) for c in np.asarray(X_tr.columns)[est.is_categorical_]
        ]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
