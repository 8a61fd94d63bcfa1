"""Each CTR model with its defaults over several seeds on Frappe_x1: mean and std.

``Model(random_state=seed).fit(X_train, y_train)`` (early stopping on the model's
own holdout of ``train``), scored by AUC on Frappe_x1 ``valid``. One JSON line a
fit (valid AUC, epochs, fit seconds, predict seconds per 1,000 rows), then one
line a model with the mean and the standard deviation (``ddof=1``) over the seeds::

    SKFEAT_DATA=/work/shared/data OMP_NUM_THREADS=1 \
        python -m benchmarks.bench_seeds --models dnn deepfm autoint \
        --seeds 0 1 2 3 4 --save-dir /tmp/skfeat_preds

``--save-dir`` keeps each fit's predicted probabilities on ``valid``
(``<model>_seed<seed>.npy``, float64) so that ``bench_ensembles.py`` can score
ensembles of the fits without refitting; an existing file is reused (not
refitted) unless ``--refit`` is given. ``--set name=value`` overrides a default
for every model named (values are Python literals); ``--tag`` names such a run in
the file names. ``--threads`` sets torch's thread count (default 1).

``--refit-all-rows`` follows each fit with a second one of the same model on all
of ``train`` (no holdout, no early stopping): as many epochs as the epoch whose
weights early stopping kept, the learning rate divided by 10 after the same
epochs as the first fit's plateau schedule divided it. Its record has the model
name with ``_refit`` (``<model><tag>_refit_seed<seed>.npy`` in ``--save-dir``)
and its fit seconds are the second fit's alone.

``--average-from EPOCH`` passes ``callbacks=[WeightAveraging(start=EPOCH)]``: the
model ends with the average of its weights from that epoch on (batch-norm
statistics recomputed); use it with ``--set early_stopping=False`` and, for
averaging at a constant learning rate, ``--set lr_schedule=None``.
"""

import argparse
import ast
import json
import os
import platform
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import MultiStepLR

from skfeat.datasets import load_frappe
from skfeat.models import (
    AutoIntClassifier,
    DCNClassifier,
    DCNv3Classifier,
    DeepFMClassifier,
    DNNClassifier,
    FiGNNClassifier,
    FinalMLPClassifier,
    FinalNetClassifier,
    FMClassifier,
    FwFMClassifier,
    VAEClassifier,
    WeightAveraging,
    WideDeepClassifier,
)

MODELS = {
    "fm": FMClassifier,
    "fwfm": FwFMClassifier,
    "dnn": DNNClassifier,
    "widedeep": WideDeepClassifier,
    "deepfm": DeepFMClassifier,
    "dcnv2": DCNClassifier,
    "autoint": AutoIntClassifier,
    "fignn": FiGNNClassifier,
    "finalmlp": FinalMLPClassifier,
    "finalnet": FinalNetClassifier,
    "dcnv3": DCNv3Classifier,
    "vae": VAEClassifier,
}


def _override(text):
    name, _, value = text.partition("=")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _predict_and_save(model, X, path):
    """The positive class's probabilities on ``X`` (saved to ``path`` if given)."""
    start = time.perf_counter()
    proba = model.predict_proba(X)[:, 1].astype(np.float64)
    seconds = time.perf_counter() - start
    if path is not None:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        np.save(path, proba)
    return proba, seconds


def fit_one(name, seed, data, params, save_dir=None, tag="", refit=False):
    """Fit one model at one seed; return its record (and save its probabilities)."""
    Xtr, ytr, Xva, yva = data
    path = None
    if save_dir is not None:
        path = os.path.join(save_dir, f"{name}{tag}_seed{seed}.npy")
        if os.path.exists(path) and not refit:
            proba = np.load(path)
            record = {"model": name + tag, "seed": seed, "reused": path}
            record["valid_auc"] = round(float(roc_auc_score(yva, proba)), 6)
            return record
    model = MODELS[name](random_state=seed, **params)
    start = time.perf_counter()
    model.fit(Xtr, ytr)
    fit_seconds = time.perf_counter() - start
    proba, predict_seconds = _predict_and_save(model, Xva, path)
    return {
        "model": name + tag,
        "seed": seed,
        "valid_auc": round(float(roc_auc_score(yva, proba)), 6),
        "epochs": int(model.n_iter_),
        "fit_seconds": round(fit_seconds, 1),
        "predict_ms_per_1000_rows": round(1000 * predict_seconds / len(yva) * 1000, 2),
        "valid_curve": [round(float(v), 5) for v in model.validation_score_],
    }


