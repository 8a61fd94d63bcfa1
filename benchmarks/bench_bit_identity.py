"""Are in-memory fits unchanged, bit for bit, between two versions of skfeat?

``snapshot`` fits every field estimator (plain, with ``numeric_bins=5``, with
hashing and with sparse gradients where the estimator takes them; 6 epochs,
``embed_dim=4``, seed 0, one torch thread) on one small table with categorical,
numeric and integer-code columns, and saves the predictions on its first 50
rows and the validation scores; ``compare`` says which arrays of two snapshots
differ. Run ``snapshot`` in a checkout of each version (same machine kind and
thread count), then ``compare``:

    PYTHONPATH=/path/to/old python -m benchmarks.bench_bit_identity snapshot old.npz
    python -m benchmarks.bench_bit_identity snapshot new.npz
    python -m benchmarks.bench_bit_identity compare old.npz new.npz
"""

import argparse
import sys
import warnings

import numpy as np
import torch


def snapshot(path):
    from skfeat.datasets import make_interaction_classification
    from skfeat.models import BaseFieldModel
    from skfeat.utils.discovery import all_estimators

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    X, y, _ = make_interaction_classification(
        n_samples=800, n_fields=4, n_numeric=2, random_state=0
    )
    X["code"] = np.random.RandomState(1).randint(0, 7, len(X))  # integer ids
    y_reg = X["num0"].to_numpy() * 2 + y
    options = {
        "plain": {},
        "bins": {"numeric_bins": 5},
        "hash": {"categorical_encoding": "hash", "hash_buckets": 64},
        # the large-table path (sparse gradients, lazy Adam) on a small table
        "sparse": {"sparse_gradients": True},
    }
    out = {}
    for name, cls in all_estimators():
        if not issubclass(cls, BaseFieldModel):
            continue
        params = cls().get_params()
        base = {k: v for k, v in dict(max_epochs=6, random_state=0, embed_dim=4).items()
                if k in params}  # fmt: skip
        for option, extra in options.items():
            extra = {k: v for k, v in extra.items() if k in params}
            if option != "plain" and not extra:
                continue
            est = cls(**base, **extra)
            target = y if hasattr(est, "predict_proba") else y_reg
            est.fit(X, target)
            rows = X.iloc[:50]
            pred = (est.decision_function(rows) if hasattr(est, "decision_function")
                    else est.predict(rows))  # fmt: skip
            out[f"{name}/{option}"] = np.asarray(pred, dtype=np.float64)
            out[f"{name}/{option}/vs"] = np.asarray(
                getattr(est, "validation_score_", []), dtype=np.float64
            )
            print(name, option, "fitted", file=sys.stderr)
    np.savez(path, **out)


def compare(a_path, b_path):
    a, b = np.load(a_path), np.load(b_path)
    differ = [
        k for k in a.files
        if k not in b.files
        or a[k].shape != b[k].shape
        or not np.array_equal(a[k], b[k])
    ]  # fmt: skip
    print(f"{len(a.files) - len(differ)} of {len(a.files)} arrays identical")
    for k in differ:
        print("differs:", k)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("snapshot").add_argument("path")
    cmp = sub.add_parser("compare")
    cmp.add_argument("a")
    cmp.add_argument("b")
    args = parser.parse_args()
    if args.command == "snapshot":
        snapshot(args.path)
    else:
        compare(args.a, args.b)


if __name__ == "__main__":
    main()
