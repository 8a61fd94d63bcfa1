"""Values of input columns: light input checks that keep DataFrames as they are,
missing values, and the kind of values a categorical column holds."""

import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import check_array


def _column(X, j):
    return X.iloc[:, j] if hasattr(X, "iloc") else X[:, j]


def _is_arrow_text(dtype):
    """Whether ``dtype`` is pandas' text dtype stored by arrow (``str``,
    ``string[pyarrow]``), whose values arrow can count and encode itself."""
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _value_kind(values):
    """``"string"``, ``"integer"``, ``"floating"``, ``"boolean"``, ... of values."""
    values = np.asarray(values, dtype=object)
    values = values[~_missing_mask(values)]
    if values.size == 0:
        return "empty"
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "floating" and all(float(v).is_integer() for v in values[:1000]):
        return "integer"  # 3.0 == 3 already matches inside the encoder
    return kind


def check_categorical_values(values, name):
    """Refuse list-like values, or text mixed with numbers, naming the column.

    An ``OrdinalEncoder`` would refuse them too, without the column's name.
    """
    if pd.api.types.infer_dtype(values, skipna=True) not in ("mixed", "mixed-integer"):
        return
    present = values[~_missing_mask(values)].tolist()
    bad = next((v for v in present if isinstance(v, list | tuple | dict | set |
                                                 np.ndarray)), None)  # fmt: skip
    if bad is not None:
        raise TypeError(
            f"Categorical column {name!r} holds {type(bad).__name__} values (for "
            f"example {bad!r}); a categorical value is one string or number. Spread "
            "fixed-length numeric vectors over columns (see vector_features)."
        )
    text = next((v for v in present if isinstance(v, str)), None)
    number = next((v for v in present if isinstance(v, numbers.Number)), None)
    if text is not None and number is not None:
        raise TypeError(
            f"Categorical column {name!r} mixes strings and numbers (for example "
            f"{text!r} and {number!r}); convert it to one type first, for example "
            f"X[{name!r}].astype(str)."
        )


def _missing_mask(values):
    return np.asarray(pd.isna(np.asarray(values, dtype=object)), dtype=bool)


def _convert(values, kind):
    """Values as ``kind`` ("string" or "integer"), or None if not one to one."""
    if kind == "string":
        out = []
        for v in values.tolist():
            if isinstance(v, bool | np.bool_):
                return None
            if isinstance(v, numbers.Integral):
                out.append(str(int(v)))
            elif isinstance(v, numbers.Real) and float(v).is_integer():
                out.append(str(int(v)))
            else:
                return None
        return np.asarray(out, dtype=object)
    out = []
    for v in values.tolist():
        if not isinstance(v, str) or not v.strip().lstrip("+-").isdigit():
            return None
        out.append(int(v))
    return np.asarray(out, dtype=object)


def _is_nan(value):
    try:
        return value is None or bool(np.isnan(value))
    except TypeError:
        return False


def _first_non_numeric(col):
    for value in np.asarray(col, dtype=object).ravel():
        try:
            float(value)
        except (TypeError, ValueError):
            return value
    return None


def check_field_input(X, *, allow_sparse, estimator_name):
    """Light validation that keeps DataFrames as they are.

    Arrays go through ``check_array`` (numeric unless object dtype is needed for
    categorical columns, decided later); sparse input is accepted only when the model
    takes it.
    """
    if sp.issparse(X):
        if not allow_sparse:
            raise TypeError(
                f"{estimator_name} needs field-structured input (a DataFrame or a "
                "dense array, one column per field) and does not accept sparse "
                "input. Use FMClassifier/FMRegressor for libFM-style sparse rows, "
                "or pass X.toarray()."
            )
        return X
    if hasattr(X, "iloc"):
        if X.ndim != 2:
            raise ValueError(f"Expected a 2D DataFrame, got {X.ndim} dimensions.")
        if X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of "
                f"1 is required by {estimator_name}."
            )
        if X.shape[1] == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of "
                f"1 is required by {estimator_name}."
            )
        check_no_datetime(X, estimator_name)
        return X
    if getattr(getattr(X, "dtype", None), "kind", None) in ("m", "M"):
        raise TypeError(
            f"{estimator_name} got a datetime or timedelta array; skfeat does not "
            "encode dates implicitly. Convert them to numbers (for example "
            "seconds, or hour and weekday features) or to categories first."
        )
    return None  # caller runs check_array with the dtype it needs


def check_no_datetime(X, estimator_name):
    """Refuse datetime, timedelta and period columns with a TypeError naming them."""
    bad = [
        str(X.columns[k])
        for k, dtype in enumerate(X.dtypes.tolist())
        if getattr(dtype, "kind", None) in ("m", "M")
        or isinstance(dtype, pd.DatetimeTZDtype | pd.PeriodDtype)
    ]
    if bad:
        raise TypeError(
            f"{estimator_name} got datetime/timedelta column(s) {bad}; skfeat does "
            "not encode dates implicitly (as plain numbers their scale is "
            "nanoseconds since 1970). Convert them first: to numbers (for example "
            "X[col].astype('int64') // 10**9, or hour and weekday features) or to a "
            "categorical column (X[col].astype(str).astype('category'))."
        )


def check_dense_array(X, *, numeric, estimator_name):
    return check_array(
        X,
        dtype=np.float64 if numeric else None,
        ensure_all_finite="allow-nan",
        estimator=estimator_name,
        input_name="X",
    )
