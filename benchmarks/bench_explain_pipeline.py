"""Explaining a ColumnTransformer + FM pipeline: exact through it, against the bare FM.

Frappe_x1 (``SKFEAT_DATA`` set) or Frappe-shaped synthetic data: 10 categorical
fields. The pipeline one-hot encodes the six small context fields (daytime,
weekday, isweekend, homework, cost, weather: 39 one-hot columns), ordinal-encodes
user, item, country and city, and fits an FM (``categorical_features`` are the
ordinal columns). The explainer plays each raw column as one player, the one-hot
block of a field together.

Timed, side by side in one process (1 torch thread):

* ``pipeline exact``: ``InteractionExplainer(pipe, background)`` and
  ``shap_interaction_values`` of ``n_rows`` raw rows;
* ``bare FM``: the same on the FM alone, background and rows transformed
  beforehand (the transform not timed), 43 players;
* ``pipeline sampling``: the pipeline with ``method="sampling"`` (what a pipeline
  got before), on ``N_SAMPLED`` rows and extrapolated.

Checked: the pipeline's matrix equals the bare FM's one-hot block sums to 1e-8.

Run with ``python -m benchmarks.bench_explain_pipeline [n_rows]`` (default 1000).
"""

import sys
import time

import numpy as np
import torch
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from benchmarks._frappe_data import frappe_or_synthetic
from skfeat.explain import InteractionExplainer
from skfeat.models import FMClassifier

N_TRAIN, N_BACKGROUND, N_ROWS, N_SAMPLED = 20_000, 100, 1_000, 5
SMALL = ["daytime", "weekday", "isweekend", "homework", "cost", "weather"]
LARGE = ["user", "item", "country", "city"]


def main(n_rows=N_ROWS):
    torch.set_num_threads(1)
    X, y, X_valid, _, source = frappe_or_synthetic()
    X, y = X.iloc[:N_TRAIN], y[:N_TRAIN]
    prep = ColumnTransformer(
        [
            (
                "ids",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                LARGE,
            ),
            ("ctx", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), SMALL),
        ]
    ).set_output(transform="pandas")
    fm = FMClassifier(
        embed_dim=10,
        max_epochs=2,
        batch_size=1024,
        categorical_features=[f"ids__{c}" for c in LARGE],
        random_state=0,
    )
    pipe = Pipeline([("prep", prep), ("fm", fm)]).fit(X, y)
    background, rows = X.iloc[:N_BACKGROUND], X_valid.iloc[:n_rows]
    print(f"data: {source}; {n_rows} rows explained, background {N_BACKGROUND}")

    t0 = time.perf_counter()
    explainer = InteractionExplainer(pipe, background)
    pipe_values = explainer.shap_interaction_values(rows)
    t_pipe = time.perf_counter() - t0
    assert explainer.method_ == "exact"

    t0 = time.perf_counter()
    Xt_bg, Xt = pipe[:-1].transform(background), pipe[:-1].transform(rows)
    t_transform = time.perf_counter() - t0
    t0 = time.perf_counter()
    bare = InteractionExplainer(pipe[-1], Xt_bg).shap_interaction_values(Xt)
    t_bare = time.perf_counter() - t0

    columns = list(X.columns)

    def raw_column(name):  # "ids__user" -> user, "ctx__weekday_3" -> weekday
        step, rest = name.split("__", 1)
        return (
            rest
            if step == "ids"
            else next(c for c in SMALL if rest.startswith(c + "_"))
        )

    names = list(Xt.columns)
    raw_of = [columns.index(raw_column(n)) for n in names]
    onehot = np.eye(X.shape[1])[raw_of]
    blocks = np.einsum("nij,ia,jb->nab", bare.values, onehot, onehot)
    err = np.abs(blocks - pipe_values.values).max()

    sampler = InteractionExplainer(
        pipe, background, method="sampling", n_permutations=64, random_state=0
    )
    t0 = time.perf_counter()
    sampler.shap_interaction_values(rows.iloc[:N_SAMPLED])
    t_sampled = (time.perf_counter() - t0) / N_SAMPLED * n_rows

    print(
        f"players: pipeline {len(pipe_values.feature_names)} raw columns, "
        f"bare FM {len(names)} columns"
    )
    print(f"pipeline exact:    {t_pipe:8.3f} s for {n_rows} rows")
    print(f"bare FM exact:     {t_bare:8.3f} s (transform not timed)")
    print(f"pipeline sampling: {t_sampled:8.1f} s (extrapolated from {N_SAMPLED} rows)")
    print(f"transform alone:   {t_transform:8.3f} s (background and rows)")
    print(
        f"ratio pipeline / bare: {t_pipe / t_bare:.2f}; "
        f"(pipeline - transform) / bare: {(t_pipe - t_transform) / t_bare:.2f}"
    )
    print(f"max |pipeline - block sums of bare|: {err:.2e}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else N_ROWS)
