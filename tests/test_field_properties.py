"""Property-based tests of the field encoding (hypothesis): arbitrary mixes of
categories, missing values, unseen values and numeric extremes. Every example
reaches an assertion: the outcome (a ValueError/TypeError that names the column,
or finite outputs and ids inside the vocabulary) is predicted from the drawn
values, never caught and ignored."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skfeat._fields._encoder import FieldEncoder
from skfeat.models import FMClassifier

#: the largest |value| a numeric column may hold (float32's range)
LIMIT = float(np.finfo(np.float32).max)

#: the values of one categorical column of one kind, missing values included
SAME_KIND_POOLS = [
    [None, np.nan, "a", "b", "c", "", "ü"],
    [None, np.nan, -3, -1, 0, 1, 2, 3],
    [None, True, False, -1, 0, 2],
]
ANY_CATEGORY = st.one_of(
    st.none(), st.just(np.nan), st.sampled_from(["a", "b", "c", "", "ü"]),
    st.integers(-3, 3), st.booleans(),
)  # fmt: skip
IN_RANGE = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-LIMIT,
              max_value=LIMIT),
    st.sampled_from([3.4e38, -3.4e38, 1e30, 0.0, -0.0, 5e-324, np.nan]),
    st.integers(-(2**62), 2**62),
)  # fmt: skip
OUT_OF_RANGE = st.sampled_from([np.inf, -np.inf, 1e300, -1e39, 3.5e38])


@st.composite
def frame(draw, min_rows=1):
    """A two-column frame; most draws are valid, some hold a value out of
    range or categories mixing strings and numbers."""
    n = draw(st.integers(min_rows, 12))
    flaw = draw(st.sampled_from([None, None, None, "number", "mixed"]))
    if flaw == "mixed":
        cats = draw(st.lists(ANY_CATEGORY, min_size=n, max_size=n))
    else:
        pool = draw(st.sampled_from(SAME_KIND_POOLS))
        cats = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    nums = draw(st.lists(IN_RANGE, min_size=n, max_size=n))
    if flaw == "number":
        nums[draw(st.integers(0, n - 1))] = draw(OUT_OF_RANGE)
    return pd.DataFrame(
        {"cat": pd.Series(cats, dtype=object), "num": pd.Series(nums, dtype=float)}
    )


def _mixes_strings_and_numbers(values):
    present = [v for v in values if v is not None and not _is_nan(v)]
    kinds = {isinstance(v, str) for v in present}
    return len(kinds) == 2


def _is_nan(v):
    return isinstance(v, float) and np.isnan(v)


def _out_of_range(numbers):
    x = np.asarray(numbers, dtype=float)
    x = x[~np.isnan(x)]
    return bool((np.abs(x) > LIMIT).any())


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


@SETTINGS
@given(frame(), frame())
def test_field_encoder_names_the_column_or_gives_finite_values_and_valid_ids(
    X_fit, X_later
):
    encoder = FieldEncoder(np.array([True, False]), ["cat", "num"])
    fit_errors = []
    if _mixes_strings_and_numbers(X_fit["cat"]):
        fit_errors.append("'cat'")
    if _out_of_range(X_fit["num"]):
        fit_errors.append("'num'")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if fit_errors:
            with pytest.raises((ValueError, TypeError)) as exc:
                encoder.fit(X_fit)
            assert any(name in str(exc.value) for name in fit_errors)
            return
        encoder.fit(X_fit)
        if _out_of_range(X_later["num"]):
            with pytest.raises(ValueError, match="'num'"):
                encoder.transform(X_later)
            return
        # unseen and mixed categories after fit map to reserved ids, never raise
        out = encoder.transform(X_later)
    assert np.isfinite(out["num"]).all()
    assert np.abs(out["num"]).max(initial=0) <= 1e6
    assert out["cat"].min(initial=0) >= 0
    assert out["cat"].max(initial=0) < encoder.schema_.cardinalities[0]


@SETTINGS
@given(frame(), frame())
def test_model_names_the_column_or_predicts_finite_probabilities(X_fit, X_later):
    X_fit["cat"] = X_fit["cat"].astype(str).astype("category")
    X_later["cat"] = X_later["cat"].astype(str).astype("category")
    y = np.arange(len(X_fit)) % 2
    clf = FMClassifier(max_epochs=1, batch_size=4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if len(X_fit) < 2:  # one class: the classifier's own error
            with pytest.raises(ValueError, match="class"):
                clf.fit(X_fit, y)
            return
        if _out_of_range(X_fit["num"]):
            with pytest.raises(ValueError, match="'num'"):
                clf.fit(X_fit, y)
            return
        clf.fit(X_fit, y)
        if _out_of_range(X_later["num"]):
            with pytest.raises(ValueError, match="'num'"):
                clf.predict_proba(X_later)
            return
        proba = clf.predict_proba(X_later)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("value", [1e300, -3.5e38, 1e39])
def test_the_limit_is_named_in_the_error(value):
    X = pd.DataFrame({"num": [0.0, 1.0, value]})
    with pytest.raises(ValueError, match=r"'num' holds .* \(\|value\| <= 3\.4e\+38\)"):
        FieldEncoder(np.array([False]), ["num"]).fit(X)


MIXED = st.one_of(st.none(), st.just(np.nan), st.sampled_from(["a", "b", "c", "zz"]))


@st.composite
def vocabularies(draw):
    n = draw(st.integers(1, 25))
    later = draw(st.integers(1, 15))
    fit = [draw(MIXED) for _ in range(n)]
    new = [draw(st.one_of(MIXED, st.sampled_from(["q", "r"]))) for _ in range(later)]
    return fit, new, draw(st.sampled_from([None, 2, 0.3]))


@SETTINGS
@given(vocabularies())
def test_vocabulary_lookup_gives_the_ordinal_encoders_ids(case):
    # the hash lookup (time in the batch, not the vocabulary) must reproduce the
    # ids of the fitted OrdinalEncoder exactly: categories, rare ones, missing
    # and unseen values
    from skfeat._fields._encoder import N_RESERVED_IDS

    fit, new, min_frequency = case
    encoder = FieldEncoder(np.array([True]), ["c"], min_frequency=min_frequency)
    encoder.fit(pd.DataFrame({"c": pd.Series(fit, dtype=object)}))
    X_new = pd.DataFrame({"c": pd.Series(new, dtype=object)})
    ids = encoder.transform(X_new)["cat"]
    part = encoder._categorical_part(X_new, np.array([0]))
    expected = encoder.ordinal_.transform(part) + N_RESERVED_IDS
    assert np.array_equal(ids, expected.astype(np.int64))


@pytest.mark.parametrize("min_frequency", [None, 2])
def test_missing_value_gets_the_missing_id_only_when_seen_in_fit(min_frequency):
    # as OrdinalEncoder: missing in fit -> the missing id 0; never missing in
    # fit -> the unknown id 1
    fit = pd.DataFrame({"seen": ["a", None, "a", "b", "b"],
                        "never": ["a", "a", "b", "b", "c"]})  # fmt: skip
    encoder = FieldEncoder(np.array([True, True]), ["seen", "never"],
                           min_frequency=min_frequency).fit(fit)  # fmt: skip
    X_new = pd.DataFrame({"seen": [None, "zz"], "never": [np.nan, "zz"]})
    assert encoder.transform(X_new)["cat"].tolist() == [[0, 1], [1, 1]]
