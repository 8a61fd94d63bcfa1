"""skfeat's main job: grid-search FMs in a Pipeline, compare them, explain the best.

Run with ``make demo``. On embedded synthetic data (planted pairwise interactions) it
takes about a minute on 2 cores. When the ``SKFEAT_DATA`` environment variable points
at a folder holding the Frappe_x1 CSVs, the same comparison runs on Frappe too.
"""

import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skfeat.datasets import load_frappe, make_interaction_classification
from skfeat.models import FMClassifier, FwFMClassifier


def preprocessor(X, onehot):
    cats = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    nums = [c for c in X.columns if c not in cats]
    cat_step = OneHotEncoder(handle_unknown="ignore") if onehot else "passthrough"
    steps = [("cat", cat_step, cats)]
    if nums:
        steps.append(("num", StandardScaler(), nums))
    ct = ColumnTransformer(steps, verbose_feature_names_out=False)
    return ct if onehot else ct.set_output(transform="pandas")


def candidates(X, fm_grid, fm_fixed):
    return {
        "LogisticRegression (one-hot)": (
            Pipeline(
                [
                    ("prep", preprocessor(X, onehot=True)),
                    ("model", LogisticRegression(max_iter=1000)),
                ]
            ),
            {"model__C": [0.1, 1.0]},
        ),
        "FMClassifier": (
            Pipeline(
                [
                    ("prep", preprocessor(X, onehot=False)),
                    ("model", FMClassifier(**fm_fixed)),
                ]
            ),
            fm_grid,
        ),
        "FwFMClassifier": (
            Pipeline(
                [
                    ("prep", preprocessor(X, onehot=False)),
                    ("model", FwFMClassifier(**fm_fixed)),
                ]
            ),
            fm_grid,
        ),
    }


def print_table(title, rows):
    print(f"\n{title}")
    print(f"{'model':<30}{'AUC':>8}{'logloss':>9}{'seconds':>9}  best parameters")
    for name, auc, loss, secs, params in rows:
        short = {k.replace("model__", ""): v for k, v in params.items()}
        print(f"{name:<30}{auc:>8.4f}{loss:>9.4f}{secs:>9.1f}  {short}")


def run_synthetic():
    X, y, truth = make_interaction_classification(
        n_samples=30_000,
        n_fields=8,
        cardinality=16,
        n_numeric=2,
        interactions=3,
        random_state=0,
    )
    n_train = 24_000
    X_train, X_test = X.iloc[:n_train], X.iloc[n_train:]
    y_train, y_test = y[:n_train], y[n_train:]
    fm_grid = {"model__embed_dim": [4, 8], "model__alpha": [1e-6, 1e-4]}
    fm_fixed = dict(batch_size=512, max_epochs=30, random_state=0)
    rows, best = [], {}
    for name, (pipe, grid) in candidates(X, fm_grid, fm_fixed).items():
        t0 = time.perf_counter()
        search = GridSearchCV(pipe, grid, cv=2, scoring="roc_auc", n_jobs=2)
        search.fit(X_train, y_train)
        p = search.predict_proba(X_test)[:, 1]
        rows.append(
            (
                name,
                roc_auc_score(y_test, p),
                log_loss(y_test, p),
                time.perf_counter() - t0,
                search.best_params_,
            )
        )
        best[name] = search.best_estimator_
    oracle = roc_auc_score(y_test, truth.logit[n_train:])
    rows.append(("generating logit (oracle)", oracle, np.nan, 0.0, {}))
    print_table(
        f"Synthetic data: {n_train} train / {len(y_test)} test rows, 10 fields, "
        f"planted pairs {truth.pairs}; test metrics",
        rows,
    )
    return best, X_train, X_test, truth


def run_frappe():
    try:
        data = load_frappe()
    except FileNotFoundError as exc:
        print(f"\nFrappe skipped: {exc}")
        return
    X = pd.concat([data.train.X, data.valid.X], ignore_index=True)
    y = np.concatenate([data.train.y, data.valid.y])
    # one split: fit on train, score on valid (the BARS protocol's model selection)
    fold = np.r_[np.full(len(data.train.y), -1), np.zeros(len(data.valid.y))]
    fm_grid = {"model__alpha": [1e-6, 1e-5]}
    fm_fixed = dict(
        embed_dim=10,
        batch_size=4096,
        learning_rate=0.01,
        n_iter_no_change=2,
        random_state=2021,
    )
    rows = []
    for name, (pipe, grid) in candidates(X, fm_grid, fm_fixed).items():
        t0 = time.perf_counter()
        search = GridSearchCV(
            pipe,
            grid,
            cv=PredefinedSplit(fold),
            refit=False,
            scoring=["roc_auc", "neg_log_loss"],
        )
        search.fit(X, y)
        i = int(np.argmax(search.cv_results_["mean_test_roc_auc"]))
        rows.append(
            (
                name,
                search.cv_results_["mean_test_roc_auc"][i],
                -search.cv_results_["mean_test_neg_log_loss"][i],
                time.perf_counter() - t0,
                search.cv_results_["params"][i],
            )
        )
    print_table("Frappe_x1: trained on train, scored on valid", rows)


def explain_best(pipeline, X_train, X_test, truth, out_dir="skfeat_demo_output"):
    """Exact SHAP interaction values of the fitted FM, on its own input columns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shap

    from skfeat.explain import (
        InteractionExplainer,
        plot_interaction_heatmap,
        rank_interactions,
    )

    prep, model = pipeline[:-1], pipeline[-1]
    # the preprocessing is column-wise (passthrough and scaling), so the model's
    # input columns are the raw columns and the closed form applies
    explainer = InteractionExplainer(model, prep.transform(X_train))
    rows = prep.transform(X_test.iloc[:1000])
    interactions = explainer.shap_interaction_values(rows)
    ranking = rank_interactions(interactions)
    print(
        f"\nTop interacting column pairs of the best FM ({explainer.method_} "
        f"SHAP interaction values, 1000 test rows; planted: {truth.pairs})"
    )
    print(ranking.head(5).to_string(index=False))

    os.makedirs(out_dir, exist_ok=True)
    heatmap = os.path.abspath(os.path.join(out_dir, "interaction_heatmap.png"))
    plot_interaction_heatmap(interactions)
    plt.tight_layout()
    plt.savefig(heatmap, dpi=120)
    plt.close("all")
    beeswarm = os.path.abspath(os.path.join(out_dir, "shap_beeswarm.png"))
    shap.plots.beeswarm(explainer.shap_values(rows), show=False)
    plt.tight_layout()
    plt.savefig(beeswarm, dpi=120)
    plt.close("all")
    print(f"saved {heatmap}\nsaved {beeswarm}")


def main():
    t0 = time.perf_counter()
    best, X_train, X_test, truth = run_synthetic()
    explain_best(best["FMClassifier"], X_train, X_test, truth)
    if os.environ.get("SKFEAT_DATA"):
        run_frappe()
    print(f"\ndone in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
