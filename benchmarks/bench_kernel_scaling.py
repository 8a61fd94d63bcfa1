"""How much a second torch thread speeds up each kind of work in a CTR step.

A training step at Criteo shape (batch 4096, 26 fields, embeddings of 10, a
724,000-row table) is made of a few kinds of work: the MLP's matrix products,
element-wise passes over the batch's lookups (a few MB, cache-sized), random row
reads and writes in the embedding table and its Adam moments, the sort that
groups the batch's lookups by id (packed int64 keys in numpy and torch, and
the int32 ids that the embedding sorts, side by side), and
streaming through memory. This script times each kind alone at one and two threads,
alternating the thread count within one process, and prints the minimum over the
repeats and the ratio, so that a step's scaling can be read against what the
machine gives each kind::

    python -m benchmarks.bench_kernel_scaling [--repeats 3]

A ratio near 2 is work that a second core doubles; a ratio near 1 is work
limited by something the cores share (memory bandwidth).
"""

import argparse
import time

import numpy as np
import torch


def _kernels():
    torch.manual_seed(0)
    batch, fields, width, rows = 4096, 26, 11, 724_000
    x = torch.randn(batch, fields * (width - 1), requires_grad=True)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(fields * (width - 1), 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 128),
        torch.nn.ReLU(),
        torch.nn.Linear(128, 1),
    )

    def mlp_step(bf16):
        def run():
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                out = mlp(x)
            out.float().sum().backward()

        return run

    lookups = torch.randn(batch * fields, width)
    table = torch.randn(rows, width)
    ids = torch.randint(0, rows, (batch * fields,))
    distinct = torch.unique(ids)
    new_rows = torch.randn(len(distinct), width)
    # each lookup's id packed with its position (how the embedding's backward
    # once grouped a batch's lookups by id), against the stable sort of the ids
    # as int32 that it uses now
    ids32 = ids.to(torch.int32)
    shift = (batch * fields - 1).bit_length()
    keys = (ids << shift) | torch.arange(batch * fields)
    keys_np = keys.numpy()
    big_a = torch.randn(26_000_000)
    big_b = torch.randn(26_000_000)
    big_out = torch.empty_like(big_a)
    return {
        "MLP 260-256-128-1 forward+backward, float32": (mlp_step(False), 20),
        "MLP 260-256-128-1 forward+backward, bfloat16": (mlp_step(True), 20),
        "element-wise pass over one batch's lookups (4.7 MB)": (
            lambda: torch.addcmul(lookups, lookups, lookups),
            200,
        ),
        "read one batch's rows of the table (index_select)": (
            lambda: table.index_select(0, ids),
            200,
        ),
        "write the batch's distinct rows (index_copy_)": (
            lambda: table.index_copy_(0, distinct, new_rows),
            200,
        ),
        "sort one batch's packed (id, position) keys, numpy": (
            lambda: np.sort(keys_np),
            200,
        ),
        "sort one batch's packed (id, position) keys, torch": (
            lambda: torch.sort(keys),
            200,
        ),
        "stable sort of one batch's ids as int32, torch": (
            lambda: torch.sort(ids32, stable=True),
            200,
        ),
        "streaming add of two 100 MB arrays": (
            lambda: torch.add(big_a, big_b, out=big_out),
            20,
        ),
    }


def _time(fn, calls):
    for _ in range(3):
        fn()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    kernels = _kernels()
    print(f"{'kernel':55s}{'1 thread ms':>13s}{'2 threads ms':>14s}{'ratio':>8s}")
    for name, (fn, calls) in kernels.items():
        best = {1: float("inf"), 2: float("inf")}
        for _ in range(args.repeats):
            for threads in (1, 2):
                torch.set_num_threads(threads)
                best[threads] = min(best[threads], _time(fn, calls))
        print(
            f"{name:55s}{best[1] * 1e3:13.3f}{best[2] * 1e3:14.3f}"
            f"{best[1] / best[2]:8.2f}"
        )


if __name__ == "__main__":
    main()
