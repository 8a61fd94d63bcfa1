"""Sparse FM on a 2^24-wide hashed input: time and peak memory of one epoch.

Run one configuration per process (peak RSS is per process)::

    OMP_NUM_THREADS=1 python benchmarks/bench_hashed_fm.py --sparse-gradients false
    OMP_NUM_THREADS=1 python benchmarks/bench_hashed_fm.py --sparse-gradients true
    OMP_NUM_THREADS=1 python benchmarks/bench_hashed_fm.py --sparse-gradients true \
        --optimizer adagrad

Data: ``n_rows`` rows of 39 one-hot features hashed into ``2^bits`` columns (a
libFM-style CSR matrix), a label planted through 2,000 frequent features.
"""

import argparse
import resource
import time

import numpy as np
import scipy.sparse as sp
import torch


def make_data(n_rows, bits, seed=0):
    rng = np.random.default_rng(seed)
    n_fields = 39
    width = 2**bits
    # Zipf-like ids per field, hashed into the wide space
    ids = rng.zipf(1.3, size=(n_rows, n_fields)) % 50_000
    cols = (ids * 2654435761 + np.arange(n_fields) * 97_003) % width
    truth = rng.normal(size=2_000)
    logit = truth[ids[:, :5] % 2_000].sum(1)
    y = (rng.random(n_rows) < 1 / (1 + np.exp(-logit))).astype(int)
    indptr = np.arange(0, n_rows * n_fields + 1, n_fields)
    X = sp.csr_matrix(
        (np.ones(n_rows * n_fields), cols.ravel(), indptr), shape=(n_rows, width)
    )
    X.sum_duplicates()
    return X, y


def main():
    from skfeat.models import FMClassifier

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--bits", type=int, default=24)
    parser.add_argument("--embed-dim", type=int, default=8)
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--sparse-gradients", default="true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, y = make_data(args.rows, args.bits)
    sparse = {"true": True, "false": False, "auto": "auto"}[args.sparse_gradients]
    clf = FMClassifier(
        embed_dim=args.embed_dim, optimizer=args.optimizer, max_epochs=1,
        early_stopping=False, batch_size=1024, random_state=0,
        sparse_gradients=sparse,
    )  # fmt: skip
    # the first optimizer a process builds imports torch._dynamo (seconds on a
    # loaded box): pay it before timing, as any long-running process has
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    start = time.perf_counter()
    clf.fit(X, y)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    n_params = sum(p.numel() for p in clf.net_.module_.parameters())
    print(
        f"bits={args.bits} rows={args.rows} optimizer={args.optimizer} "
        f"sparse_gradients={args.sparse_gradients}: fit {seconds:.1f} s, "
        f"{args.rows / seconds:,.0f} rows/s, peak RSS {peak:.2f} GiB "
        f"(before fit {rss_before:.2f} GiB), parameters {n_params / 1e6:.0f}M "
        f"= {n_params * 4 / 2**30:.2f} GiB"
    )


if __name__ == "__main__":
    main()
