"""FileSource: fitting and predicting from parquet and CSV files."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

pytest.importorskip("pyarrow")

from skfeat.data import FileSource  # noqa: E402
from skfeat.models import DeepFMClassifier, FMClassifier  # noqa: E402
from skfeat.preprocessing import FeatureCrosser  # noqa: E402


def _frame(n=900, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({
        "user": rng.choice([f"u{i}" for i in range(30)], n, p=_zipf(30)),
        "item": rng.choice([f"i{i}" for i in range(20)], n),
        "x": rng.normal(size=n),
    })  # fmt: skip
    w = {f"u{i}": v for i, v in enumerate(rng.normal(size=30) * 2)}
    logit = X["user"].map(w) + (X["item"] < "i5") * 1.5 - X["x"]
    X["click"] = (rng.random_sample(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X


def _zipf(k):
    p = 1 / np.arange(1, k + 1)
    return p / p.sum()


def _write(df, folder, parts=3, fmt="parquet"):
    folder.mkdir(exist_ok=True)
    bounds = np.linspace(0, len(df), parts + 1).astype(int)
    for i in range(parts):
        chunk = df.iloc[bounds[i] : bounds[i + 1]]
        path = folder / f"part{i}.{fmt}"
        if fmt == "parquet":
            chunk.to_parquet(path, index=False)
        else:
            chunk.to_csv(path, index=False)
    return folder


KW = dict(max_epochs=3, batch_size=64, early_stopping=False, random_state=0,
          learning_rate=0.02)  # fmt: skip


def test_fit_from_files_equals_fit_in_memory_without_shuffle(tmp_path):
    df = _frame()
    source = FileSource(_write(df, tmp_path / "d"), target="click", batch_rows=50,
                        shuffle_buffer=0)  # fmt: skip
    X, y = df.drop(columns="click"), df["click"].to_numpy()
    streamed = FMClassifier(**KW).fit(source)
    in_memory = FMClassifier(**KW, net_params={"iterator_train__shuffle": False}).fit(
        X, y
    )
    assert streamed.schema_.cardinalities == in_memory.schema_.cardinalities
    np.testing.assert_allclose(
        streamed.predict_proba(X), in_memory.predict_proba(X), atol=1e-5
    )
    # predictions from files come back as arrays in file order
    np.testing.assert_allclose(
        streamed.predict_proba(source), streamed.predict_proba(X), atol=1e-6
    )
    assert np.array_equal(streamed.predict(source), streamed.predict(X))
    assert streamed.decision_function(source).shape == (len(df),)


def test_missing_categories_from_files_as_in_memory(tmp_path):
    df = _frame(300)
    df.loc[::7, "user"] = None
    source = FileSource(_write(df, tmp_path / "d"), target="click", shuffle_buffer=0)
    X, y = df.drop(columns="click"), df["click"].to_numpy()
    streamed = FMClassifier(**KW).fit(source)
    in_memory = FMClassifier(**KW, net_params={"iterator_train__shuffle": False})
    in_memory.fit(X, y)
    assert streamed.schema_.cardinalities == in_memory.schema_.cardinalities
    ids = streamed.encoder_.transform(X)["cat"]
    assert np.array_equal(ids, in_memory.encoder_.transform(X)["cat"])
    assert (ids[::7, 0] == 0).all()  # the missing id: users were missing in fit
    np.testing.assert_allclose(
        streamed.predict_proba(X), in_memory.predict_proba(X), atol=1e-5
    )


def test_shuffle_mixes_files_and_is_reproducible(tmp_path):
    df = _frame()
    df["row"] = np.arange(len(df))
    folder = _write(df, tmp_path / "d")
    source = FileSource(folder, target="click", batch_rows=50, shuffle_buffer=400,
                        columns=["user", "item", "x"])  # fmt: skip
    a = FMClassifier(**KW).fit(source)
    b = FMClassifier(**KW).fit(source)
    c = FMClassifier(**{**KW, "random_state": 1}).fit(source)
    X = df[["user", "item", "x"]]
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    # a shuffled block spans files: the first batch holds rows of two files
    rows_source = FileSource(folder, target="click", batch_rows=50,
                             shuffle_buffer=600, columns=["row"])  # fmt: skip
    from skfeat.data._stream import SourceDataset

    est = FMClassifier(categorical_features=None, **KW).fit(df[["row"]], df["click"])
    import torch

    torch.manual_seed(0)
    batches = list(
        SourceDataset(rows_source, _encoder_of(est), with_target=True).iter_batches(
            256, True
        )
    )
    assert sum(len(yb) for _, yb in batches) == len(df)
    first = batches[0][0]["num"][:, 0].numpy() * est.encoder_.scaler_.scale_[0]
    first = np.rint(first + est.encoder_.scaler_.mean_[0]).astype(int)
    assert len(np.unique(first // 300)) >= 2  # 300 rows per file


def test_shuffled_batches_are_the_permuted_block_in_order(tmp_path):
    # each batch gathers its rows of the block's permutation: the batches must
    # be those of permuting the whole block first, in order, for the same draws
    import torch

    from skfeat.data._stream import SourceDataset

    df = _frame()
    df["row"] = np.arange(len(df))
    folder = _write(df, tmp_path / "d")
    source = FileSource(folder, target="click", batch_rows=50,
                        shuffle_buffer=10_000, columns=["row"])  # fmt: skip
    est = FMClassifier(categorical_features=None, **KW).fit(df[["row"]], df["click"])
    scaler = est.encoder_.scaler_

    def rows_of(batch):
        values = batch["num"][:, 0].numpy() * scaler.scale_[0] + scaler.mean_[0]
        return np.rint(values).astype(int)

    torch.manual_seed(3)
    batches = list(
        SourceDataset(source, _encoder_of(est), with_target=True).iter_batches(
            64, True
        )
    )
    got = np.concatenate([rows_of(xb) for xb, _ in batches])
    torch.manual_seed(3)
    order = torch.randperm(len(source.files_)).tolist()
    block = np.concatenate(
        [X["row"].to_numpy() for _, _, X, _ in source.iter_blocks(file_order=order)]
    )
    expected = block[torch.randperm(len(block)).numpy()]
    assert [len(yb) for _, yb in batches][:-1] == [64] * (len(batches) - 1)
    assert np.array_equal(got, expected)


def _encoder_of(est):
    def encode(X, y):
        yt = None if y is None else np.asarray(y, dtype=np.float32)
        return est._dataset(X.reset_index(drop=True), yt, None)

    return encode


def test_vocabulary_caps_hold(tmp_path):
    df = _frame()
    source = FileSource(_write(df, tmp_path / "d"), target="click", batch_rows=100,
                        max_categories=5)  # fmt: skip
    clf = FMClassifier(**KW, min_frequency=3).fit(source)
    cards = clf.schema_.cardinalities
    assert cards[0] == 5 + 2  # user: the 5 most frequent users
    counts = df["item"].value_counts()
    assert cards[1] == min(5, int((counts >= 3).sum())) + 2
    top = set(df["user"].value_counts().index[:5])
    ids = clf.encoder_.transform(df.drop(columns="click"))["cat"][:, 0]
    assert np.array_equal(ids > 1, df["user"].isin(top).to_numpy())
    assert np.all(ids[~df["user"].isin(top).to_numpy()] == clf.unknown_id)


def test_csv_deepfm_early_stopping_and_eval_file(tmp_path):
    df = _frame(1500)
    train = FileSource(_write(df[:1200], tmp_path / "t", fmt="csv"), target="click")
    valid = FileSource(_write(df[1200:], tmp_path / "v", 1, fmt="csv"),
                       target="click")  # fmt: skip
    clf = DeepFMClassifier(max_epochs=30, batch_size=128, random_state=0,
                           n_iter_no_change=2, learning_rate=0.01)  # fmt: skip
    clf.fit(train, eval_set=valid)
    assert "valid_loss" in clf.net_.history[-1]
    assert clf.n_iter_ < 30
    auc = roc_auc_score(df["click"][1200:], clf.predict_proba(valid)[:, 1])
    assert auc > 0.75
    # a validation fraction split instead of a file
    fm = FMClassifier(max_epochs=4, early_stopping=True, random_state=0,
                      validation_fraction=0.2).fit(train)  # fmt: skip
    assert fm.net_.history[-1, "valid_batch_count"] >= 1
    # the default early stopping follows the in-memory rule at every size (the
    # files used to turn it on only above 10,000 rows), and the fitted model
    # keeps no validation rows; partial_fit then continues without them
    fm = FMClassifier(max_epochs=4, random_state=0).fit(train)
    assert fm.do_early_stopping_ and fm.validation_score_.shape == (fm.n_iter_,)
    assert fm.net_.history[-1, "valid_batch_count"] >= 1
    assert fm.net_.train_split is None
    fm.partial_fit(train)
    assert fm.n_iter_ == len(fm.net_.history)
    assert "valid_loss" not in fm.net_.history[-1]  # the partial_fit epoch
    # a scorer cannot run on streamed validation rows: said, not silently
    # dropped, and the validation loss is what the fit monitors instead
    with pytest.warns(UserWarning, match="scoring='roc_auc' is not used"):
        scored = FMClassifier(max_epochs=1, scoring="roc_auc", random_state=0)
        scored.fit(train)
    last = scored.net_.history[-1]
    assert "valid_loss" in last and not any("roc_auc" in key for key in last)
    assert scored.validation_score_[-1] == -last["valid_loss"]


def test_hashed_fit_from_files(tmp_path):
    df = _frame()
    source = FileSource(_write(df, tmp_path / "d"), target="click")
    clf = FMClassifier(categorical_encoding="hash", hash_buckets=64, **KW).fit(source)
    assert clf.schema_.cardinalities == [66, 66]


def test_errors(tmp_path):
    df = _frame(60)
    source = FileSource(_write(df, tmp_path / "d", 1), target="click")
    with pytest.raises(TypeError, match="needs the whole table in memory"):
        FeatureCrosser().fit(source)
    with pytest.raises(ValueError, match="pass y=None"):
        FMClassifier().fit(source, df["click"])
    with pytest.raises(ValueError, match="target column 'nope'"):
        FileSource(tmp_path / "d", target="nope")
    with pytest.raises(ValueError, match="found no files"):
        FileSource(tmp_path / "empty*.parquet")


def test_partial_fit_from_files_is_one_epoch_per_call(tmp_path):
    df = _frame()
    source = FileSource(_write(df, tmp_path / "d"), target="click", batch_rows=100,
                        shuffle_buffer=0)  # fmt: skip
    X, y = df.drop(columns="click"), df["click"].to_numpy()
    kw = dict(batch_size=64, random_state=0, learning_rate=0.02)
    streamed = FMClassifier(**kw)
    in_memory = FMClassifier(**kw, net_params={"iterator_train__shuffle": False})
    for _ in range(3):
        streamed.partial_fit(source)  # classes come from the streaming pass
        in_memory.partial_fit(X, y, classes=[0, 1])
    assert streamed.n_iter_ == 3
    assert streamed.schema_.cardinalities == in_memory.schema_.cardinalities
    np.testing.assert_allclose(
        streamed.predict_proba(X), in_memory.predict_proba(X), atol=1e-5
    )
    # a fit from files continues with partial_fit from files, and a wrong class
    # leaves the model as it was
    deep = DeepFMClassifier(max_epochs=2, early_stopping=False, random_state=0,
                            hidden_units=(16,), batch_size=64)  # fmt: skip
    deep.fit(source).partial_fit(source)
    assert deep.n_iter_ == 3
    assert roc_auc_score(y, deep.predict_proba(source)[:, 1]) > 0.75
    with pytest.raises(ValueError, match="pass y=None"):
        streamed.partial_fit(source, y)
    on_array = FMClassifier(**kw).fit(X[["x"]].to_numpy(), y)
    with pytest.raises(ValueError, match="fitted on an array without column"):
        on_array.partial_fit(source)
    bad = df.assign(click=df["click"] + 1)
    before = streamed.predict_proba(X)
    with pytest.raises(ValueError, match=r"labels \[2\]"):
        streamed.partial_fit(FileSource(_write(bad, tmp_path / "b"), target="click"))
    assert np.array_equal(streamed.predict_proba(X), before)
    with pytest.raises(ValueError, match=r"labels \[2\]"):
        FMClassifier().partial_fit(
            FileSource(tmp_path / "b", target="click"), classes=[0, 1]
        )


def test_file_source_as_explainer_background(tmp_path):
    from skfeat.explain import InteractionExplainer

    df = _frame()
    source = FileSource(_write(df, tmp_path / "d"), target="click", batch_rows=70)
    X = df.drop(columns="click")
    fm = FMClassifier(**KW).fit(X, df["click"])
    # exact: the moments of every row, streamed
    from_files = InteractionExplainer(fm, source).shap_values(X[:20]).values
    in_memory = InteractionExplainer(fm, X).shap_values(X[:20]).values
    np.testing.assert_allclose(from_files, in_memory, atol=1e-9)
    # a deep remainder: a uniform sample of max_background rows, the very rows
    # the in-memory explainer samples, with the large-background warning
    deep = DeepFMClassifier(**KW, hidden_units=(8,)).fit(X, df["click"])
    kw = dict(max_background=50, random_state=0, budget=64)
    with pytest.warns(UserWarning, match="The background has 900 rows"):
        a = InteractionExplainer(deep, source, **kw).shap_values(X[:3]).values
    with pytest.warns(UserWarning, match="The background has 900 rows"):
        b = InteractionExplainer(deep, X, **kw).shap_values(X[:3]).values
    np.testing.assert_allclose(a, b, atol=1e-9)
    rows = source.sample(50, random_state=0)
    expected = X.iloc[np.sort(np.random.RandomState(0).choice(900, 50, replace=False))]
    assert rows.equals(expected.reset_index(drop=True))


def test_streamed_vocabulary_rule_matches_a_counter():
    # counts merged batch by batch in pandas, then min_frequency and the cap with
    # ties broken by the smaller text: the same set as a brute-force Counter
    from collections import Counter

    from skfeat._fields._stats import _keep, _merge_counts

    rng = np.random.RandomState(0)
    for trial in range(60):
        n = rng.randint(1, 300)
        values = rng.zipf(1.5, n) % rng.randint(1, 60)
        if trial % 3 == 1:
            values = np.array([f"s{v}" for v in values], dtype=object)
        elif trial % 3 == 2:
            values = values.astype(float)
        counts = _merge_counts(
            [pd.Series(chunk).value_counts() for chunk in np.array_split(values, 3)]
        )
        min_frequency = [None, 2, 0.05][trial % 3]
        cap = [None, 1, 3, 10][trial % 4]
        items = list(Counter(values.tolist()).items())
        if min_frequency is not None:
            least = min_frequency if min_frequency >= 1 else min_frequency * n
            items = [(v, c) for v, c in items if c >= least]
        if cap is not None:
            items = sorted(items, key=lambda vc: (-vc[1], str(vc[0])))[:cap]
        expected = sorted(str(v) for v, _ in items)
        got = _keep(counts, min_frequency, n, cap)
        assert sorted(str(v) for v in got) == expected


def test_empty_or_featureless_files_raise_clear_errors(tmp_path):
    # issue 24, item 9: zero rows gave a bare StopIteration (fit, partial_fit,
    # the explainer) or a torch.cat error (predict); no feature column too
    from skfeat.explain import InteractionExplainer

    df = _frame(60)
    empty = df.iloc[:0]
    (tmp_path / "e").mkdir()
    empty.to_parquet(tmp_path / "e" / "part.parquet", index=False)
    source = FileSource(tmp_path / "e", target="click")
    for call in (
        lambda: FMClassifier(**KW).fit(source),
        lambda: FMClassifier(**KW).partial_fit(source, classes=[0, 1]),
    ):
        with pytest.raises(ValueError, match="part.parquet'\\] hold no rows"):
            call()
    fm = FMClassifier(**KW).fit(df.drop(columns="click"), df["click"])
    with pytest.raises(ValueError, match="hold no rows"):
        fm.predict(source)
    with pytest.raises(ValueError, match="hold no rows"):
        InteractionExplainer(fm, source, max_background=10).shap_values(df[:2])
    df[["click"]].to_parquet(tmp_path / "only_target.parquet", index=False)
    with pytest.raises(ValueError, match="no feature column.*only_target"):
        FileSource(tmp_path / "only_target.parquet", target="click")
    with pytest.raises(ValueError, match="no feature column"):
        FileSource(tmp_path / "e", target="click", columns=[])


def test_tsv_files_are_read_with_a_tab_delimiter(tmp_path):
    df = _frame(300)
    (tmp_path / "t").mkdir()
    df.iloc[:150].to_csv(tmp_path / "t" / "a.tsv", sep="\t", index=False)
    df.iloc[150:].to_csv(tmp_path / "t" / "b.tsv", sep="\t", index=False)
    source = FileSource(tmp_path / "t", target="click", shuffle_buffer=0)
    assert source.n_rows == 300 and source.feature_names_ == ["user", "item", "x"]
    X, y = source.to_pandas()
    pd.testing.assert_frame_equal(X, df.drop(columns="click"))
    clf = FMClassifier(**KW).fit(source)
    assert clf.predict_proba(source).shape == (300, 2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_categories": 0}, "max_categories must be an integer >= 1, got 0"),
        ({"max_categories": True}, "max_categories must be an integer >= 1"),
        ({"shuffle_buffer": -5}, "shuffle_buffer must be an integer >= 0, got -5"),
        ({"batch_rows": 0}, "batch_rows must be an integer >= 1, got 0"),
        ({"columns": ["user", "click"]}, "columns lists the target column 'click'"),
    ],
)
def test_bad_arguments_name_the_parameter(tmp_path, kwargs, match):
    folder = _write(_frame(60), tmp_path / "d", 1)
    with pytest.raises(ValueError, match=match):
        FileSource(folder, target="click", **kwargs)


def test_a_column_typed_differently_in_two_files_names_column_and_files(tmp_path):
    df = _frame(60)
    (tmp_path / "d").mkdir()
    df.iloc[:30].assign(user=np.arange(30)).to_parquet(tmp_path / "d" / "p1.parquet")
    df.iloc[30:].to_parquet(tmp_path / "d" / "p2.parquet")
    source = FileSource(tmp_path / "d", target="click")
    with pytest.raises(TypeError, match="Column 'user' is int64 in .*p1.parquet.*p2"):
        FMClassifier(**KW).fit(source)
    # ints in one file and floats (missing values) in another are one kind
    (tmp_path / "n").mkdir()
    df.iloc[:30].to_parquet(tmp_path / "n" / "p1.parquet")
    df.iloc[30:].assign(x=np.arange(30)).to_parquet(tmp_path / "n" / "p2.parquet")
    FMClassifier(**KW).fit(FileSource(tmp_path / "n", target="click"))


def test_criteo_files_folder_reads_with_pandas_and_rate_matches_the_docs(tmp_path):
    # issue 24, item 11: meta.json inside the folder broke read_parquet(folder),
    # and the documented click rate ("near 25%") was not what the data had
    from skfeat.datasets import make_criteo_files

    meta = make_criteo_files(tmp_path / "c", 20_000, rows_per_file=10_000)
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "part-00000.parquet", "part-00001.parquet",
    ]  # fmt: skip
    frame = pd.read_parquet(tmp_path / "c")
    assert len(frame) == 20_000
    assert frame["click"].mean() == pytest.approx(meta["click_rate"])
    assert "0.307 with" in make_criteo_files.__doc__
    assert abs(meta["click_rate"] - 0.307) < 0.02
