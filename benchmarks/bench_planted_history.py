"""Planted history-target interaction: target attention, mean pooling, no history.

On :func:`skfeat.datasets.make_history_classification` (the label is likelier
when the target ``item`` is among the ``history`` items, and nothing else
carries signal), each deep model is fitted with default settings three ways:

* ``attention``: ``multi_value_features={"history": {"target": "item",
  "pooling": "attention"}}``, DIN's target attention;
* ``mean``: the same with ``"pooling": "mean"``;
* ``none``: the history column dropped (the item alone says nothing).

It prints one JSON line per model, pooling and seed: the oracle test AUC (of the
generating probability), the model's test AUC, epochs and fit seconds::

    OMP_NUM_THREADS=1 python -m benchmarks.bench_planted_history --seeds 0,1,2

``--table`` then prints a Markdown table of the means over the seeds.
"""

import argparse
import json
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from skfeat.datasets import make_history_classification
from skfeat.models import DCNClassifier, DeepFMClassifier, DNNClassifier

MODELS = {
    "dnn": DNNClassifier,
    "deepfm": DeepFMClassifier,
    "dcn": DCNClassifier,
}
POOLINGS = ("attention", "mean", "none")


def run(model, pooling, data, seed):
    """Fit one model on the training rows; return its result row."""
    X_train, y_train, X_test, y_test = data
    params = {"random_state": seed}
    if pooling == "none":
        X_train, X_test = X_train[["item"]], X_test[["item"]]
    else:
        params["multi_value_features"] = {
            "history": {"target": "item", "pooling": pooling}
        }
    start = time.perf_counter()
    estimator = MODELS[model](**params).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    auc = roc_auc_score(y_test, estimator.predict_proba(X_test)[:, 1])
    return {"auc": auc, "epochs": estimator.n_iter_, "fit_s": seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--poolings", default=",".join(POOLINGS))
    parser.add_argument("--n-train", type=int, default=12_000)
    parser.add_argument("--n-test", type=int, default=8_000)
    parser.add_argument("--n-items", type=int, default=50)
    parser.add_argument("--history-length", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        X, y, truth = make_history_classification(
            args.n_train + args.n_test,
            n_items=args.n_items,
            history_length=args.history_length,
            random_state=seed,
        )
        n = args.n_train
        data = (X.iloc[:n], y[:n], X.iloc[n:], y[n:])
        oracle = roc_auc_score(y[n:], truth.proba[n:])
        if not rows:
            # one small fit first, so that no timed fit pays the start-up
            run("dnn", "mean", (X.iloc[:500], y[:500], X.iloc[:10], y[:10]), seed)
        for model in args.models.split(","):
            for pooling in args.poolings.split(","):
                row = {
                    "model": MODELS[model].__name__,
                    "pooling": pooling,
                    "n_train": n,
                    "n_items": args.n_items,
                    "history_length": args.history_length,
                    "seed": seed,
                    "oracle_auc": round(oracle, 4),
                }
                result = run(model, pooling, data, seed)
                row.update(
                    auc=round(result["auc"], 4),
                    gap=round(oracle - result["auc"], 4),
                    epochs=result["epochs"],
                    fit_s=round(result["fit_s"], 1),
                )
                rows.append(row)
                print(json.dumps(row), flush=True)
    if args.table:
        print("\n| model | pooling | oracle AUC | test AUC | oracle - test | fit s |")
        print("| --- | --- | --- | --- | --- | --- |")
        keys = dict.fromkeys((r["model"], r["pooling"]) for r in rows)
        for model, pooling in keys:
            group = [r for r in rows if (r["model"], r["pooling"]) == (model, pooling)]
            mean = {k: np.mean([r[k] for r in group]) for k in ("oracle_auc", "auc")}
            gaps = [r["gap"] for r in group]
            seconds = np.mean([r["fit_s"] for r in group])
            print(
                f"| {model} | {pooling} | {mean['oracle_auc']:.4f} | "
                f"{mean['auc']:.4f} | {np.mean(gaps):.4f} "
                f"({min(gaps):.4f} to {max(gaps):.4f}) | {seconds:.1f} |"
            )


if __name__ == "__main__":
    main()
