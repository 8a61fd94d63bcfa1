"""Speed of exact SHAP interaction values against shap's ExactExplainer.

A synthetic FM on 10 categorical fields explains 28,860 rows (the size of the
Frappe_x1 test split) against a 100-row background, in closed form. shap's
model-agnostic ``ExactExplainer(..., interactions=2)`` on the same model and
background explains a few rows; its time is extrapolated to all rows for the
ratio. On an FM both give the same matrix (checked below).

Run with ``python benchmarks/bench_explain.py``.
"""

import time

import numpy as np
import shap
import torch

from skfeat.datasets import make_interaction_regression
from skfeat.explain import InteractionExplainer
from skfeat.models import FMRegressor

N_ROWS, N_FIELDS, N_BACKGROUND, N_SHAP_ROWS = 28_860, 10, 100, 3


def main():
    torch.set_num_threads(1)
    X, y, _ = make_interaction_regression(
        n_samples=N_ROWS, n_fields=N_FIELDS, random_state=0
    )
    X = X.apply(lambda col: col.cat.codes).to_numpy()  # ordinal ids, one per field
    model = FMRegressor(
        embed_dim=10, max_epochs=1, categorical_features="all", random_state=0
    ).fit(X, y)
    background = X[:N_BACKGROUND]

    explainer = InteractionExplainer(model, background)
    explainer.shap_interaction_values(X[:100])  # warm up
    times = []
    for _ in range(5):
        start = time.perf_counter()
        ours = explainer.shap_interaction_values(X)
        times.append(time.perf_counter() - start)
    t_ours = min(times)
    print(
        f"skfeat exact interaction values: {N_ROWS} rows x {N_FIELDS} fields "
        f"in {t_ours:.3f} s (best of 5, |B| = {N_BACKGROUND})"
    )

    start = time.perf_counter()
    model.decompose(X)
    print(f"  of which decompose (model forward): {time.perf_counter() - start:.3f} s")
    start = time.perf_counter()
    InteractionExplainer(model, X)
    print(
        f"  background summary with the whole set as background ({N_ROWS} rows): "
        f"{time.perf_counter() - start:.3f} s"
    )

    masker = shap.maskers.Independent(background, max_samples=N_BACKGROUND)
    exact = shap.explainers.ExactExplainer(model.predict, masker)
    rows = X[100 : 100 + N_SHAP_ROWS]
    start = time.perf_counter()
    theirs = exact(rows, interactions=2, silent=True)
    t_shap = (time.perf_counter() - start) / N_SHAP_ROWS
    err = np.abs(theirs.values - ours.values[100 : 100 + N_SHAP_ROWS]).max()
    print(
        f"shap ExactExplainer(interactions=2): {t_shap:.3f} s per row "
        f"({N_SHAP_ROWS} rows), extrapolated {t_shap * N_ROWS:.0f} s for {N_ROWS} rows"
    )
    print(f"ratio (shap / skfeat, whole set): {t_shap * N_ROWS / t_ours:.0f}x")
    print(f"max |difference| on the shared rows (float32 model): {err:.2e}")


if __name__ == "__main__":
    main()
