"""Soft-voting ensembles of skfeat models on Frappe_x1, scored from saved fits.

``bench_seeds.py --save-dir DIR`` keeps each fit's probabilities on Frappe_x1
``valid``; this script averages them as a soft ``VotingClassifier`` of the same
fitted models would (the weighted mean of the members' probabilities; a test,
``tests/test_ensembles.py``, checks that the two agree) and reports the valid
AUC of each ensemble. Two kinds of ensemble:

* ``--members dnn deepfm autoint``: the models named, each at one seed, one
  ensemble per seed of ``--seeds``; the mean and standard deviation (``ddof=1``)
  over the seeds, beside the best single member's;
* ``--pool``: every fit of the models named, at every seed given, averaged into
  one ensemble (seeds of one model are members too); ``name:seed`` names one
  fit (``--pool --members dnn deepfm:0 --seeds 0 1 2``: three DNNs and a
  DeepFM).

The cost is read from the ``bench_seeds.py`` logs (``--logs``, JSON lines): an
ensemble's fit time is the sum of its members' (``VotingClassifier(n_jobs=1)``
fits them one after another) and so is its predict time. ``--average logit``
averages the members' log-odds instead (the ensemble whose explanation is exact
for FM-family members; see the user guide)::

    SKFEAT_DATA=/work/shared/data python -m benchmarks.bench_ensembles \
        --save-dir /tmp/skfeat_preds --members dnn deepfm autoint --seeds 0 1 2 \
        --logs seeds.log
"""

import argparse
import itertools
import json
import os

import numpy as np
from sklearn.metrics import roc_auc_score

from skfeat.datasets import load_frappe


def _costs(paths):
    """``(model, seed) -> record`` with fit seconds and predict time, from logs."""
    costs = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                if not line.startswith("{"):
                    continue
                record = json.loads(line)
                if "fit_seconds" in record and "seed" in record:
                    costs[(record["model"], record["seed"])] = record
    return costs


def _combine(probas, average):
    probas = np.asarray(probas, dtype=np.float64)
    if average == "proba":
        return probas.mean(axis=0)
    p = np.clip(probas, 1e-12, 1 - 1e-12)
    return np.mean(np.log(p) - np.log1p(-p), axis=0)


def _cost(costs, keys):
    fit = [costs[k]["fit_seconds"] for k in keys if k in costs]
    pred = [costs[k]["predict_ms_per_1000_rows"] for k in keys if k in costs]
    if len(fit) < len(keys):
        return None, None
    return round(sum(fit), 1), round(sum(pred), 2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save-dir", required=True)
    parser.add_argument("--members", nargs="+", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--pool", action="store_true")
    parser.add_argument("--subsets", action="store_true", help="every subset too")
    parser.add_argument("--average", choices=["proba", "logit"], default="proba")
    parser.add_argument("--logs", nargs="*", default=[])
    args = parser.parse_args(argv)
    y = load_frappe(splits=("valid",)).valid.y
    costs = _costs(args.logs)

    def proba(name, seed):
        return np.load(os.path.join(args.save_dir, f"{name}_seed{seed}.npy"))

    if args.pool:
        keys = []
        for member in args.members:
            name, _, seed = member.partition(":")
            keys += [(name, int(seed))] if seed else [(name, s) for s in args.seeds]
        auc = roc_auc_score(y, _combine([proba(*k) for k in keys], args.average))
        fit, pred = _cost(costs, keys)
        singles = [roc_auc_score(y, proba(*k)) for k in keys]
        print(
            json.dumps(
                {
                    "pool": args.members,
                    "seeds": args.seeds,
                    "members": len(keys),
                    "average": args.average,
                    "valid_auc": round(float(auc), 6),
                    "best_member_auc": round(float(max(singles)), 6),
                    "fit_seconds": fit,
                    "predict_ms_per_1000_rows": pred,
                }
            )
        )
        return
    sizes = range(1, len(args.members) + 1) if args.subsets else [len(args.members)]
    for size in sizes:
        for subset in itertools.combinations(args.members, size):
            aucs, best, fits, preds = [], [], [], []
            for seed in args.seeds:
                keys = [(m, seed) for m in subset]
                probas = [proba(*k) for k in keys]
                aucs.append(roc_auc_score(y, _combine(probas, args.average)))
                best.append(max(roc_auc_score(y, p) for p in probas))
                fit, pred = _cost(costs, keys)
                fits.append(fit)
                preds.append(pred)
            sd = float(np.std(aucs, ddof=1)) if len(aucs) > 1 else 0.0
            known = [f for f in fits if f is not None]
            print(
                json.dumps(
                    {
                        "members": list(subset),
                        "seeds": args.seeds,
                        "average": args.average,
                        "valid_auc": [round(float(a), 6) for a in aucs],
                        "valid_auc_mean": round(float(np.mean(aucs)), 6),
                        "valid_auc_std": round(sd, 6),
                        "best_member_auc_mean": round(float(np.mean(best)), 6),
                        "fit_seconds_mean": round(float(np.mean(known)), 1)
                        if known
                        else None,
                        "predict_ms_per_1000_rows": preds[0],
                    }
                )
            )


if __name__ == "__main__":
    main()
