"""Model-agnostic estimation of SHAP (interaction) values: enumeration or regression.

Glue between the explainer, the batched game (:mod:`skfeat.explain._game`) and
the estimators (:mod:`skfeat.explain._enumeration`,
:mod:`skfeat.explain._regression`).
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from skfeat.explain._enumeration import all_masks, enumerate_indices
from skfeat.explain._game import (
    FieldModelFunction,
    GameTable,
    MLPSplitFunction,
    encode_check,
)
from skfeat.explain._regression import make_design, regression_estimate, unstack

MAX_ENUMERATION_FIELDS = 16
# the fast float32 path must agree with the float64 model output to this
FLOAT32_ATOL = 1e-4


def default_budget(m):
    """Coalitions per explained row when ``budget=None``: ``min(2^m, 512)``."""
    return int(min(2**m, 512)) if m < 40 else 512


def summarise_background(background, max_background, random_state):
    """A uniform sample of ``max_background`` rows, with a warning, when larger."""
    n = background.shape[0]
    if max_background is None or n <= max_background:
        return background
    warn_large_background(n, max_background)
    rng = check_random_state(random_state)
    idx = np.sort(rng.choice(n, size=max_background, replace=False))
    if isinstance(background, pd.DataFrame):
        return background.iloc[idx]
    return background[idx]


def warn_large_background(n, max_background, stacklevel=5):
    """The warning of a background larger than ``max_background``."""
    warnings.warn(
        f"The background has {n} rows; the model-agnostic estimators evaluate "
        f"every coalition on every background row, so a uniform sample of "
        f"{max_background} rows is used (max_background). Pass a smaller "
        "background (50-200 rows, e.g. a sample or k-means centroids) to choose it.",
        UserWarning,
        stacklevel=stacklevel,
    )


def _evaluator(model, f, background, output, remainder, dtype):
    """The fast field-model path where it reproduces ``f``, else ``None``."""
    if not FieldModelFunction.applies(model):
        return None
    import torch

    torch_dtype = torch.float32 if dtype == "float32" else torch.float64
    tol = FLOAT32_ATOL if dtype == "float32" else 1e-9
    part = "remainder" if remainder else "output"
    if MLPSplitFunction.applies(model, part):
        split = MLPSplitFunction(
            model, 0 if output is None else int(output), torch_dtype
        )
        rows = _head_rows(background)
        if np.max(np.abs(split.direct(rows) - f(rows))) <= tol:
            return split
    fast = FieldModelFunction(
        model,
        0 if output is None else int(output),
        "remainder" if remainder else "output",
        torch.float32 if dtype == "float32" else torch.float64,
    )
    err = encode_check(fast, f, background, atol=FLOAT32_ATOL)
    return fast if err <= tol else None


def _head_rows(background):
    if isinstance(background, pd.DataFrame):
        return background.iloc[:64]
    return background[:64]


def estimate_game(
    model,
    f,
    X,
    background,
    *,
    method,
    budget,
    rng,
    batch_size,
    output,
    remainder,
    dtype,
    verbose,
    owner=None,
    stats=None,
):
    """Lundberg's SHAP values and interaction matrix with standard errors.

    ``remainder``: None, or the function giving the remainder of the model's
    decomposition, which is then the game's output (control variate).

    Returns ``phi (n, m), phi_se (n, m), values (n, m, m), se (n, m, m)``; the
    standard errors are 0 exactly where the estimate is exact. ``stats``: a
    dict that receives ``"model_rows"``, the model rows evaluated.
    """
    if remainder is not None:
        f = remainder
    fast = _evaluator(model, f, background, output, remainder is not None, dtype)
    game = GameTable(
        f, X, background, batch_size, fast=fast, verbose=verbose, owner=owner
    )
    m = game.m
    if method == "enumeration":
        masks = all_masks(m)
        V = game.table(masks, desc="enumeration")
        if stats is not None:
            stats["model_rows"] = game.model_rows
        phi, sii = enumerate_indices(V, masks)
        values = 0.5 * sii
        idx = np.arange(m)
        values[:, idx, idx] = phi - values.sum(axis=2)
        return phi, np.zeros_like(phi), values, np.zeros_like(values)
    design = make_design(m, budget, rng)
    V = game.table(design.masks, desc="regression")
    if stats is not None:
        stats["model_rows"] = game.model_rows
    est, se = regression_estimate(V, design)
    if not design.exact:
        # an estimate is never reported as exact: floor at rounding level
        floor = 16 * np.finfo(np.float64).eps * (1.0 + np.abs(V).max())
        se = np.maximum(se, floor)
    phi, sii, diag = unstack(est, m)
    phi_se, sii_se, diag_se = unstack(se, m)
    values, err = 0.5 * sii, 0.5 * sii_se
    idx = np.arange(m)
    values[:, idx, idx] = diag
    err[:, idx, idx] = diag_se
    return phi, phi_se, values, err
