"""Time to explain 1,000 Frappe_x1 rows of a DeepFM, and the error achieved.

A DeepFM (``--embed-dim``, default 10, the recorded runs' size; the default MLP
400-400-400 with batch norm; one epoch
on the train split) is explained on 1,000 rows of the valid split against a
100-row background from the train split, with the explainer's defaults
(``budget=None``: 512 coalitions per row for Frappe's 10 fields, float32,
``method="auto"``: closed form for the FM part, regression estimate for the
MLP's remainder). SHAP values
and interaction values are asked for together (one pass, cached).

The error is measured on the first 20 explained rows against exact enumeration
of all 1,024 coalitions in float64.

Run with ``SKFEAT_DATA=/work/shared/data python benchmarks/bench_explain_frappe.py
[--threads N] [--hidden 64,64] [--embed-dim 32] [--rows N] [--model dcn]
[--head-chunk N]``. The output
also gives the model rows evaluated: only distinct masked rows are run, out of
``rows x budget x 100`` (see ``InteractionExplainer.n_model_rows_``).
"""

import argparse
import time

import numpy as np
import torch

from benchmarks._frappe_data import frappe_or_synthetic
from skfeat.explain import InteractionExplainer
from skfeat.models import DCNClassifier, DeepFMClassifier


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--hidden", default="400,400,400",
        help="MLP widths (the estimators' default, BARS's size; 64,64 was the "
        "earlier sessions' setting)",
    )  # fmt: skip
    parser.add_argument(
        "--embed-dim", type=int, default=10,
        help="embedding size (10: the recorded runs; 32: the deep models' default "
        "since the seventh session)",
    )  # fmt: skip
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument(
        "--model", choices=["deepfm", "dcn"], default="deepfm",
        help="dcn: DCN-v2 (no MLP split; the generic field-model path)",
    )  # fmt: skip
    parser.add_argument(
        "--head-chunk", type=int, default=None,
        help="model rows per call of the distinct-row tables (default 4,096; "
        "32768 was the per-call size before)",
    )  # fmt: skip
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.head_chunk is not None:
        from skfeat.explain import _game

        _game._HEAD_CHUNK = args.head_chunk
    hidden = tuple(int(h) for h in args.hidden.split(","))
    X_train, y_train, X_valid, _, source = frappe_or_synthetic()
    start = time.perf_counter()
    Model = {"deepfm": DeepFMClassifier, "dcn": DCNClassifier}[args.model]
    model = Model(
        embed_dim=args.embed_dim, hidden_units=hidden, max_epochs=1,
        batch_size=4096, random_state=0,
        validation_fraction=0.1,  # the default when the figures were recorded
    ).fit(X_train, y_train)  # fmt: skip
    print(
        f"{source}: {Model.__name__} embed_dim={args.embed_dim} {hidden} fitted in "
        f"{time.perf_counter() - start:.0f} s"
    )
    background = X_train.sample(100, random_state=0)
    rows = X_valid.iloc[: args.rows]

    start = time.perf_counter()
    explainer = InteractionExplainer(model, background, random_state=0)
    inter = explainer.shap_interaction_values(rows)
    values = explainer.shap_values(rows)
    elapsed = time.perf_counter() - start
    every = args.rows * explainer.budget_ * len(background)
    print(
        f"{args.rows} rows, SHAP + interaction values, method={explainer.method_}, "
        f"control variate={explainer.control_variate_}, budget={explainer.budget_}, "
        f"{args.threads} thread(s): {elapsed:.1f} s; model rows evaluated "
        f"{explainer.n_model_rows_:,} of {every:,} masked rows "
        f"({explainer.n_model_rows_ / every:.1%} distinct)"
    )

    check = rows.iloc[:20]
    exact = InteractionExplainer(
        model, background, method="enumeration", dtype="float64"
    )
    true_inter = exact.shap_interaction_values(check).values
    true_phi = exact.shap_values(check).values
    m = rows.shape[1]
    iu = np.triu_indices(m, 1)
    d_pair = (inter.values[:20] - true_inter)[:, iu[0], iu[1]]
    d_phi = values.values[:20] - true_phi
    z = np.concatenate(
        [
            (np.abs(d_pair) / inter.error_std[:20][:, iu[0], iu[1]]).ravel(),
            (np.abs(d_phi) / values.error_std[:20]).ravel(),
        ]
    )
    print(
        f"error on 20 rows vs enumeration: pair RMSE {np.sqrt(np.mean(d_pair**2)):.2e} "
        f"(pair values' std {true_inter[:, iu[0], iu[1]].std():.2e}), SHAP RMSE "
        f"{np.sqrt(np.mean(d_phi**2)):.2e} (SHAP values' std {true_phi.std():.2e}), "
        f"2-SE coverage {np.mean(z <= 2):.2f}"
    )


if __name__ == "__main__":
    main()
