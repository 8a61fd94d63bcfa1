"""The integer-code rule: stable across cross-validation folds and their refit,
and a warning that names a column near its threshold."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import cross_validate

from skfeat._fields._columns import INTEGER_CODE_AMBIGUITY, INTEGER_CODE_MIN_REPEATS
from skfeat._fields._kinds import ColumnProfile
from skfeat.exceptions import ColumnKindWarning
from skfeat.models import FMClassifier

FAST = dict(max_epochs=1, batch_size=2048, random_state=0)


def _users(n_rows, n_users, seed=0):
    rng = np.random.RandomState(seed)
    user = rng.randint(0, n_users, n_rows)
    X = pd.DataFrame(
        {
            "user_id": user,
            "amount": rng.randint(0, 10**7, n_rows),  # mostly distinct: numeric
            "score": rng.normal(size=n_rows),
        }
    )
    effect = rng.normal(size=n_users) * 2
    y = (effect[user] + rng.logistic(size=n_rows) > 0).astype(int)
    return X, y


def _kind_warnings(caught):
    return [str(w.message) for w in caught if issubclass(w.category, ColumnKindWarning)]


def test_folds_and_refit_read_an_id_column_alike():
    # 18,000 rows of 1,500 users: 12 rows per user on all rows, 8 on a 3-fold
    # training split. A threshold between the two (the former rule, 10) read the
    # folds as numbers and the refit as codes.
    X, y = _users(18_000, 1_500)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cv = cross_validate(FMClassifier(**FAST), X, y, cv=3, return_estimator=True)
        refit = FMClassifier(**FAST).fit(X, y)
    expected = ["integer codes", "numeric", "numeric"]
    assert refit.feature_kinds_.tolist() == expected
    for est in cv["estimator"]:
        assert est.feature_kinds_.tolist() == expected
    assert _kind_warnings(caught) == []


def test_a_column_near_the_threshold_is_named_in_a_warning():
    # 8,000 rows of 1,500 users: 5.3 rows per user, codes but within a factor
    # two of the threshold
    X, y = _users(8_000, 1_500)
    with pytest.warns(ColumnKindWarning, match=r"'user_id'.*read as integer codes"):
        clf = FMClassifier(**FAST).fit(X, y)
    assert clf.feature_kinds_.tolist()[0] == "integer codes"
    # just below the threshold: numeric, and named too
    X, y = _users(3_000, 1_000)  # 3 rows per user
    with pytest.warns(ColumnKindWarning, match=r"'user_id'.*read as numeric"):
        clf = FMClassifier(**FAST).fit(X, y)
    assert clf.feature_kinds_.tolist()[0] == "numeric"


def test_explicit_categorical_features_silence_the_warning():
    X, y = _users(8_000, 1_500)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = FMClassifier(categorical_features=["user_id"], **FAST).fit(X, y)
    assert _kind_warnings(caught) == []
    assert clf.feature_kinds_.tolist()[0] == "categorical"


def test_a_fit_from_files_warns_like_memory(tmp_path):
    pytest.importorskip("pyarrow")
    from skfeat.data import FileSource

    X, y = _users(8_000, 1_500)
    X.assign(label=y).to_parquet(tmp_path / "part.parquet")
    source = FileSource(tmp_path / "part.parquet", target="label")
    with pytest.warns(ColumnKindWarning, match="'user_id'"):
        clf = FMClassifier(**FAST).fit(source)
    assert clf.feature_kinds_.tolist() == ["integer codes", "numeric", "numeric"]


@pytest.mark.parametrize("per_value", [0.6, 1.0, 1.9, 8.0, 12.0, 40.0])
def test_outside_the_band_every_half_subset_keeps_the_kind(per_value):
    """Columns outside the warning band keep their kind on random subsets of
    at least half their rows, for Zipf-like and uniform value frequencies."""
    rng = np.random.RandomState(int(per_value * 10))
    n = 6_000
    for shape in ("uniform", "zipf"):
        n_distinct = max(1, int(n / per_value))
        if shape == "uniform":
            values = rng.randint(0, n_distinct, n)
        else:
            p = 1.0 / np.arange(1, n_distinct + 1) ** 0.8
            values = rng.choice(n_distinct, n, p=p / p.sum())
        full = _profile(values)
        if full.ambiguous_integers()[0]:
            continue  # a Zipf draw may land inside the band: warned, not promised
        kind = bool(full.integer_codes()[0])
        for q in (0.5, 2 / 3, 0.8):
            for _ in range(5):
                subset = rng.choice(n, int(q * n), replace=False)
                assert bool(_profile(values[subset]).integer_codes()[0]) == kind


def test_the_band_is_where_the_rule_can_flip():
    assert INTEGER_CODE_MIN_REPEATS == 4 and INTEGER_CODE_AMBIGUITY == 2
    for per_value, ambiguous in [(1.9, False), (2.0, True), (7.9, True), (8.0, False)]:
        n_distinct = 1000
        profile = ColumnProfile(
            names=["c"], feature_names=None, dtype_categorical=np.array([False]),
            integer=np.array([True]), n_distinct=np.array([n_distinct]),
            n_present=np.array([int(round(per_value * n_distinct))]),
        )  # fmt: skip
        assert bool(profile.ambiguous_integers()[0]) is ambiguous


def _profile(values):
    frame = pd.DataFrame({"c": values})
    return ColumnProfile.from_frame(frame, ["c"], np.array(["c"], dtype=object))
