"""Cost of a multi-value field against a single-id field of the same vocabulary.

The same rows are fitted three ways, side by side in one run, each with a fixed
number of epochs (no early stopping), one thread:

* ``single``: a categorical column ``tag`` (one id per row);
* ``bag``: the column holds lists of ``--bag-length`` ids on average (1 to
  ``2 * bag-length - 1``) of the same vocabulary, mean pooled;
* ``sequence``: a history list of ``--history-length`` ids sharing the ``item``
  column's vocabulary, attention pooled (deep models) or mean pooled (FM).

Beside the other fields of the row (``item``, ``user`` and two numeric columns),
it reports training rows per second (the epochs' time, from skorch's history),
the set-up seconds before the first epoch (encoding included), and the ratio of
each variant's rows per second to ``single``'s::

    python -m benchmarks.bench_multi_value --model fm --rows 200000 --threads 1
    python -m benchmarks.bench_multi_value --model deepfm --rows 200000 --threads 1
"""

import argparse
import json
import platform
import time

import numpy as np
import pandas as pd
import torch

from skfeat.models import DeepFMClassifier, DNNClassifier, FMClassifier

MODELS = {"fm": FMClassifier, "deepfm": DeepFMClassifier, "dnn": DNNClassifier}


def data(n, vocabulary, bag_length, history_length, seed=0):
    rng = np.random.RandomState(seed)
    lengths = rng.randint(1, 2 * bag_length, n)
    values = rng.zipf(1.3, lengths.sum()) % vocabulary
    bags = np.split(values, np.cumsum(lengths)[:-1])
    items = rng.zipf(1.3, n) % vocabulary
    history = np.split(
        rng.zipf(1.3, n * history_length) % vocabulary, np.arange(1, n) * history_length
    )
    y = (rng.rand(n) < 0.2 + 0.1 * (items % 3 == 0)).astype(int)
    base = pd.DataFrame(
        {
            "user": rng.randint(0, 5000, n),
            "item": items,
            "price": rng.gamma(2.0, 3.0, n),
            "age": rng.normal(40, 10, n),
        }
    )
    return base, rng.zipf(1.3, n) % vocabulary, bags, history, y


def fit(cls, X, y, options, epochs, seed):
    # ids are categorical; the bag and history columns are declared as bags
    bags = options.get("multi_value_features", ())
    categorical = [c for c in ("user", "item", "tag") if c in X and c not in bags]
    model = cls(
        max_epochs=epochs, early_stopping=False, random_state=seed,
        categorical_features=categorical, **options,
    )  # fmt: skip
    start = time.perf_counter()
    model.fit(X, y)
    total = time.perf_counter() - start
    train = sum(row["dur"] for row in model.net_.history)
    return len(X) * epochs / train, total - train


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="fm")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--vocabulary", type=int, default=10_000)
    parser.add_argument("--bag-length", type=int, default=3)
    parser.add_argument("--history-length", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    base, single, bags, history, y = data(
        args.rows, args.vocabulary, args.bag_length, args.history_length, args.seed
    )
    cls = MODELS[args.model]
    pooling = "mean" if args.model == "fm" else "attention"
    variants = {
        "single": (base.assign(tag=single), {}),
        "bag": (
            base.assign(tag=pd.Series(bags, dtype=object)),
            {"multi_value_features": ["tag"]},
        ),
        "sequence": (
            base.assign(history=pd.Series(history, dtype=object)),
            {"multi_value_features": {"history": {"target": "item",
                                                  "pooling": pooling}}},
        ),
    }  # fmt: skip
    results = {}
    # one tiny fit first: torch's and the encoder's one-off start-up costs
    X0, options0 = variants["sequence"]
    fit(cls, X0.iloc[:2000], y[:2000], options0, 1, args.seed)
    for name, (X, options) in variants.items():
        rows_per_s, setup = fit(cls, X, y, options, args.epochs, args.seed)
        results[name] = rows_per_s
        print(
            json.dumps(
                {
                    "model": args.model,
                    "variant": name,
                    "rows": args.rows,
                    "vocabulary": args.vocabulary,
                    "bag_length": args.bag_length if name == "bag" else None,
                    "history_length": args.history_length
                    if name == "sequence"
                    else None,
                    "train_rows_per_s": round(rows_per_s),
                    "setup_s": round(setup, 2),
                    "single_over_this": round(results["single"] / rows_per_s, 2),
                    "threads": args.threads,
                    "machine": platform.processor() or platform.machine(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
