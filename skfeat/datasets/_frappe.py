"""Loader for the Frappe_x1 split of the BARS benchmark (never bundled)."""

import os
from pathlib import Path

import pandas as pd
from sklearn.utils import Bunch

FRAPPE_COLUMNS = [
    "user",
    "item",
    "daytime",
    "weekday",
    "isweekend",
    "homework",
    "cost",
    "weather",
    "country",
    "city",
]
_SPLITS = ("train", "valid", "test")


def _candidate_dirs(data_home):
    base = data_home if data_home is not None else os.environ.get("SKFEAT_DATA")
    if base is None:
        return []
    base = Path(base).expanduser()
    return [base / "frappe_x1", base]


def load_frappe(data_home=None, *, splits=("train", "valid"), as_frame=True):
    """Load the Frappe_x1 CTR data set (BARS split) from local files.

    Frappe (Baltrunas et al., arXiv:1505.03014) logs app usage with context; the
    Frappe_x1 split of the BARS benchmark (Zhu et al., 2022) has 10 categorical
    fields and a binary ``label``. Its terms forbid redistribution, so skfeat never
    downloads or ships it: point ``data_home`` (or the ``SKFEAT_DATA`` environment
    variable) at a folder holding ``train.csv``, ``valid.csv`` (and optionally
    ``test.csv``), directly or in a ``frappe_x1`` subfolder.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder to read from; defaults to ``$SKFEAT_DATA``.
    splits : tuple of str, default=("train", "valid")
        Which of "train", "valid" and "test" to load.
    as_frame : bool, default=True
        Kept for symmetry with scikit-learn loaders; the features are always a
        DataFrame whose columns have ``category`` dtype.

    Returns
    -------
    data : Bunch
        For each split ``s``: ``data[s]`` is a Bunch with ``X`` (DataFrame of the
        10 fields, categorical dtype) and ``y`` (ndarray of 0/1 labels). Also
        ``feature_names`` and ``path``.

    Raises
    ------
    FileNotFoundError
        When no folder holds the files; the message lists where it looked.

    Examples
    --------
    >>> from skfeat.datasets import load_frappe
    >>> try:
    ...     frappe = load_frappe("/nonexistent")
    ... except FileNotFoundError as exc:
    ...     print("looked in", str(exc).count("/nonexistent"), "places")
    looked in 2 places
    """
    for split in splits:
        if split not in _SPLITS:
            raise ValueError(f"splits must be among {_SPLITS}, got {split!r}.")
    candidates = _candidate_dirs(data_home)
    for folder in candidates:
        if all((folder / f"{s}.csv").is_file() for s in splits):
            break
    else:
        looked = ", ".join(str(c) for c in candidates) or "nowhere"
        raise FileNotFoundError(
            f"Frappe_x1 files {[s + '.csv' for s in splits]} not found; looked in: "
            f"{looked}. Pass data_home= or set the SKFEAT_DATA environment "
            "variable to the folder that holds them (skfeat never downloads "
            "Frappe: its terms forbid redistribution)."
        )
    out = Bunch(feature_names=list(FRAPPE_COLUMNS), path=str(folder))
    dtypes = {c: "str" for c in FRAPPE_COLUMNS}
    for split in splits:
        frame = pd.read_csv(folder / f"{split}.csv", dtype=dtypes)
        X = frame[FRAPPE_COLUMNS].astype("category")
        out[split] = Bunch(X=X, y=frame["label"].to_numpy().astype("int64"))
    return out
