"""Mult-VAE on Frappe_x1 user x item positives against popularity and SVD baselines.

Positives (label 1) of ``train`` form the user x item matrix the models learn from;
for each user, the items of their ``valid`` positives that are not already among
their train items are held out. Every model ranks all items not seen in train;
Recall@20 and NDCG@100 are averaged over users with at least one held-out item.

    SKFEAT_DATA=../shared/data python -m benchmarks.bench_multvae_frappe
"""

import argparse
import json
import time

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.decomposition import TruncatedSVD

from skfeat.datasets import load_frappe
from skfeat.metrics import ndcg_at_k, recall_at_k
from skfeat.models import MultVAE


def positives_matrix(split, users, items):
    pos = split.y == 1
    u = users.get_indexer(split.X["user"][pos])
    i = items.get_indexer(split.X["item"][pos])
    keep = (u >= 0) & (i >= 0)
    M = sp.csr_matrix(
        (np.ones(keep.sum()), (u[keep], i[keep])), shape=(len(users), len(items))
    )
    M.sum_duplicates()
    return M


def evaluate(scores, train, held):
    scores = scores.astype(np.float64).copy()
    scores[train.nonzero()] = -np.inf
    return {
        "recall@20": round(recall_at_k(held, scores, k=20), 4),
        "ndcg@100": round(ndcg_at_k(held, scores, k=100), 4),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(2)
    import pandas as pd

    data = load_frappe()
    users = pd.Index(sorted(set(data.train.X["user"]) | set(data.valid.X["user"])))
    items = pd.Index(sorted(set(data.train.X["item"]) | set(data.valid.X["item"])))
    train = positives_matrix(data.train, users, items)
    valid = positives_matrix(data.valid, users, items)
    held = valid - valid.multiply(train > 0)  # new items only
    held.eliminate_zeros()
    n_eval = int((held.getnnz(axis=1) > 0).sum())
    counts = train.copy()
    counts.data = np.log1p(counts.data)  # repeated use in many contexts

    results = {}
    popularity = np.asarray((train > 0).sum(axis=0)).ravel().astype(float)
    results["most popular"] = evaluate(
        np.tile(popularity, (train.shape[0], 1)), train, held
    )
    best_svd = None
    for n in (16, 32, 64, 128):
        svd = TruncatedSVD(n_components=n, random_state=args.seed).fit(counts)
        scores = svd.transform(counts) @ svd.components_
        res = evaluate(scores, train, held)
        if best_svd is None or res["ndcg@100"] > best_svd[1]["ndcg@100"]:
            best_svd = (n, res)
    results[f"TruncatedSVD (best of 16-128: {best_svd[0]})"] = best_svd[1]

    t0 = time.perf_counter()
    updates = args.epochs * int(np.ceil(train.shape[0] / 128))
    vae = MultVAE(
        latent_dim=200, hidden_units=(600,), dropout=0.5, batch_size=128,
        max_epochs=args.epochs, anneal_steps=updates, beta_max=0.2,
        learning_rate=1e-3, random_state=args.seed,
    )  # fmt: skip
    vae.fit(counts)
    seconds = time.perf_counter() - t0
    results["MultVAE"] = evaluate(
        vae.predict_scores(counts, exclude_seen=False), train, held
    )
    results["MultVAE"]["fit_seconds"] = round(seconds, 1)
    print(
        json.dumps(
            {
                "users": train.shape[0],
                "items": train.shape[1],
                "train_positive_pairs": int(train.nnz),
                "held_out_pairs": int(held.nnz),
                "users_evaluated": n_eval,
                "results": results,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
