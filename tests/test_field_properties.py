"""Property-based tests of the field encoding (hypothesis): arbitrary mixes of
categories, missing values, unseen values and numeric extremes either raise a
ValueError/TypeError or give finite outputs and ids inside the vocabulary."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skfeat._fields._encoder import FieldEncoder
from skfeat.models import FMClassifier

CATEGORIES = st.one_of(
    st.none(),
    st.just(np.nan),
    st.sampled_from(["a", "b", "c", "", "ü"]),
    st.integers(-3, 3),
    st.booleans(),
)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([1e300, -1e300, 3.5e38, 1e30, 0.0, -0.0, 5e-324]),
    st.integers(-(2**62), 2**62),
)


def _frame(draw, n, categories, numbers):
    return pd.DataFrame(
        {
            "cat": pd.Series(
                draw(st.lists(categories, min_size=n, max_size=n)), dtype=object
            ),
            "num": pd.Series(
                draw(st.lists(numbers, min_size=n, max_size=n)), dtype=float
            ),
        }
    )


@st.composite
def fit_and_later(draw):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(1, 12))
    return _frame(draw, n, CATEGORIES, NUMBERS), _frame(draw, m, CATEGORIES, NUMBERS)


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


@SETTINGS
@given(fit_and_later())
def test_field_encoder_raises_or_gives_finite_values_and_valid_ids(frames):
    X_fit, X_later = frames
    encoder = FieldEncoder(np.array([True, False]), ["cat", "num"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            encoder.fit(X_fit)
            out = encoder.transform(X_later)
    except (ValueError, TypeError):
        return
    assert np.isfinite(out["num"]).all()
    assert np.abs(out["num"]).max(initial=0) <= 1e6
    assert out["cat"].min(initial=0) >= 0
    assert out["cat"].max(initial=0) < encoder.schema_.cardinalities[0]


@SETTINGS
@given(fit_and_later())
def test_model_raises_or_predicts_finite_probabilities(frames):
    X_fit, X_later = frames
    X_fit["cat"] = X_fit["cat"].astype(str).astype("category")
    X_later["cat"] = X_later["cat"].astype(str).astype("category")
    y = np.arange(len(X_fit)) % 2
    clf = FMClassifier(max_epochs=1, batch_size=4, random_state=0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            clf.fit(X_fit, y)
            proba = clf.predict_proba(X_later)
    except (ValueError, TypeError) as exc:
        assert "Traceback" not in str(exc)
        return
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
