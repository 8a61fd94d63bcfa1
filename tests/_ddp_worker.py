"""Worker of ``tests/test_distributed_ddp.py``: one process of a torchrun job.

Run by ``torchrun --nproc-per-node=2 -m tests._ddp_worker OUT.pkl``. Every process
builds the same data, keeps its shard, trains each model with ``fit_distributed``
and rank 0 pickles the fitted models to ``OUT.pkl``. The test trains the same
models in one process with :func:`make_models` and :func:`train_test_data`.
"""

import pickle
import sys

import numpy as np
import torch
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

from skfeat.datasets import make_interaction_classification
from skfeat.distributed import fit_distributed, shard
from skfeat.models import DeepFMClassifier, FMClassifier

N_TRAIN = 12_000
WORLD_SIZE = 2
BATCH_SIZE = 512  # global: 256 rows per process and step
EPOCHS = 30


def train_test_data():
    X, y, _ = make_interaction_classification(n_samples=N_TRAIN + 8_000, random_state=0)
    return X.iloc[:N_TRAIN], y[:N_TRAIN], X.iloc[N_TRAIN:], y[N_TRAIN:]


def aligned_order(n=N_TRAIN, world_size=WORLD_SIZE, batch_size=BATCH_SIZE):
    """Row order in which one process's unshuffled batches are the union of the
    processes' unshuffled batches (each process holding a contiguous shard)."""
    bounds = np.linspace(0, n, world_size + 1).round().astype(int)
    per_rank = batch_size // world_size
    blocks = []
    for start in range(0, bounds[1] - bounds[0], per_rank):
        for r in range(world_size):
            lo = bounds[r] + start
            blocks.append(np.arange(lo, min(lo + per_rank, bounds[r + 1])))
    return np.concatenate(blocks)


def _cosine(epochs):
    # a learning rate that decays to 0: the last epochs settle on a minimum
    return [("lr", LRScheduler(CosineAnnealingLR, T_max=epochs))]


def make_models():
    """``name -> (estimator, aligned)``.

    ``aligned`` models train without shuffling, so that one process on
    :func:`aligned_order` sees the same batches as the data-parallel job: the two
    must then agree up to rounding. The others shuffle as usual, under settings
    that converge to the same AUC from any seed (spread < 0.001 here).
    """
    fixed = dict(early_stopping=False, batch_size=BATCH_SIZE, random_state=0)
    unshuffled = {"iterator_train__shuffle": False}
    fm = dict(embed_dim=4, alpha=3e-4, learning_rate=0.03, **fixed)
    return {
        "fm": (FMClassifier(max_epochs=EPOCHS, callbacks=_cosine(EPOCHS), **fm), False),
        "fm_aligned": (
            FMClassifier(max_epochs=10, net_params=unshuffled, **fm),
            True,
        ),
        "deepfm_aligned": (
            DeepFMClassifier(
                embed_dim=4,
                hidden_units=(16,),
                dropout=0.0,
                batch_norm=False,  # batch statistics would differ per process
                alpha=3e-4,
                net_alpha=1e-3,
                learning_rate=0.01,
                max_epochs=10,
                net_params=unshuffled,
                **fixed,
            ),
            True,
        ),
    }


def main(out):
    torch.set_num_threads(1)
    torch.distributed.init_process_group("gloo")  # from torchrun's environment
    try:
        X, y, _, _ = train_test_data()
        X_part, y_part = shard(X, y)
        fitted = {
            name: fit_distributed(model, X_part, y_part)
            for name, (model, _) in make_models().items()
        }
        if torch.distributed.get_rank() == 0:
            result = {
                "world_size": torch.distributed.get_world_size(),
                "n_rows": len(y_part),
                "models": fitted,
            }
            with open(out, "wb") as f:
                pickle.dump(result, f)
        torch.distributed.barrier()  # tear down together
    finally:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
