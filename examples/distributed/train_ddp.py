"""Train one DeepFM data-parallel on several processes with torch DDP.

Run on one machine with two processes (gloo on CPU, loopback only):

    GLOO_SOCKET_IFNAME=lo torchrun --nproc-per-node=2 \
        --master-addr=127.0.0.1 --master-port=29500 \
        examples/distributed/train_ddp.py deepfm.pkl

On N machines run the same command on each, with ``--nnodes=N``,
``--node-rank=i`` and the address of machine 0 as ``--master-addr``. Every
process reads its own shard; rank 0 writes the fitted model.
"""

import os
import pickle
import sys

import torch

from skfeat.datasets import make_interaction_classification
from skfeat.distributed import fit_distributed, shard
from skfeat.models import DeepFMClassifier

out = sys.argv[1] if len(sys.argv) > 1 else "deepfm.pkl"
n_samples = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
torch.set_num_threads(1)  # one process per core

# every process makes (or reads) only its own rows
X, y, _ = make_interaction_classification(n_samples=n_samples, random_state=0)
X_part, y_part = shard(X, y)  # rank r of world_size: the r-th block of rows

model = DeepFMClassifier(
    hidden_units=(64, 64),
    batch_size=1024,  # global: 512 rows per process and step with 2 processes
    max_epochs=5,
    early_stopping=False,
    random_state=0,
)
model = fit_distributed(model, X_part, y_part)  # joins the job torchrun set up

if int(os.environ.get("RANK", 0)) == 0:  # every process holds the same model
    with open(out, "wb") as f:
        pickle.dump(model, f)  # an ordinary fitted DeepFMClassifier
    print(f"saved {out} after {model.n_iter_} epochs")
