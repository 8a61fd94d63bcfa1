"""Two-process job of ``tests/test_fit_paths.py``, started with
``torch.multiprocessing`` (no launcher agent) on a file rendezvous.

Each process keeps its shard of the matrix data and fits one model per encoder
option with ``fit_distributed``; rank 0 pickles the summaries.
"""

import datetime
import pickle
import time
import warnings

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from skfeat.distributed import fit_distributed, shard
from skfeat.models import FMClassifier
from tests._fit_paths import MODEL, OPTIONS, frame, summary


def _worker(rank, world_size, store_file, out):
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    dist.init_process_group(
        "gloo",
        init_method=f"file://{store_file}",
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=120),
    )
    try:
        X, y = frame()
        X_part, y_part = shard(X, y)
        results = {}
        for name, options in OPTIONS.items():
            model = FMClassifier(**MODEL, **options, early_stopping=False)
            results[name] = summary(fit_distributed(model, X_part, y_part))
        if rank == 0:
            with open(out, "wb") as f:
                pickle.dump(results, f)
    finally:
        dist.destroy_process_group()


def run(store_file, out, *, world_size=2, timeout=240):
    """Run the job; raise if a process fails or the job outlives ``timeout``."""
    context = mp.start_processes(
        _worker,
        args=(world_size, str(store_file), str(out)),
        nprocs=world_size,
        join=False,
        start_method="spawn",
    )
    deadline = time.monotonic() + timeout
    while not context.join(timeout=5):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            raise TimeoutError(f"the two-process job did not end in {timeout} s")