def refit_schedule(model):
    """``(epochs, milestones)`` of a fitted model's early stopping and schedule.

    ``epochs`` is the epoch whose weights early stopping kept; ``milestones`` the
    epochs before it after which the learning rate was divided.
    """
    best = int(np.argmax(model.validation_score_)) + 1
    lrs = [row.get("event_lr") for row in model.net_.history]
    drops = [
        e
        for e in range(1, len(lrs))
        if lrs[e] is not None and lrs[e - 1] is not None and lrs[e] < lrs[e - 1]
    ]
    return best, [e for e in drops if e < best]


def refit_one(name, seed, data, params, save_dir=None, tag=""):
    """Fit, then refit on all rows with the first fit's epochs and schedule."""
    Xtr, ytr, Xva, yva = data
    first = MODELS[name](random_state=seed, **params)
    start = time.perf_counter()
    first.fit(Xtr, ytr)
    first_seconds = time.perf_counter() - start
    first_auc = roc_auc_score(yva, first.predict_proba(Xva)[:, 1])
    epochs, milestones = refit_schedule(first)
    refit = MODELS[name](
        random_state=seed,
        **params,
        early_stopping=False,
        max_epochs=epochs,
        lr_schedule=None,
        callbacks=[
            (
                "refit_lr",
                LRScheduler(policy=MultiStepLR, milestones=milestones, gamma=0.1),
            )
        ],
    )
    start = time.perf_counter()
    refit.fit(Xtr, ytr)
    fit_seconds = time.perf_counter() - start
    path = None
    if save_dir is not None:
        path = os.path.join(save_dir, f"{name}{tag}_refit_seed{seed}.npy")
    proba, predict_seconds = _predict_and_save(refit, Xva, path)
    return {
        "model": name + tag + "_refit",
        "seed": seed,
        "valid_auc": round(float(roc_auc_score(yva, proba)), 6),
        "first_fit_valid_auc": round(float(first_auc), 6),
        "first_fit_seconds": round(first_seconds, 1),
        "epochs": epochs,
        "lr_divided_after_epochs": milestones,
        "fit_seconds": round(fit_seconds, 1),
        "predict_ms_per_1000_rows": round(1000 * predict_seconds / len(yva) * 1000, 2),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--tag", default="")
    parser.add_argument("--save-dir", default=None)
    parser.add_argument("--refit", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--refit-all-rows", action="store_true")
    parser.add_argument("--average-from", type=int, default=None, metavar="EPOCH")
    args = parser.parse_args(argv)
    if not os.environ.get("SKFEAT_DATA"):
        raise SystemExit("set SKFEAT_DATA to the data folder (holding frappe_x1)")
    torch.set_num_threads(args.threads)
    params = dict(_override(s) for s in args.set)
    if args.average_from is not None:
        params["callbacks"] = [WeightAveraging(start=args.average_from)]
    frappe = load_frappe()
    data = (frappe.train.X, frappe.train.y, frappe.valid.X, frappe.valid.y)
    for name in args.models:
        records = []
        for seed in args.seeds:
            if args.refit_all_rows:
                record = refit_one(name, seed, data, params, args.save_dir, args.tag)
            else:
                record = fit_one(
                    name, seed, data, params, args.save_dir, args.tag, args.refit
                )
            records.append(record)
            print(json.dumps(records[-1]), flush=True)
        aucs = [r["valid_auc"] for r in records]
        fits = [r["fit_seconds"] for r in records if "fit_seconds" in r]
        summary = {
            "model": name + args.tag + ("_refit" if args.refit_all_rows else ""),
            "params": {k: repr(v) for k, v in params.items()},
            "seeds": args.seeds,
            "valid_auc_mean": round(float(np.mean(aucs)), 6),
            "valid_auc_std": round(float(np.std(aucs, ddof=1)), 6)
            if len(aucs) > 1
            else 0.0,
            "fit_seconds_mean": round(float(np.mean(fits)), 1) if fits else None,
            "threads": args.threads,
            "cpu": _cpu_name(),
            "torch": torch.__version__,
        }
        print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
