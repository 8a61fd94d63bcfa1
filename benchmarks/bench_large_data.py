"""Train FM and DeepFM for one epoch from Criteo-shaped parquet files.

Each configuration runs in its own process so that peak resident memory
(``resource.getrusage``) is its own::

    OMP_NUM_THREADS=1 python benchmarks/bench_large_data.py --rows 2000000 \
        --model fm --mode files
    OMP_NUM_THREADS=1 python benchmarks/bench_large_data.py --rows 2000000 \
        --model fm --mode memory

Data: ``skfeat.datasets.make_criteo_files`` (made once per size under
``--folder``), plus a 200,000-row test file from another seed; AUC on it.
"""

import argparse
import json
import os
import resource
import time

import torch


def main():
    from sklearn.metrics import roc_auc_score

    from skfeat.data import FileSource
    from skfeat.datasets import make_criteo_files
    from skfeat.models import DeepFMClassifier, FMClassifier

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--n-ids", type=int, default=1_000_000)
    parser.add_argument("--model", choices=["fm", "deepfm"], default="fm")
    parser.add_argument("--mode", choices=["files", "memory"], default="files")
    parser.add_argument("--encoding", choices=["vocabulary", "hash"], default="hash")
    parser.add_argument("--buckets", type=int, default=2**18)
    parser.add_argument("--folder", default="/tmp/skfeat_criteo")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # warm import
    train_dir = os.path.join(args.folder, f"train_{args.rows}")
    test_dir = os.path.join(args.folder, "test_rows_seed_1")
    t0 = time.perf_counter()
    if not os.path.exists(os.path.join(train_dir, "meta.json")):
        make_criteo_files(train_dir, args.rows, n_ids=args.n_ids, random_state=0)
    if not os.path.exists(os.path.join(test_dir, "meta.json")):
        make_criteo_files(
            test_dir, 200_000, n_ids=args.n_ids, random_state=0, rows_seed=1
        )
    gen_s = time.perf_counter() - t0
    # the test file: same planted weights (random_state), other rows (rows_seed)
    with open(os.path.join(train_dir, "meta.json")) as fh:
        meta = json.load(fh)
    cats = meta["categorical"]
    Model = FMClassifier if args.model == "fm" else DeepFMClassifier
    params = dict(
        max_epochs=1, early_stopping=False, batch_size=4096, random_state=0,
        categorical_features=cats, learning_rate=0.001 if args.model == "deepfm"
        else 0.01,
    )  # fmt: skip
    if args.model == "fm":
        params.update(categorical_encoding=args.encoding, hash_buckets=args.buckets,
                      sparse_gradients=True)  # fmt: skip
    clf = Model(**params)
    source = FileSource(train_dir, target="click", shuffle_buffer=262_144)
    test = FileSource(test_dir, target="click")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    start = time.perf_counter()
    if args.mode == "files":
        clf.fit(source)
    else:
        X, y = source.to_pandas()
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        clf.fit(X, y)
    fit_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    _, y_test = test.to_pandas()
    auc = roc_auc_score(y_test, clf.predict_proba(test)[:, 1])
    out = {
        "model": args.model, "mode": args.mode, "rows": args.rows,
        "encoding": args.encoding if args.model == "fm" else "vocabulary",
        "fit_s": round(fit_s, 1), "rows_per_s": round(args.rows / fit_s),
        "peak_rss_gib": round(peak, 2), "rss_before_gib": round(rss0, 2),
        "auc": round(auc, 4), "auc_ceiling_train": round(meta["auc_ceiling"], 4),
        "generate_s": round(gen_s, 1),
        "vocabulary_rows": int(sum(clf.schema_.cardinalities)),
    }  # fmt: skip
    if args.mode == "memory":
        out["read_s"] = round(read_s, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
