"""Vector fields: test AUC with and without the vector, and with it as columns.

On :func:`skfeat.datasets.make_vector_field_classification` (the logit is
``<v, w[category]>`` plus main effects of three other fields, so the vector's
signal lives only in its direction and only together with ``category``), each
field model is fitted three ways with the same settings:

* ``vector field``: ``vector_features={"text": [the d columns]}``, one field;
* ``no vector``: the vector's columns dropped;
* ``d numeric fields``: the same columns, each its own numeric field.

It prints a Markdown table of test AUC, epochs and fit seconds (and the AUC of the
generating logit, the ceiling)::

    OMP_NUM_THREADS=1 python -m benchmarks.bench_vector_fields --threads 1

``--models fm,deepfm`` picks models; ``--json`` prints the rows as JSON too.
"""

import argparse
import json
import time

import torch
from sklearn.metrics import roc_auc_score

from skfeat.datasets import make_vector_field_classification
from skfeat.models import (
    AutoIntClassifier,
    DCNClassifier,
    DeepFMClassifier,
    DNNClassifier,
    FiGNNClassifier,
    FinalMLPClassifier,
    FMClassifier,
    FwFMClassifier,
    VAEClassifier,
    WideDeepClassifier,
)

MODELS = {
    "fm": (FMClassifier, {}),
    "fwfm": (FwFMClassifier, {}),
    "dnn": (DNNClassifier, {"hidden_units": (64, 64)}),
    "widedeep": (WideDeepClassifier, {"hidden_units": (64, 64)}),
    "deepfm": (DeepFMClassifier, {"hidden_units": (64, 64)}),
    "dcn": (DCNClassifier, {"hidden_units": (64, 64)}),
    "autoint": (AutoIntClassifier, {}),
    "fignn": (FiGNNClassifier, {"learning_rate": 0.003}),
    "finalmlp": (
        FinalMLPClassifier,
        {
            "mlp1_hidden_units": (64,),
            "mlp2_hidden_units": (64,),
            "fs_hidden_units": (32,),
            "num_heads": 1,
        },
    ),
    "vae": (VAEClassifier, {"user_features": ["category"], "learning_rate": 0.01}),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--vector-dim", type=int, default=64)
    parser.add_argument("--max-epochs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y, truth = make_vector_field_classification(
        n_samples=args.n_samples, vector_dim=args.vector_dim, random_state=args.seed
    )
    n_train = int(0.7 * len(X))
    X_train, X_test = X.iloc[:n_train], X.iloc[n_train:]
    y_train, y_test = y[:n_train], y[n_train:]
    columns = truth.vector_features["text"]
    scalar = [c for c in X.columns if c not in columns]
    ceiling = roc_auc_score(y_test, truth.logit[n_train:])
    # one small fit first, so that no timed fit pays the process's start-up
    FMClassifier(max_epochs=1, random_state=0).fit(X_train.iloc[:500], y_train[:500])
    print(
        f"{len(X)} rows ({n_train} train), vector of {args.vector_dim}, "
        f"generating-logit test AUC {ceiling:.4f}\n"
    )
    print("| model | vector field | no vector | d numeric fields |")
    print("| --- | --- | --- | --- |")
    rows = []
    for key in args.models.split(","):
        cls, params = MODELS[key]
        cells = []
        for variant in ("vector field", "no vector", "d numeric fields"):
            kwargs = dict(params, max_epochs=args.max_epochs, random_state=args.seed)
            if variant == "vector field":
                kwargs["vector_features"] = truth.vector_features
            cols = scalar if variant == "no vector" else list(X.columns)
            start = time.perf_counter()
            model = cls(**kwargs).fit(X_train[cols], y_train)
            seconds = time.perf_counter() - start
            auc = roc_auc_score(y_test, model.predict_proba(X_test[cols])[:, 1])
            rows.append(
                dict(
                    model=cls.__name__,
                    variant=variant,
                    auc=auc,
                    epochs=model.n_iter_,
                    fit_s=seconds,
                )
            )
            cells.append(f"{auc:.4f} ({model.n_iter_} ep, {seconds:.1f} s)")
        print(f"| {cls.__name__} | " + " | ".join(cells) + " |", flush=True)
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
