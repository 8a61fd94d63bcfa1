"""One model taught by an ensemble on Frappe_x1 (``skfeat.compress.distill``).

The ensemble of the user guide's recipe (``VotingClassifier(voting="soft")`` of the
``--members`` with defaults, each at ``--teacher-seeds``, fitted on ``train``) is
distilled into one ``--student`` with defaults (``skfeat.compress.distill``,
``ensemble_output="mean_logit"``: the student learns the sigmoid of the members'
mean logit on the ``train`` rows), at each of ``--student-seeds``. Reported, as
JSON lines: the ensemble's valid AUC (mean of logits) and fit seconds (sum over
the members), then per student seed its valid AUC, epochs, fit seconds (the
teacher's predictions on ``train`` included) and predict milliseconds per 1,000
rows; last the students' mean and standard deviation (``ddof=1``)::

    SKFEAT_DATA=/work/shared/data OMP_NUM_THREADS=1 \\
        python -m benchmarks.bench_distill_frappe --jobs 2 \\
        --teacher-save /tmp/skfeat_teacher.pkl

``--jobs`` fits the members and the students in that many processes (one torch
thread each); ``--teacher-save`` keeps the fitted ensemble (pickle) and reuses it
when the file exists.
"""

import argparse
import json
import os
import pickle
import time

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.ensemble import VotingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import LabelEncoder

from benchmarks.bench_seeds import MODELS


def _fit_member(name, seed, X, y):
    torch.set_num_threads(1)
    start = time.perf_counter()
    model = MODELS[name](random_state=seed).fit(X, y)
    return model, time.perf_counter() - start


def _teacher(args, X, y):
    if args.teacher_save and os.path.exists(args.teacher_save):
        with open(args.teacher_save, "rb") as f:
            return pickle.load(f)
    jobs = [(name, seed) for name in args.members for seed in args.teacher_seeds]
    fitted = Parallel(n_jobs=args.jobs)(
        delayed(_fit_member)(name, seed, X, y) for name, seed in jobs
    )
    vote = VotingClassifier(
        [(f"{name}{seed}", MODELS[name]()) for name, seed in jobs], voting="soft"
    )
    # the members fitted above, as VotingClassifier.fit would have fitted them
    # (labels 0/1 encode to themselves)
    vote.estimators_ = [model for model, _ in fitted]
    vote.le_ = LabelEncoder().fit(y)
    vote.classes_ = vote.le_.classes_
    vote.named_estimators_ = dict(
        zip((n for n, _ in vote.estimators), vote.estimators_, strict=True)
    )
    vote.fit_seconds_ = sum(seconds for _, seconds in fitted)
    if args.teacher_save:
        with open(args.teacher_save, "wb") as f:
            pickle.dump(vote, f)
    return vote


def _fit_student(name, seed, vote, X, X_valid, y_valid):
    from skfeat.compress import distill

    torch.set_num_threads(1)
    start = time.perf_counter()
    student = distill(
        vote, MODELS[name](random_state=seed), X, ensemble_output="mean_logit"
    )
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    proba = student.predict_proba(X_valid)[:, 1]
    predict_seconds = time.perf_counter() - start
    return {
        "student": name,
        "seed": seed,
        "valid_auc": round(float(roc_auc_score(y_valid, proba)), 6),
        "epochs": int(student.n_iter_),
        "fit_seconds": round(fit_seconds, 1),
        "predict_ms_per_1000_rows": round(1e6 * predict_seconds / len(y_valid), 2),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--members", nargs="+", default=["dnn", "deepfm", "autoint", "finalmlp"]
    )
    parser.add_argument("--teacher-seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--student", default="finalmlp", choices=sorted(MODELS))
    parser.add_argument("--student-seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--teacher-save", default=None)
    args = parser.parse_args(argv)
    if not os.environ.get("SKFEAT_DATA"):
        raise SystemExit("set SKFEAT_DATA to the data folder (holding frappe_x1)")
    from skfeat.datasets import load_frappe

    frappe = load_frappe()
    X, y = frappe.train.X, frappe.train.y
    X_valid, y_valid = frappe.valid.X, frappe.valid.y
    vote = _teacher(args, X, y)
    logit = np.mean([m.decision_function(X_valid) for m in vote.estimators_], axis=0)
    print(json.dumps({
        "teacher": [name for name, _ in vote.estimators],
        "valid_auc_mean_logit": round(float(roc_auc_score(y_valid, logit)), 6),
        "fit_seconds_sum": round(float(getattr(vote, "fit_seconds_", np.nan)), 1),
    }), flush=True)  # fmt: skip
    records = Parallel(n_jobs=args.jobs)(
        delayed(_fit_student)(args.student, seed, vote, X, X_valid, y_valid)
        for seed in args.student_seeds
    )
    for record in records:
        print(json.dumps(record), flush=True)
    aucs = [r["valid_auc"] for r in records]
    std = float(np.std(aucs, ddof=1)) if len(aucs) > 1 else 0.0
    fit_seconds = float(np.mean([r["fit_seconds"] for r in records]))
    print(json.dumps({
        "student": args.student,
        "seeds": args.student_seeds,
        "valid_auc_mean": round(float(np.mean(aucs)), 6),
        "valid_auc_std": round(std, 6),
        "fit_seconds_mean": round(fit_seconds, 1),
        "threads": 1,
        "torch": torch.__version__,
    }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
