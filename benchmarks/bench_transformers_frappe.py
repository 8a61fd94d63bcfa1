"""Interaction features for plain scikit-learn models on Frappe_x1 (valid AUC).

Trains on ``train`` and reports AUC on ``valid`` for

* logistic regression on one-hot columns, on one-hot + every pairwise cross
  (``FeatureCrosser``), and on one-hot + the crosses of the top-``k`` pairs by
  mean |SHAP interaction| of an FM (``InteractionSelector``);
* gradient boosting (``HistGradientBoostingClassifier``) on ordinal codes (native
  categorical splits for the fields with at most 255 levels) and on the FM's
  entity embeddings (``EmbeddingEncoder``).

One FM is fitted on ``train`` (early stopping on a 10% split of it, never on
``valid``) and shared by the selector and the embedding encoder through
``FrozenEstimator`` / ``from_model``. Needs the data::

    SKFEAT_DATA=../shared/data python -m benchmarks.bench_transformers_frappe
"""

import argparse
import json
import platform
import time

import numpy as np
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from skfeat.datasets import load_frappe
from skfeat.models import FMClassifier
from skfeat.preprocessing import EmbeddingEncoder, FeatureCrosser, InteractionSelector


def _auc(model, X, y):
    return float(roc_auc_score(y, model.predict_proba(X)[:, 1]))


def _timed(label, fn, results):
    start = time.perf_counter()
    auc, n_features = fn()
    seconds = time.perf_counter() - start
    results[label] = {
        "valid_auc": round(auc, 4),
        "n_features": n_features,
        "seconds": round(seconds, 1),
    }
    print(
        f"{label:<45} valid AUC {auc:.4f}  features {n_features:>8}  {seconds:7.1f} s",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=10, help="pairs to cross")
    parser.add_argument("--C", type=float, default=1.0, help="LR inverse penalty")
    parser.add_argument("--embed-dim", type=int, default=10)
    parser.add_argument("--max-epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)  # small embedding model: one thread is the fastest

    data = load_frappe()
    Xtr, ytr, Xva, yva = data.train.X, data.train.y, data.valid.X, data.valid.y
    print(f"Frappe_x1: train {Xtr.shape}, valid {Xva.shape}", flush=True)
    results = {}

    def lr(features):
        pipe = make_pipeline(features, LogisticRegression(C=args.C, max_iter=1000)).fit(
            Xtr, ytr
        )
        return _auc(pipe, Xva, yva), int(pipe[0].transform(Xva.iloc[:1]).shape[1])

    def onehot():
        return OneHotEncoder(handle_unknown="ignore")

    _timed("LR one-hot", lambda: lr(onehot()), results)
    _timed(
        "LR one-hot + all 45 pairwise crosses",
        lambda: lr(make_union(onehot(), FeatureCrosser())),
        results,
    )

    start = time.perf_counter()
    fm = FMClassifier(
        embed_dim=args.embed_dim,
        learning_rate=1e-2,
        batch_size=4096,
        max_epochs=args.max_epochs,
        early_stopping=True,
        random_state=args.seed,
    ).fit(Xtr, ytr)
    fm_seconds = time.perf_counter() - start
    fm_auc = _auc(fm, Xva, yva)
    print(
        f"(FM used by both: valid AUC {fm_auc:.4f}, {fm.n_iter_} epochs, "
        f"{fm_seconds:.1f} s)",
        flush=True,
    )
    results["FM itself"] = {
        "valid_auc": round(fm_auc, 4),
        "epochs": fm.n_iter_,
        "seconds": round(fm_seconds, 1),
    }

    selector = InteractionSelector(
        FrozenEstimator(fm), k=args.k, random_state=args.seed
    ).fit(Xtr)
    print("selected pairs:", selector.selected_pairs_, flush=True)
    _timed(
        f"LR one-hot + InteractionSelector(k={args.k})",
        lambda: lr(make_union(onehot(), FrozenEstimator(selector))),
        results,
    )

    small = [c for c in Xtr.columns if Xtr[c].cat.categories.size <= 255]

    def hgb(train, valid, categorical):
        model = HistGradientBoostingClassifier(
            max_iter=300, categorical_features=categorical, random_state=args.seed
        ).fit(train, ytr)
        return _auc(model, valid, yva), int(train.shape[1])

    ordinal = (
        OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=-1,
            encoded_missing_value=-1,
        )
        .set_output(transform="pandas")
        .fit(Xtr)
    )
    codes_tr, codes_va = ordinal.transform(Xtr), ordinal.transform(Xva)
    mask = np.array([c in small for c in Xtr.columns])
    _timed(
        "HGB ordinal codes (native categorical <= 255)",
        lambda: hgb(codes_tr, codes_va, mask),
        results,
    )
    encoder = EmbeddingEncoder(from_model=fm).fit(Xtr)
    _timed(
        "HGB EmbeddingEncoder output",
        lambda: hgb(encoder.transform(Xtr), encoder.transform(Xva), None),
        results,
    )
    print(
        json.dumps(
            {
                "benchmark": "transformers_frappe",
                "args": vars(args),
                "machine": platform.machine(),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
