"""Train FM and DeepFM for one epoch from Criteo-shaped parquet files.

Each configuration runs in its own process so that peak resident memory
(``resource.getrusage`` of the process, cross-checked with ``/usr/bin/time -v``)
is its own::

    OMP_NUM_THREADS=1 python benchmarks/bench_large_data.py --rows 2000000 \
        --model fm --mode files
    OMP_NUM_THREADS=1 python benchmarks/bench_large_data.py --rows 2000000 \
        --model fm --mode memory

Data: ``skfeat.datasets.make_criteo_files`` writes 32M rows once (1M rows per
file) under ``--folder``; a run on ``--rows N`` trains on the first ``N / 1M``
files, plus a 200,000-row test file from another seed (AUC on it). The
embedding table: ``categorical_encoding="hash"`` with ``--buckets`` ids per
field (default 384,614: 26 x 384,616 = 10.0M embedding rows, the "10M-id
vocabulary"), and sparse gradients (``"auto"`` turns them on for it).

Progress (rows, rows/s, resident memory) goes to stderr every ``--log-every``
seconds, so a run cut short still says how far it got.
"""

import argparse
import json
import os
import resource
import sys
import time

import torch


def _rss_gib():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def _progress_callback(total_rows, every_s):
    from skorch.callbacks import Callback

    class Progress(Callback):
        def on_train_begin(self, net, **kw):
            self.start = self.last = time.perf_counter()
            self.rows = 0

        def on_batch_end(self, net, batch=None, training=None, **kw):
            if not training:
                return
            self.rows += len(batch[1])
            now = time.perf_counter()
            if now - self.last >= every_s:
                self.last = now
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
                print(json.dumps({
                    "progress_rows": self.rows, "of": total_rows,
                    "elapsed_s": round(now - self.start, 1),
                    "rows_per_s": round(self.rows / (now - self.start)),
                    "rss_gib": round(_rss_gib(), 2), "peak_rss_gib": round(peak, 2),
                }), file=sys.stderr, flush=True)  # fmt: skip

    return Progress()


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
    parser.add_argument("--buckets", type=int, default=384_614)
    parser.add_argument("--max-rows", type=int, default=32_000_000)
    parser.add_argument("--folder", default="/tmp/skfeat_criteo")
    parser.add_argument("--log-every", type=float, default=60.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # warm import
    train_dir = os.path.join(args.folder, f"train_{args.max_rows}")
    test_dir = os.path.join(args.folder, "test_rows_seed_1")
    t0 = time.perf_counter()
    # make_criteo_files returns its metadata; it is kept beside each folder (a
    # file inside would stop pandas.read_parquet(folder))
    train_meta, test_meta = train_dir + ".meta.json", test_dir + ".meta.json"
    if not os.path.exists(train_meta):
        meta = make_criteo_files(
            train_dir, args.max_rows, n_ids=args.n_ids, random_state=0
        )
        with open(train_meta, "w") as fh:
            json.dump(meta, fh, indent=1)
    if not os.path.exists(test_meta):
        # the test file: same planted weights (random_state), other rows (rows_seed)
        meta = make_criteo_files(
            test_dir, 200_000, n_ids=args.n_ids, random_state=0, rows_seed=1
        )
        with open(test_meta, "w") as fh:
            json.dump(meta, fh, indent=1)
    gen_s = time.perf_counter() - t0
    with open(train_meta) as fh:
        meta = json.load(fh)
    n_files = -(-args.rows // 1_000_000)
    files = sorted(meta["files"])[:n_files]
    cats = meta["categorical"]
    Model = FMClassifier if args.model == "fm" else DeepFMClassifier
    params = dict(
        max_epochs=1, early_stopping=False, batch_size=4096, random_state=0,
        categorical_features=cats, learning_rate=0.001 if args.model == "deepfm"
        else 0.01, categorical_encoding=args.encoding, hash_buckets=args.buckets,
        sparse_gradients="auto",
        callbacks=[_progress_callback(args.rows, args.log_every)],
        # the loop the recorded numbers were measured with (before issue 13's
        # defaults: no clipping, constant learning rate)
        scoring="loss", lr_schedule=None, clip_grad_norm=None,
        # the embedding size of the recorded runs (the deep models' default was
        # 10 then, 32 since the seventh session; FM's is 10)
        embed_dim=10,
    )  # fmt: skip
    clf = Model(**params)
    source = FileSource(files, target="click", shuffle_buffer=262_144)
    assert source.n_rows == args.rows, (source.n_rows, args.rows)
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
        "encoding": args.encoding, "buckets_per_field": args.buckets,
        "embedding_rows": int(sum(clf.schema_.cardinalities)),
        "sparse_gradients": bool(clf._sparse_gradients_),
        "fit_s": round(fit_s, 1), "rows_per_s": round(args.rows / fit_s),
        "peak_rss_gib": round(peak, 2), "rss_before_gib": round(rss0, 2),
        "auc": round(auc, 4), "auc_ceiling_train_32M": round(meta["auc_ceiling"], 4),
        "generate_s": round(gen_s, 1),
    }  # fmt: skip
    if args.mode == "memory":
        out["read_s"] = round(read_s, 1)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
