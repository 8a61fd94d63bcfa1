"""Compression for serving on Frappe_x1: size, latency and AUC change.

Trains an FM and a DeepFM on ``train`` (early stopping on ``valid``), then scores
on ``valid`` each compressed copy made by :mod:`skfeat.compress`: int8 and int4
embedding tables, half the rows of each field pruned (by training frequency, pruned
ids read the unknown row), pruning plus int8, and the DeepFM distilled into FMs::

    SKFEAT_DATA=../shared/data OMP_NUM_THREADS=1 \\
        python -m benchmarks.bench_compress --threads 1

Sizes: ``embedding KiB`` counts the embedding tables (what the compression
changes), ``state KiB`` every parameter and buffer of the module, ``pickle KiB``
the pickled estimator (encoders, history and optimizer state included;
the validation data kept by early stopping left out). Latency:
``predict_proba`` on one row (a one-row DataFrame: encoding dominates) and on
10,000 rows, medians of repeated calls in one process, side by side.
"""

import argparse
import copy
import io
import json
import pickle
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from skfeat.compress import (
    distill,
    embedding_nbytes,
    prune_embeddings,
    quantize_embeddings,
)
from skfeat.datasets import load_frappe
from skfeat.models import DeepFMClassifier, FMClassifier

FM_PARAMS = dict(embed_dim=10, learning_rate=1e-2, alpha=1e-6, batch_size=4096)
DEEPFM_PARAMS = dict(
    embed_dim=10,
    learning_rate=1e-3,
    batch_size=4096,
    net_alpha=0.0,
    hidden_units=(400, 400, 400),
    batch_norm=True,
    alpha=0.05,
    dropout=0.1,
)


def state_kib(model):
    module = model.net_.module_
    tensors = list(module.parameters()) + list(module.buffers())
    return sum(t.numel() * t.element_size() for t in tensors) / 1024


def pickle_kib(model):
    # without the validation data that early stopping leaves in the net
    model = copy.deepcopy(model)
    model.net_.set_params(train_split=None)
    buf = io.BytesIO()
    pickle.dump(model, buf)
    return buf.tell() / 1024


def latency_ms(model, X, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.predict_proba(X)
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def row(name, model, base_auc, data, one, batch):
    auc = roc_auc_score(data.valid.y, model.predict_proba(data.valid.X)[:, 1])
    return {
        "model": name,
        "embedding_KiB": round(embedding_nbytes(model) / 1024, 1),
        "state_KiB": round(state_kib(model), 1),
        "pickle_KiB": round(pickle_kib(model), 1),
        "one_row_ms": round(latency_ms(model, one, 200), 3),
        "batch_10k_ms": round(latency_ms(model, batch, 7), 1),
        "valid_auc": round(auc, 6),
        "auc_change": None if base_auc is None else round(auc - base_auc, 6),
    }


def variants(name, model, data, base_auc, one, batch):
    out = []

    def prune(keep, criterion="frequency"):
        return prune_embeddings(model, keep=keep, criterion=criterion, X=data.train.X)

    for label, make in [
        ("int8", lambda: quantize_embeddings(model, bits=8)),
        ("int4", lambda: quantize_embeddings(model, bits=4)),
        ("prune 10% (frequency)", lambda: prune(0.9)),
        ("prune 25% (frequency)", lambda: prune(0.75)),
        ("prune 50% (frequency)", lambda: prune(0.5)),
        ("prune 50% (norm)", lambda: prune(0.5, "norm")),
        ("prune 25% (frequency) + int8", lambda: quantize_embeddings(prune(0.75))),
    ]:
        out.append(row(f"{name}, {label}", make(), base_auc, data, one, batch))
        print(json.dumps(out[-1]), flush=True)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--max-epochs", type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_frappe()
    one, batch = data.valid.X.iloc[:1], data.valid.X.iloc[:10_000]
    eval_set = (data.valid.X, data.valid.y)
    common = dict(
        max_epochs=args.max_epochs, n_iter_no_change=2, random_state=args.seed
    )
    results = []

    fm = FMClassifier(**FM_PARAMS, **common).fit(*_train(data), eval_set=eval_set)
    base = row("FM", fm, None, data, one, batch)
    base["epochs"] = fm.n_iter_
    print(json.dumps(base), flush=True)
    results += [base, *variants("FM", fm, data, base["valid_auc"], one, batch)]

    t0 = time.perf_counter()
    deepfm = DeepFMClassifier(**DEEPFM_PARAMS, **common).fit(
        *_train(data), eval_set=eval_set
    )
    dbase = row("DeepFM", deepfm, None, data, one, batch)
    dbase["epochs"] = deepfm.n_iter_
    dbase["fit_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(dbase), flush=True)
    results += [
        dbase,
        *variants("DeepFM", deepfm, data, dbase["valid_auc"], one, batch),
    ]

    for k in (10, 4):
        student = distill(
            deepfm,
            FMClassifier(**dict(FM_PARAMS, embed_dim=k), **common),
            data.train.X,
            data.train.y,
            teacher_weight=0.5,
            eval_set=eval_set,
        )
        r = row(
            f"DeepFM distilled into FM(k={k}), teacher_weight 0.5",
            student,
            dbase["valid_auc"],
            data,
            one,
            batch,
        )
        r["epochs"] = student.n_iter_
        print(json.dumps(r), flush=True)
        results.append(r)
        if k == 4:
            alone = FMClassifier(**dict(FM_PARAMS, embed_dim=k), **common).fit(
                *_train(data), eval_set=eval_set
            )
            r = row(
                "FM(k=4) on labels alone", alone, dbase["valid_auc"], data, one, batch
            )
            print(json.dumps(r), flush=True)
            results.append(r)
    print(json.dumps({"threads": torch.get_num_threads(), "results": results}))


def _train(data):
    return data.train.X, data.train.y


if __name__ == "__main__":
    main()
