"""Frappe_x1 when SKFEAT_DATA points at it, else Frappe-shaped synthetic data."""

import os

import numpy as np
import pandas as pd

from skfeat.datasets import load_frappe

# Frappe_x1 field cardinalities (see shared/data/README.md)
FRAPPE_CARDINALITIES = {
    "user": 957,
    "item": 4082,
    "daytime": 7,
    "weekday": 7,
    "isweekend": 2,
    "homework": 3,
    "cost": 2,
    "weather": 9,
    "country": 80,
    "city": 233,
}


def frappe_or_synthetic(n_train=202_027, n_valid=57_722, seed=0):
    """Return ``(X_train, y_train, X_valid, y_valid, source)``."""
    if os.environ.get("SKFEAT_DATA"):
        try:
            data = load_frappe()
            return (data.train.X, data.train.y, data.valid.X, data.valid.y, "Frappe_x1")
        except FileNotFoundError:
            pass
    rng = np.random.default_rng(seed)
    n = n_train + n_valid
    columns = {}
    logit = np.full(n, -0.7)
    for name, card in FRAPPE_CARDINALITIES.items():
        codes = rng.zipf(1.3, size=n) % card
        columns[name] = pd.Categorical(codes.astype(str))
        logit += rng.normal(0, 0.5, card)[codes]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    X = pd.DataFrame(columns)
    return (
        X.iloc[:n_train],
        y[:n_train],
        X.iloc[n_train:],
        y[n_train:],
        "synthetic Frappe-shaped",
    )
