"""Beyond one machine: grid-search wall time by backend, and DDP epoch time.

Search: the README quick start (3,000 rows, an OrdinalEncoder + FMClassifier
pipeline, 4 candidates x 3 folds + the refit, 5 epochs each), timed in a fresh
Python process per setting so that every setting pays its own start-up:

* ``n_jobs=1`` with torch's default threads (one per core) and with 1 thread;
* ``n_jobs=2`` on loky (joblib's default), the first search of the process (the
  workers start and import torch) and a second one (the workers are reused),
  with the parent's torch at its default threads and at 1 thread (the parent
  refits the best candidate);
* a Dask ``LocalCluster`` of 2 worker processes (1 thread each), the first search
  (workers import torch) and a second one; the cluster's start is timed apart.

Data-parallel training: one FM and one DeepFM trained by ``fit_distributed``
under ``torchrun`` with 1 and then 2 processes (gloo, loopback), the same global
batch size; the time per epoch is skorch's ``dur`` on rank 0.

    python -m benchmarks.bench_distributed search
    python -m benchmarks.bench_distributed ddp --n-samples 200000
"""

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ search
def _quick_start_search(n_jobs=None):
    from sklearn.compose import ColumnTransformer
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    from skfeat.datasets import make_interaction_classification
    from skfeat.models import FMClassifier

    X, y, _ = make_interaction_classification(n_samples=3000, random_state=0)
    prep = ColumnTransformer([("cat", OrdinalEncoder(), list(X.columns))])
    fm = FMClassifier(categorical_features="all", max_epochs=5, random_state=0)
    pipe = Pipeline([("prep", prep), ("fm", fm)])
    grid = {"fm__embed_dim": [4, 8], "fm__alpha": [1e-6, 1e-4]}
    search = GridSearchCV(pipe, grid, scoring="roc_auc", cv=3, n_jobs=n_jobs)
    return search, X, y


def _timed_fit(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start, float(search.best_score_)


def search_setting(setting):
    """Run one setting in this (fresh) process; return a dict of timings."""
    import joblib
    import torch

    out = {"setting": setting}
    if setting.endswith(", 1 thread"):
        torch.set_num_threads(1)  # the parent, which also refits the best
    if setting.startswith("n_jobs=1"):
        out["first"], out["score"] = _timed_fit(*_quick_start_search(1))
        out["second"], _ = _timed_fit(*_quick_start_search(1))
    elif setting.startswith("loky n_jobs=2"):
        out["first"], out["score"] = _timed_fit(*_quick_start_search(2))
        out["second"], _ = _timed_fit(*_quick_start_search(2))
    elif setting == "dask LocalCluster(2)":
        from distributed import Client, LocalCluster

        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
        out["cluster_start"] = time.perf_counter() - start
        try:
            with joblib.parallel_backend("dask"):
                out["first"], out["score"] = _timed_fit(*_quick_start_search())
                out["second"], _ = _timed_fit(*_quick_start_search())
        finally:
            client.close()
            cluster.close()
    else:
        raise ValueError(setting)
    out["parent_threads"] = torch.get_num_threads()
    return out


SEARCH_SETTINGS = [
    "n_jobs=1, default threads",
    "n_jobs=1, 1 thread",
    "loky n_jobs=2",
    "loky n_jobs=2, 1 thread",
    "dask LocalCluster(2)",
]


def run_search(args):
    rows = []
    for setting in SEARCH_SETTINGS:
        cmd = [sys.executable, "-m", "benchmarks.bench_distributed", "_search", setting]
        proc = subprocess.run(
            cmd, cwd=REPO, capture_output=True, text=True, timeout=900
        )
        if proc.returncode != 0:
            print(f"{setting}: failed\n{proc.stderr[-2000:]}")
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print("| setting | first search (s) | second search (s) | cluster start (s) |")
    print("| --- | ---: | ---: | ---: |")
    for r in rows:
        start = f"{r['cluster_start']:.1f}" if "cluster_start" in r else ""
        print(f"| {r['setting']} | {r['first']:.1f} | {r['second']:.1f} | {start} |")


# --------------------------------------------------------------------- ddp
def ddp_worker(args):
    import numpy as np
    import torch
    import torch.distributed as dist

    from skfeat.datasets import make_interaction_classification
    from skfeat.distributed import fit_distributed, shard
    from skfeat.models import DeepFMClassifier, FMClassifier

    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    try:
        X, y, _ = make_interaction_classification(
            n_samples=args.n_samples, random_state=0
        )
        X_part, y_part = shard(X, y)
        fixed = dict(
            batch_size=args.batch_size,
            max_epochs=args.epochs,
            early_stopping=False,
            random_state=0,
        )
        models = {
            "fm": FMClassifier(embed_dim=16, **fixed),
            "deepfm": DeepFMClassifier(
                embed_dim=16, hidden_units=(256, 128), batch_norm=False, **fixed
            ),
        }
        result = {"world_size": dist.get_world_size()}
        for name, model in models.items():
            model = fit_distributed(model, X_part, y_part)
            # first epoch includes warm-up; report the median of the rest
            result[name] = float(np.median(model.net_.history[1:, "dur"]))
            n_params = sum(p.numel() for p in model.net_.module_.parameters())
            result[name + "_params"] = int(n_params)
        if dist.get_rank() == 0:
            print("RESULT " + json.dumps(result), flush=True)
        dist.barrier()  # tear down together
    finally:
        dist.destroy_process_group()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_ddp(args):
    rows = []
    for nproc in (1, 2):
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nnodes=1",
            f"--nproc-per-node={nproc}",
            "--master-addr=127.0.0.1",
            f"--master-port={_free_port()}",
            "-m",
            "benchmarks.bench_distributed",
            "_ddp",
            f"--n-samples={args.n_samples}",
            f"--epochs={args.epochs}",
            f"--batch-size={args.batch_size}",
        ]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"}
        proc = subprocess.run(
            cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800
        )
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            print(f"{nproc} processes: failed\n{proc.stderr[-3000:]}")
            continue
        row = json.loads(lines[-1][len("RESULT ") :])
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print(
        f"{args.n_samples} rows, global batch {args.batch_size}, "
        f"{args.epochs} epochs, median epoch time after the first"
    )
    print("| processes | FM epoch (s) | DeepFM epoch (s) |")
    print("| ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['world_size']} | {r['fm']:.2f} | {r['deepfm']:.2f} |")
    if rows:
        print(
            f"parameters: FM {rows[0]['fm_params']}, DeepFM {rows[0]['deepfm_params']}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["search", "ddp", "_search", "_ddp"])
    parser.add_argument("setting", nargs="?")
    parser.add_argument("--n-samples", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=4096)
    args = parser.parse_args(argv)
    if args.part == "_search":
        print(json.dumps(search_setting(args.setting)))
        return
    if args.part == "_ddp":
        ddp_worker(args)
        return
    print(
        f"machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; python {platform.python_version()}"
    )
    if args.part == "search":
        run_search(args)
    else:
        run_ddp(args)


if __name__ == "__main__":
    main()
