"""Every way of fitting encodes the same rows the same way.

The equivalence matrix: fit paths {in memory, from files (several files, with and
without shuffling), partial_fit (in memory and from files), saved and loaded,
data-parallel with one and two processes, distillation from one model and from a
soft-voting ensemble, private training} x
encoder options {plain, ``numeric_bins``, ``vector_features``, hashing,
``min_frequency``}, all on a table with an
integer-id column whose ids repeat only across record batches. Each path must
give the in-memory fit's ``schema_``, column kinds, encoded ids of a probe frame
(unseen and missing values included) and the same set of public fitted
attributes.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from skfeat.compress import distill
from skfeat.data import FileSource
from skfeat.distributed import fit_distributed
from skfeat.models import FMClassifier
from tests._fit_paths import BATCH_ROWS, MODEL, N_FILES, OPTIONS, frame, summary

#: public fitted attributes that only one path adds
PATH_ATTRIBUTES = {
    "private": {"epsilon_", "delta_", "noise_multiplier_", "sample_rate_"}
}


def _write_files(folder):
    X, y = frame()
    data = X.assign(click=y)
    bounds = np.linspace(0, len(data), N_FILES + 1).astype(int)
    for i in range(N_FILES):
        data.iloc[bounds[i] : bounds[i + 1]].to_parquet(folder / f"part{i}.parquet")
    return folder


def _fit(path, options, folder):
    X, y = frame()
    model = FMClassifier(**MODEL, **options)
    if path == "memory":
        return model.fit(X, y)
    if path in ("files", "files_shuffled"):
        buffer = 0 if path == "files" else 300
        source = FileSource(folder, target="click", batch_rows=BATCH_ROWS,
                            shuffle_buffer=buffer)  # fmt: skip
        return model.fit(source)
    if path == "partial_fit":
        return model.partial_fit(X, y, classes=np.unique(y))
    if path == "partial_fit_files":
        source = FileSource(folder, target="click", batch_rows=BATCH_ROWS)
        return model.partial_fit(source)
    if path == "saved":
        from skfeat.io import load, save

        path_ = folder / f"saved-{sorted(options)}.skfeat"
        save(model.fit(X, y), path_)
        return load(path_)
    if path == "distributed":
        return fit_distributed(model.set_params(early_stopping=False), X, y)
    if path == "distill":
        teacher = FMClassifier(**MODEL, **options).fit(X, y)
        return distill(teacher, FMClassifier(**MODEL), X, y, teacher_weight=0.0)
    if path == "distill_ensemble":
        from sklearn.ensemble import VotingClassifier

        members = [
            (f"fm{seed}", FMClassifier(**{**MODEL, **options, "random_state": seed}))
            for seed in (0, 1)
        ]
        vote = VotingClassifier(members, voting="soft").fit(X, y)
        return distill(
            vote, FMClassifier(**MODEL), X, y, teacher_weight=0.0,
            ensemble_output="mean_logit",
        )  # fmt: skip
    if path == "private":
        pytest.importorskip("opacus")
        from skfeat.privacy import fit_private

        return fit_private(model, X, y, noise_multiplier=0.0)
    raise AssertionError(path)


def _assert_same(got, want, extra=()):
    assert got["schema"] == want["schema"]
    assert got["feature_kinds"] == want["feature_kinds"]
    for key in want["encoded"]:
        if key == "cat":
            np.testing.assert_array_equal(got["encoded"][key], want["encoded"][key])
        else:  # scaling merged from statistics: equal up to float rounding
            np.testing.assert_allclose(
                got["encoded"][key], want["encoded"][key], rtol=1e-5, atol=1e-5
            )
    assert set(got["attributes"]) - set(extra) == set(want["attributes"])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    pytest.importorskip("pyarrow")
    return _write_files(tmp_path_factory.mktemp("fit_paths"))


@pytest.fixture(scope="module")
def in_memory():
    X, y = frame()
    return {
        name: summary(FMClassifier(**MODEL, **options).fit(X, y))
        for name, options in OPTIONS.items()
    }


def test_integer_ids_are_read_over_all_rows(in_memory):
    kinds = in_memory["plain"]["feature_kinds"]
    assert kinds == ["categorical", "categorical", "integer codes", "numeric",
                     "numeric", "numeric", "numeric", "numeric", "categorical",
                     "categorical"]  # fmt: skip
    assert in_memory["multi_value"]["feature_kinds"][-2:] == [
        "multi-value", "multi-value",
    ]  # fmt: skip


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize(
    "path",
    [
        "files",
        "files_shuffled",
        "partial_fit",
        "partial_fit_files",
        "saved",
        "distributed",
        "distill",
        "distill_ensemble",
        "private",
    ],
)
def test_path_encodes_as_in_memory(path, option, files, in_memory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _fit(path, OPTIONS[option], files)
    _assert_same(summary(model), in_memory[option], PATH_ATTRIBUTES.get(path, ()))
    assert np.isfinite(model.predict_proba(frame()[0].iloc[:5])).all()


def test_two_process_job_encodes_as_in_memory(tmp_path, in_memory):
    from tests._fit_paths_worker import run

    out = tmp_path / "paths.pkl"
    run(tmp_path / "store", out)
    with open(out, "rb") as f:
        results = pickle.load(f)
    assert set(results) == set(OPTIONS)
    for option, got in results.items():
        _assert_same(got, in_memory[option])


def test_file_holdout_is_fixed_across_epochs(files):
    """Shuffling the files never moves a row between training and validation."""
    source = FileSource(files, target="click", batch_rows=BATCH_ROWS)
    masks = []
    for order in ([0, 1, 2], [2, 0, 1]):
        held = {}
        for f, b, X, _ in source.iter_blocks(file_order=order):
            held[(f, b)] = source.holdout(len(X), 0.2, 7, f, b)
        masks.append(held)
    assert masks[0].keys() == masks[1].keys()
    for key in masks[0]:
        np.testing.assert_array_equal(masks[0][key], masks[1][key])


# ------------------------------------------------ defects of separate fit copies
def _binned_teacher():
    X, y = frame()
    return FMClassifier(**MODEL, numeric_bins=8).fit(X, y), X, y


def test_distilled_student_reads_the_columns_as_its_teacher():
    teacher, X, y = _binned_teacher()
    student = distill(teacher, FMClassifier(**MODEL), X)
    probe_rows = X.iloc[:50]
    np.testing.assert_array_equal(
        student.encode_inputs(probe_rows)["cat"],
        teacher.encode_inputs(probe_rows)["cat"],
    )
    assert student.get_params()["numeric_bins"] == 8  # a clone refits the same way
    for name in (
        "validation_score_",
        "do_early_stopping_",
        "feature_kinds_",
        "n_iter_",
    ):
        assert hasattr(student, name), name


def test_distributed_fit_takes_numeric_bins_on_an_all_numeric_array():
    X, y = frame()
    numeric = X[["price", "age"]].to_numpy()
    memory = FMClassifier(**MODEL, numeric_bins=5, early_stopping=False).fit(numeric, y)
    parallel = fit_distributed(FMClassifier(**MODEL, numeric_bins=5), numeric, y)
    assert parallel.schema_ == memory.schema_
    assert parallel.schema_.cardinalities == [7, 7]
    for name in ("validation_score_", "do_early_stopping_", "feature_kinds_"):
        assert hasattr(parallel, name), name


def test_variants_that_need_rows_in_memory_refuse_files_by_name(files):
    teacher, X, y = _binned_teacher()
    source = FileSource(files, target="click")
    with pytest.raises(TypeError, match="distill takes in-memory data"):
        distill(teacher, FMClassifier(**MODEL), source)
    with pytest.raises(TypeError, match="fit_distributed takes in-memory data"):
        fit_distributed(FMClassifier(**MODEL), source, None)


def test_hashed_distributed_fit_has_no_vocabulary():
    X, y = frame()
    model = fit_distributed(
        FMClassifier(**MODEL, categorical_encoding="hash", hash_buckets=16), X, y
    )
    # site, device, ad_id and the two text columns, 16 buckets + 2 reserved ids
    assert model.schema_.cardinalities == [18] * 5
    assert model.encoder_.ordinal_ is None


# ------------------------------------------------------ files against memory
def test_criteo_shaped_files_train_the_in_memory_model(tmp_path):
    """Integer id columns that repeat only over many record batches are ids from
    files as in memory, and the two fits score alike on held-out rows."""
    pytest.importorskip("pyarrow")
    from sklearn.metrics import roc_auc_score

    from skfeat.datasets import make_criteo_files

    kw = dict(rows_per_file=10_000, n_ids=2_000, chunk_rows=10_000)
    make_criteo_files(tmp_path / "train", 40_000, rows_seed=0, **kw)
    make_criteo_files(tmp_path / "test", 10_000, rows_seed=1, **kw)
    train = FileSource(tmp_path / "train", target="click", batch_rows=2_000)
    X, y = train.to_pandas()
    X_test, y_test = FileSource(tmp_path / "test", target="click").to_pandas()
    settings = dict(max_epochs=4, random_state=0)
    from_files = FMClassifier(**settings).fit(train)
    in_memory = FMClassifier(**settings).fit(X, y)
    assert list(from_files.feature_kinds_) == list(in_memory.feature_kinds_)
    assert list(in_memory.feature_kinds_).count("integer codes") == 26
    auc_files = roc_auc_score(y_test, from_files.predict_proba(X_test)[:, 1])
    auc_memory = roc_auc_score(y_test, in_memory.predict_proba(X_test)[:, 1])
    assert auc_memory > 0.6
    assert abs(auc_files - auc_memory) < 0.005


def test_file_validation_rows_are_never_trained_on(tmp_path):
    """Random labels and a unique id per row: the model memorises its training
    rows, so a validation loss far below chance would mean it trained on them."""
    pytest.importorskip("pyarrow")
    rng = np.random.RandomState(0)
    n = 20_000
    data = pd.DataFrame(
        {
            "row": [f"r{i}" for i in range(n)],
            "click": rng.randint(0, 2, n),
        }
    )
    data.iloc[: n // 2].to_parquet(tmp_path / "part0.parquet")
    data.iloc[n // 2 :].to_parquet(tmp_path / "part1.parquet")
    # default shuffling; small record batches give the shuffle many blocks
    source = FileSource(tmp_path, target="click", batch_rows=1_000)
    model = FMClassifier(
        learning_rate=0.05, n_iter_no_change=100, max_epochs=8, random_state=0
    ).fit(source)
    valid_loss = -model.validation_score_
    assert len(valid_loss) == 8
    assert valid_loss.min() >= 0.68  # chance: log(2) = 0.693


def test_integer_sample_weights_equal_repeated_rows():
    """With one full batch and no holdout, weighting a row by k is repeating it k
    times: the encoders (scaling, vocabulary) and the trained model agree."""
    X, y = frame()
    X = X[["site", "device", "price", "age"]].iloc[:300].reset_index(drop=True)
    y = y[:300]
    w = np.random.RandomState(1).randint(0, 4, len(X))
    X.loc[w == 0, "site"] = "only_in_zero_weight_rows"
    repeated = np.repeat(np.arange(len(X)), w)
    settings = dict(embed_dim=2, max_epochs=3, early_stopping=False, random_state=0,
                    batch_size=10_000,
                    net_params={"iterator_train__shuffle": False})  # fmt: skip
    weighted = FMClassifier(**settings).fit(X, y, sample_weight=w)
    copies = FMClassifier(**settings).fit(X.iloc[repeated], y[repeated])
    assert weighted.schema_ == copies.schema_
    np.testing.assert_allclose(
        weighted.encoder_.scaler_.mean_, copies.encoder_.scaler_.mean_, rtol=1e-7
    )
    np.testing.assert_allclose(
        weighted.encoder_.scaler_.var_, copies.encoder_.scaler_.var_, rtol=1e-7
    )
    np.testing.assert_allclose(
        weighted.predict_proba(X), copies.predict_proba(X), rtol=1e-5, atol=1e-6
    )


def test_regression_target_scaling_is_weighted():
    from skfeat.models import FMRegressor

    X, _ = frame()
    y = X["age"].to_numpy() * 0.1
    w = np.random.RandomState(2).randint(0, 4, len(X))
    model = FMRegressor(embed_dim=2, max_epochs=1, random_state=0)
    model.fit(X, y, sample_weight=w)
    scale, shift = model.output_scale()
    assert shift == pytest.approx(np.average(y, weights=w))
    assert scale == pytest.approx(np.sqrt(np.cov(y, aweights=w, ddof=0)))


@pytest.mark.parametrize("regression", [False, True])
def test_weighted_fits_encode_alike_in_memory_and_across_processes(regression):
    """sample_weight reaches the statistics of a data-parallel fit as it reaches
    the in-memory encoders: weighted scaling and target scaling, values seen
    only in rows of weight 0 unknown."""
    from skfeat.models import FMRegressor

    X, y = frame()
    w = np.random.RandomState(3).randint(0, 4, len(X)).astype(float)
    X = X.copy()
    X.loc[w == 0, "site"] = "only_in_zero_weight_rows"
    cls = FMRegressor if regression else FMClassifier
    target = X["age"].to_numpy() * 0.1 if regression else y
    settings = dict(embed_dim=2, max_epochs=1, random_state=0, early_stopping=False)
    memory = cls(**settings).fit(X, target, sample_weight=w)
    parallel = fit_distributed(cls(**settings), X, target, sample_weight=w)
    assert parallel.schema_ == memory.schema_
    for got, want in [(parallel.encoder_.scaler_, memory.encoder_.scaler_)]:
        np.testing.assert_allclose(got.mean_, want.mean_, rtol=1e-10)
        np.testing.assert_allclose(got.var_, want.var_, rtol=1e-8)
    np.testing.assert_array_equal(
        parallel.encoder_.transform(X)["cat"], memory.encoder_.transform(X)["cat"]
    )
    np.testing.assert_allclose(
        parallel.output_scale(), memory.output_scale(), rtol=1e-9
    )
