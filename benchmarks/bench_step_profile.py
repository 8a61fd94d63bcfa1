"""Where a Criteo-shaped training step spends its time, on one and two threads.

Fits ``DeepFMClassifier`` (or ``FMClassifier``) with the settings of
``bench_throughput.py`` for one epoch under ``torch.profiler``, once with one
torch thread and once with two, and prints each operation's self time per step
side by side with the ratio, largest first. An operation whose ratio stays near 1
is serial work that a second thread does not shorten (Python between the
operations shows as the self time of ``Optimizer.step``, which runs the training
closure)::

    python -m benchmarks.bench_step_profile --model deepfm --rows 300000

The data are the generated Criteo shape of ``bench_throughput.py`` (written once
to ``--folder``); a warm-up fit on 50,000 rows precedes each profiled fit.
"""

import argparse
import os
import tempfile

import pandas as pd
import torch
from torch.profiler import ProfilerActivity, profile

from benchmarks.bench_throughput import _write_data


def _model(name, categorical, batch_size):
    from skfeat.models import DeepFMClassifier, FMClassifier

    common = dict(
        embed_dim=10, batch_size=batch_size, max_epochs=1, early_stopping=False,
        random_state=0, categorical_features=categorical,
    )  # fmt: skip
    if name == "fm":
        return FMClassifier(**common)
    return DeepFMClassifier(
        hidden_units=(256, 128), dropout=0.0, batch_norm=False, net_alpha=0.0,
        **common,
    )  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["fm", "deepfm"], default="deepfm")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--folder", default=os.path.join(tempfile.gettempdir(), "skfeat_ctr_shapes")
    )
    args = parser.parse_args(argv)
    os.makedirs(args.folder, exist_ok=True)
    paths, categorical = _write_data(args.folder, "criteo", 800_000, 0, 200_000)
    X = pd.read_parquet(paths["train"]).iloc[: args.rows]
    y = X.pop("click").to_numpy()
    steps = -(-len(y) // args.batch_size)
    per_step = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        model = _model(args.model, categorical, args.batch_size)
        model.fit(X.iloc[:50_000], y[:50_000])  # warm-up
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            model.fit(X, y)
        per_step[threads] = {
            e.key: e.self_cpu_time_total / steps / 1000 for e in prof.key_averages()
        }
    print(f"{args.model}, {len(y)} rows, {steps} steps; self time per step")
    print(f"{'operation':48s}{'1 thread ms':>12s}{'2 threads ms':>14s}{'ratio':>8s}")
    for key in sorted(per_step[1], key=lambda k: -per_step[1][k])[: args.top]:
        one, two = per_step[1][key], per_step[2].get(key, 0.0)
        ratio = f"{one / two:8.2f}" if two else f"{'-':>8s}"
        print(f"{key[:48]:48s}{one:12.3f}{two:14.3f}{ratio}")
    print(
        f"{'all operations':48s}{sum(per_step[1].values()):12.3f}"
        f"{sum(per_step[2].values()):14.3f}"
    )


if __name__ == "__main__":
    main()
