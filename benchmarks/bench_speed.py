"""Training throughput of ``fit`` against a bare torch loop over the same module.

Both train the same module class (``skfeat.nn.FM``, ``FwFM`` or ``DeepFM`` with hidden
units (256, 128), no batch norm or dropout) on the same encoded tensors with the same
batch size, optimizer and learning rate. The bare loop permutes the tensors once
per epoch and slices batches, the fastest plain-torch way we know on a CPU. skfeat's
time is read from skorch's per-epoch ``dur`` (training plus nothing else: no
validation set is given) and, separately, as the whole ``fit`` wall time (including
field encoding).

    SKFEAT_DATA=../shared/data python -m benchmarks.bench_speed --model fm
    SKFEAT_DATA=../shared/data python -m benchmarks.bench_speed --model deepfm
"""

import argparse
import platform
import time

import numpy as np
import torch

from benchmarks._frappe_data import frappe_or_synthetic
from skfeat.models import DeepFMClassifier, FMClassifier, FwFMClassifier

# model -> (estimator, extra parameters beside the shared ones)
MODELS = {
    "fm": (FMClassifier, {}),
    "fwfm": (FwFMClassifier, {}),
    "deepfm": (
        DeepFMClassifier,
        dict(hidden_units=(256, 128), dropout=0.0, batch_norm=False, net_alpha=0.0),
    ),
}


def bare_loop(module, cat, num, y, *, epochs, batch_size, lr, seed):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(module.parameters(), lr=lr)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    n = len(y)
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        c, v, t = cat[perm], num[perm], y[perm]
        module.train()
        for s in range(0, n, batch_size):
            opt.zero_grad()
            loss = loss_fn(
                module(c[s : s + batch_size], v[s : s + batch_size]),
                t[s : s + batch_size],
            )
            loss.backward()
            opt.step()
            loss.item()  # the same host sync skorch does for its history
        times.append(time.perf_counter() - t0)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", choices=sorted(MODELS), default="fm")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y, _, _, source = frappe_or_synthetic()
    n = len(y)
    cls, extra = MODELS[args.model]
    params = dict(
        embed_dim=10,
        batch_size=args.batch_size,
        learning_rate=1e-3,
        alpha=0.0,
        max_epochs=args.epochs,
        early_stopping=False,
        random_state=0,
        **extra,
    )

    best = {"bare": np.inf, "skfeat_epoch": np.inf, "skfeat_fit": np.inf}
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        est = cls(**params).fit(X, y)
        fit_time = time.perf_counter() - t0
        epoch = float(np.median(est.net_.history[:, "dur"]))
        best["skfeat_epoch"] = min(best["skfeat_epoch"], epoch)
        best["skfeat_fit"] = min(best["skfeat_fit"], fit_time / args.epochs)

        enc = est.encoder_.transform(X)
        cat, num = torch.from_numpy(enc["cat"]), torch.from_numpy(enc["num"])
        yt = torch.from_numpy(y.astype(np.float32))
        module = est._build_module(est.schema_, 1)
        times = bare_loop(
            module,
            cat,
            num,
            yt,
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=1e-3,
            seed=0,
        )
        best["bare"] = min(best["bare"], float(np.median(times)))

    rate = {k: n / v for k, v in best.items()}
    print(f"data: {source}, {n} rows, {X.shape[1]} fields, model {cls.__name__}")
    print(
        f"machine: {platform.processor() or platform.machine()}, "
        f"torch threads {torch.get_num_threads()}, torch {torch.__version__}"
    )
    print(
        f"batch {args.batch_size}, embed_dim 10, {extra or ''}, Adam, "
        f"{args.epochs} epochs, "
        f"best of {args.repeats}"
    )
    print(f"{'loop':<34}{'s/epoch':>10}{'rows/s':>12}{'ratio':>8}")
    for key, label in [
        ("bare", "bare torch loop (tensor slicing)"),
        ("skfeat_epoch", "skfeat fit, skorch epoch time"),
        ("skfeat_fit", "skfeat fit, whole fit / epochs"),
    ]:
        print(
            f"{label:<34}{best[key]:>10.3f}{rate[key]:>12,.0f}"
            f"{rate[key] / rate['bare']:>8.2f}"
        )


if __name__ == "__main__":
    main()
